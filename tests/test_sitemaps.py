"""sitemap.xml, news-sitemap.xml and robots.txt: schema-valid, complete, windowed."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from conftest import BuiltSite, build_site, make_article

from gazette.machine.common import absolute, xml_bytes
from gazette.machine.sitemaps import (
    NEWS_MAX,
    news_articles,
    news_sitemap,
    sitemap_files,
    urlset,
)
from gazette.stages.config import parse_config

SCHEMAS = Path(__file__).resolve().parent / "schemas"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
BASE = "https://example.org/news/"
DHAKA = dt.timezone(dt.timedelta(hours=6))
KIM = BASE + "world/kim-looks-over-russian-bombers-and-a-warship-in-vladivostok/"
CHIPS = BASE + "technology/new-export-rules-for-chips-worry-hardware-makers/"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    # The sitemap schema checks <news:news> strictly, so both are loaded together.
    return xmlschema.XMLSchema([str(SCHEMAS / "sitemap.xsd"), str(SCHEMAS / "sitemap-news.xsd")])


def _locs(path: Path) -> list[str]:
    return [loc.text or "" for loc in ET.parse(path).getroot().iterfind("sm:url/sm:loc", NS)]


def test_sitemaps_validate_against_the_schemas(
    basic_site: BuiltSite, schema: xmlschema.XMLSchema
) -> None:
    schema.validate(basic_site.output / "sitemap.xml")
    schema.validate(basic_site.output / "news-sitemap.xml")


def test_sitemap_lists_every_public_page_once(basic_site: BuiltSite) -> None:
    locs = _locs(basic_site.output / "sitemap.xml")
    assert len(locs) == len(set(locs))
    pages = set()
    for page in basic_site.output.rglob("*.html"):
        url = page.relative_to(basic_site.output).as_posix()
        pages.add(BASE + url.removesuffix("index.html"))
    assert set(locs) == pages - {BASE + "404.html"}
    assert BASE in locs and KIM in locs


def test_sitemap_lastmod_is_updated_else_date(site_root: Path) -> None:
    article = site_root / "content" / "world" / "kim-vladivostok.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace(
            "date: 2023-09-23 18:00", "date: 2023-09-23 18:00\nupdated: 2023-09-24 07:15"
        ),
        encoding="utf-8",
    )
    build_site(site_root)
    root = ET.parse(site_root / "output" / "sitemap.xml").getroot()
    lastmod = {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.iterfind("sm:url", NS)
    }
    assert lastmod[KIM] == "2023-09-24T07:15:00+06:00"
    assert lastmod[CHIPS] == "2023-09-22T00:00:00+06:00"
    assert lastmod[BASE] == "2023-09-24T07:15:00+06:00"  # the home page changed with it
    assert lastmod[BASE + "world/"] == "2023-09-24T07:15:00+06:00"
    assert lastmod[BASE + "business/"] == "2023-09-21T00:00:00+06:00"


def test_large_sitemap_splits_behind_an_index(schema: xmlschema.XMLSchema) -> None:
    config = parse_config({"site": {"base_url": BASE}})
    day = dt.datetime(2023, 1, 1, tzinfo=DHAKA)
    entries = [(f"{BASE}p/{n}/", day + dt.timedelta(days=n)) for n in range(7)]
    files = {f.path: f.data for f in sitemap_files(entries, config, max_urls=3)}
    assert set(files) == {"sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"}
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    parts = [
        (s.findtext("sm:loc", namespaces=NS), s.findtext("sm:lastmod", namespaces=NS))
        for s in index.iterfind("sm:sitemap", NS)
    ]
    assert parts == [
        (BASE + "sitemap-1.xml", "2023-01-03T00:00:00+06:00"),
        (BASE + "sitemap-2.xml", "2023-01-06T00:00:00+06:00"),
        (BASE + "sitemap-3.xml", "2023-01-07T00:00:00+06:00"),
    ]
    locs = []
    for name in ("sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"):
        schema.validate(files[name].decode())
        locs += [loc.text for loc in ET.fromstring(files[name]).iterfind("sm:url/sm:loc", NS)]
    assert locs == [loc for loc, _ in entries]
    # At the limit exactly, no index yet.
    assert [f.path for f in sitemap_files(entries[:3], config, max_urls=3)] == ["sitemap.xml"]


def test_news_sitemap_entries(basic_site: BuiltSite) -> None:
    # Newest article: Kim, 23 Sep 18:00; the window opens 21 Sep 18:00, so the
    # chip story (22 Sep) is in and the rice story (21 Sep 00:00) is out.
    root = ET.parse(basic_site.output / "news-sitemap.xml").getroot()
    urls = root.findall("sm:url", NS)
    assert [u.findtext("sm:loc", namespaces=NS) for u in urls] == [KIM, CHIPS]
    kim = urls[0].find("news:news", NS)
    assert kim is not None
    assert kim.findtext("news:publication/news:name", namespaces=NS) == "The Test Ledger"
    assert kim.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert kim.findtext("news:publication_date", namespaces=NS) == "2023-09-23T18:00:00+06:00"
    assert kim.findtext("news:title", namespaces=NS) == (
        "Kim looks over Russian bombers and a warship in Vladivostok"
    )


def test_news_window_follows_source_date_epoch(
    site_root: Path, monkeypatch: pytest.MonkeyPatch, schema: xmlschema.XMLSchema
) -> None:
    # 21 Sep 2023 12:00 Dhaka: the window is 19 Sep 12:00 .. 21 Sep 12:00.
    pinned = dt.datetime(2023, 9, 21, 12, tzinfo=DHAKA)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(pinned.timestamp())))
    build_site(site_root, now=dt.datetime(2023, 10, 1, tzinfo=DHAKA))
    news = site_root / "output" / "news-sitemap.xml"
    schema.validate(news)
    assert _locs(news) == [
        BASE + "business/rice-prices-ease-as-the-harvest-comes-in/",
        BASE + "world/leaders-gather-in-new-york-for-the-un-general-assembly/",
    ]
    # Long after the newest story: nothing is news, and the file stays valid.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2024, 1, 1).timestamp())))
    build_site(site_root, now=dt.datetime(2023, 10, 1, tzinfo=DHAKA))
    schema.validate(news)
    assert ET.parse(news).getroot().findall("sm:url/news:news", NS) == []


def test_two_day_window_edges() -> None:
    reference = dt.datetime(2023, 9, 23, 18, 0, tzinfo=DHAKA)
    at_edge = make_article(title="At the edge", date=reference - dt.timedelta(days=2))
    just_out = make_article(title="Just out", date=reference - dt.timedelta(days=2, seconds=1))
    newest = make_article(title="Newest", date=reference)
    later = make_article(title="Later", date=reference + dt.timedelta(seconds=1))
    chosen = news_articles([just_out, at_edge, newest, later], reference)
    assert [a.title for a in chosen] == ["Newest", "At the edge"]
    # Without a pinned time the newest article is the reference.
    chosen = news_articles([just_out, at_edge, newest], None)
    assert [a.title for a in chosen] == ["Newest", "At the edge"]
    assert news_articles([], None) == []


def test_thousand_cap_keeps_the_newest(schema: xmlschema.XMLSchema) -> None:
    reference = dt.datetime(2023, 9, 23, 18, 0, tzinfo=DHAKA)
    articles = [
        make_article(
            title=f"Story {n}",
            url=f"world/story-{n}/",
            date=reference - dt.timedelta(seconds=n),
        )
        for n in range(NEWS_MAX + 1)
    ]
    chosen = news_articles(articles, None)
    assert len(chosen) == NEWS_MAX == 1000
    assert chosen[0].title == "Story 0" and chosen[-1].title == "Story 999"
    assert len(news_articles(articles[:NEWS_MAX], None)) == NEWS_MAX
    config = parse_config({"site": {"base_url": BASE}})
    data = xml_bytes(news_sitemap(chosen, config)).decode()
    schema.validate(data)
    assert data.count("<news:news>") == 1000


def test_urlset_of_odd_urls_stays_valid(schema: xmlschema.XMLSchema) -> None:
    config = parse_config({"site": {"base_url": "https://example.org/খবর/"}})
    loc = absolute(config, "বিশ্ব/a story/")
    assert (
        loc
        == "https://example.org/%E0%A6%96%E0%A6%AC%E0%A6%B0/%E0%A6%AC%E0%A6%BF%E0%A6%B6%E0%A7%8D%E0%A6%AC/a%20story/"
    )
    schema.validate(urlset([(loc, None)]).decode())


def test_robots_txt_names_both_sitemaps(basic_site: BuiltSite) -> None:
    lines = (basic_site.output / "robots.txt").read_text().splitlines()
    sitemaps = [line.split(": ", 1)[1] for line in lines if line.startswith("Sitemap:")]
    assert sitemaps == [BASE + "sitemap.xml", BASE + "news-sitemap.xml"]
    assert "User-agent: *" in lines


def test_a_sites_own_robots_txt_wins(site_root: Path) -> None:
    (site_root / "content" / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    build_site(site_root)
    assert (site_root / "output" / "robots.txt").read_text() == (
        "User-agent: *\nDisallow: /private/\n"
    )
