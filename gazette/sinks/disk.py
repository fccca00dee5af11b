"""The disk sink: `build` writes the engine's snapshots into `output/`.

    sink = DiskSink(config, output_dir, cache=True)   # the command line keeps a cache
    result = sink.build()                              # first build: all of it (or the cache)
    result = sink.build({Path(".../content/world/story.md")})  # later: what changed
    result.changed                                     # output paths written or removed

Only the pages a snapshot says changed are rendered, over worker processes when
there are many. A small change is patched into `output/` in place (each file
written beside its target, then renamed); a bigger one is assembled in a staging
folder and swapped in whole (`gazette.sinks.output_dir`). Whatever the sequence
of edits, the output is byte-identical to a clean build: the tests check that.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from gazette.engine import cache as disk_cache
from gazette.engine.core import (
    PARALLEL_MIN_PAGES,
    Engine,
    RenderJob,
    pages_bytes,
)
from gazette.engine.snapshot import Snapshot
from gazette.engine.workers import Workers
from gazette.errors import GazetteError
from gazette.sinks import unchanged
from gazette.sinks.disk_record import DiskRecord
from gazette.sinks.lock import build_lock
from gazette.sinks.output_dir import Stage, check_output_dir, write_error
from gazette.sinks.output_files import (
    Manifest,
    Published,
    WriteReport,
    file_digest,
    finish_patch,
    fits_in_place,
    manifest_digest,
    patch,
    survey,
)
from gazette.sinks.ownership import check_owned
from gazette.sinks.result import BuildResult, noop_result, result
from gazette.sinks.unchanged import Look
from gazette.stages.assets import OutputFile
from gazette.stages.config import Config
from gazette.stages.site import url_from

SMALL_CHANGE = 64  # see DiskSink's `patch_under`


_JOB: tuple[RenderJob, Stage] | None = None  # set while pages render (inherited by workers)


def _render(indices: list[int]) -> list[tuple[int, str, Published | None]]:
    """Render pages by index into the stage; returns (index, digest, what `put` gave)."""
    assert _JOB is not None
    job, stage = _JOB
    out = []
    for index, data in pages_bytes(job, indices):
        data_digest = file_digest(data)
        out.append((index, data_digest, stage.put(job.pages[index].output_path, data, data_digest)))
    return out


class DiskSink:
    """Builds one site into one output folder, again and again, doing only what changed."""

    def __init__(
        self,
        config: Config,
        output_dir: Path,
        *,
        include_drafts: bool = False,
        now: dt.datetime | None = None,
        jobs: int | None = None,
        cache: bool = False,
        progress: bool = False,
        notice: Callable[[str], None] | None = None,
        patch_under: int = SMALL_CHANGE,
        wait: bool = True,
        force: bool = False,
    ) -> None:
        """`patch_under`: a build that renders fewer pages than this replaces the files
        that differ in output/ in place; a bigger one assembles a new version and swaps.
        `wait`: when another build of the same output folder is running, wait for it
        (else fail at once). `force`: replace an output folder Gazette did not build,
        and delete files in it Gazette did not write."""
        self.output_dir = Path(output_dir)
        self.cache_dir = disk_cache.cache_dir_for(self.output_dir) if cache else None
        self.journal = disk_cache.cache_root(self.output_dir) / f"{self.output_dir.name}.journal"
        self.wait = wait
        self.force = force
        self._token = ""  # what this sink's last build left in the lock (see build_lock)
        self.engine = Engine(
            config,
            include_drafts=include_drafts,
            now=now,
            workers=Workers(jobs, progress=progress),
            cache_dir=self.cache_dir,
            notice=notice or (lambda text: print(text, file=sys.stderr)),
        )
        self.patch_under = patch_under
        self._trusted: set[str] = set()  # what this sink last published (see _published)
        self._folders_moved = False  # output/'s folders changed since the cache's survey
        self._saved = False  # the last save of the cache succeeded

    @property
    def config(self) -> Config:
        return self.engine.config

    def build(
        self,
        changed_paths: Iterable[Path] | None = None,
        prior: tuple[str, Look | None] | None = None,
    ) -> BuildResult:
        """`prior`: a look the command line took under the build lock it left with that
        token (see `gazette.sinks.unchanged`), used when no build came in between."""
        # No cycle collection in this process while it builds: the build makes hundreds
        # of thousands of objects (a site model, digests, a manifest) and no garbage
        # cycles, and each collection would walk them all again (seconds at 100,000
        # articles). Workers collect as usual; so does this process after the build.
        enabled = gc.isenabled()
        gc.disable()
        try:
            with build_lock(self.output_dir, wait=self.wait, notice=self.engine.notice) as (
                previous,
                token,
            ):
                if previous != self._token:  # another process built since: look again
                    self._trusted = set()
                self._token = token
                finish_patch(self.output_dir, self.journal)  # one a killed build began
                if changed_paths is not None or self.cache_dir is None or not self.config.path:
                    unchanged.drop(self.cache_dir)  # it vouches for output/ no more
                    return self._build(changed_paths)  # told what changed: no look needed
                return self._build_or_skip(prior[1] if prior and prior[0] == previous else None)
        finally:
            if enabled:
                gc.enable()

    def _build_or_skip(self, seen: Look | None) -> BuildResult:
        """Nothing to do when every file the last build could read, and every one it
        wrote, is as its note says; else a build, which leaves a new note."""
        started = time.perf_counter()
        engine, cache_dir = self.engine, self.cache_dir
        watch = unchanged.watch_of(self.config)
        assert cache_dir is not None
        if seen is None or seen.watch != watch:
            seen = unchanged.look(watch, self.output_dir, unchanged.load(cache_dir), cache_dir)
        note = seen.note
        key = unchanged.key_of(self.output_dir, engine.include_drafts)
        if unchanged.nothing_to_do(note, seen, key, unchanged.clock(engine.now)):
            assert note is not None
            return noop_result(note.counts, started)
        unchanged.drop(cache_dir)
        changed = unchanged.changed_files(seen)  # all the engine reads
        if changed is not None:
            engine.convert_ahead(changed)  # while the cache loads
        manifest = self.record.manifest
        if note is not None and seen.output_intact and manifest.keys() == set(note.published):
            self._trusted = set(manifest)  # as written: no survey of output/ needed
        built = self._build(changed, started)
        if seen.inputs is not None and self._saved:
            counts = (built.articles, built.pages, len(self.record.manifest))
            made = unchanged.note_of(
                key, seen, self.record.manifest, counts, engine.clock_seen, cache_dir
            )
            unchanged.keep(cache_dir, made, engine.notice)
        return built

    @property
    def record(self) -> DiskRecord:
        """What this sink knows of output/ (loaded from the cache the first time)."""
        state = self.engine.load()
        if not isinstance(state.disk, DiskRecord):
            state.disk = DiskRecord()
        return state.disk

    def _build(self, changed_paths: Iterable[Path] | None, started: float = 0.0) -> BuildResult:
        started = started or time.perf_counter()
        engine = self.engine
        check_output_dir(self.output_dir, engine.config)
        record = self.record
        feed = url_from(engine.config.urls.atom, url="", kind="all", slug="all")
        check_owned(self.output_dir, feed, bool(record.manifest), force=self.force)
        try:
            inputs = engine.read(changed_paths, views=[record.view])
            manifest, present = self._published(record)
            engine.mark("output/ checked")
            if inputs.digest == record.inputs and _untouched(record.manifest, manifest, present):
                # Same articles, templates, static files and settings as the build that
                # made output/, which is still as it left it: nothing to do.
                self._trusted = set(record.manifest)
                if self._folders_moved:
                    self._save()  # the next look at output/ is quicker
                else:
                    self._saved = True  # the cache is as the build that made output/ left it
                report = WriteReport(0, len(record.manifest), 0)
                return result(inputs, record.page_count, report, 0, (), started)
            record.inputs = ""  # until this build completes
            missing = manifest if len(manifest) != len(record.manifest) else None
            snap = engine.snapshot(inputs, record.view, missing)
            try:
                report, rendered, changed = self._write(record, snap, (manifest, present))
            except OSError as exc:  # a full disk, a folder made read-only meanwhile
                size = sum(entry.size for entry in record.manifest.values())
                raise write_error(self.output_dir, exc, size) from None
        except GazetteError:
            if engine.load().sources:  # what was read and converted stays: the next run is warm
                self._save()
            raise
        record.inputs, record.page_count = inputs.digest, len(snap.site.pages)
        self._save()
        engine.mark("cache saved")
        search = engine.search
        return result(inputs, record.page_count, report, rendered, changed, started, search)

    def _save(self) -> None:
        """Save the cache; a disk too full for it costs the next build its warm start,
        not this build (whose output/ is whole either way): a warning, then on."""
        self._saved = False
        try:
            self.engine.save()
            self._saved = True
        except GazetteError as exc:
            self.engine.notice(f"warning: {exc}")

    def _extras(
        self, record: DiskRecord, snap: Snapshot, kept: list[str], manifest: Manifest
    ) -> tuple[list[OutputFile], list[str]]:
        """The static and machine files, and the paths of those kept as output/ has them:
        sitemap.xml lists every page with its articles' dates, so the same shape gives
        the same file (`kept`); so does a feed whose entries are as they were (its key,
        `Engine.feed_keys`) when output/ holds the file that key made."""
        keys, held = self.engine.feed_keys(snap), record.feeds
        same = [
            p for p, k in keys.items() if (m := manifest.get(p)) and held.get(p) == (k, m.digest)
        ]
        machine = self.engine.machine_files(snap, sitemaps=not kept, unchanged_feeds=same)
        if not kept:
            record.sitemaps = [f.path for f in machine if _is_sitemap(f.path)]
        made = {f.path: (keys[f.path], manifest_digest(f)) for f in machine if f.path in keys}
        record.feeds = {path: held[path] for path in same} | made
        return [*snap.inputs.assets.files, *machine], [*kept, *same]

    def _write(
        self,
        record: DiskRecord,
        snap: Snapshot,
        published: tuple[Manifest, list[str]],
    ) -> tuple[WriteReport, int, tuple[str, ...]]:
        """Render what the snapshot says changed and publish it with the static and
        machine files; gives the report, how many pages rendered and the paths changed.
        A big build makes the extras, and settles the plan, while its workers render:
        this process would otherwise wait for them with nothing to do."""
        engine, plan, pages = self.engine, snap.plan, snap.site.pages
        manifest, present = published
        same = plan.same_shape and set(record.sitemaps) <= manifest.keys()
        kept = record.sitemaps if same else []
        engine.annotate(snap, plan.todo)
        todo = plan.todo
        extras: list[OutputFile] | None = None
        if _untouched(record.manifest, manifest, present) and len(todo) < max(self.patch_under, 1):
            # nothing or little to render: the extras decide which, so they come first
            plan.settle()
            extras, kept = self._extras(record, snap, kept, manifest)
            extra_digests = {file.path: manifest_digest(file) for file in extras}
            wanted = plan.view.pages.keys() | extra_digests.keys() | set(kept)
            if (
                not todo
                and wanted == manifest.keys()
                and all(manifest[path].digest == d for path, d in extra_digests.items())
            ):
                self._published_as(record, snap, manifest)
                return WriteReport(0, len(manifest), 0), 0, ()
            if len(todo) < self.patch_under:
                patched = self._patch(record, snap, extras, extra_digests, kept, manifest)
                if patched is not None:
                    return patched[0], len(todo), patched[1]
        spare, record.spare = record.spare, None  # used up, whatever happens next
        spare_root = self.cache_dir / "trees" if self.cache_dir is not None else None
        owned = None if self.force or not record.manifest else record.manifest.keys()
        stage = Stage(
            self.output_dir,
            manifest,
            spare_root=spare_root,
            spare=spare,
            published=present,
            owned=owned,
        )
        global _JOB
        try:
            _JOB = (engine.render_job(snap), stage)
            workers = engine.workers
            with workers.launch(_render, todo, PARALLEL_MIN_PAGES, "pages") as rendered:
                plan.settle()  # meanwhile
                if extras is None:
                    extras, kept = self._extras(record, snap, kept, manifest)
                for file in extras:
                    stage.add(file.path, file.data)
                for index, data_digest, written in rendered:
                    stage.adopt(pages[index].output_path, data_digest, written)
            done = set(todo)
            stage.keep_all(pages[i].output_path for i in range(len(pages)) if i not in done)
            stage.keep_all(kept)
            engine.mark("render and write")
            report, new_manifest = stage.commit()
            engine.mark("publish")
        except BaseException:
            stage.abort()
            raise
        finally:
            _JOB = None
        self._published_as(record, snap, new_manifest)
        record.spare = stage.spare
        return report, len(todo), tuple(sorted([*stage.written, *stage.removed]))

    def _patch(
        self,
        record: DiskRecord,
        snap: Snapshot,
        extras: list[OutputFile],
        extra_digests: dict[str, str],
        kept: list[str],
        manifest: Manifest,
    ) -> tuple[WriteReport, tuple[str, ...]] | None:
        """A small change to an intact output/: render its few pages here and replace
        the files that differ in place (`gazette.sinks.output_dir.patch`), instead of
        assembling a new version of the whole site. None when two outputs claim one
        path (the full path reports that) or a file must go where a folder is."""
        pages = snap.site.pages
        paths = [page.output_path for page in pages] + list(extra_digests) + kept
        wanted = set(paths)
        if len(wanted) != len(paths):
            return None

        def differs(path: str, data_digest: str) -> bool:
            return (entry := manifest.get(path)) is None or entry.digest != data_digest

        files = [(f.path, f.data, d) for f in extras if differs(f.path, d := extra_digests[f.path])]
        for index, data in self.engine.page_bytes(snap, snap.plan.todo):
            path, data_digest = pages[index].output_path, file_digest(data)
            if differs(path, data_digest):
                files.append((path, data, data_digest))
        if not all(fits_in_place(self.output_dir, path) for path, _, _ in files):
            return None  # the site changed shape: a new version replaces it whole
        removed = sorted(manifest.keys() - wanted)
        written = patch(self.output_dir, files, removed, self.journal)
        new_manifest = {path: entry for path, entry in manifest.items() if path in wanted}
        new_manifest.update(written)
        self._published_as(record, snap, new_manifest)
        report = WriteReport(len(written), len(new_manifest) - len(written), len(removed))
        return report, tuple(sorted([*written, *removed]))

    def _published_as(self, record: DiskRecord, snap: Snapshot, manifest: Manifest) -> None:
        """output/ now holds this snapshot: it is what the next one is compared with."""
        record.view, record.manifest = snap.plan.view, manifest
        self._trusted = set(manifest)

    def _published(self, record: DiskRecord) -> tuple[Manifest, list[str]]:
        """The manifest's entries that are still true of output/, and every file there.
        Between builds of one sink, output/ is taken to hold what the last build left;
        a new sink (each command-line run) looks."""
        if self._trusted and self._trusted == record.manifest.keys():
            return record.manifest, list(record.manifest)
        valid, found, folders = survey(self.output_dir, record.manifest, record.folders)
        self._folders_moved = folders != record.folders
        record.folders = folders
        return valid, found


def _untouched(recorded: Manifest, valid: Manifest, present: list[str]) -> bool:
    """True when output/ holds exactly what the manifest records: nothing edited,
    nothing missing, nothing added."""
    return bool(recorded) and len(recorded) == len(valid) == len(present)


def _is_sitemap(path: str) -> bool:
    """sitemap.xml and its parts, at the root or in an edition's folder (bn/sitemap.xml)."""
    return path.rsplit("/", 1)[-1].startswith("sitemap")
