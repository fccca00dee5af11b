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

from gazette.errors import GazetteError
from gazette.model import Article, Site
from gazette.pipeline import build_now, image_problems, machine_files
from gazette.stages.assets import Assets, collect_assets
from gazette.stages.config import Config
from gazette.stages.content import read_articles
from gazette.stages.markup import render_articles
from gazette.stages.render import _template_path as template_path
from gazette.stages.render import make_environment, render_page, shared_context
from gazette.stages.site import build_site, select_articles


@dataclass
class CheckReport:
    articles: int = 0
    pages: int = 0
    links: int = 0
    problems: list[GazetteError] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"No problems found: {self.articles} articles, {self.pages} pages, "
            f"{self.links} internal links checked"
        )


def check_site(
    config: Config, *, include_drafts: bool = False, now: dt.datetime | None = None
) -> CheckReport:
    """Validate everything a build would do, collecting problems instead of stopping."""
    report = CheckReport()
    now = now or build_now(config.tz)
    loaded, errors = read_articles(config)
    report.problems += errors
    articles = select_articles(loaded, include_drafts=include_drafts, now=now)
    assets = collect_assets(config.static_dir, config.content_dir)
    report.problems += image_problems(articles, assets.content_files, config)
    rendered = render_articles(articles, sanitize=config.content.untrusted)
    try:
        site = build_site(rendered, config)
    except GazetteError as exc:  # two articles on one URL: check the rest without them
        report.problems += exc.all_problems()
        named = {problem.file for problem in exc.all_problems()}
        try:
            site = build_site([a for a in rendered if f"content/{a.path}" not in named], config)
        except GazetteError:
            return report
    report.articles, report.pages = len(site.articles), len(site.pages)
    try:
        machine = machine_files(site, config, assets)  # feeds, sitemaps; gives pages `meta`
    except GazetteError as exc:
        report.problems += exc.all_problems()
        machine = []
    page_links: list[tuple[str, str]] = []
    report.problems += template_problems(site, config, assets, page_links)
    if not report.problems:
        outputs = {p.output_path for p in site.pages}
        for file in itertools.chain(assets.files, machine):
            outputs.add(file.path)
            if file.path.endswith(".html"):  # a page kept as it is in content/
                page_links += [(file.path, link) for link in find_links(_text(file.data))]
        report.links, broken = link_problems(site, outputs, page_links, config)
        report.problems += broken
    return report


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def template_problems(
    site: Site, config: Config, assets: Assets, page_links: list[tuple[str, str]] | None = None
) -> list[GazetteError]:
    """Compile every template (used or not) and render every page into memory;
    the links of each page that renders go to `page_links` as (page file, link)."""
    env = make_environment(config)
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
    shared = shared_context(site, config, assets.urls)
    for page in site.pages:
        try:
            html = render_page(env, page, shared, config)
        except GazetteError as exc:
            add(exc)
            continue
        if page_links is not None and page.output_path.endswith(".html"):
            page_links += [(page.output_path, link) for link in find_links(_text(html))]
    return list(found.values())


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
        if article is not None and link in article.body:
            file, line, where = f"content/{article.path}", _body_line(article, link), ""
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


def _body_line(article: Article, link: str) -> int | None:
    for offset, text in enumerate(article.body.split("\n")):
        if link in text:
            return article.body_line + offset
    return None
