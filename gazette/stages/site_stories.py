"""The newsroom's parts of the site model: bylines with profiles, series and the
corrections page.

Kept apart from `site` so each stays short; `site._build_site` calls these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gazette.model import Article, Notice, Page, Profile, Term


def author_terms(
    articles: list[Article],
    pattern: Callable[[str], str],
    slug_of: Callable[[str], str],
    profiles: dict[str, Profile],
) -> tuple[list[Term], dict[str, Term]]:
    """Every author who has a story or a profile, sorted by slug, and each spelling ->
    its term.

    A name is matched to its profile as written, else by slug (so 'farhana rahman'
    finds 'Farhana Rahman'); a profile's `slug` decides the author page's URL.
    Each article is given its authors' page URLs (`author_urls`) for cards."""
    by_slug = {p.slug or slug_of(p.name): p for p in profiles.values()}
    terms: dict[str, Term] = {}
    spelled: dict[str, Term] = {}
    for article in articles:
        urls = []
        for name in article.authors:
            term = spelled.get(name)
            if term is None:
                profile = profiles.get(name) or by_slug.get(slug_of(name))
                slug = (profile.slug or slug_of(profile.name)) if profile else slug_of(name)
                term = terms.get(slug)
                if term is None:
                    shown = profile.name if profile else name
                    term = terms[slug] = Term("author", slug, shown, pattern(slug), [], profile)
                spelled[name] = term
            if not term.articles or term.articles[-1] is not article:
                term.articles.append(article)
            urls.append(term.url)
        article.author_urls = tuple(urls)
    for profile in profiles.values():  # the staff page exists before the first story
        slug = profile.slug or slug_of(profile.name)
        if slug not in terms:
            terms[slug] = Term("author", slug, profile.name, pattern(slug), [], profile)
    return sorted(terms.values(), key=lambda t: t.slug), spelled


@dataclass(frozen=True)
class Place:
    """Where a story stands in its series: 'Part 2 of 5', with the parts either side."""

    term: Term
    part: int
    previous: Article | None  # the part before (older)
    next: Article | None  # the part after (newer)


def series_terms(
    articles: list[Article], pattern: Callable[[str], str], slug_of: Callable[[str], str]
) -> tuple[list[Term], dict[int, Place]]:
    """The series, sorted by slug (their articles newest first, as `articles` are),
    and each story's place in its own, by the article's id."""
    terms: dict[str, Term] = {}
    for article in articles:
        if article.series:
            slug = slug_of(article.series)
            term = terms.get(slug)
            if term is None:
                term = terms[slug] = Term("series", slug, article.series, pattern(slug))
            term.articles.append(article)
    places: dict[int, Place] = {}
    for term in terms.values():
        oldest_first = term.articles[::-1]
        for number, article in enumerate(oldest_first):
            previous = oldest_first[number - 1] if number else None
            later = oldest_first[number + 1] if number + 1 < len(oldest_first) else None
            places[id(article)] = Place(term, number + 1, previous, later)
    return sorted(terms.values(), key=lambda t: t.slug), places


def series_context(place: Place | None) -> dict[str, object]:
    """What an article page gets of its series (plain values, which page digests know)."""
    if place is None:
        return {"series": None, "part": 0, "series_previous": None, "series_next": None}
    return {
        "series": place.term,
        "part": place.part,
        "series_previous": place.previous,
        "series_next": place.next,
    }


def corrections_page(articles: list[Article], url: str, title: str) -> Page | None:
    """Every correction of the site, newest first, each with its story; no page while
    nothing has been corrected."""
    listed: list[tuple[Notice, Article]] = [
        (notice, article) for article in articles for notice in article.corrections
    ]
    if not listed:
        return None
    listed.sort(key=lambda pair: (pair[0].date, pair[1].path), reverse=True)
    return Page(url, "corrections.html", title, {"corrections": listed})
