"""`python build.py check`: every problem in the site in one run, nothing written.

A build stops at the first stage that fails; check carries on past each
failure with whatever is still valid (the good articles, the pages that
render), so an editor fixing a broken site sees the whole list at once:
config, content, images, templates, and links inside the generated pages
that point at files the build does not produce.
"""

from __future__ import annotations

import datetime as dt
import itertools
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import unquote, urlsplit

import jinja2

from gazette.engine.cache import cache_dir_for
from gazette.engine.core import PARALLEL_MIN_PAGES, Engine, RenderJob, pages_bytes
from gazette.engine.snapshot import Snapshot
from gazette.engine.state import View
from gazette.errors import GazetteError
from gazette.model import Article, Site
from gazette.stages.config import Config
from gazette.stages.frontmatter import read_source, split_front_matter
from gazette.stages.render import template_path
from gazette.stages.strings import missing_words


@dataclass
class CheckReport:
    articles: int = 0
    pages: int = 0
    links: int = 0
    problems: list[GazetteError] = field(default_factory=list)
    # edition code -> the theme's interface words its language's strings file lacks
    untranslated: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"No problems found: {self.articles} articles, {self.pages} pages, "
            f"{self.links} internal links checked"
        ]
        for code, words in self.untranslated.items():
            shown = ", ".join(repr(word) for word in words)
            lines.append(f"note: the {code} edition shows {len(words)} words in English: {shown}")
        return "\n".join(lines)


def check_site(
    config: Config, *, include_drafts: bool = False, now: dt.datetime | None = None
) -> CheckReport:
    """Validate everything a build would do, collecting problems instead of stopping.
    The engine reads the build's cache (never writing it), so a site that has been
    built is checked without converting its Markdown again."""
    report = CheckReport()
    for edition in config.editions:  # shown in English meanwhile: a note, not a problem
        if missing_words(edition.code):
            report.untranslated[edition.code] = missing_words(edition.code)
    cache = cache_dir_for(config.root / "output")
    engine = Engine(config, include_drafts=include_drafts, now=now, cache_dir=cache, persist=False)
    inputs = engine.read(None, collect=report.problems)
    try:
        snap = engine.snapshot(inputs, View(), None)
    except GazetteError as exc:  # two articles on one URL: check the rest without them
        report.problems += exc.all_problems()
        named = {problem.file for problem in exc.all_problems()}
        inputs.articles = [a for a in inputs.articles if f"content/{a.path}" not in named]
        try:
            snap = engine.snapshot(inputs, View(), None)
        except GazetteError:
            return report
    site = snap.site
    report.articles, report.pages = len(site.articles), len(site.pages)
    try:
        engine.annotate(snap, range(len(site.pages)))
        machine = engine.machine_files(snap)
    except GazetteError as exc:
        report.problems += exc.all_problems()
        machine = []
    page_links: list[tuple[str, str]] = []
    report.problems += template_problems(engine, snap, page_links)
    if not report.problems:
        outputs = {p.output_path for p in site.pages}
        for file in itertools.chain(inputs.assets.files, machine):
            outputs.add(file.path)
            if file.path.endswith(".html"):  # a page kept as it is in content/
                page_links += [(file.path, link) for link in find_links(_text(file.data))]
        report.links, broken = link_problems(site, outputs, page_links, config)
        report.problems += broken
    return report


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def template_problems(
    engine: Engine, snap: Snapshot, page_links: list[tuple[str, str]] | None = None
) -> list[GazetteError]:
    """Compile every template (used or not) and render every page into memory;
    the links of each page that renders go to `page_links` as (page file, link)."""
    config = engine.config
    env = engine.environment()
    found: dict[tuple[str | None, int | None, str], GazetteError] = {}

    def add(error: GazetteError) -> None:
        found.setdefault((error.file, error.line, error.message), error)

    for name in env.list_templates(filter_func=_is_template):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            add(
                GazetteError(
                    f"template syntax error: {exc.message}",
                    file=template_path(config, exc.name or name),
                    line=exc.lineno,
                    hint="check the {% %} and {{ }} tags on that line",
                )
            )
    pages = snap.site.pages  # annotated by check_site, before the workers fork
    global _JOB
    _JOB = engine.render_job(snap)
    try:
        work = engine.workers.map(_links_of, range(len(pages)), PARALLEL_MIN_PAGES, "pages")
        rendered = sorted(work, key=lambda pair: pair[0])  # in page order, as a build goes
    finally:
        _JOB = None
    for index, links in rendered:
        if isinstance(links, GazetteError):
            add(links)
        elif page_links is not None and pages[index].output_path.endswith(".html"):
            page_links += [(pages[index].output_path, link) for link in links]
    return list(found.values())


_JOB: RenderJob | None = None  # set while pages render (inherited by forked workers)


def _links_of(indices: list[int]) -> list[tuple[int, list[str] | GazetteError]]:
    """Render pages and find their links (in a worker process); a page's problem is
    given back, not raised, so one broken page does not hide the others."""
    assert _JOB is not None
    out: list[tuple[int, list[str] | GazetteError]] = []
    for index in indices:
        try:
            ((_, html),) = pages_bytes(_JOB, [index])
        except GazetteError as exc:
            out.append((index, exc))
            continue
        out.append((index, find_links(_text(html))))
    return out


def _is_template(name: str) -> bool:
    return not any(p.startswith(".") for p in name.split("/")) and not name.endswith("~")


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<[a-zA-Z][^\s>/]*(\s[^>]*)>")
_ATTRIBUTE = re.compile(
    r"""(?:^|\s)(href|src|poster|data|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
    re.IGNORECASE,
)


def find_links(html: str) -> list[str]:
    """Every href/src/poster/data/srcset URL in the tags of a page.

    A regular expression over the tags, not a full HTML parser: on a large site
    html.parser took longer than rendering. Text (code samples that show tags)
    has its '<' escaped, so only real tags match."""
    found: list[str] = []
    for tag in _TAG.finditer(_COMMENT.sub("", html)):  # a commented-out link is no link
        for match in _ATTRIBUTE.finditer(tag.group(1)):
            name = match.group(1).lower()
            value = unescape(next(v for v in match.groups()[1:] if v is not None))
            if name == "srcset":
                found += [p.strip().split(" ")[0] for p in value.split(",") if p.strip()]
            else:
                found.append(value)
    return found


def resolve(page_path: str, link: str, base_path: str = "/") -> str | None:
    """The output file a relative link from `page_path` points at; None if external.

    A link starting with '/' is read from `base_path` (base_url's path), as the
    404 page writes them. Returns '' for a link that climbs above the site's root."""
    parts = urlsplit(link.strip())
    if parts.scheme or parts.netloc or link.startswith("//"):
        return None
    path = unquote(parts.path)
    if not path:
        return None  # "#fragment" or "?query" on the same page
    if path.startswith("/"):
        if path.startswith(base_path):
            path = "/" + path[len(base_path) :]
        return path.lstrip("/") + ("index.html" if path.endswith("/") else "")
    joined = posixpath.join(posixpath.dirname(page_path), path)
    normal = posixpath.normpath(joined)
    if normal == ".." or normal.startswith("../"):
        return ""
    if path.endswith("/") or normal == ".":
        normal = "index.html" if normal == "." else normal + "/index.html"
    return normal


def link_problems(
    site: Site, outputs: set[str], page_links: Iterable[tuple[str, str]], config: Config
) -> tuple[int, list[GazetteError]]:
    """Every href/src in generated HTML must name a file the build writes."""
    base_path = urlsplit(config.site.base_url).path or "/"
    links: list[tuple[str, str, str]] = []  # (page file, link, target)
    for path, link in page_links:
        target = resolve(path, link, base_path)
        if target is not None:
            links.append((path, link, target))
    articles = {a.url + "index.html": a for a in site.articles}
    templates = {p.output_path: p.template for p in site.pages}
    errors: dict[tuple[str, str], GazetteError] = {}
    for page_path, link, target in links:
        if target in outputs or (target + "/index.html") in outputs:
            continue
        article = articles.get(page_path)
        body = _body(config, article) if article is not None else ""
        if article is not None and link in body:
            file, line, where = f"content/{article.path}", _body_line(article, body, link), ""
            key = (file, link)
        else:  # made by a template: one message per template and target, not per page
            template = templates.get(page_path)
            file = template_path(config, template) if template else f"/{page_path}"
            line, where, key = None, f" (on /{page_path} and maybe more pages)", (file, target)
        if key not in errors:
            errors[key] = GazetteError(
                f"link '{link}'{where} points at a file the site does not have"
                + ("" if target else " (it climbs above the site's root)"),
                file=file,
                line=line,
                hint="fix the link, or add the page or file it should point at",
            )
    return len(links), list(errors.values())


def _body(config: Config, article: Article) -> str:
    """The article's Markdown, read again: the engine keeps articles without their text."""
    path = config.content_dir / article.path
    return split_front_matter(read_source(path, config.content_dir), article.path)[1]


def _body_line(article: Article, body: str, link: str) -> int | None:
    for offset, text in enumerate(body.split("\n")):
        if link in text:
            return article.body_line + offset
    return None
