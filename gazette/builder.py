"""Incremental, parallel builds: the one code path behind `build.py`.

    builder = Builder(config, output_dir, include_drafts=False, jobs=None, cache=True)
    result = builder.build()                    # first build: all of it (or from the cache)
    result = builder.build({Path(".../content/world/story.md")})  # later: what changed
    result.changed                              # output paths written or removed this time

A Builder keeps, between its builds, in memory (and in `.gazette-cache/` when
`cache=True`, as the command line does):

- every source file's size/time/inode and content digest, with its article
  *without its text*: lists, feeds and the site model need titles, dates and
  URLs, not bodies, and that is what keeps memory small at 100,000 articles;
- the articles' rendered Markdown, by content, in a `TextStore` on disk: parse
  workers write it, render workers read it for article pages;
- for every published page, the digest of what it was made from
  (`gazette.engine.inputs.PageInputs`), and a manifest of the published files' digests.

`build(changed_paths)` trusts `changed_paths` (files created, changed or deleted
since the last build) when given, and scans content/ by file times when it is
None. The site model is made again each time (it is quick); pages whose inputs
have the same digest as the published page are carried over, the rest are
rendered, over `jobs` processes when there are many, and `output/` is replaced
atomically as in `gazette.sinks.output_dir`. Whatever the sequence of edits, the output is
byte-identical to a clean build: the tests check exactly that.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from gazette.engine import cache as disk_cache
from gazette.engine.cache import TextStore
from gazette.engine.inputs import PageInputs, digest, template_digest
from gazette.errors import GazetteError
from gazette.machine.files import annotate_pages, machine_files
from gazette.model import Article, Page, Site
from gazette.sinks.output_dir import (
    Manifest,
    Published,
    Spare,
    Stage,
    WriteReport,
    file_digest,
    patch,
    survey,
)
from gazette.stages.assets import OutputFile, collect_assets
from gazette.stages.config import Config, load_config
from gazette.stages.content import markdown_files, read_articles
from gazette.stages.markup import MarkdownRenderer, convert_article, opening_text
from gazette.stages.render import make_environment, render_page, shared_context
from gazette.stages.site import build_site, select_articles

MARKUP_VERSION = "1"  # bump when markup.py's output changes for the same input
PARALLEL_MIN_PAGES = 400  # fewer pages than this render faster without forking workers
PARALLEL_MIN_ARTICLES = 100
SMALL_CHANGE = 64  # see Builder's `patch_under`
PROGRESS_MIN_ITEMS = 2000
SHARDS = 64  # the disk cache keeps sources in this many files


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
class Source:
    stat: tuple[int, int, int]  # size, mtime_ns, inode
    digest: str  # of the file's bytes
    article: Article  # without body, html and toc (see `_lean`)
    text: str  # key of its HTML in the TextStore


@dataclass
class State:
    """Everything a Builder remembers between builds; pickled into the cache."""

    settings: str = ""  # digest of the config and Gazette's code: all else is void if it changes
    sources: dict[str, Source] = field(default_factory=dict)  # by path relative to content/
    pages: dict[str, str] = field(default_factory=dict)  # output path -> digest of its inputs
    manifest: Manifest = field(default_factory=dict)
    spare: Spare | None = None  # the replaced version of output/, kept in the cache folder
    inputs: str = ""  # digest of what the last complete build was made of (see _inputs_digest)
    page_count: int = 0
    # When an edit leaves the site's shape as it was (same pages, templates, masthead),
    # only the pages that show an edited article can change: `referrers` lists them.
    shape: str = ""  # digest of settings, shared context, templates and the site's structure
    referrers: dict[str, list[int]] = field(default_factory=dict)  # article -> page indices
    sitemaps: list[str] = field(default_factory=list)  # the sitemap files last written
    templates: tuple[str, dict[str, str]] = ("", {})  # all template files' digest, closures
    related: tuple[str, list[list[int]]] = ("", [])  # see Builder._related
    folders: dict[int, int] = field(default_factory=dict)  # output/'s folders: see survey()


@dataclass
class Plan:
    """What a build renders, and what it leaves the state with."""

    todo: list[int]  # indices of the pages to render
    digests: dict[str, str]  # every page's inputs digest, by output path
    shape: str
    referrers: dict[str, list[int]]
    same_shape: bool  # as the published site: only pages showing edited articles changed
    shared: dict[str, Any]  # the context every page gets
    # Works out the digests that choosing `todo` did not need (see Builder._plan): a
    # first build renders every page anyway, and only the next build compares them.
    settle: Callable[[], None] = lambda: None


@functools.cache  # asked for every source at every save
def _shard(relative: str) -> str:
    number = int.from_bytes(hashlib.blake2b(relative.encode(), digest_size=2).digest(), "big")
    return f"sources-{number % SHARDS:02d}"


def _freeze(state: State, touched: set[str] | None) -> tuple[dict[str, Any], set[str] | None]:
    """The state as cache parts: sources in shards (an edit rewrites one), the rest whole."""
    shards: dict[str, dict[str, Source]] = {f"sources-{n:02d}": {} for n in range(SHARDS)}
    for relative, source in state.sources.items():
        shards[_shard(relative)][relative] = source
    # manifest entries as plain tuples: pickle writes those several times faster
    manifest = {path: tuple(entry) for path, entry in state.manifest.items()}
    rest = dataclasses.replace(state, sources={}, manifest=manifest, folders={})  # type: ignore[arg-type]
    changed = None if touched is None else {"state", "folders"} | {_shard(r) for r in touched}
    return {"state": rest, "folders": state.folders, **shards}, changed


def _thaw(parts: dict[str, Any]) -> State:
    """`_freeze` undone; anything unexpected gives a fresh state."""
    state = parts.get("state")
    if not isinstance(state, State):
        return State()
    for name, shard in parts.items():
        if name.startswith("sources-") and isinstance(shard, dict):
            state.sources.update(shard)
    folders = parts.get("folders")
    state.folders = folders if isinstance(folders, dict) else {}
    state.manifest = {path: Published(*entry) for path, entry in state.manifest.items()}
    return state


def _structure(site: Site) -> str:
    """What decides the site's pages and their order: each article's place in it."""
    return digest(
        repr(
            [
                (a.path, a.url, a.date, a.section, a.slug, a.tags, a.author, a.draft, a.updated)
                for a in site.articles
            ]
        )
    )


def _stat_key(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def text_key(article: Article, sanitize: bool) -> str:
    """What an article's HTML is made from: its body, dateline, credit and the markup code."""
    parts = (MARKUP_VERSION, article.body, article.dateline or "", article.source or "")
    return digest(*parts, "sanitized" if sanitize else "raw")


def _lean(article: Article, html: str) -> Article:
    """The article as lists, feeds and the site model keep it: without its text."""
    return dataclasses.replace(article, body="", html="", toc="", opening=opening_text(html))


@dataclass
class _ParseJob:
    """What parse workers need (inherited by forked workers)."""

    config: Config
    store: TextStore
    fresh: bool  # the store is empty: no use looking texts up
    # Made once here, for every chunk of every worker: making one costs as much as
    # converting a few articles.
    renderer: MarkdownRenderer = field(default_factory=MarkdownRenderer)


_PARSE: _ParseJob | None = None  # set only while sources are parsed

ParseResult = tuple[str, tuple[int, int, int], str, "Article | None", list[GazetteError], str]


def _parse(items: list[tuple[str, Path]]) -> list[ParseResult]:
    """Read, parse and convert a chunk of source files (runs in a worker process):
    (relative path, stat, digest, lean article or None, problems, text key). The HTML
    goes to the text store, not back to the parent."""
    job = _PARSE
    assert job is not None
    sanitize = job.config.content.untrusted
    read = []
    for relative, path in items:  # all front matter first, then all Markdown: a bit faster
        try:
            st = path.stat()
            data_digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        except FileNotFoundError:
            continue  # deleted meanwhile: the next scan sees it gone
        read.append((relative, _stat_key(st), data_digest, *read_articles(job.config, [path])))
    keys = {r[0]: text_key(r[3][0], sanitize) for r in read if r[3]}
    stored = {} if job.fresh else job.store.get_many(list(keys.values()))
    out: list[ParseResult] = []
    texts: list[tuple[str, str, str]] = []
    for relative, stat, data_digest, articles, errors in read:
        if not articles:
            out.append((relative, stat, data_digest, None, errors, ""))
            continue
        article = articles[0]
        key = keys[relative]
        known = stored.get(key)
        if known is None:
            known = convert_article(job.renderer, article, sanitize)
            texts.append((key, *known))
        out.append((relative, stat, data_digest, _lean(article, known[0]), errors, key))
    job.store.put(texts)
    return out


@dataclass
class _RenderJob:
    """What render workers need; forked workers inherit it instead of receiving it."""

    env: Any
    pages: list[Page]
    shared: dict[str, Any]
    config: Config
    stage: Stage | None  # None: pages are rendered for the parent, not written
    texts: Callable[[list[Article]], list[Article]]


_JOB: _RenderJob | None = None  # set only while pages render (inherited by forked workers)


def _render(indices: list[int]) -> list[tuple[int, str, Published | None]]:
    """Render pages by index into the stage; returns (index, digest, what `put` gave)."""
    job = _JOB
    assert job is not None and job.stage is not None
    out = []
    for index, data in _pages_bytes(job, indices):
        data_digest = file_digest(data)
        written = job.stage.put(job.pages[index].output_path, data, data_digest)
        out.append((index, data_digest, written))
    return out


def _pages_bytes(job: _RenderJob, indices: list[int]) -> Iterator[tuple[int, bytes]]:
    """The pages rendered, one by one; an article's own page (the one place its text is
    shown) gets the article with its text, fetched for all of them at once."""
    own = [(i, a) for i in indices if isinstance(a := job.pages[i].context.get("article"), Article)]
    texts = dict(zip([i for i, _ in own], job.texts([a for _, a in own]), strict=True))
    for index in indices:
        page = job.pages[index]
        if index in texts:
            page = dataclasses.replace(page, context={**page.context, "article": texts[index]})
        yield index, render_page(job.env, page, job.shared, job.config)


def _chunks(items: Sequence[Any], jobs: int, smallest: int) -> list[Sequence[Any]]:
    """32 chunks a worker: the last chunk keeps one core alone for a fraction of a
    second (about 0.3 s of Markdown at 10,000 articles), and a chunk's own cost (a
    Markdown converter, a message each way) stays far below its work."""
    size = max(smallest, -(-len(items) // (jobs * 32)))
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
        patch_under: int = SMALL_CHANGE,
    ) -> None:
        """`patch_under`: a build that renders fewer pages than this replaces the files
        that differ in output/ in place; a bigger one assembles a new version and swaps."""
        self.config = config
        self.output_dir = Path(output_dir)
        self.include_drafts = include_drafts
        self.now = now
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.cache_dir = disk_cache.cache_dir_for(self.output_dir) if cache else None
        self.progress = progress
        self.patch_under = patch_under
        self.notice = notice or (lambda text: print(text, file=sys.stderr))
        self.state: State | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        if self.cache_dir is not None:
            self.store = TextStore(self.cache_dir / disk_cache.TEXTS)
        else:  # texts still go to disk, not memory: a folder of this Builder's own
            self._scratch = tempfile.TemporaryDirectory(prefix="gazette-texts-")
            self.store = TextStore(Path(self._scratch.name) / disk_cache.TEXTS)
        self._env: Any = None
        self._env_templates = ""  # the digest of templates/ that self._env was made for
        self._last = 0.0
        self._trusted: set[str] = set()  # what this Builder last published (see _write)
        self._folders_moved = False  # output/'s folders changed since the cache's survey
        self._pending: set[str] = set()  # articles edited since the last complete build

    # -- the build, stage by stage ------------------------------------------------------

    def build(self, changed_paths: Iterable[Path] | None = None) -> BuildResult:
        # No cycle collection in this process while it builds: the build makes hundreds
        # of thousands of objects (a site model, digests, a manifest) and no garbage
        # cycles, and each collection would walk them all again (seconds at 100,000
        # articles). Workers collect as usual; so does this process after the build.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._build(changed_paths)
        except BaseException:
            if self.cache_dir is not None and not (self.cache_dir / disk_cache.STAMP).exists():
                # a first build that failed leaves no cache behind (the texts its workers
                # stored are worth nothing without the state that names them)
                self.store.close()
                shutil.rmtree(self.cache_dir, ignore_errors=True)
                try:
                    self.cache_dir.parent.rmdir()
                except OSError:
                    pass  # other output folders' caches are there too
            raise
        finally:
            if enabled:
                gc.enable()

    def _build(self, changed_paths: Iterable[Path] | None) -> BuildResult:
        from gazette.pipeline import build_now, check_output_dir, image_problems, source_date_epoch

        started = time.perf_counter()
        self._mark("start")
        changed = None if changed_paths is None else {Path(p).absolute() for p in changed_paths}
        self._maybe_reload_config(changed)
        config = self.config
        check_output_dir(self.output_dir, config)
        now = self.now or build_now(config.tz)
        state = self._state()
        settings = digest(disk_cache.code_version(), repr(config), str(self.include_drafts))
        if state.settings != settings:
            state.sources.clear()
            state.pages.clear()
            state.settings = settings
            self._env = None
        self._mark("cache loaded")

        errors, touched, dirty = self._read_sources(state, changed)
        self._pending |= dirty  # edited since the last complete build (one may fail)
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
        templates = self._template_files()
        if templates != self._env_templates:
            self._env, self._env_templates = None, templates
        inputs = self._inputs_digest(state, articles, assets.files, templates)
        self._mark("assets and inputs")
        manifest, present = self._published(state)
        self._mark("output/ checked")
        if inputs == state.inputs and self._untouched(state.manifest, manifest, present):
            # Same articles, templates, static files and settings as the build that made
            # output/, which is still as it left it: nothing to do.
            report = WriteReport(0, len(state.manifest), 0)
            self._trusted = set(state.manifest)
            if self._folders_moved:
                self._save(set(), only={"folders"})  # the next look at output/ is quicker
            return self._result(len(articles), state.page_count, report, 0, (), started)
        state.inputs = ""  # until this build completes
        related_key, related = self._related(state, articles)
        site = build_site(articles, config, related)
        if related is None:
            at = {id(article): n for n, article in enumerate(articles)}
            state.related = (related_key, [[at[id(a)] for a in row] for row in site.related])
        self._mark("site model")
        plan = self._plan(state, site, assets.urls, manifest, templates)
        self._mark("plan")
        # sitemap.xml lists every page with its articles' dates: the same shape, the same file
        kept = state.sitemaps if plan.same_shape and set(state.sitemaps) <= manifest.keys() else []
        annotate_pages(site, config, assets, [site.pages[i] for i in plan.todo])

        def extras() -> list[OutputFile]:
            machine = machine_files(
                site, config, assets, source_date_epoch(config.tz), self._texts, not kept
            )
            if not kept:
                state.sitemaps = [f.path for f in machine if f.path.startswith("sitemap")]
            return [*assets.files, *machine]

        result = self._write(state, site, plan, extras, kept, (manifest, present), started)
        state.inputs, state.page_count = inputs, len(site.pages)
        self._pending = set()
        self._save(touched)
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

    def _inputs_digest(
        self, state: State, articles: list[Article], assets: list[OutputFile], templates: str
    ) -> str:
        """Everything the site is made of: settings, the published articles' files,
        templates, static files, and the time the news sitemap's window ends at."""
        parts = [state.settings, os.environ.get("SOURCE_DATE_EPOCH", ""), templates]
        parts += [a.path + ":" + state.sources[a.path].digest for a in articles]
        for file in assets:
            parts.append(file.path)
            parts.append(hashlib.blake2b(file.data, digest_size=16).hexdigest())
        return digest(*parts)

    @staticmethod
    def _related(state: State, articles: list[Article]) -> tuple[str, list[list[Article]] | None]:
        """Last build's related lists (kept as article numbers), while they still hold:
        they follow from the settings and each article's path, date and tags alone, and
        they are most of the site model's time."""
        key = digest(state.settings, repr([(a.path, a.date, a.tags) for a in articles]))
        if state.related[0] != key:
            return key, None
        return key, [[articles[n] for n in row] for row in state.related[1]]

    def _maybe_reload_config(self, changed: set[Path] | None) -> None:
        path = self.config.path
        if path is not None and changed is not None and path.absolute() in changed:
            self.config = load_config(path)

    def _state(self) -> State:
        if self.state is None:
            # (no cycle collection meanwhile: see build)
            loaded = disk_cache.load(self.cache_dir, self.notice) if self.cache_dir else None
            self.state = _thaw(loaded) if loaded else State()
            # The state lives as long as the Builder: later collections need not walk it
            # again and again, nor touch (and so copy) its pages in forked workers.
            gc.freeze()
            if not loaded:
                self.store.clear()  # texts are only as good as the state that names them
        return self.state

    def _read_sources(
        self, state: State, changed: set[Path] | None
    ) -> tuple[list[GazetteError], set[str], set[str]]:
        """Bring `state.sources` up to date; return the problems found in files (those
        keep their previous state), the relative paths whose state changed at all and
        those whose article did (new, edited or gone)."""
        content_dir = self.config.content_dir
        content_abs = content_dir.absolute()
        candidates: dict[str, str] = {}  # relative path -> path, as text (100,000 files)
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
                    candidates[relative] = str(content_dir / relative)
                else:
                    gone.add(relative)
        if full_scan:
            cut = len(str(content_dir)) + 1
            candidates = {p[cut:].replace(os.sep, "/"): p for p in markdown_files(content_dir)}
            gone = set(state.sources) - candidates.keys()
        told = {str(p) for p in changed} if changed is not None else set()

        pending: list[tuple[str, Path]] = []
        for relative, name in sorted(candidates.items()):
            known = state.sources.get(relative)
            if known is not None and not (told and os.path.abspath(name) in told):
                try:
                    if known.stat == _stat_key(os.stat(name)):
                        continue
                except FileNotFoundError:
                    gone.add(relative)
                    continue
            pending.append((relative, Path(name)))

        global _PARSE
        _PARSE = _ParseJob(self.config, self.store, self.store.empty()) if pending else None
        try:
            results = sorted(
                self._map(_parse, pending, PARALLEL_MIN_ARTICLES, "articles"),
                key=lambda result: result[0],
            )
        finally:
            _PARSE = None
        errors: list[GazetteError] = []
        seen = set()
        dirty = set()
        for relative, stat, data_digest, article, problems, key in results:
            seen.add(relative)
            errors += problems
            known = state.sources.get(relative)
            if known is not None and known.digest == data_digest:
                known.stat = stat  # touched, not changed
            elif article is not None:
                state.sources[relative] = Source(stat, data_digest, article, key)
                dirty.add(relative)
        gone |= {relative for relative, _ in pending if relative not in seen}
        for relative in gone:
            if state.sources.pop(relative, None) is not None:
                dirty.add(relative)
        return errors, seen | gone, dirty

    def _texts(self, articles: list[Article]) -> list[Article]:
        """`articles` with their HTML and table of contents, from the text store
        (converted again if the store lost one)."""
        assert self.state is not None
        keys = [self.state.sources[article.path].text for article in articles]
        stored = self.store.get_many(keys)
        out = []
        for article, key in zip(articles, keys, strict=True):
            found = stored.get(key)
            if found is None:
                path = self.config.content_dir / article.path
                full, errors = read_articles(self.config, [path])
                if errors:
                    raise errors[0]
                found = convert_article(MarkdownRenderer(), full[0], self.config.content.untrusted)
                self.store.put([(key, *found)])
            out.append(dataclasses.replace(article, html=found[0], toc=found[1]))
        return out

    def _plan(
        self,
        state: State,
        site: Site,
        asset_urls: dict[str, str],
        manifest: Manifest,
        template_files: str,
    ) -> Plan:
        """Which pages to render: those whose inputs' digest is not the published page's.
        `template_files`: the digest of every file in templates/ (see _template_files)."""
        config = self.config
        nav = [(s.slug, s.name, s.url) for s in site.sections]
        inputs = PageInputs(
            {path: source.digest for path, source in state.sources.items()},
            digest(state.settings, repr(sorted(asset_urls.items())), repr(site.edition), repr(nav)),
        )
        pages = site.pages
        names = sorted({page.template for page in pages})
        templates = self._template_digests(state, names, template_files)
        shape = digest(inputs.shared, repr(templates), _structure(site))
        check: Iterable[int]
        if shape == state.shape:
            # the same pages with the same templates: only those showing an edited
            # article can differ (and any whose file in output/ is not as written)
            digests, referrers = dict(state.pages), state.referrers
            check = {i for path in self._pending for i in referrers.get(path, ())}
            if len(manifest) != len(state.manifest):
                check |= {i for i, page in enumerate(pages) if page.output_path not in manifest}
            check = sorted(check)
        else:
            digests, referrers, check = {}, {}, range(len(pages))

        def work_out(indices: Iterable[int]) -> None:
            for index in indices:
                page = pages[index]
                if referrers is state.referrers:
                    digests[page.output_path] = inputs.of(page, templates[page.template])
                else:
                    shown: list[str] = []
                    digests[page.output_path] = inputs.of(page, templates[page.template], shown)
                    for article in dict.fromkeys(shown):
                        referrers.setdefault(article, []).append(index)

        shared = shared_context(site, config, asset_urls)
        plan = Plan(list(check), digests, shape, referrers, shape == state.shape, shared)
        if not state.pages:  # nothing published to compare with: every page renders
            plan.settle = functools.partial(work_out, check)
            return plan
        work_out(check)
        plan.todo = [
            index
            for index in check
            if state.pages.get(path := pages[index].output_path) != digests[path]
            or path not in manifest
        ]
        return plan

    def _template_digests(self, state: State, names: list[str], files: str) -> dict[str, str]:
        """Each template's digest with all it uses. Finding what a template uses means
        parsing it, so the answer is kept while no template file changes (`files`)."""
        known_files, known = state.templates
        if known_files != files or not set(names) <= known.keys():
            env, folder = self._environment(), self.config.templates_dir
            known = {name: template_digest(env, folder, name) for name in names}
            state.templates = (files, known)
        return {name: known[name] for name in names}

    def _template_files(self) -> str:
        """A digest of every file in templates/ (names and bytes)."""
        folder = self.config.templates_dir
        parts = []
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                parts.append(path.relative_to(folder).as_posix())
                parts.append(hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest())
        return digest(*parts)

    def _write(
        self,
        state: State,
        site: Site,
        plan: Plan,
        make_extras: Callable[[], list[OutputFile]],
        kept: list[str],
        published: tuple[Manifest, list[str]],
        started: float,
    ) -> BuildResult:
        """Render `plan.todo` and publish them with the static and machine files that
        `make_extras` gives. A big build makes those, and settles the plan, while its
        workers render: this process would otherwise wait for them with nothing to do."""
        config = self.config
        env = self._environment()
        manifest, present = published
        pages, todo, digests = site.pages, plan.todo, plan.digests
        extras: list[OutputFile] | None = None
        if self._untouched(state.manifest, manifest, present) and len(todo) < max(
            self.patch_under, 1
        ):
            # nothing or little to render: the extras decide which, so they come first
            plan.settle()
            extras = make_extras()
            extra_digests = {file.path: file_digest(file.data) for file in extras}
            if (
                not todo
                and digests.keys() | extra_digests.keys() | set(kept) == manifest.keys()
                and all(manifest[path].digest == d for path, d in extra_digests.items())
            ):
                report = WriteReport(0, len(manifest), 0)
                state.pages, state.shape, state.referrers = digests, plan.shape, plan.referrers
                state.manifest = manifest
                self._trusted = set(manifest)
                return self._result(len(site.articles), len(pages), report, 0, (), started)
            if len(todo) < self.patch_under:
                patched = self._patch(state, site, plan, extra_digests, extras, kept, manifest)
                if patched is not None:
                    report, changed = patched
                    return self._result(
                        len(site.articles), len(pages), report, len(todo), changed, started
                    )
        spare, state.spare = state.spare, None  # used up, whatever happens next
        spare_root = self.cache_dir / "trees" if self.cache_dir is not None else None
        stage = Stage(
            self.output_dir,
            manifest,
            spare_root=spare_root,
            spare=spare,
            published=present,
        )
        global _JOB
        try:
            _JOB = _RenderJob(env, site.pages, plan.shared, config, stage, self._texts)
            with self._launch(_render, todo, PARALLEL_MIN_PAGES, "pages") as rendered_pages:
                plan.settle()  # meanwhile
                for file in make_extras() if extras is None else extras:
                    stage.add(file.path, file.data)
                for index, data_digest, written in rendered_pages:
                    stage.adopt(site.pages[index].output_path, data_digest, written)
            rendered = set(todo)
            stage.keep_all(pages[i].output_path for i in range(len(pages)) if i not in rendered)
            stage.keep_all(kept)
            self._mark("render and write")
            report, new_manifest = stage.commit()
            self._mark("publish")
        except BaseException:
            stage.abort()
            raise
        finally:
            _JOB = None
        state.pages, state.shape, state.referrers = digests, plan.shape, plan.referrers
        state.manifest = new_manifest
        state.spare = stage.spare
        self._trusted = set(new_manifest)
        changed_paths = tuple(sorted([*stage.written, *stage.removed]))
        return self._result(
            len(site.articles), len(site.pages), report, len(todo), changed_paths, started
        )

    def _patch(
        self,
        state: State,
        site: Site,
        plan: Plan,
        extra_digests: dict[str, str],
        extras: list[OutputFile],
        kept: list[str],
        manifest: Manifest,
    ) -> tuple[WriteReport, tuple[str, ...]] | None:
        """A small change to an intact output/: render its few pages here and replace
        the files that differ in place (`gazette.sinks.output_dir.patch`), instead of assembling a
        new version of the whole site. None when two outputs claim one path: the full
        path reports that."""
        pages = site.pages
        paths = [page.output_path for page in pages] + list(extra_digests) + kept
        wanted = set(paths)
        if len(wanted) != len(paths):
            return None
        job = _RenderJob(self._environment(), pages, plan.shared, self.config, None, self._texts)
        files = [(file.path, file.data, extra_digests[file.path]) for file in extras]
        for index, data in _pages_bytes(job, plan.todo):
            files.append((pages[index].output_path, data, file_digest(data)))
        files = [f for f in files if (e := manifest.get(f[0])) is None or e.digest != f[2]]
        removed = sorted(manifest.keys() - wanted)
        written = patch(self.output_dir, files, removed)
        new_manifest = {path: entry for path, entry in manifest.items() if path in wanted}
        new_manifest.update(written)
        state.pages, state.shape, state.referrers = plan.digests, plan.shape, plan.referrers
        state.manifest = new_manifest
        self._trusted = set(new_manifest)
        report = WriteReport(len(written), len(new_manifest) - len(written), len(removed))
        return report, tuple(sorted([*written, *removed]))

    def _published(self, state: State) -> tuple[Manifest, list[str]]:
        """The manifest's entries that are still true of output/, and every file there.
        Between builds of one Builder, output/ is taken to hold what the last build
        left; a new Builder (each command-line run) looks."""
        if self._trusted and self._trusted == state.manifest.keys():
            return state.manifest, list(state.manifest)
        valid, found, folders = survey(self.output_dir, state.manifest, state.folders)
        self._folders_moved = folders != state.folders
        state.folders = folders
        return valid, found

    @staticmethod
    def _untouched(recorded: Manifest, valid: Manifest, present: list[str]) -> bool:
        """True when output/ holds exactly what the manifest records: nothing edited,
        nothing missing, nothing added."""
        return bool(recorded) and len(recorded) == len(valid) == len(present)

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

    def _save(self, touched: set[str] | None, only: set[str] | None = None) -> None:
        """Write the state to the disk cache: only the shards of `touched` sources
        (relative paths; None: all of them) and the small remainder; or `only` the
        parts named."""
        if self.cache_dir is None or self.state is None:
            return
        if touched is None or touched:
            self.store.keep_only({source.text for source in self.state.sources.values()})
        parts, changed = _freeze(self.state, touched)
        disk_cache.save(self.cache_dir, parts, only or changed)

    # -- helpers --------------------------------------------------------------------------

    def _environment(self) -> Any:
        if self._env is None:
            self._env = make_environment(self.config)
            # made anew whenever a file in templates/ changes (see _build), so Jinja
            # need not look at each template's file time for every page it renders
            self._env.auto_reload = False
            if self.cache_dir is not None:  # compiled templates, kept between runs
                folder = self.cache_dir / "templates"
                folder.mkdir(parents=True, exist_ok=True)
                self._env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
        return self._env

    def _map(
        self,
        function: Callable[[list[Any]], list[Any]],
        items: Sequence[Any],
        minimum: int,
        what: str,
    ) -> Iterator[Any]:
        """`function` over chunks of `items`, in worker processes when it is worth it."""
        with self._launch(function, items, minimum, what) as results:
            yield from results

    @contextlib.contextmanager
    def _launch(
        self,
        function: Callable[[list[Any]], list[Any]],
        items: Sequence[Any],
        minimum: int,
        what: str,
    ) -> Iterator[Iterator[Any]]:
        """`_map`, with the workers already at it when the block starts; in this process
        (one job, or too few items to fork for), the work is done as results are taken."""
        bar = self._bar(len(items), what)
        try:
            if self.jobs == 1 or len(items) < minimum:
                yield _here(function, items, bar)
                return
            context = multiprocessing.get_context("fork")
            gc.freeze()  # the inherited heap: workers leave it alone, so it stays shared
            with context.Pool(self.jobs, initializer=gc.enable) as pool:
                chunks = pool.imap_unordered(function, _chunks(items, self.jobs, 20))
                yield _counted(chunks, bar)
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


def _here(
    function: Callable[[list[Any]], list[Any]], items: Sequence[Any], bar: Any
) -> Iterator[Any]:
    """The work in this process, with the cycle collector on as it is in workers:
    converting and rendering make garbage cycles (Markdown's trees, Jinja's contexts),
    which would pile up while the build pauses it."""
    paused = not gc.isenabled()
    gc.enable()
    try:
        for chunk in _chunks(items, 1, 200):
            yield from function(list(chunk))
            bar.update(len(chunk))
    finally:
        if paused:
            gc.disable()


def _counted(results: Iterable[list[Any]], bar: Any) -> Iterator[Any]:
    for result in results:
        yield from result
        bar.update(len(result))


class _NoBar:
    def update(self, count: int) -> None:
        pass

    def close(self) -> None:
        pass
