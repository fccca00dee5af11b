"""sitemap.xml (split behind a sitemap index past 50,000 URLs), news-sitemap.xml, robots.txt.

The news sitemap lists what Google News may still pick up: articles of the
two days before the newest article, or before SOURCE_DATE_EPOCH when a build
pins its time. Neither depends on the clock, so rebuilds give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from gazette.machine.common import (
    NEWS_NS,
    NOT_INDEXED,
    SITEMAP_NS,
    absolute,
    clean,
    newest,
    sub,
    timestamp,
    xml_bytes,
)
from gazette.model import Article, Page, Site
from gazette.stages.assets import OutputFile
from gazette.stages.config import Config, news_language
from gazette.stages.site import home_url

MAX_URLS = 50_000  # per sitemap file, by the sitemaps.org protocol
NEWS_WINDOW = dt.timedelta(days=2)
NEWS_MAX = 1_000
SITEMAP = "sitemap.xml"
NEWS_SITEMAP = "news-sitemap.xml"
ROBOTS = "robots.txt"

Entry = tuple[str, dt.datetime | None]  # absolute URL, last modified


def sitemap_entries(site: Site, config: Config) -> list[Entry]:
    """Every public page once, with the latest change among the articles it shows."""
    overall = newest(site.articles, config.tz) if site.articles else None
    home = home_url(config)
    entries = []
    for page in site.pages:
        if page.url in NOT_INDEXED:
            continue
        whole = page.url == home or page.template == "archive_index.html"
        lastmod = overall if whole else page_lastmod(page)
        entries.append((absolute(config, page.url), lastmod))
    return entries


def page_lastmod(page: Page) -> dt.datetime | None:
    article = page.context.get("article")
    if isinstance(article, Article):
        return article.modified
    listed = [a for a in page.context.get("articles", ()) if isinstance(a, Article)]
    return max((a.modified for a in listed), default=None)


def urlset(entries: list[Entry]) -> bytes:
    """A sitemap's bytes. Written directly rather than through ElementTree: a large
    site has tens of thousands of entries and every build, even of one edit, makes them."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for loc, lastmod in entries:
        lines.append(f"  <url>\n    <loc>{html.escape(clean(loc), quote=False)}</loc>")
        if lastmod is not None:
            lines.append(f"    <lastmod>{timestamp(lastmod)}</lastmod>")
        lines.append("  </url>")
    lines += ["</urlset>", ""]
    return "\n".join(lines).encode()


def sitemap_files(
    entries: list[Entry], config: Config, folder: str = "", max_urls: int = MAX_URLS
) -> Iterator[OutputFile]:
    """sitemap.xml itself, or, past `max_urls`, an index of sitemap-1.xml, sitemap-2.xml...;
    `folder`: an edition's ("bn/"), where its own sitemaps go."""
    if len(entries) <= max_urls:
        yield OutputFile(folder + SITEMAP, urlset(entries))
        return
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for number, start in enumerate(range(0, len(entries), max_urls), start=1):
        part = entries[start : start + max_urls]
        name = f"{folder}sitemap-{number}.xml"
        yield OutputFile(name, urlset(part))
        item = sub(index, "sitemap")
        sub(item, "loc", absolute(config, name))
        changes = [lastmod for _, lastmod in part if lastmod is not None]
        if changes:
            sub(item, "lastmod", timestamp(max(changes)))
    yield OutputFile(folder + SITEMAP, xml_bytes(index))


def news_articles(articles: list[Article], reference: dt.datetime | None) -> list[Article]:
    """Published within the two days up to `reference` (default: the newest article),
    newest first, at most 1,000: what Google News reads from a news sitemap."""
    if reference is None:
        if not articles:
            return []
        reference = max(a.date for a in articles)
    start = reference - NEWS_WINDOW
    recent = [a for a in articles if start <= a.date <= reference]
    recent.sort(key=lambda a: (a.date, a.path), reverse=True)
    return recent[:NEWS_MAX]


def news_sitemap(articles: list[Article], config: Config) -> ET.Element:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    name = config.publisher.name or config.site.title
    language = news_language(config.site, config.publisher)
    for article in articles:
        url = sub(root, "url")
        sub(url, "loc", absolute(config, article.url))
        news = sub(url, "news:news")
        publication = sub(news, "news:publication")
        sub(publication, "news:name", name)
        sub(publication, "news:language", language)
        sub(news, "news:publication_date", timestamp(article.date))
        sub(news, "news:title", article.title)
        if article.tags:
            sub(news, "news:keywords", ", ".join(article.tags))
    if not articles:
        # The protocol wants at least one <url>; the home page (with no news
        # entry) keeps a quiet news sitemap valid instead of an error.
        sub(sub(root, "url"), "loc", absolute(config, ""))
    return root


def robots_txt(config: Config, folders: list[str] | None = None) -> str:
    """Names every sitemap: the site's, or each edition's (`folders`: "", "bn/"...)."""
    lines = ["User-agent: *", "Allow: /", ""]
    for folder in folders or [""]:
        lines.append(f"Sitemap: {absolute(config, folder + SITEMAP)}")
        lines.append(f"Sitemap: {absolute(config, folder + NEWS_SITEMAP)}")
    return "\n".join(lines) + "\n"
