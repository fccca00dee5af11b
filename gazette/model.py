"""The site model: typed records that every stage after `content` passes along.

Kept free of logic beyond small derived properties, so the stages that build
and consume them (content, markup, site, render) stay independent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from gazette.hijri import HijriDate


@dataclass(frozen=True)
class Weather:
    condition: str
    high: float | None = None
    low: float | None = None
    unit: str = "°C"

    @property
    def temperatures(self) -> str:
        """'30°C / 30°C' as on the reference page; empty when no figures were given."""
        figures = [_number(v) + self.unit for v in (self.high, self.low) if v is not None]
        return " / ".join(figures)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Notice:
    """A dated correction or update shown on a story: what was changed, and when."""

    date: dt.datetime
    text: str


@dataclass(frozen=True)
class LiveUpdate:
    """One update of a live story: a `## 14:05` heading of its body and what follows."""

    time: dt.datetime  # in the site's timezone
    headline: str  # the heading's words after the time; may be empty
    anchor: str  # the id of its section on the page ("update-2024-01-03-1405")
    line: int  # the heading's line in the file, for messages


@dataclass(frozen=True)
class Profile:
    """What the authors data file says of one person; every field but the name optional."""

    name: str
    slug: str = ""  # empty: made from the name, as for anyone not in the file
    role: str = ""  # "Staff Correspondent, Dhaka"
    bio: str = ""
    photo: str = ""  # site-relative URL (content/ or a fingerprinted static file), or absolute
    site: str = ""
    email: str = ""
    social: tuple[str, ...] = ()  # profile URLs elsewhere (Mastodon, X, LinkedIn...)

    @property
    def same_as(self) -> list[str]:
        """The pages that say who this person is, as schema.org's sameAs lists them."""
        return [url for url in (self.site, *self.social) if url]


@dataclass(frozen=True)
class Byline:
    """One author of a story as a card or page links them."""

    name: str
    url: str  # the author page, site-relative


@dataclass
class Article:
    """One Markdown file, validated; `html` and `url` are filled by later stages.

    A `kind="page"` file (About, Privacy: `content/pages/` or `kind: page`) is an
    Article too, so it is read, converted and kept as stories are; it may have no
    date (and so no Hijri date), is in no section, and is never listed or syndicated."""

    path: str  # relative to content/, POSIX separators
    title: str
    date: dt.datetime | None  # timezone-aware, in the site's timezone; None: an undated page
    hijri: HijriDate | None
    section: str  # "" for a page
    slug: str
    body: str
    body_line: int = 1
    updated: dt.datetime | None = None
    weather: Weather | None = None
    source: str | None = None
    dateline: str | None = None
    tags: tuple[str, ...] = ()
    author: str | None = None  # the first of `authors`, for templates that show one
    authors: tuple[str, ...] = ()  # every byline, in the order front matter gives them
    type: str = "news"  # news, analysis, opinion, review... (see stages/story_fields.py)
    kicker: str | None = None  # a short label above the headline
    series: str | None = None  # the name of the series the story is a part of
    corrections: tuple[Notice, ...] = ()  # oldest first
    updates: tuple[Notice, ...] = ()  # oldest first
    live: bool = False  # a live page: its body is timestamped updates (stages/live.py)
    live_until: dt.datetime | None = None  # when its coverage ends (None: while live)
    live_updates: tuple[LiveUpdate, ...] = ()  # newest first
    breaking: bool = False  # a banner on every page links it, until `breaking_until`
    breaking_until: dt.datetime | None = None
    expires: dt.datetime | None = None  # taken out of the whole site at this time
    image: str | None = None  # site-relative URL of the image file, or an absolute URL
    image_alt: str | None = None
    caption: str | None = None
    image_credit: str | None = None  # "Photo: AFP": shown with the caption, and in JSON-LD
    image_focus: tuple[float, float] | None = None  # the social card's crop centre, 0-1 each
    summary: str | None = None
    draft: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    slug_given: bool = False  # set by 'slug:' in front matter, so never changed to be unique
    kind: str = "article"  # or "page"
    aliases: tuple[str, ...] = ()  # old site-relative URLs ("2013/01/old/") redirected here
    guid: str | None = None  # the feed entry id it had before the move, kept by feeds
    permalink: str | None = None  # a page's own `url:` (site-relative), else /<slug>/
    template: str | None = None  # a page's own template, else page.html
    edition: str = ""  # the language edition's code, from the file's folder; "": no editions
    translation_key: str | None = None  # shared by a story's translations in other editions
    html: str = ""
    toc: str = ""
    url: str = ""  # site-relative, no leading slash: "world/kim-visits-vladivostok/"
    author_urls: tuple[str, ...] = ()  # each author's page, set with `url` by the site stage
    live_now: bool = False  # shows the Live badge: set by the site stage from the build's clock
    # Kept when the text is not: a big site's lists hold articles without body or HTML.
    words: int = -1  # -1: count them in the body
    opening: str = ""  # the HTML's opening words as plain text (see markup.opening_words)

    def __post_init__(self) -> None:
        if self.words < 0:
            self.words = len(self.body.split())
        if self.author and not self.authors:  # made in code with one author, as before
            self.authors = (self.author,)
        elif self.authors and not self.author:
            self.author = self.authors[0]

    def __reduce__(self) -> tuple[Any, tuple[tuple[Any, ...]]]:
        """Pickled as its fields' values in order, not a dict of them: a cache of
        thousands of articles loads a fifth quicker (see engine/state.py)."""
        values = self.__dict__
        return _article_from, (tuple([values[name] for name in _ARTICLE_FIELDS]),)

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / 200))

    @property
    def bylines(self) -> list[Byline]:
        """Every author with their page, for cards and pages to link."""
        return [Byline(n, u) for n, u in zip(self.authors, self.author_urls, strict=False)]

    @property
    def notices(self) -> list[tuple[str, Notice]]:
        """Corrections and updates together, newest first, each with its kind."""
        both = [("correction", n) for n in self.corrections]
        both += [("update", n) for n in self.updates]
        return sorted(both, key=lambda pair: pair[1].date, reverse=True)

    @property
    def updates_feed(self) -> str:
        """A live story's Atom feed of its updates, beside its page ("" for other stories)."""
        if not self.live:
            return ""
        return listing_folder(self.url) + "updates.xml"

    @property
    def modified(self) -> dt.datetime | None:
        """None only for a page with neither date nor updated."""
        return self.updated or self.date


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


def _article_from(values: tuple[Any, ...]) -> Article:
    """An article as pickled (`Article.__reduce__`): its fields set as they were, with no
    `__post_init__` run again."""
    article = object.__new__(Article)
    article.__dict__.update(zip(_ARTICLE_FIELDS, values, strict=True))
    return article


@dataclass
class Term:
    """A section, tag, author or series: a named list of articles with pages of its own."""

    kind: str  # "section", "tag", "author" or "series"
    slug: str
    name: str
    url: str
    articles: list[Article] = field(default_factory=list)  # not for templates: see render.py
    profile: Profile | None = None  # an author's, from the authors data file

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass
class Archive:
    """A year or a month of articles."""

    year: int
    month: int | None
    url: str
    articles: list[Article] = field(default_factory=list)  # not for templates: see render.py

    @property
    def count(self) -> int:
        return len(self.articles)

    @property
    def name(self) -> str:
        if self.month is None:
            return str(self.year)
        return dt.date(self.year, self.month, 1).strftime("%B %Y")


@dataclass(frozen=True)
class Edition:
    """What a masthead shows of the day: the newest story's date and weather.

    Pages get this rather than the newest article, so editing that story's text
    does not change every page of the site."""

    date: dt.datetime
    hijri: HijriDate
    weather: Weather | None


@dataclass(frozen=True)
class Alternate:
    """One language edition as a switcher links it: its code, its own name for its
    language ("বাংলা") and a page of it (its front page, or a story's translation)."""

    edition: str
    name: str
    url: str


@dataclass
class Pagination:
    number: int
    total: int
    urls: list[str]  # url of every page, first page first

    @property
    def previous_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.total else None


class _FromArticle:
    """A Page field that an article page reads from its article, so that an edit to
    the article in place (as the preview makes) cannot leave the page's copy stale.
    Other pages keep the value they were made with. A descriptor rather than a
    property keeps it a dataclass field: `Page(url, template, title)` and
    `dataclasses.replace(page, ...)` work as before."""

    def __init__(self, default: str | None = None) -> None:
        self.default = default  # None: the field must be given

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.stored = f"_{name}"

    def __get__(self, page: Page | None, owner: type | None = None) -> str:
        if page is None:  # how @dataclass asks for the field's default
            if self.default is None:
                raise AttributeError(self.name)
            return self.default
        article = page.context.get("article")
        if isinstance(article, Article):
            return getattr(article, self.name)
        return page.__dict__[self.stored]

    def __set__(self, page: Page, value: str) -> None:
        page.__dict__[self.stored] = value


@dataclass
class Page:
    """One HTML file to render: a template and what it shows.

    An article page (`context["article"]` is an Article) has its article's URL and
    title, whatever it was made with; the links to an article use its URL too."""

    url: _FromArticle = _FromArticle()  # site-relative, no leading slash; "" is the home page
    template: str
    title: _FromArticle = _FromArticle("")
    context: dict[str, Any] = field(default_factory=dict)
    edition: str = ""  # the language edition whose settings and masthead the page has

    @property
    def output_path(self) -> str:
        return output_path(self.url)


def listing_folder(url: str) -> str:
    """Where a page's later pages and feeds go: "tag/x/" itself, "tag/x.html" -> "tag/x/"."""
    return url if url == "" or url.endswith("/") else url.removesuffix(".html") + "/"


def output_path(url: str) -> str:
    """The file a site URL is served from: "world/x/" -> "world/x/index.html"."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def page_url(path: str) -> str:
    """The site URL of a file (`output_path` undone): "world/x/index.html" -> "world/x/"."""
    if path == "index.html" or path.endswith("/index.html"):
        return path.removesuffix("index.html")
    return path


@dataclass
class Site:
    articles: list[Article]  # newest first
    sections: list[Term]
    tags: list[Term]
    authors: list[Term]
    years: list[Archive]
    months: list[Archive]
    pages: list[Page]
    related: list[list[Article]] = field(default_factory=list)  # each article's, in order
    documents: list[Article] = field(default_factory=list)  # the kind "page" files, by URL
    series: list[Term] = field(default_factory=list)
    breaking: list[Article] = field(default_factory=list)  # the banner's stories, newest first
    # A paper in several languages: each edition's own site model, by code, default first
    # (this one holds them all, in one list of pages); empty for a site of one language.
    editions: dict[str, Site] = field(default_factory=dict)

    @property
    def edition(self) -> Edition | None:
        latest = self.articles[0] if self.articles else None
        return Edition(latest.date, latest.hijri, latest.weather) if latest else None
