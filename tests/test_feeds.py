"""Atom and RSS feeds, read back with feedparser as a feed reader would."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import BuiltSite, build_site, make_article, parse_html

from gazette.machine.common import FeedSpec, excerpt, xml_bytes
from gazette.machine.feeds import FeedTerms, atom_feed, rss_feed
from gazette.stages.config import parse_config

BASE = "https://example.org/news/"
DHAKA = dt.timezone(dt.timedelta(hours=6))

# Published fixture articles, newest first: (title, section, date in Dhaka).
PUBLISHED = [
    ("Kim looks over Russian bombers and a warship in Vladivostok", "world", "2023-09-23 18:00"),
    ("New export rules for chips worry hardware makers", "technology", "2023-09-22 00:00"),
    ("Rice prices ease as the harvest comes in", "business", "2023-09-21 00:00"),
    ("Leaders gather in New York for the UN General Assembly", "world", "2023-09-20 19:30"),
    ("A new Python release speeds up start-up", "technology", "2023-09-18 12:00"),
    ("Putin and Kim meet at the Vostochny cosmodrome", "world", "2023-09-13 15:00"),
    ("Relief convoys reach villages cut off by the earthquake", "world", "2023-08-30 08:00"),
    ("Central bank holds its policy rate", "business", "2023-07-15 11:00"),
]


def _parse(path: Path) -> feedparser.FeedParserDict:
    assert path.is_file(), f"no feed at {path}"
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path.name}: {feed.get('bozo_exception')}"
    return feed


def _utc_seconds(text: str) -> int:
    return int(dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=DHAKA).timestamp())


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_site_feed_has_every_published_article_newest_first(
    basic_site: BuiltSite, name: str
) -> None:
    feed = _parse(basic_site.output / name)
    assert [e.title for e in feed.entries] == [title for title, _, _ in PUBLISHED]
    assert "A story still being written" not in {e.title for e in feed.entries}  # a draft
    for entry, (_, _, date) in zip(feed.entries, PUBLISHED, strict=True):
        assert calendar.timegm(entry.published_parsed) == _utc_seconds(date)
        assert entry.link.startswith(BASE + "world/") or entry.link.startswith(BASE)
        assert entry.link.startswith("https://"), entry.link
    assert feed.feed.link == BASE


def test_atom_dates_carry_the_site_offset_and_links_resolve(basic_site: BuiltSite) -> None:
    feed = _parse(basic_site.output / "atom.xml")
    kim = feed.entries[0]
    assert kim.published == "2023-09-23T18:00:00+06:00"
    assert kim.updated == "2023-09-23T18:00:00+06:00"
    assert kim.author_detail.name == "Staff Correspondent"
    assert kim.author_detail.href == BASE + "author/staff-correspondent/"
    assert (basic_site.output / "author" / "staff-correspondent" / "index.html").is_file()
    assert feed.feed.updated == "2023-09-23T18:00:00+06:00"
    # The UN story was written with a New York offset; the feed speaks Dhaka time.
    assert feed.entries[3].published == "2023-09-20T19:30:00+06:00"
    for entry in feed.entries:
        relative = entry.link.removeprefix(BASE)
        assert relative != entry.link, entry.link
        assert (basic_site.output / relative / "index.html").is_file()
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [BASE + "atom.xml"]


def test_rss_dates_are_rfc822_with_offset(basic_site: BuiltSite) -> None:
    feed = _parse(basic_site.output / "rss.xml")
    assert feed.version == "rss20"
    assert feed.entries[0].published == "Sat, 23 Sep 2023 18:00:00 +0600"
    assert feed.entries[0].author == "Staff Correspondent"


def test_ids_are_tag_uris_not_host_urls(basic_site: BuiltSite) -> None:
    atom = _parse(basic_site.output / "atom.xml")
    rss = _parse(basic_site.output / "rss.xml")
    assert atom.feed.id == "tag:example.org,2023:feed"
    ids = [e.id for e in atom.entries]
    assert (
        ids[0]
        == "tag:example.org,2023:world/kim-looks-over-russian-bombers-and-a-warship-in-vladivostok/"
    )
    assert len(set(ids)) == len(ids)
    assert [e.id for e in rss.entries] == ids  # same story, same id, whichever format


@pytest.mark.parametrize("section", ["world", "business", "technology"])
def test_section_feeds_hold_only_their_section(basic_site: BuiltSite, section: str) -> None:
    expected = [title for title, s, _ in PUBLISHED if s == section]
    for name in ("atom.xml", "rss.xml"):
        feed = _parse(basic_site.output / section / name)
        assert [e.title for e in feed.entries] == expected
        assert all(e.link.startswith(f"{BASE}{section}/") for e in feed.entries)


def test_tag_and_author_feeds_only_when_enabled(basic_site: BuiltSite, site_root: Path) -> None:
    assert not (basic_site.output / "tag" / "russia" / "atom.xml").exists()
    config = site_root / "config.toml"
    config.write_text(
        config.read_text() + "\n[feeds]\nper_tag = true\nper_author = true\nper_section = false\n"
    )
    build_site(site_root)
    out = site_root / "output"
    assert not (out / "world" / "atom.xml").exists()
    russia = _parse(out / "tag" / "russia" / "rss.xml")
    assert [e.title for e in russia.entries] == [
        "Kim looks over Russian bombers and a warship in Vladivostok",
        "New export rules for chips worry hardware makers",
        "Putin and Kim meet at the Vostochny cosmodrome",
    ]
    nadia = _parse(out / "author" / "nadia-rahman" / "atom.xml")
    assert {e.author for e in nadia.entries} == {"Nadia Rahman"}
    assert len(nadia.entries) == 2
    # Tag and author pages announce their own feed; sections no longer have one.
    tag_page = parse_html(out / "tag" / "russia" / "index.html")
    hrefs = {link["href"] for link in tag_page.find_all("link", rel="alternate")}
    assert hrefs == {
        "../../atom.xml",
        "../../rss.xml",
        "../../tag/russia/atom.xml",
        "../../tag/russia/rss.xml",
    }
    world_page = parse_html(out / "world" / "index.html")
    assert {link["href"] for link in world_page.find_all("link", rel="alternate")} == {
        "../atom.xml",
        "../rss.xml",
    }


def test_entries_limit_and_full_content_with_absolute_image(site_root: Path) -> None:
    config = site_root / "config.toml"
    config.write_text(config.read_text() + "\n[feeds]\nentries = 3\nfull_content = true\n")
    (site_root / "content" / "world" / "quake-relief.md").write_text(
        "---\ntitle: Relief convoys reach villages cut off by the earthquake\n"
        "date: 2023-09-30 08:00\nimage: quake.png\n---\n\n"
        "Aid trucks arrived. ![A truck](../quake.png) [More](../../archive/)\n",
        encoding="utf-8",
    )
    build_site(site_root)
    out = site_root / "output"
    for name in ("atom.xml", "rss.xml"):
        feed = _parse(out / name)
        assert len(feed.entries) == 3
        newest = feed.entries[0]
        assert newest.title == "Relief convoys reach villages cut off by the earthquake"
        body = BeautifulSoup(newest.content[0].value, "html.parser")
        assert body.img["src"] == BASE + "world/quake.png"
        assert body.a["href"] == BASE + "archive/"
        assert "Aid trucks arrived." in body.get_text()


def test_every_page_links_its_feeds(basic_site: BuiltSite) -> None:
    def alternates(url: str) -> dict[str, str]:
        soup = basic_site.page(url)
        links = soup.find_all("link", rel="alternate")
        return {link["href"]: link["type"] for link in links}

    assert alternates("") == {
        "./atom.xml": "application/atom+xml",
        "./rss.xml": "application/rss+xml",
    }
    article = alternates("world/kim-looks-over-russian-bombers-and-a-warship-in-vladivostok/")
    assert article == {
        "../../atom.xml": "application/atom+xml",
        "../../rss.xml": "application/rss+xml",
        "../../world/atom.xml": "application/atom+xml",
        "../../world/rss.xml": "application/rss+xml",
    }
    assert "../business/atom.xml" in alternates("business/")
    assert "../../../world/atom.xml" in alternates("world/page/2/")
    # Each linked feed exists where the link points.
    for page in sorted(basic_site.output.rglob("*.html")):
        for link in parse_html(page).find_all("link", rel="alternate"):
            href = link["href"]
            # The 404 page's links start from base_url's path (/news/), not from the page.
            target = (
                basic_site.output / href[len("/news/") :]
                if href.startswith("/")
                else page.parent / href
            )
            assert target.resolve().is_file(), (page, href)


def _both(spec: FeedSpec) -> list[feedparser.FeedParserDict]:
    config = parse_config({"site": {"base_url": "https://example.org/"}})
    elements = [
        atom_feed(spec, config, "example.org,2023", FeedTerms()),
        rss_feed(spec, config, "example.org,2023", FeedTerms()),
    ]
    return [feedparser.parse(xml_bytes(element)) for element in elements]


def test_hostile_text_keeps_feeds_well_formed() -> None:
    article = make_article(
        title='Bell rings "</script>" & <b>x</b>\x07 ২০২৩ عربي',
        url="world/bell/",
        html="<p>Body &amp; more</p>",
        date=dt.datetime(2023, 9, 1, 12, tzinfo=DHAKA),
    )
    for feed in _both(FeedSpec("Test & <friends>", "", None, [article])):
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.entries[0].title == 'Bell rings "</script>" & <b>x</b> ২০২৩ عربي'
        assert feed.feed.title == "Test & <friends>"


def test_empty_feed_is_valid() -> None:
    for feed in _both(FeedSpec("Empty", "", None, [])):
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.entries == []


@pytest.mark.parametrize("code_first", [False, True])
def test_excerpt_is_the_opening_words_as_text(code_first: bool) -> None:
    links = "".join(f'<a href="https://example.org/{n}">w{n}</a> &amp; ' for n in range(2000))
    code = "<pre><code>" + "x = 1\n" * 1000 + "</code></pre>"  # longer than the scan
    text = excerpt(make_article(html=(code if code_first else "<p>") + links))
    if code_first:
        assert text == " ".join(["x", "=", "1"] * 20) + " …"
    else:  # 60 words: 30 links and the 30 '&' after them
        assert text == " ".join(f"w{n} &" for n in range(30)) + " …"
    assert excerpt(make_article(html="<p>Short &amp; sweet.</p>")) == "Short & sweet."
    assert excerpt(make_article(html="<p>Long body.</p>", summary="Given.")) == "Given."
