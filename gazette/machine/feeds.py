"""Atom 1.0 and RSS 2.0 feeds: the site's, and one per section (tag, author) on request.

Both formats carry the same entries, newest first: readers differ in which
they prefer. Ids are tag: URIs, so a site that moves host keeps its readers'
read/unread state; links and dates are absolute and carry the site's offset.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

from gazette.machine.common import (
    ATOM_NS,
    CONTENT_NS,
    DC_NS,
    FeedSpec,
    absolute,
    absolute_html,
    clean,
    excerpt,
    newest,
    sub,
    tag_uri,
    timestamp,
    xml_bytes,
)
from gazette.model import Article, Byline, Site
from gazette.stages.assets import OutputFile
from gazette.stages.config import Config

GENERATOR = "Gazette"


def feed_files(
    site: Site, specs: list[FeedSpec], config: Config, authority: str
) -> Iterator[OutputFile]:
    terms = FeedTerms({section.slug: section.name for section in site.sections})
    for spec in specs:
        atom = atom_feed(spec, config, authority, terms)
        yield OutputFile(spec.atom_url, xml_bytes(atom))
        yield OutputFile(spec.rss_url, xml_bytes(rss_feed(spec, config, authority, terms)))


@dataclass(frozen=True)
class FeedTerms:
    """Names and pages entries refer to, taken from the site model."""

    sections: dict[str, str] = field(default_factory=dict)  # slug -> display name

    def section_name(self, article: Article) -> str:
        return self.sections.get(article.section) or article.section


def publisher_name(config: Config) -> str:
    return config.publisher.name or config.site.title


def atom_feed(spec: FeedSpec, config: Config, authority: str, terms: FeedTerms) -> ET.Element:
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": config.site.language})
    sub(feed, "id", tag_uri(authority, spec.key))
    sub(feed, "title", spec.title)
    if config.site.tagline:
        sub(feed, "subtitle", config.site.tagline)
    sub(feed, "link", rel="self", type="application/atom+xml", href=absolute(config, spec.atom_url))
    sub(feed, "link", rel="alternate", type="text/html", href=absolute(config, spec.page_url))
    sub(feed, "updated", timestamp(newest(spec.articles, config.tz)))
    author = sub(feed, "author")
    sub(author, "name", publisher_name(config))
    sub(feed, "generator", GENERATOR)
    for article in spec.articles:
        _atom_entry(feed, article, config, authority, terms)
    return feed


def entry_id(article: Article, authority: str) -> str:
    """The id readers know a story by: the one it had before a move (`guid:`), so an
    imported archive does not come back as new, else a tag: URI of its URL."""
    return article.guid or tag_uri(authority, article.url)


def _atom_entry(
    feed: ET.Element, article: Article, config: Config, authority: str, terms: FeedTerms
) -> None:
    url = absolute(config, article.url)
    entry = sub(feed, "entry")
    sub(entry, "id", entry_id(article, authority))
    sub(entry, "title", article.title, type="text")
    sub(entry, "link", rel="alternate", type="text/html", href=url)
    sub(entry, "published", timestamp(article.date))
    sub(entry, "updated", timestamp(article.modified))  # a correction's or update's time
    for byline in article.bylines or [Byline(name, "") for name in article.authors]:
        author = sub(entry, "author")
        sub(author, "name", byline.name)
        if byline.url:
            sub(author, "uri", absolute(config, byline.url))
    sub(
        entry,
        "category",
        term=article.section,
        label=clean(terms.section_name(article)),
        scheme=absolute(config, f"{article.section}/"),
    )
    for tag in article.tags:
        sub(entry, "category", term=clean(tag))
    sub(entry, "summary", excerpt(article), type="text")
    if config.feeds.full_content:
        sub(entry, "content", absolute_html(article.html, url), type="html")


def rss_feed(spec: FeedSpec, config: Config, authority: str, terms: FeedTerms) -> ET.Element:
    rss = ET.Element(
        "rss",
        {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS, "xmlns:content": CONTENT_NS},
    )
    channel = sub(rss, "channel")
    sub(channel, "title", spec.title)
    sub(channel, "link", absolute(config, spec.page_url))
    sub(
        channel,
        "description",
        config.site.description or config.site.tagline or config.site.title,
    )
    sub(channel, "language", config.site.language)
    sub(channel, "lastBuildDate", rfc822(newest(spec.articles, config.tz)))
    sub(channel, "generator", GENERATOR)
    sub(
        channel,
        "atom:link",
        href=absolute(config, spec.rss_url),
        rel="self",
        type="application/rss+xml",
    )
    for article in spec.articles:
        url = absolute(config, article.url)
        item = sub(channel, "item")
        sub(item, "title", article.title)
        sub(item, "link", url)
        sub(item, "guid", entry_id(article, authority), isPermaLink="false")
        sub(item, "pubDate", rfc822(article.date))
        if article.updated is not None:  # RSS has no element of its own for it
            sub(item, "atom:updated", timestamp(article.updated))
        for name in article.authors:
            sub(item, "dc:creator", name)
        sub(item, "category", terms.section_name(article))
        for tag in article.tags:
            sub(item, "category", tag)
        sub(item, "description", excerpt(article))
        if config.feeds.full_content:
            sub(item, "content:encoded", absolute_html(article.html, url))
    return rss


def rfc822(value: dt.datetime) -> str:
    """RFC 822 date with a four-digit year and the numeric offset: what RSS 2.0 asks."""
    return email.utils.format_datetime(value.replace(microsecond=0))
