"""What feeds, sitemaps and structured data share: absolute URLs, ids, XML bytes.

Machine formats are made here in code, never by the site's templates, so they
stay valid whatever the templates do. Everything is derived from the site
model and config alone (no clock), so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from gazette.model import Article, LiveUpdate, Site, Term, listing_folder
from gazette.stages.config import Config
from gazette.stages.markup import opening_text, plain_text
from gazette.stages.site import home_url, url_from

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

# XML 1.0 forbids most control characters even when escaped; a stray one in a
# title would make the whole feed unreadable, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def base_url(config: Config) -> str:
    base = config.site.base_url
    return base if base.endswith("/") else base + "/"


def absolute(config: Config, url: str) -> str:
    """A site-relative URL ("world/story/") as an absolute one under base_url.

    Non-ASCII characters are percent-encoded: sitemaps and feeds need plain URIs.
    An already absolute URL (an image on another host) is kept as it is.
    """
    if "://" in url:
        return url
    return _quoted(base_url(config)) + _quoted(url.lstrip("/"))


_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")


def _quoted(url: str) -> str:
    return quote(url, safe=_URL_SAFE) if _NEEDS_QUOTING.search(url) else url


_LINK_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
NOT_INDEXED = frozenset({"404.html"})  # pages with no canonical URL and no sitemap entry


def absolute_html(body: str, page_url: str) -> str:
    """Relative links and images of an article body made absolute, for feed readers."""

    def rewrite(match: re.Match[str]) -> str:
        target = urljoin(page_url, html.unescape(match.group(2)))
        return match.group(1) + html.escape(target) + match.group(3)

    return _LINK_ATTR.sub(rewrite, body)


def excerpt(article: Article) -> str:
    """The summary from front matter, else the body's opening words as plain text."""
    return article.summary or article.opening or opening_text(article.html)


HEADLINE_CHARACTERS = 110  # what Google shows of a headline


def update_headline(update: LiveUpdate, html: str) -> str:
    """A live update's headline: its heading's words, else its text's opening words."""
    if update.headline:
        return update.headline
    words = plain_text(html)
    if len(words) <= HEADLINE_CHARACTERS:
        return words or f"{update.time:%H:%M}"
    return words[: HEADLINE_CHARACTERS - 2].rsplit(" ", 1)[0] + " …"


def timestamp(value: dt.datetime) -> str:
    """RFC 3339 / W3C datetime with the site's offset, whole seconds."""
    return value.replace(microsecond=0).isoformat()


def newest(articles: list[Article], tz: dt.tzinfo) -> dt.datetime:
    """The latest change among `articles`; a fixed date when there are none (no clock)."""
    if not articles:
        return _EPOCH.astimezone(tz)
    return max(a.modified for a in articles)


def id_authority(site: Site, config: Config) -> str:
    """'example.com,2023' from config, else base_url's host and the first article's year."""
    if config.feeds.id_authority:
        return config.feeds.id_authority
    host = urlsplit(config.site.base_url).hostname or "localhost"
    year = min((a.date.year for a in site.articles), default=1970)
    return f"{host},{year}"


def tag_uri(authority: str, specific: str) -> str:
    """RFC 4151 tag: URI; stays the same when the site moves to another host."""
    return f"tag:{authority}:{specific}"


def xml_bytes(root: ET.Element) -> bytes:
    """UTF-8 XML with a declaration, indented so that people can read it too."""
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{text}\n'.encode()


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = clean(text)
    return element


@dataclass(frozen=True)
class FeedSpec:
    """One feed of the site: all articles, or one section's, tag's or author's."""

    title: str
    page_url: str  # the HTML page the feed mirrors ("" for the whole site's)
    term: Term | None
    articles: list[Article]
    atom_url: str = "atom.xml"  # site-relative, from [urls] atom and rss
    rss_url: str = "rss.xml"
    edition: str = ""  # an edition's code, besides the default's, so ids differ per edition

    @property
    def key(self) -> str:
        """The feed's own part of its tag: id ("feed", "feed:section:world", "bn:feed")."""
        own = "feed" if self.term is None else f"feed:{self.term.kind}:{self.term.slug}"
        return f"{self.edition}:{own}" if self.edition else own


def _edition_key(config: Config) -> str:
    """The code that tells an edition's feed ids from the default edition's."""
    default = config.editions[0].code if config.editions else ""
    return "" if config.edition in ("", default) else config.edition


def feed_specs(site: Site, config: Config) -> list[FeedSpec]:
    """Every feed config asks for: the site's, then sections, tags and authors."""
    count, urls = config.feeds.entries, config.urls

    home = home_url(config)  # an edition's whole feed is in its own folder ("bn/atom.xml")

    def spec(title: str, term: Term | None, articles: list[Article]) -> FeedSpec:
        page = term.url if term else home
        where = {
            "url": listing_folder(page),
            "kind": term.kind if term else "all",
            "slug": term.slug if term else "all",
        }
        atom, rss = url_from(urls.atom, **where), url_from(urls.rss, **where)
        return FeedSpec(title, page, term, articles, atom, rss, _edition_key(config))

    specs = [spec(config.site.title, None, site.articles[:count])]
    chosen: list[Term] = []
    if config.feeds.per_section:
        chosen += site.sections
    if config.feeds.per_tag:
        chosen += site.tags
    if config.feeds.per_author:
        chosen += [t for t in site.authors if t.articles]  # a profile alone: no feed
    for term in chosen:
        specs.append(spec(f"{term.name} | {config.site.title}", term, term.articles[:count]))
    return specs
