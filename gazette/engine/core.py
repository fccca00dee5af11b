"""The one engine behind every command: sources in, snapshots of the site out.

    engine = Engine(config, cache_dir=..., include_drafts=False)
    inputs = engine.read(changed_paths)        # None: look at everything
    snap = engine.snapshot(inputs, view)       # the site model, and what changed for `view`
    engine.page_bytes(snap, indices)           # any page, rendered to bytes
    engine.machine_files(snap)                 # feeds, sitemaps, robots.txt: one clock

It keeps the sources (records, per-file errors, parse workers, the text store)
and makes every page the same way for every sink: the disk sink writes what a
snapshot says changed into `output/`, the memory sink renders pages when a
browser asks and forgets those a snapshot says changed, and `check` renders
them all to look at their links.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
import sys
import tempfile
from collections.abc import Callable, Container, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from gazette.digest import digest
from gazette.engine import cache as disk_cache
from gazette.engine.cache import TEXTS, TextStore
from gazette.engine.clock import build_now, source_date_epoch
from gazette.engine.collisions import output_collisions
from gazette.engine.inputs import PageInputs
from gazette.engine.photos import Photos
from gazette.engine.plan import (
    keep_related,
    kept_related,
    missing_templates,
    plan_pages,
    template_digests,
    template_files,
)
from gazette.engine.rendering import RenderJob, pages_bytes
from gazette.engine.snapshot import Inputs, Snapshot
from gazette.engine.sources import (
    PARALLEL_MIN_ARTICLES,
    Unsettled,
    convert_into_store,
    update_sources,
    with_texts,
)
from gazette.engine.state import State, View, freeze, thaw
from gazette.engine.timings import Timings
from gazette.engine.workers import Ahead, Workers
from gazette.errors import GazetteError
from gazette.machine.files import (
    annotate_pages,
    annotation,
    feed_keys,
    machine_files,
    machine_paths,
)
from gazette.model import Article
from gazette.stages.assets import Assets, OutputFile, collect_assets, image_problems
from gazette.stages.authors_data import AuthorData, authors_for_build
from gazette.stages.config import Config, load_config
from gazette.stages.editions import build_editions
from gazette.stages.live import clock_key, live_problems, next_due
from gazette.stages.markup import code_stylesheet
from gazette.stages.render import edition_contexts, make_environment, shared_context
from gazette.stages.site import select_articles, select_documents
from gazette.stages.story_fields import notice_problems

if TYPE_CHECKING:
    from gazette.machine.search import SearchBundle

PARALLEL_MIN_PAGES = 400  # fewer pages than this render faster without forking workers


class Engine:
    """Keeps one site's sources between snapshots, doing only what changed."""

    def __init__(
        self,
        config: Config,
        *,
        include_drafts: bool = False,
        now: dt.datetime | None = None,
        workers: Workers | None = None,
        cache_dir: Path | None = None,
        persist: bool = True,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        """`cache_dir`: where the sources and texts are kept between runs (None: in a
        folder of this engine's own, gone with it); `persist=False` reads the cache's
        state but never writes it (the preview and check, beside builds that own it)."""
        self.config = config
        self.include_drafts = include_drafts
        self.now = now
        self.workers = workers or Workers()
        self.cache_dir = cache_dir
        self.persist = persist and cache_dir is not None
        self.notice = notice or (lambda text: print(text, file=sys.stderr))
        self.state: State | None = None
        # sources whose state changed since the last save (None: all, the state is new)
        self._touched: set[str] | None = set()
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.store = self._own_store() if cache_dir is None else TextStore(cache_dir / TEXTS)
        self._env: Any = None
        self._env_templates = ""  # the digest of templates/ that self._env was made for
        self._config_broken = False  # the last config.toml did not load: read it again
        self.unsettled = Unsettled()  # files with problems, and those not yet converted
        self.search: SearchBundle | None = None  # made on first use (see machine_files)
        self.mark = Timings()  # mark("stage"): its time, with GAZETTE_TIMINGS=1
        self._authors: AuthorData | None = None  # the authors data file as last read
        self.photos = Photos(cache_dir)
        # the last read's clock, and the next time the clock alone changes the site
        self.clock_seen: tuple[dt.datetime, dt.datetime | None] = (dt.datetime.now(dt.UTC), None)
        self._ahead: Ahead | None = None  # Markdown converted meanwhile (see convert_ahead)

    # -- sources --------------------------------------------------------------------------

    def read(
        self,
        changed_paths: Iterable[Path] | None = None,
        views: Iterable[View] = (),
        collect: list[GazetteError] | None = None,
    ) -> Inputs:
        """Bring the sources up to date: `changed_paths` (files created, changed or deleted)
        is trusted when given; None looks at every file. `views` (the sinks') are told
        which articles changed, even when this fails. Raises every problem in the
        content at once, before any Markdown of a broken site is converted; with
        `persist`, the sources read so far are saved first, so the next run is warm.
        With `collect` (check), problems go there and the valid articles go on."""
        self.mark("start")
        changed = None if changed_paths is None else {Path(p).absolute() for p in changed_paths}
        self._reload_config(changed)
        config = self.config
        state = self.load()
        self._wait_ahead()  # before the sources look for their texts in the store
        settings = digest(disk_cache.code_version(), _settings_text(config))
        if state.settings != settings:
            state.sources.clear()
            self._touched = None  # every shard on disk is out of date
            self.unsettled = Unsettled()
            state.settings, state.code_css = settings, ""  # (with Pygments' version)
            self._env = None
        self.mark("cache loaded")
        keep_going = collect is not None
        changes = update_sources(
            state, config, changed, self.store, self.workers, self.unsettled, keep_going
        )
        if self._touched is not None:
            self._touched |= changes.touched
        for view in views:
            view.pending |= changes.dirty
        self.mark("read and parse (+ Markdown in workers)")
        now = self.now or build_now(config.tz)
        read = [s.article for s in state.sources.values()]
        self.clock_seen = (now, next_due(read, now, drafts=self.include_drafts))
        articles = select_articles(read, include_drafts=self.include_drafts, now=now)
        documents = select_documents(read, include_drafts=self.include_drafts, now=now)
        if not state.code_css:  # Pygments' own, kept while the settings are the same
            state.code_css = code_stylesheet()
        assets = collect_assets(
            config.static_dirs, config.content_dir, config.links, state.code_css
        )
        self._authors, authors, problems = authors_for_build(
            config, self._authors, assets.content_files, assets.urls
        )
        errors = changes.errors + problems
        for path in changes.dirty:
            state.body_images.pop(path, None)
        if not errors or keep_going:
            errors = errors + image_problems(articles, assets.content_files, config)
            errors += notice_problems(articles, now, config) + live_problems(articles, now)
        if not errors or keep_going:
            errors = errors + self.photos.add(self, state, assets, [*articles, *documents], views)
        templates = template_files(config.template_dirs)
        if templates != self._env_templates:
            self._env, self._env_templates = None, templates
        if collect is not None:
            collect += errors
        elif errors:  # every content problem at once
            raise GazetteError.collect(errors)
        published = [*articles, *documents]
        sources = digest(*[a.path + ":" + state.sources[a.path].digest for a in published])
        clock = clock_key(articles, now)  # a banner or a badge that ends changes pages too
        everything = self._digest(settings, templates, sources + authors.digest + clock, assets)
        inputs = Inputs(
            articles, documents, assets, settings, templates, sources, everything, authors, now
        )
        self.mark("assets and inputs")
        return inputs

    def _reload_config(self, changed: set[Path] | None) -> None:
        """Read config.toml again when it changed, when its last reading failed, or when
        everything is looked at again (the first read uses the config it was given)."""
        path = self.config.path
        if path is None:
            return
        again = changed is None and self.state is not None
        if self._config_broken or again or (changed is not None and path.absolute() in changed):
            self._config_broken = True
            self.config = load_config(path)
            self._config_broken = False

    def _digest(self, settings: str, templates: str, sources: str, assets: Assets) -> str:
        """Everything the site is made of: settings, the published articles' files,
        templates, static files, and the time the news sitemap's window ends at."""
        parts = [settings, str(self.include_drafts), templates, sources]
        parts.append(os.environ.get("SOURCE_DATE_EPOCH", ""))
        for file in assets.files:
            parts.append(file.path)
            parts.append(file.digest())  # a photo's is known without reading it
        return digest(*parts)

    def load(self) -> State:
        """The state, from the cache the first time when there is one."""
        if self.state is None:
            cache = self.cache_dir
            loaded = None
            if cache is not None:
                disk_cache.refuse_links(cache)
                loaded = disk_cache.load(cache, self.notice, discard=self.persist)
            self.state = thaw(loaded) if loaded else State()
            # The state lives as long as the engine: later collections need not walk it
            # again and again, nor touch (and so copy) its pages in forked workers.
            gc.freeze()
            if not loaded and self.persist:
                self._wait_ahead()
                self.store.clear()  # texts are only as good as the state that names them
            elif not loaded and self.cache_dir is not None:  # not ours to clear: our own
                self.store = self._own_store()
        return self.state

    def convert_ahead(self, paths: Iterable[Path]) -> None:
        """Before the first `read`: convert these changed Markdown files in a second
        process while this one loads the cache (a few of them; many go to the workers)."""
        content = self.config.content_dir.absolute()
        files = [p for p in paths if p.suffix == ".md" and content in p.parents and p.is_file()]
        if self.state is None and 0 < len(files) < PARALLEL_MIN_ARTICLES:
            self._ahead = Ahead(convert_into_store, self.config, self.store, files)

    def _wait_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead.wait()
            self._ahead = None

    def _own_store(self) -> TextStore:
        """A text store in a folder of this engine's own, gone with it: texts still go to
        disk, not memory."""
        self._scratch = tempfile.TemporaryDirectory(prefix="gazette-texts-")
        return TextStore(Path(self._scratch.name) / TEXTS)

    def save(self) -> None:
        """Write the state to the cache: the shards of the sources read since the last
        save, and the small remainder (with `persist` only)."""
        if not self.persist or self.state is None:
            return
        assert self.cache_dir is not None
        disk_cache.refuse_links(self.cache_dir)
        touched, self._touched = self._touched, set()
        if touched is None or touched:
            self.store.keep_only({source.text for source in self.state.sources.values()})
        self.photos.prune(self.state)
        parts, changed = freeze(self.state, touched)
        disk_cache.save(self.cache_dir, parts, changed)

    # -- snapshots --------------------------------------------------------------------------

    def snapshot(self, inputs: Inputs, previous: View, present: Container[str] | None) -> Snapshot:
        """The site model, and the pages whose inputs differ from `previous` (a sink's last
        view) or whose file the sink lacks (`present`; None: it lacks none)."""
        state = self.load()
        config = self.config
        shapes = {path: source.shape for path, source in state.sources.items()}
        related_key, related = kept_related(state, inputs.articles, shapes)
        profiles = inputs.authors.profiles
        site = build_editions(
            inputs.articles, config, related, inputs.documents, profiles, now=inputs.now
        )
        if related is None:
            keep_related(state, related_key, inputs.articles, site.related)
        self.mark("site model")
        nav = [(s.slug, s.name, s.url) for s in site.sections]
        nav += [(d.title, d.url) for d in site.documents]  # the footer's links
        urls = inputs.assets.urls
        shared_digest = digest(
            state.settings, str(self.include_drafts), repr(sorted(urls.items())),
            repr(site.edition), repr(nav), repr(inputs.assets.head),
            repr([(a.path, a.url, a.title) for a in site.breaking]),
            repr([part.edition for part in site.editions.values()]),  # each edition's day
        )  # fmt: skip
        keys = state.picture_keys
        identities = {p: s.digest + keys.get(p, "") for p, s in state.sources.items()}
        page_inputs = PageInputs(identities, shared_digest, shapes)
        names = sorted({page.template for page in site.pages})
        env = self.environment()
        missing = missing_templates(site, env, config)
        if missing:
            raise GazetteError.collect(missing)
        folders = config.template_dirs
        templates = template_digests(state, env, folders, names, inputs.templates)
        plan = plan_pages(site, page_inputs, templates, previous, present)
        # Where every output lands follows from the site's shape and the files: checked
        # again only when either changed (an edited story's body changes neither).
        layout = digest(plan.view.shape, *(file.path for file in inputs.assets.files))
        if layout != state.laid_out:
            clashes = output_collisions(site.pages, inputs.assets, machine_paths(site, config))
            if clashes:
                raise GazetteError.collect(clashes)
            state.laid_out = layout
        self.mark("plan")
        shared = shared_context(site, config, urls)
        shared.update(pictures=inputs.assets.pictures, icons=inputs.assets.head)
        editions = edition_contexts(site, config, urls, shared)
        return Snapshot(inputs, site, plan, shared, editions=editions, identities=identities)

    # -- rendering --------------------------------------------------------------------------

    def environment(self) -> jinja2.Environment:
        if self._env is None:
            self._env = make_environment(self.config)
            # made anew whenever a file in templates/ changes (see read), so Jinja
            # need not look at each template's file time for every page it renders
            self._env.auto_reload = False
            if self.persist:  # compiled templates, kept between runs
                assert self.cache_dir is not None
                folder = self.cache_dir / disk_cache.TEMPLATES
                folder.mkdir(parents=True, exist_ok=True)
                self._env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
        return self._env

    def annotate(self, snap: Snapshot, indices: Iterable[int]) -> None:
        """Give those pages their `meta` (Open Graph, JSON-LD...), made per page because
        most pages of a big site are carried over, not rendered."""
        pages = [snap.site.pages[i] for i in indices]
        pages = [page for page in pages if "meta" not in page.context]
        if not pages:
            return
        if snap.meta is None:
            snap.meta = annotation(snap.site, self.config, snap.inputs.assets)
        annotate_pages(snap.meta, pages)

    def render_job(self, snap: Snapshot) -> RenderJob:
        env, pages = self.environment(), snap.site.pages
        return RenderJob(env, pages, snap.shared, self.config, self.texts, snap.editions)

    def page_bytes(self, snap: Snapshot, indices: list[int]) -> Iterator[tuple[int, bytes]]:
        """Those pages rendered, in this process."""
        self.annotate(snap, indices)
        return pages_bytes(self.render_job(snap), indices)

    def texts(self, articles: list[Article]) -> list[Article]:
        return with_texts(self.load(), self.config, self.store, articles)

    def machine_files(
        self, snap: Snapshot, sitemaps: bool = True, unchanged_feeds: Container[str] = ()
    ) -> list[OutputFile]:
        """Feeds, sitemaps and robots.txt, with the news window ending at
        SOURCE_DATE_EPOCH or the newest story: the same for every sink. A sink that
        holds a sitemap or feed as it is (see `feed_keys`) may leave it out."""
        config = self.config
        reference = source_date_epoch(config.tz)
        site, assets = snap.site, snap.inputs.assets
        files = machine_files(
            site, config, assets, reference, self.texts, sitemaps, frozenset(unchanged_feeds)
        )
        if config.search.enabled and site.articles:
            files += self._search_files(snap)
        return files

    def feed_keys(self, snap: Snapshot) -> dict[str, str]:
        """Each feed's path with a digest of what it is made from (see `feed_keys`)."""
        return feed_keys(snap.site, self.config, snap.plan.view.shape, snap.identities.__getitem__)

    def _search_files(self, snap: Snapshot) -> list[OutputFile]:
        """The search index, each part made again only when one of its stories' file or
        place changed; kept in the cache (a preview's, of drafts too, in its own folder)."""
        if self.search is None:
            from gazette.machine.search import SearchBundle  # a site may have no search

            self.search = SearchBundle(self.cache_dir / "search" if self.persist else None)
        state = self.load()
        sources = {path: source.digest for path, source in state.sources.items()}
        salt = (state.settings, str(self.include_drafts))
        return self.search.site_files(snap.site, self.config, self.texts, sources, *salt)


def _settings_text(config: Config) -> str:
    """The config as the cache knows it: with its folders absolute, so `--config
    config.toml` and the preview's absolute path find the same cache valid."""
    path = config.path.absolute() if config.path is not None else None
    return repr(dataclasses.replace(config, root=config.root.absolute(), path=path))
