"""Issue 14's newsroom fields on whole sites: bylines and the authors data file,
corrections and updates, story types and kickers, series.

Pages are read with BeautifulSoup, JSON-LD with extruct, feeds with feedparser.
"""

from __future__ import annotations

import datetime as dt
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from gazette.errors import GazetteError
from gazette.stages.config import load_config
from tests.cleanbuild import build
from tests.sitekit import BASE_CONFIG, ROOT, article, build_site_into, json_ld, make_site, soup

AUTHORS_TOML = """\
["Farhana Rahman"]
role = "Staff Correspondent, Feni"
bio = "Reports on floods and rivers."
photo = "images/farhana.svg"
site = "https://farhana.example.org/"
email = "farhana@example.com"
social = ["https://mastodon.social/@farhana"]

["Tanvir Ahmed"]
slug = "tanvir"
role = "Climate Reporter, Dhaka"
"""
PHOTO = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'


def page(out: Path, url: str) -> Path:
    return out / url / "index.html"


def story_url(out: Path, slug: str) -> str:
    """An article page's folder, found by its slug under any section."""
    (found,) = list(out.glob(f"*/{slug}/index.html"))
    return found.parent.relative_to(out).as_posix()


@pytest.fixture(scope="module")
def bylines_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bylines")
    files: dict[str, str | bytes] = {
        "data/authors.toml": AUTHORS_TOML,
        "content/images/farhana.svg": PHOTO,
        "content/world/floods.md": article(
            "Floods in Feni", slug="floods", authors="[Farhana Rahman, Tanvir Ahmed]"
        ),
        # as importers write it: the first author, then the whole list
        "content/world/imported.md": article(
            "Imported story",
            date="2023-09-22 09:00",
            slug="imported",
            author="Farhana Rahman",
            authors="[Farhana Rahman, Nobody Listed]",
        ),
        "content/world/solo.md": article(
            "Solo story", date="2023-09-21 09:00", slug="solo", author="Nobody Listed"
        ),
    }
    return build_site_into(folder, files, "[feeds]\nfull_content = false\n")


def test_every_byline_is_linked_on_the_page_and_cards(bylines_site: Path) -> None:
    out = bylines_site
    html = soup(page(out, story_url(out, "floods")))
    links = html.select(".story-head .byline a[rel=author]")
    assert [a.text for a in links] == ["Farhana Rahman", "Tanvir Ahmed"]
    assert [a["href"] for a in links] == ["../../author/farhana-rahman/", "../../author/tanvir/"]
    roles = [r.text for r in html.select(".byline-role")]
    assert roles == ["(Staff Correspondent, Feni)", "(Climate Reporter, Dhaka)"]
    card = next(c for c in soup(page(out, "world")).select(".card") if "Floods" in c.text)
    assert [a.text for a in card.select(".card-byline a")] == ["Farhana Rahman", "Tanvir Ahmed"]


def test_authors_is_the_full_list_when_author_is_given_too(bylines_site: Path) -> None:
    html = soup(page(bylines_site, story_url(bylines_site, "imported")))
    names = [a.text for a in html.select(".story-head .byline a")]
    assert names == ["Farhana Rahman", "Nobody Listed"]


def test_author_pages_show_the_profile_or_the_name_alone(bylines_site: Path) -> None:
    profile = soup(page(bylines_site, "author/farhana-rahman")).select_one(".profile")
    assert profile is not None
    assert profile.select_one("h1").text == "Farhana Rahman"
    assert profile.select_one(".profile-role").text == "Staff Correspondent, Feni"
    assert profile.select_one(".profile-bio").text == "Reports on floods and rivers."
    assert profile.select_one("img")["src"] == "../../images/farhana.svg"
    hrefs = [a["href"] for a in profile.select(".profile-links a")]
    assert hrefs == [
        "https://farhana.example.org/",
        "mailto:farhana@example.com",
        "https://mastodon.social/@farhana",
    ]
    listed = soup(page(bylines_site, "author/farhana-rahman")).select(".card-title")
    assert len(listed) == 2
    plain = soup(page(bylines_site, "author/nobody-listed"))
    assert plain.select_one(".profile") is None
    assert plain.select_one(".listing h1").text == "By Nobody Listed"


def test_a_profile_without_stories_has_its_staff_page(tmp_path: Path) -> None:
    """A newsroom lists its staff in the authors file before their first story (a new
    hire, an editor who seldom writes): each profile has its page, with no feed."""
    files: dict[str, str | bytes] = {
        "data/authors.toml": AUTHORS_TOML + '\n["Rina Das"]\nrole = "Photo Editor"\n',
        "content/images/farhana.svg": PHOTO,
        "content/world/floods.md": article("Floods", slug="floods", author="Farhana Rahman"),
    }
    out = build_site_into(tmp_path, files, "[feeds]\nper_author = true\n")
    for url, name in [("author/rina-das", "Rina Das"), ("author/tanvir", "Tanvir Ahmed")]:
        html = soup(page(out, url))
        assert html.select_one(".profile h1").text == name
        assert html.select(".card") == []
        assert not (out / url / "atom.xml").exists()
    assert soup(page(out, "author/rina-das")).select_one(".profile-role").text == "Photo Editor"
    assert (out / "author/farhana-rahman/atom.xml").is_file()
    assert "author/rina-das/" in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_json_ld_authors_are_people_with_url_and_same_as(bylines_site: Path) -> None:
    data = json_ld(page(bylines_site, story_url(bylines_site, "floods")))
    assert data["@type"] == "NewsArticle"
    people = data["author"]
    assert [p["@type"] for p in people] == ["Person", "Person"]
    assert people[0]["url"] == "https://example.com/news/author/farhana-rahman/"
    assert people[0]["sameAs"] == [
        "https://farhana.example.org/",
        "https://mastodon.social/@farhana",
    ]
    assert people[0]["image"] == "https://example.com/news/images/farhana.svg"
    assert people[1]["url"] == "https://example.com/news/author/tanvir/"
    assert "sameAs" not in people[1]
    solo = json_ld(page(bylines_site, story_url(bylines_site, "solo")))
    assert solo["author"] == [
        {
            "@type": "Person",
            "name": "Nobody Listed",
            "url": "https://example.com/news/author/nobody-listed/",
        }
    ]


def test_feeds_carry_every_author(bylines_site: Path) -> None:
    atom = feedparser.parse((bylines_site / "atom.xml").read_bytes())
    entry = next(e for e in atom.entries if e.title == "Floods in Feni")
    assert [a["name"] for a in entry.authors] == ["Farhana Rahman", "Tanvir Ahmed"]
    assert entry.authors[1]["href"] == "https://example.com/news/author/tanvir/"
    rss = ET.fromstring((bylines_site / "rss.xml").read_bytes())
    item = next(i for i in rss.iter("item") if i.findtext("title") == "Floods in Feni")
    creators = [c.text for c in item.iter("{http://purl.org/dc/elements/1.1/}creator")]
    assert creators == ["Farhana Rahman", "Tanvir Ahmed"]


def test_an_authors_yaml_file_works_as_the_toml_one(tmp_path: Path) -> None:
    yaml_file = "Farhana Rahman:\n  role: Staff Correspondent, Feni\n  slug: farhana\n"
    out = build_site_into(
        tmp_path,
        {
            "data/authors.yaml": yaml_file,
            "content/world/a.md": article("A story", author="Farhana Rahman"),
        },
    )
    html = soup(page(out, "author/farhana"))
    assert html.select_one(".profile-role").text == "Staff Correspondent, Feni"


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        ('["A"]\nrole = 3\n', "author 'A': 'role' must be text", 2),
        ('["A"]\nsite = "ftp://x"\n', "'site' must be an http(s) URL", 2),
        ('["A"]\nslug = "Not A Slug"\n', "is not a URL slug", 2),
        ('["A"]\nphoto = "missing.jpg"\n', "photo 'missing.jpg' does not exist", 2),
        ('["A"]\nslug = "x"\n["B"]\nslug = "x"\n', "would share the author page 'x'", 4),
        ('A = "just text"\n', "must be a table", 1),
    ],
)
def test_a_broken_authors_file_is_a_located_error(
    tmp_path: Path, data: str, message: str, line: int
) -> None:
    with pytest.raises(GazetteError) as caught:
        build_site_into(
            tmp_path, {"data/authors.toml": data, "content/world/a.md": article(author="A")}
        )
    error = caught.value
    assert message in error.message
    assert error.file is not None and error.file.endswith("data/authors.toml")
    assert error.line == line


CORRECTED = article(
    "Wage story",
    slug="wages",
    body="The minimum wage rose.",
    corrections="""
  - date: 2023-09-24 09:00
    text: An earlier version gave the wrong figure.
  - date: 2023-09-26 12:00
    text: A second correction, later.""",
    updates="""
  - date: 2023-09-25 08:00
    text: Adds the unions' reply.""",
)


@pytest.fixture(scope="module")
def corrected_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corrected")
    return build_site_into(
        folder,
        {
            "content/world/wages.md": CORRECTED,
            "content/world/other.md": article(
                "Other story",
                date="2023-09-20 10:00",
                slug="other",
                corrections="[{date: 2023-09-27, text: A date alone is that day.}]",
            ),
            "content/world/plain.md": article("Plain story", date="2023-09-19 10:00"),
        },
        '[urls]\ncorrections = "/corrections-and-clarifications/"\n',
    )


def test_the_story_shows_dated_notices_in_a_box(corrected_site: Path) -> None:
    html = soup(page(corrected_site, story_url(corrected_site, "wages")))
    box = html.select_one("aside.notices")
    assert box is not None
    assert box.select_one("h2").text == "Corrections and updates"
    items = box.select("li")
    assert [i["class"][1] for i in items] == [
        "notice-correction",
        "notice-update",
        "notice-correction",
    ]
    assert [i.select_one("time")["datetime"] for i in items] == [
        "2023-09-26T12:00:00+00:00",
        "2023-09-25T08:00:00+00:00",
        "2023-09-24T09:00:00+00:00",
    ]
    assert "An earlier version gave the wrong figure." in items[2].text
    updated = html.select_one(".story-facts time")
    assert updated["datetime"] == "2023-09-26T12:00:00+00:00"  # the latest notice
    plain = soup(page(corrected_site, story_url(corrected_site, "plain-story")))
    assert plain.select(".notices") == []


def test_json_ld_has_date_modified_and_corrections(corrected_site: Path) -> None:
    data = json_ld(page(corrected_site, story_url(corrected_site, "wages")))
    assert data["dateModified"] == "2023-09-26T12:00:00+00:00"
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "A second correction, later.",
            "datePublished": "2023-09-26T12:00:00+00:00",
        },
        {
            "@type": "CorrectionComment",
            "text": "An earlier version gave the wrong figure.",
            "datePublished": "2023-09-24T09:00:00+00:00",
        },
    ]


def test_feeds_mark_a_corrected_entry_updated(corrected_site: Path) -> None:
    for name in ("atom.xml", "rss.xml"):
        feed = feedparser.parse((corrected_site / name).read_bytes())
        entry = next(e for e in feed.entries if e.title == "Wage story")
        assert entry.updated.startswith("2023-09-26T12:00:00")
        assert entry.published_parsed[:3] == (2023, 9, 23)


def test_the_corrections_page_lists_every_correction_newest_first(corrected_site: Path) -> None:
    html = soup(page(corrected_site, "corrections-and-clarifications"))
    items = html.select(".corrections-list li")
    assert [i.select_one("time")["datetime"][:10] for i in items] == [
        "2023-09-27",
        "2023-09-26",
        "2023-09-24",
    ]
    assert [i.select_one("a").text for i in items] == ["Other story", "Wage story", "Wage story"]
    assert items[1].select_one("a")["href"] == "../" + story_url(corrected_site, "wages") + "/"
    assert "Adds the unions' reply." not in html.text  # updates are not corrections


def test_no_corrections_page_while_nothing_was_corrected(tmp_path: Path) -> None:
    out = build_site_into(tmp_path, {"content/world/a.md": article()})
    assert not (out / "corrections").exists()


def test_a_date_alone_on_the_day_of_publication_is_not_before_the_story(tmp_path: Path) -> None:
    out = build_site_into(
        tmp_path,
        {
            "content/world/a.md": article(
                slug="same-day",
                date="2023-09-23 10:00",
                corrections="[{date: 2023-09-23, text: Fixed a name.}]",
            )
        },
    )
    data = json_ld(page(out, story_url(out, "same-day")))
    assert data["correction"][0]["datePublished"] == "2023-09-23T10:00:00+00:00"


def test_a_scheduled_story_with_its_correction_shows_in_a_drafts_build(tmp_path: Path) -> None:
    """A story scheduled for later may carry a correction dated after its own date:
    that is in the future of a preview that shows it early, not a mistake."""
    story = article(
        slug="later",
        date="2030-01-02 10:00",
        corrections="[{date: 2030-01-03 09:00, text: Fixed the minister's name.}]",
    )
    config = make_site(tmp_path, {"content/world/later.md": story})
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    build(config, tmp_path / "out", include_drafts=True, now=now)
    out = tmp_path / "out"
    assert "Fixed the minister's name." in soup(page(out, story_url(out, "later"))).text
    with pytest.raises(GazetteError, match="in the future"):  # a past story's still is
        past = article(date="2025-12-30 10:00", corrections="[{date: 2030-01-03, text: X.}]")
        (tmp_path / "content/world/later.md").write_text(past, encoding="utf-8")
        build(load_config(tmp_path / "config.toml"), tmp_path / "o2", now=now)


TYPES = {
    "news": ("NewsArticle", ""),
    "analysis": ("AnalysisNewsArticle", "Analysis"),
    "opinion": ("OpinionNewsArticle", "Opinion"),
    "review": ("ReviewNewsArticle", "Review"),
    "explainer": ("BackgroundNewsArticle", "Explainer"),
    "obituary": ("NewsArticle", "Obituary"),
    "interview": ("NewsArticle", "Interview"),
    "sponsored": ("AdvertiserContentArticle", "Sponsored"),
}


@pytest.fixture(scope="module")
def typed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("typed")
    files: dict[str, str | bytes] = {
        f"content/world/{kind}.md": article(
            f"A {kind} story",
            date=f"2023-09-{10 + number:02d} 10:00",
            slug=kind,
            type=kind,
            kicker=f"Kicker {number}",
        )
        for number, kind in enumerate(TYPES)
    }
    return build_site_into(folder, files)


@pytest.mark.parametrize("kind", list(TYPES))
def test_each_type_has_its_schema_type_and_label(typed_site: Path, kind: str) -> None:
    schema, label = TYPES[kind]
    path = page(typed_site, story_url(typed_site, kind))
    data = json_ld(path)
    assert data["@type"] == schema
    if kind in ("obituary", "interview"):
        assert data["genre"] == kind
    html = soup(path)
    shown = html.select_one(".story-head .story-type")
    assert (shown.text if shown else "") == label
    assert html.select_one(".story-head .story-kicker").text.startswith("Kicker ")
    cards = soup(page(typed_site, "world")).select(".card")
    card = next(c for c in cards if c.select_one("a")["href"].endswith(f"/{kind}/"))
    card_label = card.select_one(".story-type")
    assert (card_label.text if card_label else "") == label
    assert card.select_one(".story-kicker") is not None
    set_apart = "set-apart" in card["class"]
    assert set_apart == (kind in ("opinion", "sponsored"))
    assert ("set-apart" in html.select_one("article.story")["class"]) == set_apart
    if set_apart:
        assert html.select_one(".set-apart-note") is not None


def test_an_unknown_type_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(GazetteError) as caught:
        build_site_into(tmp_path, {"content/world/a.md": article(type="blog")})
    assert "unknown story type 'blog'" in caught.value.message
    assert "opinion" in (caught.value.hint or "")
    assert caught.value.line == 4


@pytest.fixture(scope="module")
def series_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("series")
    files: dict[str, str | bytes] = {
        f"content/world/part-{n}.md": article(
            f"Part {n} story",
            date=f"2023-09-{10 + n:02d} 10:00",
            slug=f"part-{n}",
            series="Rohingya crisis",
        )  # fmt: skip
        for n in (1, 2, 3)
    }
    files["content/world/alone.md"] = article("Not in a series", slug="alone")
    files["config.toml"] = BASE_CONFIG.replace("[site]\n", "[site]\nper_page = 2\n")
    return build_site_into(folder, files)


def test_a_series_page_lists_its_parts_newest_first_in_pages(series_site: Path) -> None:
    first = soup(page(series_site, "series/rohingya-crisis"))
    assert first.select_one(".listing h1").text == "Series: Rohingya crisis"
    assert [a.text for a in first.select(".card-title a")] == ["Part 3 story", "Part 2 story"]
    second = soup(page(series_site, "series/rohingya-crisis/page/2"))
    assert [a.text for a in second.select(".card-title a")] == ["Part 1 story"]


def test_each_part_says_where_it_stands_and_links_its_neighbours(series_site: Path) -> None:
    html = soup(page(series_site, story_url(series_site, "part-2")))
    nav = html.select_one(".series-nav")
    assert "Part 2 of 3" in nav.text
    links = [a.text for a in nav.select("a")]
    assert links == ["Rohingya crisis", "Part 1: Part 1 story", "Part 3: Part 3 story"]
    assert "part 2 of 3" in html.select_one(".series-part").text
    last = soup(page(series_site, story_url(series_site, "part-3"))).select_one(".series-nav")
    assert [a.text for a in last.select("a")] == ["Rohingya crisis", "Part 2: Part 2 story"]
    alone = soup(page(series_site, story_url(series_site, "alone")))
    assert alone.select_one(".series-nav") is None


def test_json_ld_names_the_series(series_site: Path) -> None:
    data = json_ld(page(series_site, story_url(series_site, "part-1")))
    assert data["isPartOf"] == {
        "@type": "CreativeWorkSeries",
        "name": "Rohingya crisis",
        "url": "https://example.com/news/series/rohingya-crisis/",
    }
    assert "isPartOf" not in json_ld(page(series_site, story_url(series_site, "alone")))


def test_a_page_takes_no_series(tmp_path: Path) -> None:
    with pytest.raises(GazetteError, match="a page is in no series"):
        build_site_into(tmp_path, {"content/pages/about.md": article("About", series="X")})


def test_the_sample_site_shows_each_field(sample_output: Path) -> None:
    """The project's own sample site: two authors, a correction, opinion, a series."""
    out = sample_output
    floods = soup(
        page(out, story_url(out, "floods-trap-hundreds-of-thousands-in-feni-and-nearby-districts"))
    )
    assert len(floods.select(".story-head .byline a")) == 2
    assert (out / "corrections" / "index.html").is_file()
    assert soup(page(out, "series/rohingya-crisis")).select(".card-title") != []
    assert len(soup(page(out, "series/rohingya-crisis")).select(".card-title")) == 3
    stories = [p for p in out.glob("*/*/index.html") if "application/ld+json" in p.read_text()]
    kinds = {json_ld(p)["@type"] for p in stories}
    assert {"OpinionNewsArticle", "BackgroundNewsArticle", "NewsArticle"} <= kinds
    profile = soup(page(out, "author/farhana-rahman")).select_one(".profile-role")
    assert profile is not None and profile.text


@pytest.fixture(scope="module")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    for name in ("content", "data", "templates", "static"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "config.toml", folder / "config.toml")
    build(load_config(folder / "config.toml"), folder / "output")
    return folder / "output"
