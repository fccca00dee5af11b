"""The site model: selection, URLs, listings, pagination, neighbours, related, titles."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import random

import pytest
from conftest import FIXED_NOW, make_article

from gazette.engine.collisions import output_collisions
from gazette.errors import GazetteError
from gazette.model import Article, Page, Term
from gazette.stages.assets import Assets
from gazette.stages.config import parse_config
from gazette.stages.related import RELATED_COUNT, RELATED_WINDOW
from gazette.stages.site import (
    article_url,
    assign_urls,
    build_site,
    select_articles,
    term_slug,
)

CONFIG = parse_config({"site": {"per_page": 2}, "sections": {"world": "World", "sport": "Sport"}})


def days_ago(n: int) -> dt.datetime:
    return FIXED_NOW - dt.timedelta(days=n)


def pages_by_url(pages: list[Page]) -> dict[str, Page]:
    return {p.url: p for p in pages}


def test_selection_drops_drafts_and_future_and_sorts_newest_first() -> None:
    old = make_article(title="Old", date=days_ago(5))
    new = make_article(title="New", date=days_ago(1))
    draft = make_article(title="Draft", date=days_ago(2), draft=True)
    future = make_article(title="Future", date=FIXED_NOW + dt.timedelta(hours=1))
    chosen = select_articles([old, draft, future, new], include_drafts=False, now=FIXED_NOW)
    assert [a.title for a in chosen] == ["New", "Old"]
    preview = select_articles([old, draft, future, new], include_drafts=True, now=FIXED_NOW)
    assert [a.title for a in preview] == ["Future", "New", "Draft", "Old"]


def test_article_published_exactly_now_is_included() -> None:
    now = make_article(title="Now", date=FIXED_NOW)
    assert select_articles([now], include_drafts=False, now=FIXED_NOW) == [now]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("/{section}/{slug}/", "world/kim-visits/"),
        ("/{year}/{month}/{day}/{slug}/", "2023/09/03/kim-visits/"),
        ("/news/{slug}.html", "news/kim-visits.html"),
    ],
)
def test_urls_follow_the_permalink_pattern(pattern: str, expected: str) -> None:
    article = make_article(title="Kim visits", date=dt.datetime(2023, 9, 3, tzinfo=dt.UTC))
    assert article_url(article, pattern) == expected


def test_two_articles_choosing_one_slug_is_an_error_naming_both_files() -> None:
    a = make_article(title="Same", path="world/a.md", slug_given=True)
    b = make_article(title="Same", path="world/b.md", slug_given=True)
    with pytest.raises(GazetteError) as info:
        assign_urls([a, b], CONFIG)
    err = info.value
    assert "world/a.md" in err.message and "world/b.md" in err.message
    assert err.file == "content/world/b.md"
    assert "slug" in (err.hint or "")


def test_same_headline_twice_gets_numbered_urls_and_the_older_keeps_its_own() -> None:
    newer = make_article(title="Same", path="world/a.md", date=days_ago(1))
    older = make_article(title="Same", path="world/b.md", date=days_ago(3))
    chosen = make_article(title="Other", path="world/c.md", slug="same-2", slug_given=True)
    assign_urls([newer, older, chosen], CONFIG)
    assert (older.url, chosen.url, newer.url) == ("world/same/", "world/same-2/", "world/same-3/")


def test_pagination_counts_and_urls() -> None:
    articles = [make_article(title=f"Story {i}", date=days_ago(i)) for i in range(5)]
    site = build_site(articles, CONFIG)
    pages = pages_by_url(site.pages)
    world = [pages[u] for u in ("world/", "world/page/2/", "world/page/3/")]
    assert "world/page/4/" not in pages
    assert [len(p.context["articles"]) for p in world] == [2, 2, 1]
    assert [p.context["articles"][0].title for p in world] == ["Story 0", "Story 2", "Story 4"]
    pagination = world[1].context["pagination"]
    assert (pagination.number, pagination.total) == (2, 3)
    assert pagination.urls == ["world/", "world/page/2/", "world/page/3/"]
    assert pagination.previous_url == "world/" and pagination.next_url == "world/page/3/"
    assert world[0].context["pagination"].previous_url is None
    assert world[2].context["pagination"].next_url is None
    assert world[1].title == "World (page 2)"


def test_exactly_one_full_page_has_no_second_page() -> None:
    articles = [make_article(title=f"S{i}", date=days_ago(i)) for i in range(2)]
    pages = pages_by_url(build_site(articles, CONFIG).pages)
    assert "world/" in pages and "world/page/2/" not in pages


def test_sections_follow_config_order_and_skip_empty_ones() -> None:
    articles = [
        make_article(title="W", section="world"),
        make_article(title="S", section="sport"),
    ]
    site = build_site(
        articles, parse_config({"sections": {"sport": "Sport", "world": "World", "x": "X"}})
    )
    assert [s.slug for s in site.sections] == ["sport", "world"]
    assert [s.name for s in site.sections] == ["Sport", "World"]


def test_tags_and_authors_share_slugs_across_spellings() -> None:
    articles = [
        make_article(title="A", tags=("North Korea",), author="Nadia Rahman"),
        make_article(title="B", tags=("north korea",), author="Nadia Rahman"),
    ]
    site = build_site(articles, CONFIG)
    assert [(t.slug, len(t.articles)) for t in site.tags] == [("north-korea", 2)]
    assert [(a.slug, a.url) for a in site.authors] == [("nadia-rahman", "author/nadia-rahman/")]


def test_previous_and_next_stay_in_the_section() -> None:
    w_old = make_article(title="W old", date=days_ago(3))
    s_mid = make_article(title="S mid", date=days_ago(2), section="sport")
    w_new = make_article(title="W new", date=days_ago(1))
    site = build_site([w_new, s_mid, w_old], CONFIG)
    pages = pages_by_url(site.pages)
    newest = pages[w_new.url].context
    assert newest["previous"] is w_old and newest["next"] is None
    oldest = pages[w_old.url].context
    assert oldest["previous"] is None and oldest["next"] is w_new
    middle = pages[s_mid.url].context
    assert middle["previous"] is None and middle["next"] is None


def test_related_ranks_by_shared_tags_then_nearness_in_time() -> None:
    me = make_article(title="Me", date=days_ago(5), tags=("a", "b"))
    two = make_article(title="Two shared", date=days_ago(30), tags=("a", "b"))
    near = make_article(title="One near", date=days_ago(4), tags=("a",))
    far = make_article(title="One far", date=days_ago(20), tags=("b",))
    none = make_article(title="None", date=days_ago(5), tags=("c",))
    articles = sorted([me, two, near, far, none], key=lambda a: a.date, reverse=True)
    pages = pages_by_url(build_site(articles, CONFIG).pages)
    assert [a.title for a in pages[me.url].context["related"]] == [
        "Two shared",
        "One near",
        "One far",
    ]


def plain_related(article: Article, tags: dict[str, Term]) -> list[str]:
    """The ranking spelled out: per tag as written, the RELATED_WINDOW articles of
    that tag nearest in time (its list is newest first) each give one point;
    most points first, then nearest in time, then path."""
    points: dict[str, int] = {}
    when: dict[str, dt.datetime] = {}
    for name in article.tags:
        members = tags[term_slug(name)].articles
        if len(members) > RELATED_WINDOW:
            first_not_newer = next(
                (i for i, a in enumerate(members) if a.date <= article.date), len(members)
            )
            start = max(0, first_not_newer - RELATED_WINDOW // 2)
            members = members[start : first_not_newer + RELATED_WINDOW // 2]
        for other in members:
            if other is not article:
                points[other.path] = points.get(other.path, 0) + 1
                when[other.path] = other.date
    ranked = sorted(points, key=lambda p: (-points[p], abs(when[p] - article.date), p))
    return ranked[:RELATED_COUNT]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_related_matches_the_plain_ranking_on_a_random_site(seed: int) -> None:
    """Ties everywhere: few distinct times (two time zones for one instant), few
    tags in two spellings, so scores, distances and windows all tie and overlap."""
    rng = random.Random(seed)
    names = ["Flood", "flood", "Rice", "Budget", "budget", "Cricket", "Port", "Dengue"]
    zones = [dt.UTC, dt.timezone(dt.timedelta(hours=6))]
    articles = [
        make_article(
            title=f"Story {i}",
            path=f"world/{rng.randrange(10**6):06d}-{i}.md",
            date=(FIXED_NOW - dt.timedelta(hours=rng.randrange(60))).astimezone(rng.choice(zones)),
            tags=tuple(rng.sample(names, rng.randint(0, 4))),
        )
        for i in range(400)
    ]
    articles = select_articles(articles, include_drafts=False, now=FIXED_NOW)
    site = build_site(articles, CONFIG)
    tags = {t.slug: t for t in site.tags}
    assert max(len(t.articles) for t in site.tags) > 2 * RELATED_WINDOW  # windows matter
    pages = pages_by_url(site.pages)
    ties = 0
    for article in articles:
        related = [a.path for a in pages[article.url].context["related"]]
        assert related == plain_related(article, tags), article.path
        ties += len({a.date for a in pages[article.url].context["related"]}) < len(related)
    assert ties > 10  # the ranking had equal times to order by path


def test_home_has_lead_and_latest_per_section_without_repeating_the_lead() -> None:
    articles = [make_article(title=f"W{i}", date=days_ago(i)) for i in range(6)]
    home = pages_by_url(build_site(articles, CONFIG).pages)[""]
    assert home.context["lead"].title == "W0"
    [(section, listed)] = home.context["sections"]
    assert section.slug == "world"
    assert [a.title for a in listed] == ["W1", "W2", "W3", "W4"]


def test_year_and_month_archives() -> None:
    articles = [
        make_article(title="Sep", date=dt.datetime(2023, 9, 3, tzinfo=dt.UTC)),
        make_article(title="Aug", date=dt.datetime(2023, 8, 3, tzinfo=dt.UTC)),
        make_article(title="Old", date=dt.datetime(2022, 12, 31, tzinfo=dt.UTC)),
    ]
    site = build_site(articles, CONFIG)
    assert [y.url for y in site.years] == ["archive/2023/", "archive/2022/"]
    assert [m.url for m in site.months] == [
        "archive/2023/09/",
        "archive/2023/08/",
        "archive/2022/12/",
    ]
    assert site.months[0].name == "September 2023"
    urls = pages_by_url(site.pages)
    assert {"archive/", "archive/2023/", "archive/2022/12/", "404.html"} <= set(urls)


def test_empty_site_still_has_home_archive_and_404() -> None:
    site = build_site([], CONFIG)
    assert {p.url for p in site.pages} == {"", "archive/", "404.html"}


def test_article_on_a_generated_page_url_is_an_error_naming_its_file() -> None:
    config = parse_config({"site": {"permalink": "/{slug}/"}, "sections": {"world": "World"}})
    clash = make_article(title="World", path="world/world.md")
    site = build_site([clash, make_article(title="Other")], config)
    err = GazetteError.collect(output_collisions(site.pages, Assets(), []))
    assert err.file == "content/world/world.md"
    assert "/world/" in err.message and "section page 'World'" in err.message
    assert "slug" in (err.hint or "")


def test_build_leaves_the_cycle_collector_as_it_found_it_even_on_error() -> None:
    chosen = [  # two stories that both chose one slug: assign_urls refuses them
        make_article(title=title, path=f"world/{title}.md", slug="same", slug_given=True)
        for title in ("one", "two")
    ]
    assert gc.isenabled()
    build_site([make_article(title="One")], CONFIG)
    assert gc.isenabled()
    with pytest.raises(GazetteError):
        build_site(chosen, CONFIG)
    assert gc.isenabled()
    gc.disable()
    try:
        build_site([make_article(title="Two")], CONFIG)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_related_when_two_articles_share_a_path() -> None:
    """Only possible in memory (files have one path each), but still ranked."""
    older = make_article(title="Twin", date=days_ago(3), tags=("a",))
    newer = make_article(title="Twin", date=days_ago(1), tags=("a",))
    other = make_article(title="Other", date=days_ago(2), tags=("a",))
    site = build_site([newer, other, older], CONFIG)
    related = {
        id(p.context["article"]): p.context["related"] for p in site.pages if "related" in p.context
    }
    assert related[id(other)] == [newer, older]  # a day away each, one path: newest first
    assert related[id(newer)] == [other, older]


def test_an_article_page_title_follows_an_edit_to_its_article_in_place() -> None:
    """The preview applies an edit to the Article object itself: the page's <title>
    (and its digest of inputs) must show the new headline, not the one it was made with."""
    story = make_article(title="Floods recede", date=days_ago(1))
    site = build_site([story, make_article(title="Port reopens", date=days_ago(2))], CONFIG)
    page = pages_by_url(site.pages)["world/floods-recede/"]
    assert page.title == "Floods recede"
    story.title = "Floods recede in the north"
    assert page.title == "Floods recede in the north"
    # the copy with its text that a build renders from keeps the article's title too
    with_text = dataclasses.replace(story, html="<p>Text.</p>")
    assert dataclasses.replace(page, context={**page.context, "article": with_text}).title == (
        "Floods recede in the north"
    )
    listing = pages_by_url(site.pages)["world/"]
    assert (listing.title, listing.url) == ("World", "world/")  # no article: its own


def test_an_article_page_is_at_its_articles_url() -> None:
    """Links to an article use its URL, so the page written for it must be there."""
    story = make_article(title="Floods recede")
    page = Page("old/", "article.html", "Old", {"article": story})
    story.url = "world/floods-recede/"
    assert (page.url, page.output_path) == (
        "world/floods-recede/",
        "world/floods-recede/index.html",
    )
    assert page.title == "Floods recede"
