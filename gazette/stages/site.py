"""Stage 4: from validated articles to the whole site: URLs, lists and pages.

Everything a template needs is decided here (which articles a page lists, its
URL, its neighbours), so rendering is a plain loop over `Site.pages`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import heapq
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import compress, filterfalse, islice
from operator import eq

from gazette.errors import GazetteError
from gazette.model import Archive, Article, Page, Pagination, Site, Term
from gazette.slugs import make_slug
from gazette.stages.config import Config

RELATED_COUNT = 4
RELATED_WINDOW = 40  # candidates looked at per shared tag, nearest in time first
HOME_PER_SECTION = 4


def select_articles(
    articles: Iterable[Article], *, include_drafts: bool, now: dt.datetime
) -> list[Article]:
    """Drop drafts and future-dated articles unless previewing; newest first."""
    chosen = [a for a in articles if include_drafts or (not a.draft and a.date <= now)]
    chosen.sort(key=lambda a: (a.date, a.path), reverse=True)
    return chosen


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
    articles: list[Article], config: Config, related: list[list[Article]] | None = None
) -> Site:
    """Articles (already selected and sorted newest first) into the site's pages.
    `related`: each article's related list, when a caller knows them still to hold
    (they depend only on the articles' paths, dates and tags, and are the slowest part)."""
    with _collector_paused():
        return _build_site(articles, config, related)


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
    articles: list[Article], config: Config, related: list[list[Article]] | None
) -> Site:
    assign_urls(articles, config)
    sections = _sections(articles, config)
    style = config.content.slugs
    tags, tag_of = _terms(articles, "tag", "tag/", lambda a: a.tags, style)
    authors, author_of = _terms(
        articles, "author", "author/", lambda a: [a.author] if a.author else [], style
    )
    years, months = _archives(articles)
    per_page = config.site.per_page

    pages: list[Page] = [
        Page(
            url="",
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
        related = _related_lists(articles, tag_of)
    pages += _article_pages(articles, sections, tag_of, author_of, related)
    for term in [*sections, *tags, *authors]:
        pages += _listing(
            term.url, f"{term.kind}.html", term.name, term.articles, per_page, {"term": term}
        )
    pages.append(
        Page(
            url="archive/",
            template="archive_index.html",
            title="Archive",
            context={"years": years, "months": months},
        )
    )
    for archive in [*years, *months]:
        pages += _listing(
            archive.url,
            "archive.html",
            archive.name,
            archive.articles,
            per_page,
            {"archive": archive},
        )
    pages.append(Page(url="404.html", template="404.html", title="Page not found"))
    check_page_collisions(pages)
    return Site(articles, sections, tags, authors, years, months, pages, related)


def check_page_collisions(pages: list[Page]) -> None:
    """An article whose URL is also a generated page's (a section, tag or archive
    page) is an error naming the article's file, not a clash found while writing."""
    paths = [page.output_path for page in pages]
    if len(set(paths)) == len(paths):
        return
    owners: dict[str, Page] = {}
    errors = []
    for page in pages:
        first = owners.setdefault(page.output_path, page)
        if first is page:
            continue
        article = page.context.get("article") or first.context.get("article")
        other = first if page.context.get("article") is article else page
        where = f"content/{article.path}" if isinstance(article, Article) else None
        kind = other.template.removesuffix(".html").replace("_", " ")
        pair = (
            f"this article and the {kind} page '{other.title}'"
            if where
            else f"'{first.title}' and '{page.title}'"
        )
        errors.append(
            GazetteError(
                f"two pages would be written to /{page.url}: {pair}",
                file=where,
                hint="give the article another 'slug:' or change permalink in config",
            )
        )
    if errors:
        raise GazetteError.collect(errors)


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
            f"{slug}/",
            found[slug],
        )
        for slug in order
        if slug in found
    ]


def _terms(
    articles: list[Article],
    kind: str,
    prefix: str,
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
                    term = terms[slug] = Term(kind, slug, name, f"{prefix}{slug}/")
                spelled[name] = term
            term.articles.append(article)
    return sorted(terms.values(), key=lambda t: t.slug), spelled


@lru_cache(maxsize=65536)
def term_slug(name: str, style: str = "ascii") -> str:
    """Tags and authors are spelled freely; their URL slug is shared by all spellings."""
    return make_slug(name, style) or "untitled"


def _archives(articles: list[Article]) -> tuple[list[Archive], list[Archive]]:
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
                month = months[key] = Archive(y, m, f"archive/{y:04d}/{m:02d}/")
            year = years.get(y)
            if year is None:
                year = years[y] = Archive(y, None, f"archive/{y:04d}/")
        month.articles.append(article)
        year.articles.append(article)
    return list(years.values()), list(months.values())


def _listing(
    url: str,
    template: str,
    title: str,
    articles: list[Article],
    per_page: int,
    extra: dict[str, object],
) -> list[Page]:
    """One page per `per_page` articles: url, url/page/2/, url/page/3/..."""
    total = max(1, -(-len(articles) // per_page))
    urls = [url] + [f"{url}page/{n}/" for n in range(2, total + 1)]
    pages = []
    for number, page_url in enumerate(urls, start=1):
        chunk = articles[(number - 1) * per_page : number * per_page]
        shown_title = title if number == 1 else f"{title} (page {number})"
        context = {**extra, "articles": chunk, "pagination": Pagination(number, total, urls)}
        pages.append(Page(url=page_url, template=template, title=shown_title, context=context))
    return pages


def _article_pages(
    articles: list[Article],
    sections: list[Term],
    tag_of: dict[str, Term],
    author_of: dict[str, Term],
    related: list[list[Article]],
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
            "previous": older,
            "next": newer,
            "related": its_related,
        }
        pages.append(Page(article.url, "article.html", article.title, context))
    return pages


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def related_articles(
    article: Article,
    by_tag: dict[str, tuple[list[Article], list[float]]],  # tag as spelled -> its articles
    micros: dict[int, int] | None = None,
) -> list[Article]:
    """Articles sharing the most tags, nearest in time first among equals.

    `micros` (each article's time in whole microseconds, by id) only saves work:
    a site of tens of thousands of articles calls this once per article."""
    if micros is None:
        micros = {}
    scores: dict[int, int] = {}
    found: dict[int, Article] = {}
    stamp = -article.date.timestamp()
    for tag in article.tags:
        members, keys = by_tag.get(tag, ([], []))
        # members are newest first; look only at the ones nearest this article in time
        if len(members) > RELATED_WINDOW:
            at = bisect.bisect_left(keys, stamp)
            window = members[max(0, at - RELATED_WINDOW // 2) : at + RELATED_WINDOW // 2]
        else:
            window = members
        for other in window:
            if other is not article:
                key = id(other)
                scores[key] = scores.get(key, 0) + 1
                found[key] = other
    here = micros.get(id(article))
    if here is None:
        here = (article.date - _EPOCH) // _MICROSECOND

    def rank(other: Article) -> tuple[int, int, str]:
        there = micros.get(id(other))
        if there is None:
            there = (other.date - _EPOCH) // _MICROSECOND
        return (-scores[id(other)], abs(there - here), other.path)

    return heapq.nsmallest(RELATED_COUNT, found.values(), key=rank)


def _related_lists(articles: list[Article], tag_of: dict[str, Term]) -> list[list[Article]]:
    """`related_articles` for every article at once: the same lists, in far less time.

    Called per article it costs a Python call per candidate (about 90 each).
    Here each article is a number, its rank in (time, path) order, so a tag's
    window is a slice of numbers and ranking is mostly sorting them in C.
    """
    micros = [(a.date - _EPOCH) // _MICROSECOND for a in articles]
    paths = [a.path for a in articles]
    if len(set(paths)) != len(paths) or len({id(a) for a in articles}) != len(articles):
        # ranks need each article once with a path of its own; a site always
        # has that, any other input keeps the plain version's exact result
        return _related_plain(articles, tag_of)
    in_time = sorted(zip(micros, paths, range(len(articles)), strict=True))
    time_of = [when for when, _, _ in in_time]
    path_of = [path for _, path, _ in in_time]
    # timestamp() of an aware datetime is its microseconds / 10**6, rounded once
    stamp_of = [-(when / 1_000_000) for when in time_of]
    rank_at = [0] * len(articles)  # article's index -> its rank
    for rank, (_, _, index) in enumerate(in_time):
        rank_at[index] = rank
    rank_of = {id(a): rank_at[i] for i, a in enumerate(articles)}
    by_rank = [articles[index] for _, _, index in in_time]
    once = True  # no article listed twice under one tag (as two spellings of it)
    of_term: dict[int, tuple[list[int], list[float]]] = {}
    tag_ranks: dict[str, tuple[list[int], list[float]]] = {}  # tag as spelled -> its members
    for name, term in tag_of.items():
        entry = of_term.get(id(term))
        if entry is None:
            ranks = [rank_of[id(a)] for a in term.articles]
            once = once and len(set(ranks)) == len(ranks)
            entry = of_term[id(term)] = (ranks, list(map(stamp_of.__getitem__, ranks)))
        tag_ranks[name] = entry
    half = RELATED_WINDOW // 2
    none: tuple[list[int], list[float]] = ([], [])
    results = []
    for article, me in zip(articles, rank_at, strict=True):
        stamp = stamp_of[me]
        near: list[int] = []  # every tag's window of candidates, then sorted
        for tag in article.tags:
            ranks, keys = tag_ranks.get(tag, none)
            if len(ranks) > RELATED_WINDOW:
                at = bisect.bisect_left(keys, stamp)
                ranks = ranks[max(0, at - half) : at + half]
            near += ranks
        near.sort()
        shared = len(article.tags) > 1 or not once  # can a candidate score 2 or more?
        results.append(list(map(by_rank.__getitem__, _best(near, me, shared, time_of, path_of))))
    return results


def _related_plain(articles: list[Article], tag_of: dict[str, Term]) -> list[list[Article]]:
    stamps = {id(a): -a.date.timestamp() for a in articles}
    micros = {id(a): (a.date - _EPOCH) // _MICROSECOND for a in articles}
    keys = {id(t): [stamps[id(a)] for a in t.articles] for t in tag_of.values()}
    by_tag = {name: (t.articles, keys[id(t)]) for name, t in tag_of.items()}
    return [related_articles(a, by_tag, micros) for a in articles]


def _best(
    near: list[int], me: int, shared: bool, time_of: list[int], path_of: list[str]
) -> list[int]:
    """The RELATED_COUNT best of `near` (sorted ranks, one per window a candidate
    is in) for the article ranked `me`: most shared tags, then nearest, then path.

    A candidate's score is how many times it stands (in a row) in `near`. Those
    scoring 2 or more are few and all ranked; of the rest only the nearest on
    each side of `me` can win. Ranks follow (time, path), so after `me` the
    first ones found are the best; before it paths run backwards among equal
    times, so the walk goes on past `need` while the time stays the same."""
    here = time_of[me]
    best: list[int] = []
    scores: dict[int, int] = {}
    if shared:
        for rank in compress(near, map(eq, near, islice(near, 1, None))):
            scores[rank] = scores.get(rank, 1) + 1
        scores.pop(me, None)
        if scores:
            ranked = [(-n, abs(time_of[r] - here), path_of[r], r) for r, n in scores.items()]
            ranked.sort()
            best = [r for _, _, _, r in ranked[:RELATED_COUNT]]
    need = RELATED_COUNT - len(best)
    if need:
        # shared candidates fill sum(scores) places of `near`, so this many
        # places on each side of `me` hold `need` others (and one more)
        reach = need + 1 + sum(scores.values())
        start = bisect.bisect_left(near, me)
        end = bisect.bisect_right(near, me, start)
        after = list(filterfalse(scores.__contains__, near[end : end + reach]))[:need]
        low = max(0, start - reach)
        while True:
            before = list(filterfalse(scores.__contains__, near[low:start]))
            if len(before) > need:
                edge = time_of[before[-need]]
                cut = len(before) - need
                while cut > 0 and time_of[before[cut - 1]] == edge:
                    cut -= 1
                if cut == 0 and low > 0:  # that time goes on further back
                    low = 0
                    continue
                del before[:cut]
            break
        ones = [(abs(time_of[r] - here), path_of[r], r) for r in after + before]
        ones.sort()
        best += [r for _, _, r in ones[:need]]
    return best
