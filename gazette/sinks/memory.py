"""The memory sink: `serve` shows the engine's snapshots without writing a folder.

Pages are rendered when a browser asks for them and kept until a snapshot says
they changed, so a template or stylesheet edit costs nothing until a page is
viewed, and `output/` is never touched. The engine starts from the build's
cache, so a big site that has been built is served in a second or two; it
never writes the cache's state (a build may be saving it), but the texts it
converts go into the cache's text store, where they are keyed by their content
and checksummed, so the next build need not convert them again. Every URL
answers with the bytes a build writes there. Photos are read from the cache's
photo store, which a build prunes to what it used: a copy missing when asked for
is encoded again (`_file_data`).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from gazette.engine.cache import cache_dir_for
from gazette.engine.clock import build_now, source_date_epoch
from gazette.engine.core import Engine
from gazette.engine.snapshot import Inputs, Snapshot
from gazette.engine.state import View
from gazette.errors import GazetteError
from gazette.model import output_path, page_url
from gazette.stages.config import Config, load_config
from gazette.stages.live import next_due
from gazette.stages.render import page_root

ALL = None  # "every page" in `Update.pages`


@dataclass(frozen=True)
class Update:
    """What one rebuild changed, for the terminal and the open browser tabs."""

    number: int
    seconds: float
    error: GazetteError | None = None
    pages: frozenset[str] | None = frozenset()  # site URLs ("" = home); None = all pages
    stylesheets: dict[str, str] = field(default_factory=dict)  # old URL -> new URL

    def summary(self) -> str:
        if self.error is not None:
            return f"error: {self.error}"
        if self.pages is None:
            what = "all pages"
        else:
            what = f"{len(self.pages)} page{'s' if len(self.pages) != 1 else ''}"
        if self.stylesheets and not self.pages:
            what = "stylesheet"
        return f"rebuilt #{self.number}: {what} changed in {self.seconds * 1000:.0f} ms"


@dataclass(frozen=True)
class Resource:
    """A response body: a rendered page or a file of the site."""

    data: bytes
    content_type: str
    is_page: bool = False
    immutable: bool = False  # a fingerprinted file: its name changes with its bytes


class MemorySink:
    """The site as the preview shows it, brought up to date by `rebuild(changed_paths)`.

    Thread-safe: the watcher thread rebuilds while server threads read pages.
    """

    def __init__(self, config_path: Path, *, include_drafts: bool = False) -> None:
        self.config_path = config_path.absolute()
        self.include_drafts = include_drafts
        self.number = 0
        self.error: GazetteError | None = None
        self.engine: Engine | None = None
        self._lock = threading.RLock()
        self._view = View()
        self._snap: Snapshot | None = None
        self._pages: dict[str, int] = {}  # output path -> page index
        self._files: dict[str, bytes] = {}  # static and content files, by output path
        self._immutable: set[str] = set()  # those of them with a fingerprint in the name
        self._rendered: dict[str, bytes] = {}
        self._machine: dict[str, bytes] | None = None

    @property
    def config(self) -> Config | None:
        return self.engine.config if self.engine is not None else None

    # -- building -------------------------------------------------------------------------

    def rebuild(self, changed: Collection[Path] | None = None) -> Update:
        """Bring the preview up to date with the files in `changed` (None: everything)."""
        started = time.perf_counter()
        with self._lock:
            self.number += 1
            try:
                try:
                    pages, stylesheets = self._rebuild(changed)
                except FileNotFoundError:
                    # a file went away while we read the folder (a save in progress): again
                    pages, stylesheets = self._rebuild(None)
            except GazetteError as exc:
                self.error = exc
                return Update(self.number, time.perf_counter() - started, error=exc)
            if self.error is not None:  # recovered: every tab shows an error page
                pages, self.error = ALL, None
            seconds = time.perf_counter() - started
            return Update(self.number, seconds, pages=pages, stylesheets=stylesheets)

    def _engine(self) -> Engine:
        if self.engine is None:
            config = load_config(self.config_path)
            cache = cache_dir_for(config.root / "output")  # the build's: its state read only
            self.engine = Engine(
                config, include_drafts=self.include_drafts, cache_dir=cache, persist=False
            )
        return self.engine

    def _rebuild(self, changed: Collection[Path] | None) -> tuple[frozenset[str] | None, dict]:
        first = self.engine is None
        engine = self._engine()
        old = self._snap
        if old is not None:  # its view's digests, put off so that the first page came sooner
            old.plan.settle()
        inputs = engine.read(None if first else changed, views=[self._view])
        if old is not None and inputs.digest == old.inputs.digest and self.error is None:
            return frozenset(), {}
        previous = self._view.pages.keys()
        snap = engine.snapshot(inputs, self._view, None)
        self._check_templates(engine, snap, old)
        pages = snap.site.pages
        changed = {pages[i].output_path for i in snap.plan.todo}
        changed |= previous - snap.plan.view.pages.keys()  # pages gone
        stylesheets = _swapped_stylesheets(old.inputs if old else None, inputs)
        self._take(snap)
        if stylesheets:  # every page links the stylesheets by name: none reloads for it
            self._rendered.clear()
            return frozenset(), stylesheets
        if (
            old is None
            or old.inputs.settings != inputs.settings
            or len(snap.plan.todo) == len(pages)
        ):
            self._rendered.clear()
            return ALL, {}
        for path in changed:
            self._rendered.pop(path, None)
        return frozenset(page_url(path) for path in changed), {}

    def _check_templates(self, engine: Engine, snap: Snapshot, old: Snapshot | None) -> None:
        """Render one page of each template when templates changed, so a syntax error
        shows in every tab at once rather than on the next page viewed."""
        if old is not None and old.inputs.templates == snap.inputs.templates:
            return
        first: dict[str, int] = {}
        for index, page in enumerate(snap.site.pages):
            first.setdefault(page.template, index)
        for _ in engine.page_bytes(snap, sorted(first.values())):
            pass

    def _take(self, snap: Snapshot) -> None:
        """The snapshot is what the preview shows from now on."""
        self._snap, self._view = snap, snap.plan.view
        self._pages = {page.output_path: i for i, page in enumerate(snap.site.pages)}
        assets = snap.inputs.assets
        self._files = {file.path: file for file in assets.files}  # photos read when asked for
        # fingerprinted (style.1a2b.css): the name changes with the bytes
        self._immutable = {url for name, url in assets.urls.items() if url != f"static/{name}"}
        self._machine = None  # feeds and sitemaps: made again when next asked for

    # -- serving --------------------------------------------------------------------------

    def resource(self, url_path: str) -> Resource | None:
        """The page or file at a site path ("world/story/", "static/style.1a2b.css")."""
        with self._lock:
            snap, engine = self._snap, self.engine
            if snap is None or engine is None:
                return None
            path = output_path(url_path)
            index = self._pages.get(path)
            if index is not None:
                data = self._rendered.get(path)
                if data is None:
                    ((_, data),) = engine.page_bytes(snap, [index])
                    self._rendered[path] = data
                return Resource(data, content_type(path), is_page=path.endswith(".html"))
            file = self._files.get(path)
            if file is not None:
                data = self._file_data(path)
                if data is None:
                    return None
                return Resource(data, content_type(path), immutable=path in self._immutable)
            data = self._machine_files(snap, engine).get(path)
            return Resource(data, content_type(path)) if data is not None else None

    def _file_data(self, path: str) -> bytes | None:
        """A file's bytes. A photo's encoded copy lives in the build's cache, where a
        build removes the entries it did not use (a draft's social card, say) while
        this preview still shows them: on a miss, look again, which encodes it anew."""
        for attempt in range(2):
            file = self._files.get(path)
            if file is None:
                return None
            try:
                return file.data
            except FileNotFoundError:
                if attempt == 0:
                    self.rebuild(None)
        return None

    @property
    def base_path(self) -> str:
        """base_url's path without its leading slash ("news/"), where rooted links start."""
        config = self.config
        return page_root("404.html", config).lstrip("/") if config is not None else ""

    def not_found_page(self) -> bytes | None:
        resource = self.resource("404.html")
        return resource.data if resource else None

    def article_url(self, path: Path) -> str | None:
        """The site URL of the article read from `path`, if it is in the preview."""
        with self._lock:
            config, snap = self.config, self._snap
            if config is None or snap is None:
                return None
            try:
                relative = path.absolute().relative_to(config.content_dir.absolute()).as_posix()
            except ValueError:
                return None
            found = [a.url for a in snap.site.articles if a.path == relative]
            return found[0] if found and found[0] else None

    def paths(self) -> list[str]:
        """Every output path the preview answers for: pages, files, feeds and sitemaps."""
        with self._lock:
            snap, engine = self._snap, self.engine
            if snap is None or engine is None:
                return []
            return sorted([*self._pages, *self._files, *self._machine_files(snap, engine)])

    def _machine_files(self, snap: Snapshot, engine: Engine) -> dict[str, bytes]:
        """Feeds, sitemaps and robots.txt, made on the first request after a rebuild."""
        if self._machine is None:
            self._machine = {f.path: f.data for f in engine.machine_files(snap)}
        return self._machine

    def next_due(self) -> dt.datetime | None:
        """When the preview next changes by the clock alone (a scheduled story, an expiry,
        the end of a banner or a Live badge), among the sources last read; None when
        nothing is due or SOURCE_DATE_EPOCH pins the clock (it never gets there)."""
        with self._lock:
            engine = self.engine
            if engine is None or engine.state is None or source_date_epoch(engine.config.tz):
                return None
            articles = [source.article for source in engine.state.sources.values()]
            return next_due(articles, build_now(engine.config.tz))

    def page_urls(self) -> list[str]:
        with self._lock:
            return [page.url for page in self._snap.site.pages] if self._snap else []


def _swapped_stylesheets(old: Inputs | None, new: Inputs) -> dict[str, str]:
    """Old URL -> new URL of each stylesheet, when stylesheets are all that changed."""
    if old is None or (old.settings, old.templates, old.sources) != (
        new.settings,
        new.templates,
        new.sources,
    ):
        return {}
    before, after = old.assets.urls, new.assets.urls
    names = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    if not names or not all(n.endswith(".css") and n in before and n in after for n in names):
        return {}
    others = {f.path: f.digest() for f in old.assets.files if not f.path.endswith(".css")}
    if others != {f.path: f.digest() for f in new.assets.files if not f.path.endswith(".css")}:
        return {}
    return {before[n]: after[n] for n in names}


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}


def content_type(path: str) -> str:
    return _TYPES.get(Path(path).suffix.lower(), "application/octet-stream")
