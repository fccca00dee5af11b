"""The preview site for `serve`: held in memory, updated per change, rendered on request.

`serve` never writes a folder: pages are rendered when a browser asks for them
and kept until a change affects them, so a template or stylesheet edit costs
nothing until a page is viewed, and `output/` is never touched. Between builds
the parsed and converted articles are kept per file, so saving one article
re-reads only that file. Each rebuild compares every page's inputs (the
identity of the articles, terms and archives it shows, as `gazette.engine.inputs` digests
them for the builder) with the previous build to say which pages changed;
the server reloads only the tabs showing those pages.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import multiprocessing
import os
import threading
import time
from collections.abc import Collection, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from gazette.engine.inputs import PageInputs
from gazette.errors import GazetteError
from gazette.machine.common import feed_specs
from gazette.machine.files import syndicate
from gazette.machine.structured import annotate, resolve_publisher
from gazette.model import Article, Page, Site
from gazette.pipeline import build_now, check_images
from gazette.stages.assets import FINGERPRINTED, Assets, collect_assets
from gazette.stages.config import Config, load_config
from gazette.stages.content import load_articles
from gazette.stages.markup import render_articles
from gazette.stages.render import make_environment, page_root, render_page, shared_context
from gazette.stages.site import build_site, select_articles

ALL = None  # "every page" in `Update.pages`
# Article fields that place it in the site (URL, lists, order, neighbours, related): an
# edit that keeps them all is applied in place.
PLACE = ("path", "date", "section", "slug", "tags", "author", "draft", "image")
PARALLEL_MIN_ARTICLES = 300  # fewer convert faster in this process than in workers
MACHINE_SUFFIXES = {".xml", ".txt"}  # feeds, sitemaps, robots.txt


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


def classify(config: Config, path: Path) -> str | None:
    """Which kind of site input `path` is: config, content, template, static, or None."""
    if config.path is not None and _same(path, config.path):
        return "config"
    for kind, folder in (
        ("content", config.content_dir),
        ("template", config.templates_dir),
        ("static", config.static_dir),
    ):
        if _inside(path, folder):
            return kind
    return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.absolute().relative_to(folder.absolute())
    except ValueError:
        return False
    return True


def _same(a: Path, b: Path) -> bool:
    return a.absolute() == b.absolute()


class PreviewSite:
    """The site as the preview shows it, rebuilt in place by `rebuild(changed_paths)`.

    Thread-safe: the watcher thread rebuilds while server threads read pages.
    """

    def __init__(self, config_path: Path, *, include_drafts: bool = False) -> None:
        self.config_path = config_path.absolute()
        self.include_drafts = include_drafts
        self.number = 0
        self.error: GazetteError | None = None
        self._lock = threading.RLock()
        self._config: Config | None = None
        self._config_broken = False  # the last config.toml failed to load: retry it first
        self._articles: dict[Path, Article] = {}  # per Markdown file, converted
        self._digests: dict[Path, str] = {}  # of the bytes each article was read from
        self._file_errors: dict[Path, GazetteError] = {}
        self._assets: Assets | None = None
        self._sources: dict[str, Path] = {}  # output path -> file it is read from
        self._env: jinja2.Environment | None = None
        self._site: Site | None = None
        self._pages: dict[str, Page] = {}
        self._signatures: dict[str, str] = {}  # page URL -> digest of its inputs
        self._referrers: dict[str, set[str]] = {}  # article path -> URLs of pages showing it
        self._publisher: Any = None
        self._sources_set: set[Path] = set()
        self._folders: set[Path] | None = None  # folders holding known sources, made on demand
        self._specs: Any = None
        self._uses: dict[str, frozenset[str] | None] = {}  # template -> templates it needs
        self._rendered: dict[str, bytes] = {}
        self._machine: dict[str, bytes] | None = None

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
                    pages, stylesheets = self._rebuild(changed)
            except GazetteError as exc:
                self.error = exc
                return Update(self.number, time.perf_counter() - started, error=exc)
            recovered = self.error is not None
            self.error = None
            if recovered:
                pages = ALL
            return Update(
                self.number, time.perf_counter() - started, pages=pages, stylesheets=stylesheets
            )

    def _rebuild(
        self, changed: Collection[Path] | None
    ) -> tuple[frozenset[str] | None, dict[str, str]]:
        kinds = self._kinds(changed)
        content = kinds.get("content", set())
        if "config" in kinds:
            self._config_broken = True
            config = self._config = load_config(self.config_path)
            self._config_broken = False
            self._articles.clear()
            self._digests.clear()
            self._file_errors.clear()
            self._assets = None
            self._env = None
            self._uses.clear()
            self._load_all(config)
        config = self._config
        assert config is not None
        # An edit that leaves an article where it was (same date, section, tags...) is
        # applied in place: no new site model, only the pages showing it change.
        in_place = self._update_in_place(config, content) if content else frozenset()
        needs_site = "config" in kinds or self._site is None or in_place is None
        if in_place is None:
            self._load_changed(config, content)
        if "template" in kinds:
            self._env = None
            self._uses.clear()
        old_urls = dict(self._assets.urls) if self._assets is not None else None
        non_css = self._non_css(kinds)
        files_changed = "static" in kinds or any(p.suffix != ".md" for p in content)
        if self._assets is None or files_changed:
            static_only = not any(p.suffix != ".md" for p in content)
            self._assets = self._collect_assets(config, static_only=static_only)
        assets = self._assets

        if self._file_errors:
            raise GazetteError.collect([self._file_errors[p] for p in sorted(self._file_errors)])
        site = self._site
        if needs_site or site is None:
            now = build_now(config.tz)
            articles = select_articles(
                self._articles.values(), include_drafts=self.include_drafts, now=now
            )
            check_images(articles, assets.content_files, config)
            site = build_site(articles, config)
        elif any(p.suffix != ".md" for p in content):  # an image may have gone
            check_images(site.articles, assets.content_files, config)
        if needs_site or files_changed:
            self._publisher = resolve_publisher(config, assets)  # its logo is a file
        if needs_site:
            self._specs = feed_specs(site, config)
        self._machine = None  # feeds and sitemaps: made again when next asked for
        if self._env is None:
            self._env = make_environment(config)
            # Check every template compiles now, so a syntax error shows in every tab at once.
            try:
                for page_template in sorted({p.template for p in site.pages}):
                    self._render_check(page_template, site, config)
            except GazetteError:
                self._env = None  # check again next time, until the template is fixed
                raise

        stylesheets = _swapped_stylesheets(old_urls, assets.urls)
        templates = {
            t.as_posix() for t in _relative(kinds.get("template", ()), config.templates_dir)
        }
        pages: frozenset[str] | None
        if needs_site:
            signatures, referrers = survey(site, self._identities())
            if "config" in kinds or non_css or not self._same_globals(site):
                pages = ALL
            else:
                pages = self._affected(site, templates, signatures)
            self._signatures, self._referrers = signatures, referrers
            self._site = site
            self._pages = {page.url: page for page in site.pages}
        elif non_css:
            pages = ALL
        else:
            assert in_place is not None
            pages = in_place | self._affected(site, templates, None)
        self._known_folders()  # made now, not while the next save waits for it
        if pages is ALL or stylesheets:
            self._rendered.clear()  # every page links the stylesheets by name
        else:
            for url in pages:
                self._rendered.pop(url, None)
        return pages, stylesheets

    def _kinds(self, changed: Collection[Path] | None) -> dict[str, set[Path]]:
        config = self._config
        if config is None or changed is None or self._config_broken:
            return {"config": set()}
        kinds: dict[str, set[Path]] = {}
        for path in changed:
            kind = classify(config, path)
            if kind in ("content", "static") and not path.exists():
                # Gone already: an editor's temporary file is no change; a file or folder
                # the site had is (a deleted article, image or section folder).
                if not self._is_known(path):
                    continue
            if kind is not None:
                kinds.setdefault(kind, set()).add(path)
        return kinds

    def _is_known(self, path: Path) -> bool:
        """Whether `path` is a source file of the last build, or a folder holding one."""
        if path in self._articles or path in self._file_errors or path in self._sources_set:
            return True
        return path in self._known_folders()

    def _known_folders(self) -> set[Path]:
        if self._folders is None:
            files = (*self._articles, *self._file_errors, *self._sources_set)
            holders = {file.parent for file in files}  # few: the section folders
            self._folders = {folder for holder in holders for folder in (holder, *holder.parents)}
        return self._folders

    def _update_in_place(self, config: Config, paths: set[Path]) -> frozenset[str] | None:
        """Apply article edits that keep the site's shape; None when it may change
        (a new, deleted, broken or moved article, or a changed date, section, tag...)."""
        site = self._site
        if site is None or self._file_errors or self.error is not None:
            return None
        edits: list[tuple[Path, Article, Article, str]] = []
        for path in paths:
            old = self._articles.get(path)
            if path.suffix != ".md" or old is None or not path.is_file():
                return None
            data = _digest(path.read_bytes())
            if data == self._digests.get(path):
                continue
            try:
                (new,) = convert(config, load_articles(config, [path]))
            except (GazetteError, OSError):
                return None
            if any(getattr(new, name) != getattr(old, name) for name in PLACE):
                return None
            edits.append((path, old, new, data))
        latest = site.articles[0] if site.articles else None
        pages: set[str] = set()
        for path, old, new, data in edits:
            if old is latest and (new.hijri, new.weather) != (old.hijri, old.weather):
                pages = set(self._pages)  # every masthead shows the edition (site.edition)
            url = old.url
            for f in fields(Article):
                setattr(old, f.name, getattr(new, f.name))
            old.url = url
            self._digests[path] = data
            pages |= self._referrers.get(old.path, set())
        if edits:  # those pages' inputs changed here, not in the next survey
            inputs = PageInputs(self._identities(), "")
            for url in pages & self._signatures.keys():
                self._signatures[url] = inputs.of(self._pages[url], "")
        return frozenset(pages)

    def _non_css(self, kinds: dict[str, set[Path]]) -> bool:
        """A change to a site file other than a stylesheet or an article. A temporary file
        that is gone again (an editor's save in progress) is no change."""
        known = set(self._sources.values())
        others = [p for p in kinds.get("static", ()) if p.suffix != ".css"]
        others += [p for p in kinds.get("content", ()) if p.suffix != ".md"]
        return any(p in known or p.is_file() for p in others)

    def _load_all(self, config: Config) -> None:
        from gazette.stages.content import discover

        self._load_changed(config, set(discover(config.content_dir)))

    def _load_changed(self, config: Config, paths: set[Path]) -> None:
        """Re-read the changed Markdown files; a changed folder means a rescan."""
        self._folders = None
        if any(p.is_dir() or (p.suffix != ".md" and not p.exists()) for p in paths):
            from gazette.stages.content import discover

            present = set(discover(config.content_dir))
            gone = (self._articles.keys() | self._file_errors.keys()) - present
            paths = (
                {p for p in paths if p.suffix == ".md"} | gone | (present - self._articles.keys())
            )
        parsed: list[tuple[Path, str, Article]] = []
        for path in sorted(paths):
            if path.suffix != ".md":
                continue
            try:
                data = _digest(path.read_bytes()) if path.is_file() else None
            except OSError:
                data = None  # removed while we looked; its own event follows
            if data is not None and data == self._digests.get(path) and path in self._articles:
                continue  # saved without a change: keep the article, and its pages
            self._articles.pop(path, None)
            self._digests.pop(path, None)
            self._file_errors.pop(path, None)
            if data is None:
                continue  # deleted or renamed away
            try:
                (article,) = load_articles(config, [path])
            except GazetteError as exc:
                self._file_errors[path] = exc
                continue
            except FileNotFoundError:
                continue
            parsed.append((path, data, article))
        converted = convert(config, [article for _, _, article in parsed])
        for (path, data, _), article in zip(parsed, converted, strict=True):
            self._articles[path] = article
            self._digests[path] = data

    def _collect_assets(self, config: Config, *, static_only: bool = False) -> Assets:
        self._folders = None
        if static_only and self._assets is not None:
            # Only static/ changed: keep content/'s files rather than walk every article.
            old = self._assets
            assets = collect_assets(config.static_dir, Path(os.devnull))
            assets.files += [f for f in old.files if f.path in old.content_files]
            assets.content_files = old.content_files
        else:
            assets = collect_assets(config.static_dir, config.content_dir)
        by_output = {v: k for k, v in assets.urls.items()}
        self._sources = {}
        for file in assets.files:
            if file.path in by_output:
                self._sources[file.path] = config.static_dir / by_output[file.path]
            else:
                self._sources[file.path] = config.content_dir / file.path
        self._sources_set = set(self._sources.values())
        return assets

    def _render_check(self, template: str, site: Site, config: Config) -> None:
        sample = next(p for p in site.pages if p.template == template)
        self._render(sample, site, config)

    def _render(self, page: Page, site: Site, config: Config) -> bytes:
        # Structured data (`meta`) is made per render: it reads the article, which an
        # in-place edit changes, and making it for every page on each rebuild is slow.
        annotate(dataclasses.replace(site, pages=[page]), config, self._publisher, self._specs)
        return render_page(self._env_or_fail(), page, self._shared(site, config), config)

    def _env_or_fail(self) -> jinja2.Environment:
        assert self._env is not None
        return self._env

    def _shared(self, site: Site, config: Config) -> dict[str, Any]:
        assert self._assets is not None
        return shared_context(site, config, self._assets.urls)

    def _identities(self) -> dict[str, str]:
        """What identifies each article's contents: its file's digest, by its path."""
        return {article.path: self._digests[path] for path, article in self._articles.items()}

    def _same_globals(self, site: Site) -> bool:
        """Every page shows the navigation and the edition (date, weather) in its masthead."""
        old = self._site
        if old is None:
            return False
        return _globals(old) == _globals(site)

    def _affected(
        self, site: Site, templates: set[str], signatures: dict[str, str] | None
    ) -> frozenset[str]:
        """Pages whose inputs differ from the previous build's, or whose templates changed."""
        changed: set[str] = set()
        if signatures is not None:
            changed = {url for url, sig in signatures.items() if self._signatures.get(url) != sig}
            changed |= self._signatures.keys() - signatures.keys()  # pages that went away
        if templates:
            for page in site.pages:
                uses = self.templates_used(page.template)
                if uses is None or uses & templates:
                    changed.add(page.url)
        return frozenset(changed)

    def templates_used(self, name: str) -> frozenset[str] | None:
        """`name` and every template it extends, includes or imports (None: not knowable)."""
        if name in self._uses:
            return self._uses[name]
        env = self._env_or_fail()
        seen: set[str] = set()
        todo = [name]
        result: frozenset[str] | None
        try:
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                source = env.loader.get_source(env, current)[0]  # type: ignore[union-attr]
                for ref in jinja2.meta.find_referenced_templates(env.parse(source)):
                    if ref is None:
                        raise LookupError("a template name computed at render time")
                    todo.append(ref)
            result = frozenset(seen)
        except (LookupError, jinja2.TemplateError):
            result = None
        self._uses[name] = result
        return result

    @property
    def config(self) -> Config | None:
        return self._config

    # -- serving --------------------------------------------------------------------------

    def resource(self, url_path: str) -> Resource | None:
        """The page or file at a site path ("world/story/", "static/style.1a2b.css")."""
        with self._lock:
            config, site = self._config, self._site
            if config is None or site is None:
                return None
            page_url = url_path
            if url_path.endswith("index.html"):
                page_url = url_path[: -len("index.html")]
            page = self._pages.get(page_url) or self._pages.get(url_path)
            if page is not None:
                data = self._rendered.get(page.url)
                if data is None:
                    data = self._render(page, site, config)
                    self._rendered[page.url] = data
                return Resource(data, "text/html; charset=utf-8", is_page=True)
            source = self._sources.get(url_path)
            if source is None:
                if Path(url_path).suffix not in MACHINE_SUFFIXES:
                    return None  # e.g. favicon.ico: not worth making every feed to find out
                data = self._machine_files(site, config).get(url_path)
                return Resource(data, _content_type(url_path)) if data is not None else None
        return self._read_source(source, config, url_path)

    def _machine_files(self, site: Site, config: Config) -> dict[str, bytes]:
        """Feeds, sitemaps and robots.txt, made on the first request after a rebuild."""
        if self._machine is None:
            assert self._assets is not None
            reference = build_now(config.tz)
            files = syndicate(site, config, self._assets, reference)
            self._machine = {f.path: f.data for f in files}
        return self._machine

    def _read_source(self, source: Path, config: Config, url_path: str) -> Resource | None:
        """A site file, refused if it (or a symlink on the way) leads outside the site."""
        if source.name == "code.css" and not source.exists():
            return self._generated(url_path)
        try:
            real = source.resolve(strict=True)
        except (OSError, RuntimeError):
            return self._generated(url_path)
        root = config.root.resolve()
        if not _inside(real, root):
            raise PermissionError(f"{source} leads outside the site folder")
        if Path(url_path).suffix in FINGERPRINTED and url_path.startswith("static/"):
            # the bytes the fingerprint was made from, even if the file changed since
            generated = self._generated(url_path)
            if generated is not None:
                return dataclasses.replace(generated, immutable=True)
        return Resource(real.read_bytes(), _content_type(url_path))

    def _generated(self, url_path: str) -> Resource | None:
        assets = self._assets
        for file in assets.files if assets else ():
            if file.path == url_path:
                return Resource(file.data, _content_type(url_path))
        return None

    @property
    def base_path(self) -> str:
        """base_url's path without its leading slash ("news/"), where rooted links start."""
        config = self._config
        return page_root("404.html", config).lstrip("/") if config is not None else ""

    def not_found_page(self) -> bytes | None:
        resource = self.resource("404.html")
        return resource.data if resource else None

    def article_url(self, path: Path) -> str | None:
        """The site URL of the article read from `path`, if it is in the preview."""
        with self._lock:
            article = self._articles.get(path.absolute())
            return article.url if article is not None and article.url else None

    def page_urls(self) -> list[str]:
        with self._lock:
            return list(self._pages)


def convert(config: Config, articles: list[Article]) -> list[Article]:
    """Markdown to HTML; many articles (the first load, a config change) over all cores.
    The workers are forked: they only convert text, touching no lock of the server's."""
    sanitize = config.content.untrusted
    jobs = os.cpu_count() or 1
    if len(articles) < PARALLEL_MIN_ARTICLES or jobs == 1:
        return render_articles(articles, sanitize=sanitize)
    size = -(-len(articles) // (jobs * 4))
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
    context = multiprocessing.get_context("fork")
    work = functools.partial(render_articles, sanitize=sanitize)
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        return [article for chunk in pool.map(work, chunks) for article in chunk]


def survey(site: Site, identities: dict[str, str]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Every page's inputs digest (as the builder makes it), and the pages that show
    each article (by path)."""
    inputs = PageInputs(identities, "")
    signatures: dict[str, str] = {}
    referrers: dict[str, set[str]] = {}
    for page in site.pages:
        shown: list[str] = []
        signatures[page.url] = inputs.of(page, "", shown)
        for path in shown:
            referrers.setdefault(path, set()).add(page.url)
    return signatures, referrers


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _globals(site: Site) -> tuple[Any, ...]:
    return (site.edition, tuple((s.name, s.url) for s in site.sections))


def _swapped_stylesheets(old: dict[str, str] | None, new: dict[str, str]) -> dict[str, str]:
    """Old URL -> new URL of each stylesheet, when stylesheets are all that changed."""
    if old is None or old == new:
        return {}
    names = {n for n in old.keys() | new.keys() if old.get(n) != new.get(n)}
    if all(n.endswith(".css") and n in old and n in new for n in names):
        return {old[n]: new[n] for n in names}
    return {}


def _relative(paths: Iterable[Path], folder: Path) -> list[Path]:
    return [
        Path(os.path.relpath(p.absolute(), folder.absolute()).replace(os.sep, "/")) for p in paths
    ]


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


def _content_type(path: str) -> str:
    return _TYPES.get(Path(path).suffix.lower(), "application/octet-stream")
