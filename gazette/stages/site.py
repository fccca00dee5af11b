"""Stage 4: from validated articles to the whole site: URLs, lists and pages.

Everything a template needs is decided here (which articles a page lists, its
URL, its neighbours), so rendering is a plain loop over `Site.pages`.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from gazette.errors import GazetteError
from gazette.model import Archive, Article, Page, Pagination, Profile, Site, Term, listing_folder
from gazette.slugs import make_slug
from gazette.stages.config import Config
from gazette.stages.live import expired, is_breaking, is_live
from gazette.stages.localize import archive_title
from gazette.stages.localize import number as count
from gazette.stages.related import related_lists
from gazette.stages.search_parts import merged_folders
from gazette.stages.site_stories import (
    Place,
    author_terms,
    corrections_page,
    series_context,
    series_terms,
)
from gazette.stages.strings import word

HOME_PER_SECTION = 4


def select_articles(
    articles: Iterable[Article], *, include_drafts: bool, now: dt.datetime
) -> list[Article]:
    """Drop drafts and future-dated articles unless previewing, and expired ones always;
    newest first. Pages (`kind: page`) are not articles: see `select_documents`."""
    chosen = [
        a
        for a in articles
        if a.kind == "article"
        and a.date is not None
        and (include_drafts or (not a.draft and a.date <= now))
        and not expired(a, now)
    ]
    chosen.sort(key=lambda a: (a.date, a.path), reverse=True)
    return chosen


def select_documents(
    articles: Iterable[Article], *, include_drafts: bool, now: dt.datetime
) -> list[Article]:
    """The pages (About, Privacy) that are published, by path: a dated one waits for
    its date as a story does."""
    chosen = [
        a
        for a in articles
        if a.kind == "page"
        and (include_drafts or (not a.draft and (a.date is None or a.date <= now)))
        and not expired(a, now)
    ]
    chosen.sort(key=lambda a: a.path)
    return chosen


def url_from(pattern: str, **values: str) -> str:
    """A site-relative URL from a checked [urls] pattern ("/tag/{slug}/" -> "tag/x/")."""
    return pattern.format(**values).lstrip("/")


def home_url(config: Config) -> str:
    """The front page's URL: "" (the site's root), or an edition's prefix ("bn/")."""
    for edition in config.editions:
        if edition.code == config.edition:
            return edition.prefix.lstrip("/")
    return ""


def article_url(article: Article, pattern: str) -> str:
    if "year" in pattern or "month" in pattern or "day" in pattern:
        date = article.date
        year, month, day = f"{date.year:04d}", f"{date.month:02d}", f"{date.day:02d}"
    else:  # a pattern not naming them cannot use them; formatting them is half the time
        year = month = day = ""
    url = pattern.format(
        section=article.section, slug=article.slug, year=year, month=month, day=day
    )
    return url.lstrip("/")


def assign_urls(articles: list[Article], config: Config) -> None:
    """Give each article its own URL.

    Two headlines that make the same slug are told apart with -2, -3...: the
    older story keeps the plain URL, so a published link never changes when a
    newer story repeats a headline. Two articles that *chose* the same
    `slug:` cannot both have it: that is an error naming both files.
    """
    owners: dict[str, Article] = {}
    errors = []
    pattern = config.site.permalink
    for article in sorted(articles, key=lambda a: (not a.slug_given, a.date, a.path)):
        url = article_url(article, pattern)
        if url in owners and not article.slug_given:
            base, number = article.slug, 1
            while url in owners:
                number += 1
                article.slug = f"{base}-{number}"
                url = article_url(article, pattern)
        first = owners.setdefault(url, article)
        article.url = url
        if first is not article:
            errors.append(
                GazetteError(
                    f"'content/{article.path}' and 'content/{first.path}' would both be "
                    f"written to /{url}",
                    file=f"content/{article.path}",
                    hint="give one of them a different 'slug:' in its front matter",
                )
            )
    if errors:
        raise GazetteError.collect(errors)


def build_site(
    articles: list[Article],
    config: Config,
    related: list[list[Article]] | None = None,
    documents: list[Article] | None = None,
    profiles: dict[str, Profile] | None = None,
    now: dt.datetime | None = None,
    indexed: int | None = None,
) -> Site:
    """Articles (already selected and sorted newest first) and pages into the site's
    pages. `related`: each article's related list, when a caller knows them still to
    hold (they depend only on the articles' paths, dates and tags, and are the slowest
    part). `documents`: the undated pages (`select_documents`). `profiles`: the authors
    data file's people, by name. `now`: the build's clock, which ends Live badges and
    breaking banners (None: neither ends). `indexed`: the stories the search index
    holds, which its parts follow from (None: these; one edition's of several: all)."""
    searched = len(articles) if indexed is None else indexed
    with _collector_paused():
        site = _build_site(articles, config, related, profiles or {}, searched)
    for article in articles:
        article.live_now = is_live(article, now)
    site.breaking = [a for a in articles if is_breaking(a, now)]
    site.documents = documents or []
    home = home_url(config)
    for document in site.documents:
        document.url = document.permalink or f"{home}{document.slug}/"
        page = Page(document.url, document.template or "page.html", context={"article": document})
        last = len(site.pages) - (site.pages[-1].url == "404.html")
        site.pages.insert(last, page)  # before 404.html, which stays last
    return site


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The model makes some 25 short-lived containers per article and no garbage
    cycles, yet each burst of them sets off Python's cycle collector, which
    rescans every live object (every article): a quarter of the time at 10,000
    articles, and more in a long-running process that holds more."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_site(
    articles: list[Article],
    config: Config,
    related: list[list[Article]] | None,
    profiles: dict[str, Profile],
    indexed: int,
) -> Site:
    assign_urls(articles, config)
    sections = _sections(articles, config)
    style, urls = config.content.slugs, config.urls
    tags, tag_of = _terms(articles, "tag", urls.tag, lambda a: a.tags, style)

    def slug_of(name: str) -> str:
        return term_slug(name, style)

    authors, author_of = author_terms(
        articles, lambda slug: url_from(urls.author, slug=slug), slug_of, profiles
    )
    series, places = series_terms(articles, lambda slug: url_from(urls.series, slug=slug), slug_of)
    years, months = _archives(articles, config)
    home = home_url(config)
    pages: list[Page] = [
        Page(
            url=home,
            template="home.html",
            title=config.site.title,
            context={
                "lead": articles[0] if articles else None,
                "sections": [
                    (s, [a for a in s.articles if a is not articles[0]][:HOME_PER_SECTION])
                    for s in sections
                ],
            },
        )
    ]
    if related is None:
        related = related_lists(articles, tag_of)
    pages += _article_pages(articles, sections, tag_of, author_of, related, places)
    for term in [*sections, *tags, *authors, *series]:
        pages += _listing(
            term.url, f"{term.kind}.html", term.name, term.articles, config, {"term": term}
        )
    pages.append(
        Page(
            url=url_from(urls.archive),
            template="archive_index.html",
            title=word(config.edition, "Archive"),
            context={"years": years, "months": months},
        )
    )
    for archive in [*years, *months]:
        pages += _listing(
            archive.url,
            "archive.html",
            archive_title(archive.year, archive.month, config),
            archive.articles,
            config,
            {"archive": archive},
        )
    if config.search.enabled and articles:  # Pagefind makes no index of nothing
        title = word(config.edition, "Search")
        parts = {"search_parts": merged_folders(indexed)}  # the index's folders past the first
        pages.append(Page(url_from(urls.search), "search.html", title=title, context=parts))
    corrections = corrections_page(
        articles, url_from(urls.corrections), word(config.edition, "Corrections")
    )
    if corrections is not None:
        pages.append(corrections)
    if home == "":  # one 404 page for the whole site: hosts serve it at any missing URL
        pages.append(
            Page(url="404.html", template="404.html", title=word(config.edition, "Page not found"))
        )
    site = Site(articles, sections, tags, authors, years, months, pages, related)
    site.series = series
    return site


def _sections(articles: list[Article], config: Config) -> list[Term]:
    found: dict[str, list[Article]] = {}
    for article in articles:
        found.setdefault(article.section, []).append(article)
    order = list(config.sections) or sorted(found)
    return [
        Term(
            "section",
            slug,
            config.sections.get(slug) or slug.replace("-", " ").title(),
            url_from(config.urls.section, slug=slug),
            found[slug],
        )
        for slug in order
        if slug in found
    ]


def _terms(
    articles: list[Article],
    kind: str,
    pattern: str,
    names: Callable[[Article], Iterable[str]],
    style: str,
) -> tuple[list[Term], dict[str, Term]]:
    """The terms, sorted by slug, and each spelling found in front matter -> its term."""
    terms: dict[str, Term] = {}
    spelled: dict[str, Term] = {}
    for article in articles:
        for name in names(article):
            term = spelled.get(name)
            if term is None:
                slug = term_slug(name, style)
                term = terms.get(slug)
                if term is None:
                    term = terms[slug] = Term(kind, slug, name, url_from(pattern, slug=slug))
                spelled[name] = term
            term.articles.append(article)
    return sorted(terms.values(), key=lambda t: t.slug), spelled


@lru_cache(maxsize=65536)
def term_slug(name: str, style: str = "ascii") -> str:
    """Tags and authors are spelled freely; their URL slug is shared by all spellings."""
    return make_slug(name, style) or "untitled"


def _archives(articles: list[Article], config: Config) -> tuple[list[Archive], list[Archive]]:
    years: dict[int, Archive] = {}
    months: dict[tuple[int, int], Archive] = {}
    month = year = None  # the last article's, looked up again only when it changes
    last = None
    for article in articles:
        date = article.date
        key = (date.year, date.month)
        if key != last:
            last = key
            y, m = key
            month = months.get(key)
            if month is None:
                url = url_from(config.urls.month, year=f"{y:04d}", month=f"{m:02d}")
                month = months[key] = Archive(y, m, url)
            year = years.get(y)
            if year is None:
                year = years[y] = Archive(y, None, url_from(config.urls.year, year=f"{y:04d}"))
        month.articles.append(article)
        year.articles.append(article)
    return list(years.values()), list(months.values())


def _listing(
    url: str,
    template: str,
    title: str,
    articles: list[Article],
    config: Config,
    extra: dict[str, object],
) -> list[Page]:
    """One page per `per_page` articles: url, url/page/2/, url/page/3/..."""
    per_page = config.site.per_page
    total = max(1, -(-len(articles) // per_page))
    later = word(config.edition, "{title} (page {n})")
    folder = listing_folder(url)
    urls = [url] + [f"{folder}page/{n}/" for n in range(2, total + 1)]
    pages = []
    for number, page_url in enumerate(urls, start=1):
        chunk = articles[(number - 1) * per_page : number * per_page]
        shown_title = title if number == 1 else later.format(title=title, n=count(number, config))
        context = {**extra, "articles": chunk, "pagination": Pagination(number, total, urls)}
        pages.append(Page(url=page_url, template=template, title=shown_title, context=context))
    return pages


def _article_pages(
    articles: list[Article],
    sections: list[Term],
    tag_of: dict[str, Term],
    author_of: dict[str, Term],
    related: list[list[Article]],
    places: dict[int, Place],
) -> list[Page]:
    neighbours: dict[int, tuple[Article | None, Article | None]] = {}
    for section in sections:
        items = section.articles  # newest first
        older = [*items[1:], None]
        newer = [None, *items[:-1]]
        neighbours.update(zip(map(id, items), zip(older, newer, strict=True), strict=True))
    section_terms = {s.slug: s for s in sections}
    pages = []
    for article, its_related in zip(articles, related, strict=True):
        older, newer = neighbours[id(article)]
        context = {
            "article": article,
            "section": section_terms[article.section],
            "tags": list(map(tag_of.__getitem__, article.tags)),
            "author": author_of[article.author] if article.author else None,
            "authors": [author_of[name] for name in article.authors],
            "previous": older,
            "next": newer,
            "related": its_related,
            **series_context(places.get(id(article))),
        }
        template = article.template or "article.html"
        pages.append(Page(article.url, template, context=context))  # title: the article's
    return pages
