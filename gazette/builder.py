"""Incremental, parallel builds: the one code path behind `build.py` and the preview.

    builder = Builder(config, output_dir, include_drafts=False, jobs=None, cache=True)
    result = builder.build()                    # first build: all of it (or from the cache)
    result = builder.build({Path(".../content/world/story.md")})  # later: what changed
    result.changed                              # output paths written or removed this time

A Builder keeps, between its builds, in memory (and in `.gazette-cache/` when
`cache=True`, as the command line does):

- every source file's size/time/inode and content digest, with its parsed
  Article and rendered Markdown (Markdown is also looked up by content, so a
  front-matter-only edit or a renamed file does not convert again);
- for every page, what it was made from (`gazette.deps.Trace`);
- a manifest of the published files' digests, so unchanged files are never
  re-read and a build that changes nothing does not touch `output/`.

`build(changed_paths)` trusts `changed_paths` (files created, changed or deleted
since the last build) when given, and scans content/ by file times when it is
None. Templates, static files and config.toml are re-checked on every build (they
are few). Pages whose inputs did not change are carried over; the rest are
rendered, over `jobs` processes when there are many, and `output/` is replaced
atomically as in `gazette.output`. Whatever the sequence of edits, the output is
byte-identical to a clean build: the tests check exactly that.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gazette import cache as disk_cache
from gazette.assets import OutputFile, collect_assets
from gazette.config import Config, load_config
from gazette.content import discover, read_articles
from gazette.deps import (
    ALL,
    LATEST,
    Changes,
    Frozen,
    Key,
    Trace,
    TrackingEnvironment,
    helper_reads,
    key_of,
    shape_digest,
    template_closure,
    track_functions,
)
from gazette.errors import GazetteError
from gazette.markup import MarkdownRenderer, with_dateline_and_credit
from gazette.model import Article, Page, Site
from gazette.output import Manifest, Spare, Stage, WriteReport, file_digest, verify_manifest
from gazette.render import make_environment, render_page
from gazette.sanitize import sanitize_html
from gazette.site import build_site, select_articles

MARKUP_VERSION = "1"  # bump when markup.py's output changes for the same input
PARALLEL_MIN_PAGES = 400  # fewer pages than this render faster without forking workers
PARALLEL_MIN_ARTICLES = 100
PROGRESS_MIN_ITEMS = 2000


@dataclass(frozen=True)
class BuildResult:
    articles: int
    pages: int
    report: WriteReport
    seconds: float
    rendered: int = 0  # pages rendered this time (the rest were carried over)
    changed: tuple[str, ...] = ()  # output paths written or removed, e.g. "world/x/index.html"

    def summary(self) -> str:
        r = self.report
        return (
            f"Built {self.articles} articles into {self.pages} pages: "
            f"{r.written} written, {r.unchanged} unchanged, {r.removed} removed "
            f"in {self.seconds:.2f} s"
        )


@dataclass
class SourceState:
    stat: tuple[int, int, int]  # size, mtime_ns, inode
    digest: str
    article: Article
    markdown: str = ""  # key of its rendered Markdown once html and toc are filled in


@dataclass
class State:
    """Everything a Builder remembers between builds; pickled into the cache."""

    settings: str = ""  # digest of the config and Gazette's code: all else is void if it changes
    sources: dict[str, SourceState] = field(default_factory=dict)
    markdown: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (html, toc)
    traces: dict[str, Trace] = field(default_factory=dict)  # by output path
    objects: dict[Key, Any] = field(default_factory=dict)  # what pages could read, last time
    manifest: Manifest = field(default_factory=dict)
    spare: Spare | None = None  # the replaced version of output/, kept in the cache folder
    inputs: str = ""  # digest of what the last complete build was made of (see _inputs_digest)
    pages: int = 0


MODEL_FIELDS = ("path", "date", "section", "slug", "slug_given", "tags", "author", "title", "draft")


def _model_fields(article: Article) -> tuple[Any, ...]:
    """What the site model (URLs, lists, pages, titles) takes from an article."""
    return tuple(getattr(article, name) for name in MODEL_FIELDS)


def _model_signature(articles: list[Article]) -> str:
    return _h(repr([_model_fields(a) for a in articles]))


def _update_in_place(state: State, old: Article, new: Article) -> None:
    """Give `old` the contents of `new` (same model fields), so the site model that
    refers to `old` stays valid; the last build's objects keep a copy of the old
    values, which is what this build's pages are compared with."""
    snapshot = copy.copy(old)
    for key, obj in list(state.objects.items()):
        if obj is old:
            state.objects[key] = snapshot
    for f in dataclasses.fields(Article):
        if f.name != "url":  # given by the site model; the same for the same model fields
            setattr(old, f.name, getattr(new, f.name))


SHARDS = 64  # the disk cache keeps sources in this many files


def _shard(relative: str) -> str:
    number = int.from_bytes(hashlib.blake2b(relative.encode(), digest_size=2).digest(), "big")
    return f"sources-{number % SHARDS:02d}"


def _freeze(state: State, touched: set[str] | None) -> tuple[dict[str, Any], set[str] | None]:
    """The state as cache parts: the sources in shards, the rest in "state" (articles
    by key only: they are in the shards; terms and archives as Frozen snapshots)."""
    shards: dict[str, dict[str, SourceState]] = {}
    for relative, source in state.sources.items():
        shards.setdefault(_shard(relative), {})[relative] = source
    objects: dict[Key, Any] = {}
    for key, obj in state.objects.items():
        if key == LATEST or key[0] == "a":
            objects[key] = key_of(obj) if key == LATEST else None
        else:
            objects[key] = Frozen(obj)
    pairs: dict[Any, int] = {}
    traces = {
        path: (t.static, tuple(pairs.setdefault(p, len(pairs)) for p in t.reads))
        for path, t in state.traces.items()
    }
    rest = dataclasses.replace(
        state, sources={}, markdown={}, objects=objects, traces={"": list(pairs), **traces}
    )
    changed = None if touched is None else {"state"} | {_shard(r) for r in touched}
    return {"state": rest, **shards}, changed


def _thaw(parts: dict[str, Any]) -> State:
    """`_freeze` undone; anything unexpected gives a fresh state."""
    state = parts.get("state")
    if not isinstance(state, State):
        return State()
    for name, shard in parts.items():
        if name != "state" and isinstance(shard, dict):
            state.sources.update(shard)
    state.markdown = {
        s.markdown: (s.article.html, s.article.toc) for s in state.sources.values() if s.markdown
    }
    objects: dict[Key, Any] = {}
    for key, value in state.objects.items():
        if key == LATEST or key[0] == "a":
            path = value if key == LATEST else key
            source = state.sources.get(path[1]) if path else None
            if source is not None:
                objects[key] = source.article
        else:
            objects[key] = value
    state.objects = objects
    table = state.traces.pop("", [])  # type: ignore[call-overload]
    state.traces = {
        path: Trace(static, tuple(table[i] for i in reads))
        for path, (static, reads) in state.traces.items()  # type: ignore[misc]
    }
    return state


def _stat_key(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _h(*parts: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def markdown_key(article: Article, sanitize: bool = False) -> str:
    parts = (MARKUP_VERSION, article.body, article.dateline or "", article.source or "")
    return _h(*parts, "sanitized" if sanitize else "raw")


def _convert(
    items: list[tuple[str, str, str | None, str | None, bool]],
    renderer: MarkdownRenderer | None = None,
) -> list[tuple[str, str, str]]:
    """Markdown for a chunk of articles (runs in a worker process)."""
    renderer = renderer or MarkdownRenderer()
    out = []
    for key, body, dateline, source, sanitize in items:
        html, toc = renderer.convert(body)
        if sanitize:  # config: content.untrusted
            html, toc = sanitize_html(html), sanitize_html(toc)
        out.append((key, with_dateline_and_credit(html, dateline, source), toc))
    return out


@dataclass
class _ParseJob:
    """What parse workers need (inherited by forked workers)."""

    config: Config
    cached: set[str]  # Markdown keys already in the cache: not converted again


_PARSE: _ParseJob | None = None  # set only while sources are parsed


ParseResult = tuple[str, tuple[int, int, int], str, "Article | None", list[GazetteError], str]


def _parse(items: list[tuple[str, Path]]) -> list[ParseResult]:
    """Read, parse and convert a chunk of source files (runs in a worker process):
    (relative path, stat, digest, article or None, problems, Markdown key if converted)."""
    job = _PARSE
    assert job is not None
    sanitize = job.config.content.untrusted
    renderer = MarkdownRenderer()  # one per chunk: making one costs as much as converting
    out = []
    for relative, path in items:
        try:
            st = path.stat()
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        except FileNotFoundError:
            continue  # deleted meanwhile: the next scan sees it gone
        articles, errors = read_articles(job.config, [path])
        converted = ""
        if articles:
            article = articles[0]
            key = markdown_key(article, sanitize)
            if key not in job.cached:
                ((_, html, toc),) = _convert(
                    [(key, article.body, article.dateline, article.source, sanitize)], renderer
                )
                article.html, article.toc, converted = html, toc, key
        out.append(
            (relative, _stat_key(st), digest, articles[0] if articles else None, errors, converted)
        )
    return out


@dataclass
class _RenderJob:
    """What render workers need; forked workers inherit it instead of receiving it."""

    env: TrackingEnvironment
    pages: list[Page]
    shared: dict[str, Any]
    config: Config
    stage: Stage
    objects: dict[Key, Any]
    nav: set[Key]  # the sections in every page's navigation
    # (object, attribute) pairs shared by this process's traces: one copy each, in
    # memory and in the pickled results (pickle keeps shared objects shared)
    interned: dict[Any, Any] = field(default_factory=dict)


_JOB: _RenderJob | None = None  # set only while pages render (inherited by forked workers)


def _render(indices: list[int]) -> list[tuple[int, str, bool, tuple[tuple[Key, str], ...]]]:
    """Render pages by index into the stage; returns (index, digest, changed, reads)."""
    job = _JOB
    assert job is not None
    env = job.env
    out = []
    for index in indices:
        page = job.pages[index]
        env.recorder = helper_reads(page)
        try:
            data = render_page(env, page, job.shared, job.config)
        finally:
            reads = _condense(env.recorder, key_of(page.context.get("article")), job)
            env.recorder = None
        digest = file_digest(data)
        changed = job.stage.put(page.output_path, data, digest)
        out.append((index, digest, changed, reads))
    return out


NAV_ATTRIBUTES = frozenset({"name", "url", "slug", "kind"})  # in `shape_of_shared`


def _condense(reads: set[tuple[Key, str]], own: Key | None, job: _RenderJob) -> tuple[Any, ...]:
    """A page's reads, smaller: grouped by object as (key, attributes); what it reads
    of its own article counts as all of it (its page shows nearly all of it anyway);
    the navigation's names and URLs are in the shared shape. Keys and attribute sets
    are shared within this process's results, so a trace costs a few pointers."""
    grouped: dict[Key, set[str]] = {}
    for key, attribute in reads:
        if key == own:
            grouped[key] = {ALL}
        elif not (key in job.nav and attribute in NAV_ATTRIBUTES):
            if grouped.get(key) != {ALL}:
                grouped.setdefault(key, set()).add(attribute)
    interned = job.interned
    return tuple(
        (interned.setdefault(key, key), interned.setdefault(names, names))
        for key, names in sorted((k, tuple(sorted(v))) for k, v in grouped.items())
    )


def _chunks(items: Sequence[Any], jobs: int, smallest: int) -> list[Sequence[Any]]:
    size = max(smallest, -(-len(items) // (jobs * 8)))
    return [items[i : i + size] for i in range(0, len(items), size)]


class Builder:
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
    ) -> None:
        self.config = config
        self.output_dir = Path(output_dir)
        self.include_drafts = include_drafts
        self.now = now
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.cache_dir = disk_cache.cache_dir_for(self.output_dir) if cache else None
        self.progress = progress
        self.notice = notice or (lambda text: print(text, file=sys.stderr))
        self.state: State | None = None
        self._env: TrackingEnvironment | None = None
        self._last = 0.0
        # the last site model, kept while only article contents change (in memory only)
        self._site: Site | None = None
        self._signature = ""
        self._shapes: list[str] | None = None
        self._new_shapes: list[str] = []
        # articles changed since the last complete build (a failed build leaves them here)
        self._pending: set[Key] = set()
        self._trusted: set[str] = set()  # what this Builder last published (see _write)

    # -- the build, stage by stage ------------------------------------------------------

    def build(self, changed_paths: Iterable[Path] | None = None) -> BuildResult:
        from gazette.pipeline import build_now, check_output_dir, image_problems, machine_files

        started = time.perf_counter()
        changed = None if changed_paths is None else {Path(p).absolute() for p in changed_paths}
        self._maybe_reload_config(changed)
        config = self.config
        check_output_dir(self.output_dir, config)
        now = self.now or build_now(config.tz)
        state = self._state()
        settings = _h(disk_cache.code_version(), repr(config), str(self.include_drafts))
        if state.settings != settings:
            state.sources.clear()
            state.traces.clear()
            state.objects.clear()
            state.settings = settings
            self._env = None

        self._mark("start")
        dirty, errors, touched = self._read_sources(state, changed)
        self._pending |= dirty
        dirty = set(self._pending)
        self._mark("read and parse (+ Markdown in workers)")
        articles = select_articles(
            (s.article for s in state.sources.values()),
            include_drafts=self.include_drafts,
            now=now,
        )
        assets = collect_assets(config.static_dir, config.content_dir)
        errors += image_problems(articles, assets.content_files, config)
        if errors:  # every content problem at once, before output/ is touched
            raise GazetteError.collect(errors)
        inputs = self._inputs_digest(articles, assets.files)
        if not dirty and inputs == state.inputs and self._untouched(state.manifest):
            # Same articles, templates, static files and settings as the build that made
            # output/, which is still as it left it: the site model would be the same.
            report = WriteReport(0, len(state.manifest), 0)
            return self._result(len(articles), state.pages, report, 0, (), started)
        state.inputs = ""  # until this build completes
        self._markdown(state)
        self._mark("markdown")
        signature = _model_signature(articles)
        if self._site is not None and signature == self._signature:
            site = self._site  # same articles in the same places: only contents changed
        else:
            self._site = self._shapes = None
            site = build_site(articles, config)
            signature = _model_signature(articles)  # after URLs (slugs may be numbered)
        self._mark("site model")
        extras = [*assets.files, *machine_files(site, config, assets)]  # gives pages `meta`
        self._mark("feeds, sitemaps")
        result = self._write(state, site, assets.urls, extras, dirty, started)
        state.inputs, state.pages = inputs, len(site.pages)
        self._site, self._signature, self._shapes = site, signature, self._new_shapes
        self._pending = set()
        self._save(touched)  # parts not on disk yet are written whatever `touched` says
        self._mark("cache saved")
        return dataclasses.replace(result, seconds=time.perf_counter() - started)

    def _mark(self, what: str) -> None:
        """With GAZETTE_TIMINGS=1 in the environment, print each stage's time and memory."""
        if not os.environ.get("GAZETTE_TIMINGS"):
            return
        import resource

        now = time.perf_counter()
        if what == "start":
            self._last = now
            return
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"timing: {what}: {now - self._last:.2f} s, peak {rss:.0f} MB", file=sys.stderr)
        self._last = now

    def _inputs_digest(self, articles: list[Article], assets: list[OutputFile]) -> str:
        """Everything the site model and pages are made of, besides the articles' contents
        (tracked by `dirty`): which articles are published, templates, static files."""
        folder = self.config.templates_dir
        parts = [a.path for a in articles]
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                parts.append(path.relative_to(folder).as_posix())
                parts.append(hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest())
        for file in assets:
            parts.append(file.path)
            parts.append(hashlib.blake2b(file.data, digest_size=16).hexdigest())
        return _h(*parts)

    def _maybe_reload_config(self, changed: set[Path] | None) -> None:
        path = self.config.path
        if path is not None and changed is not None and path.absolute() in changed:
            self.config = load_config(path)

    def _state(self) -> State:
        if self.state is None:
            loaded = disk_cache.load(self.cache_dir, self.notice) if self.cache_dir else None
            self.state = _thaw(loaded) if loaded else State()
        return self.state

    def _read_sources(
        self, state: State, changed: set[Path] | None
    ) -> tuple[set[Key], list[GazetteError], set[str]]:
        """Bring `state.sources` up to date; return the keys of new, changed or gone
        articles, the problems found in files (those keep their previous state), and
        the relative paths whose cached state changed at all."""
        content_dir = self.config.content_dir
        content_abs = content_dir.absolute()
        candidates: dict[str, Path] = {}
        gone: set[str] = set()
        full_scan = changed is None or not state.sources
        if not full_scan:
            assert changed is not None
            for path in changed:
                if content_abs not in path.parents:
                    continue
                if path.suffix != ".md" or path.is_dir():
                    full_scan = True  # a folder moved, or a non-Markdown change: look at all
                    break
                relative = path.relative_to(content_abs).as_posix()
                if path.is_file():
                    candidates[relative] = content_dir / relative
                else:
                    gone.add(relative)
        if full_scan:
            files = {p.relative_to(content_dir).as_posix(): p for p in discover(content_dir)}
            gone = set(state.sources) - set(files)
            candidates = files

        pending: list[tuple[str, Path]] = []
        for relative, path in sorted(candidates.items()):
            known = state.sources.get(relative)
            if known is not None and not (changed is not None and path.absolute() in changed):
                try:
                    if known.stat == _stat_key(path.stat()):
                        continue
                except FileNotFoundError:
                    gone.add(relative)
                    continue
            pending.append((relative, path))

        global _PARSE
        _PARSE = _ParseJob(self.config, set(state.markdown))
        try:
            results = sorted(
                self._map(_parse, pending, PARALLEL_MIN_ARTICLES, "articles"),
                key=lambda result: result[0],
            )
        finally:
            _PARSE = None
        dirty: set[Key] = set()
        errors: list[GazetteError] = []
        seen = set()
        for relative, stat, digest, article, problems, converted in results:
            seen.add(relative)
            errors += problems
            known = state.sources.get(relative)
            if known is not None and known.digest == digest:
                known.stat = stat  # touched, not changed
            elif article is not None:
                if known is not None and _model_fields(known.article) == _model_fields(article):
                    _update_in_place(state, known.article, article)
                    known.stat, known.digest, known.markdown = stat, digest, converted
                else:
                    state.sources[relative] = SourceState(stat, digest, article, converted)
                dirty.add(("a", relative))
        gone |= {relative for relative, _ in pending if relative not in seen}
        for relative in gone:
            state.sources.pop(relative, None)
            dirty.add(("a", relative))
        return dirty, errors, seen | gone

    def _markdown(self, state: State) -> None:
        """Fill in html/toc of articles that lack it: from the cache, else convert."""
        needed: dict[str, list[SourceState]] = {}
        sanitize = self.config.content.untrusted
        for source in state.sources.values():
            if source.markdown:
                continue
            article = source.article
            key = markdown_key(article, sanitize)
            cached = state.markdown.get(key)
            if cached is not None:
                article.html, article.toc = cached
                source.markdown = key
            else:
                needed.setdefault(key, []).append(source)
        items = [
            (key, s[0].article.body, s[0].article.dateline, s[0].article.source, sanitize)
            for key, s in needed.items()
        ]
        for key, html, toc in self._map(_convert, items, PARALLEL_MIN_ARTICLES, "markdown"):
            for source in needed[key]:
                source.article.html, source.article.toc = html, toc
                source.markdown = key
        # keep only what current articles use, so the cache does not grow forever
        state.markdown = {
            s.markdown: (s.article.html, s.article.toc) for s in state.sources.values()
        }

    def _write(
        self,
        state: State,
        site: Site,
        asset_urls: dict[str, str],
        extras: list[OutputFile],
        dirty: set[Key],
        started: float,
    ) -> BuildResult:
        config = self.config
        env = self._environment()
        shared = {
            "site": config.site,
            "config": config,
            "nav": site.sections,
            "latest": site.articles[0] if site.articles else None,
            "assets": asset_urls,
        }
        objects: dict[Key, Any] = {}
        for obj in [*site.articles, *site.sections, *site.tags, *site.authors]:
            objects[key_of(obj)] = obj  # type: ignore[index]
        for obj in [*site.years, *site.months]:
            objects[key_of(obj)] = obj  # type: ignore[index]
        latest = shared["latest"]
        env.latest = latest
        if latest is not None:
            objects[LATEST] = latest
        # Terms and archives are rebuilt every time: compare what pages read of them.
        dirty = set(dirty) | {key for key in objects.keys() | state.objects.keys() if key[0] != "a"}
        changes = Changes(state.objects, objects, dirty)

        self._mark("dependencies")
        base = _h(state.settings, repr(sorted(asset_urls.items())), shape_of_shared(shared))
        templates: dict[str, str] = {}
        # Between builds of one Builder, output/ is taken to hold what the last build
        # left (the preview owns it); a new Builder (each command-line run) checks.
        trusted = self._trusted and self._trusted == state.manifest.keys()
        manifest = state.manifest if trusted else verify_manifest(self.output_dir, state.manifest)
        todo: list[int] = []
        statics: list[str] = []
        memo: dict[int, Any] = {}
        shapes = self._shapes if site is self._site and self._shapes else []
        for index, page in enumerate(site.pages):
            if page.template not in templates:
                templates[page.template] = self._template_digest(env, page.template)
            if len(shapes) <= index:
                shapes.append(shape_digest(page, memo))
            static = _h(base, templates[page.template], shapes[index])
            self._new_shapes = shapes
            statics.append(static)
            trace = state.traces.get(page.output_path)
            if trace is None or page.output_path not in manifest or changes.stale(trace, static):
                todo.append(index)

        self._mark("plan")
        page_paths = {page.output_path for page in site.pages}
        extra_digests = {file.path: file_digest(file.data) for file in extras}
        if not todo and self._untouched(manifest, page_paths, extra_digests):
            report = WriteReport(0, len(manifest), 0)
            state.objects, state.manifest = objects, manifest
            self._trusted = set(manifest)
            return self._result(len(site.articles), len(site.pages), report, 0, (), started)

        spare, state.spare = state.spare, None  # used up, whatever happens next
        spare_root = self.cache_dir / "trees" if self.cache_dir is not None else None
        stage = Stage(
            self.output_dir,
            manifest,
            spare_root=spare_root,
            spare=spare,
            published=manifest.keys() if trusted else None,
        )
        traces: dict[str, Trace] = {}
        global _JOB
        try:
            for file in extras:
                stage.add(file.path, file.data, extra_digests[file.path])
            nav = {key_of(section) for section in site.sections}
            _JOB = _RenderJob(env, site.pages, shared, config, stage, objects, nav)  # type: ignore[arg-type]
            for index, digest, changed, reads in self._map(
                _render, todo, PARALLEL_MIN_PAGES, "pages"
            ):
                path = site.pages[index].output_path
                stage.adopt(path, digest, changed)
                traces[path] = Trace(statics[index], reads)
            rendered = set(todo)
            for index, page in enumerate(site.pages):
                if index not in rendered:
                    stage.keep(page.output_path)
                    traces[page.output_path] = state.traces[page.output_path]
            self._mark("render and write")
            report, new_manifest = stage.commit()
            self._mark("publish")
        except BaseException:
            stage.abort()
            raise
        finally:
            _JOB = None
        state.traces = traces
        state.objects = objects
        state.manifest = new_manifest
        state.spare = stage.spare
        self._trusted = set(new_manifest)
        changed = tuple(sorted([*stage.written, *stage.removed]))
        return self._result(
            len(site.articles), len(site.pages), report, len(todo), changed, started
        )

    def _untouched(
        self,
        manifest: Manifest,
        page_paths: set[str] | None = None,
        extra_digests: dict[str, str] | None = None,
    ) -> bool:
        """True when output/ holds exactly `manifest` (nothing else, nothing less, nothing
        edited) and, when given, exactly these pages and extra files."""
        if not manifest or len(verify_manifest(self.output_dir, manifest)) != len(manifest):
            return False
        if extra_digests is not None and page_paths is not None:
            if any(
                manifest.get(p) is None or manifest[p].digest != d for p, d in extra_digests.items()
            ):
                return False
            if page_paths | extra_digests.keys() != manifest.keys():
                return False
        count = sum(len(names) for _, _, names in os.walk(self.output_dir))
        return count == len(manifest)

    def _result(
        self,
        articles: int,
        pages: int,
        report: WriteReport,
        rendered: int,
        changed: tuple[str, ...],
        started: float,
    ) -> BuildResult:
        return BuildResult(
            articles=articles,
            pages=pages,
            report=report,
            seconds=time.perf_counter() - started,
            rendered=rendered,
            changed=changed,
        )

    def _save(self, touched: set[str] | None) -> None:
        """Write the state to the disk cache: only the shards of `touched` sources
        (relative paths; None: all of them) and the small remainder."""
        if self.cache_dir is None or self.state is None:
            return
        parts, changed = _freeze(self.state, touched)
        disk_cache.save(self.cache_dir, parts, changed)

    # -- helpers --------------------------------------------------------------------------

    def _environment(self) -> TrackingEnvironment:
        if self._env is None:
            env = make_environment(self.config, TrackingEnvironment)
            assert isinstance(env, TrackingEnvironment)
            track_functions(env)
            self._env = env
        return self._env

    def _template_digest(self, env: TrackingEnvironment, name: str) -> str:
        folder = self.config.templates_dir
        names = template_closure(env, name)
        if names is None:
            names = sorted(
                p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            )
        parts = []
        for template in names:
            try:
                parts.append(template + ":" + (folder / template).read_bytes().hex())
            except OSError:
                parts.append(template + ":missing")
        return _h(*parts)

    def _map(
        self,
        function: Callable[[list[Any]], list[Any]],
        items: Sequence[Any],
        minimum: int,
        what: str,
    ) -> Iterator[Any]:
        """`function` over chunks of `items`, in worker processes when it is worth it."""
        if not items:
            return
        bar = self._bar(len(items), what)
        try:
            if self.jobs == 1 or len(items) < minimum:
                for chunk in _chunks(items, 1, 200):
                    yield from function(list(chunk))
                    bar.update(len(chunk))
                return
            context = multiprocessing.get_context("fork")
            with context.Pool(self.jobs) as pool:
                for result in pool.imap_unordered(function, _chunks(items, self.jobs, 20)):
                    yield from result
                    bar.update(len(result))
        finally:
            bar.close()

    def _bar(self, total: int, what: str) -> Any:
        if self.progress and total >= PROGRESS_MIN_ITEMS and sys.stderr.isatty():
            try:
                from tqdm import tqdm
            except ImportError:  # a progress bar is a nicety, not a reason to fail
                return _NoBar()
            return tqdm(total=total, desc=what, unit="", leave=False, file=sys.stderr)
        return _NoBar()


class _NoBar:
    def update(self, count: int) -> None:
        pass

    def close(self) -> None:
        pass


def shape_of_shared(shared: dict[str, Any]) -> str:
    """Digest of the context every page shares: the navigation's sections with their
    names and URLs (so pages need not record reading them); the latest article is
    tracked by role instead (see gazette.deps.LATEST)."""
    nav = [[getattr(s, a) for a in sorted(NAV_ATTRIBUTES)] for s in shared["nav"]]
    return _h(repr(nav))
