"""Undated pages, old URLs (aliases, `guid:`) and [urls] patterns, on whole fixture sites:
what a newsroom moving its archive checks in the built output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import feedparser

from gazette.commands.check import check_site
from gazette.sinks.disk import DiskSink
from gazette.stages.config import load_config
from tests.sitekit import article, build_site_into, make_site, soup

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}

ABOUT = """---
title: About this paper
summary: Who writes it.
aliases: [/about-us.html, /?page_id=7, /old/about]
---
A newsroom of twelve reporters in Khulna.
"""

CONTACT = """---
title: Contact the desk
kind: page
url: /contact.html
---
Write to the news desk at any hour.
"""


def _site(tmp_path: Path, config: str = "", **extra: str) -> Path:
    files = {
        "content/pages/about.md": ABOUT,
        "content/world/contact.md": CONTACT,  # a page by 'kind:', wherever it lives
        "content/world/quake.md": article(
            "Tremors shake the hill districts",
            "Buildings cracked in Rangamati.",
            tags="[earthquake]",
            aliases="[/2019/03/04/quake/, /world/tremors-shake-the-hill-districts/]",
            guid="https://old.example.org/?p=4411",
        ),
        "content/world/rain.md": article("Rain eases the heat", "Showers came at noon."),
        **extra,
    }
    return build_site_into(tmp_path, files, config)


def _sitemap(out: Path) -> set[str]:
    root = ET.parse(out / "sitemap.xml").getroot()
    return {loc.text or "" for loc in root.iterfind("s:url/s:loc", NS)}


def test_pages_are_built_at_their_urls_and_in_the_sitemap_only(tmp_path: Path) -> None:
    out = _site(tmp_path)
    about = soup(out / "about" / "index.html")
    assert about.h1 is not None and about.h1.get_text() == "About this paper"
    assert "twelve reporters in Khulna" in about.get_text()
    assert about.select_one(".hijri") is None  # undated: no dates at all
    contact = soup(out / "contact.html")
    assert contact.h1 is not None and contact.h1.get_text() == "Contact the desk"
    urls = _sitemap(out)
    assert {"https://example.com/news/about/", "https://example.com/news/contact.html"} <= urls
    # never a story: not in feeds, listings, archives or the news sitemap
    feed = feedparser.parse((out / "atom.xml").read_bytes())
    assert [e.title for e in feed.entries] == [
        "Rain eases the heat",
        "Tremors shake the hill districts",
    ]
    news = (out / "news-sitemap.xml").read_text()
    assert "about" not in news and "contact" not in news
    for listing in ["index.html", "world/index.html", "archive/index.html"]:
        text = (out / listing).read_text()
        assert "About this paper" not in text.split("<footer")[0], listing
        assert "Contact the desk" not in text.split("<footer")[0], listing
    assert not (out / "pages").exists()
    head = about.head
    assert head is not None
    assert head.select_one('meta[property="og:type"]')["content"] == "website"
    assert head.select_one('script[type="application/ld+json"]') is None


def test_every_alias_redirects_to_its_page(tmp_path: Path) -> None:
    out = _site(tmp_path)
    story = "world/tremors-shake-the-hill-districts/"
    expected = {
        "about-us.html": "about/",
        "old/about/index.html": "about/",
        "2019/03/04/quake/index.html": story,
    }
    for file, target in expected.items():
        page = soup(out / file)
        refresh = page.select_one('meta[http-equiv="refresh"]')
        assert refresh is not None, file
        relative = refresh["content"].split("url=", 1)[1]
        here = "https://example.com/news/" + file
        assert urljoin(here, relative) == "https://example.com/news/" + target, file
        assert page.select_one('link[rel="canonical"]')["href"] == urljoin(here, relative)
        assert page.a is not None and urljoin(here, page.a["href"]) == urljoin(here, relative)
        assert (out / target / "index.html").is_file()
    # its own URL as an alias is no alias: the page is the story itself
    assert soup(out / story / "index.html").select_one("article.story") is not None
    lines = (out / "_redirects").read_text().splitlines()
    assert "/news/about-us.html /news/about/ 301" in lines
    assert "/news/ page_id=7 /news/about/ 301" in lines  # Netlify's query form
    assert f"/news/2019/03/04/quake/ /news/{story} 301" in lines
    assert len(lines) == 4
    assert check_site(load_config(tmp_path / "config.toml")).problems == []


def test_a_pinned_guid_is_the_feed_id(tmp_path: Path) -> None:
    out = _site(tmp_path)
    atom = feedparser.parse((out / "atom.xml").read_bytes())
    ids = {e.title: e.id for e in atom.entries}
    assert ids["Tremors shake the hill districts"] == "https://old.example.org/?p=4411"
    assert ids["Rain eases the heat"].startswith("tag:")
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    assert {e.title: e.id for e in rss.entries} == ids


PELICAN_URLS = """
[feeds]
per_tag = true

[urls]
section = "/category/{slug}.html"
tag = "/tag/{slug}.html"
author = "/author/{slug}.html"
archive = "/blog/archives/"
year = "/blog/{year}/"
month = "/blog/{year}/{month}/"
atom = "/feeds/{slug}.atom.xml"
rss = "/feeds/{kind}/{slug}.rss.xml"
"""


def test_url_patterns_place_listings_and_feeds(tmp_path: Path) -> None:
    many = {
        f"content/world/story-{n}.md": article(
            f"Story number {n}", tags="[rust]", date=f"2023-08-{n + 1:02d} 10:00"
        )
        for n in range(12)
    }
    out = _site(tmp_path, "per_page = 5\n" + PELICAN_URLS, **many)
    for path in [
        "category/world.html",
        "category/world/page/2/index.html",
        "tag/rust.html",
        "tag/rust/page/3/index.html",
        "blog/archives/index.html",
        "blog/2023/index.html",
        "blog/2023/09/index.html",
        "feeds/all.atom.xml",
        "feeds/world.atom.xml",
        "feeds/rust.atom.xml",
        "feeds/all/all.rss.xml",
        "feeds/tag/rust.rss.xml",
    ]:
        assert (out / path).is_file(), path
    assert not (out / "world").exists() or not (out / "world" / "index.html").exists()
    assert not (out / "archive").exists()
    tag = soup(out / "tag" / "rust.html")
    feeds = [a["href"] for a in tag.select('link[rel="alternate"]')]
    assert "../feeds/rust.atom.xml" in feeds
    assert check_site(load_config(tmp_path / "config.toml")).problems == []


BODY = """Opening paragraph.

## Where the boats landed

```
print("no language named")
```

!!! warning
    Tides were high.
"""


def test_markdown_options_change_every_body_on_the_next_build(tmp_path: Path) -> None:
    """[markdown] settings reach bodies already converted: the cache is keyed by them."""
    config = make_site(tmp_path, {"content/world/boats.md": article("Boats reach the shore", BODY)})
    out = tmp_path / "output"
    DiskSink(config, out, cache=True).build()
    page = out / "world" / "boats-reach-the-shore" / "index.html"
    before = soup(page)
    assert before.select_one("h2 a.headerlink") is None
    assert before.select_one(".admonition") is None
    path = tmp_path / "config.toml"
    path.write_text(
        path.read_text()
        + '\n[markdown]\nheading_links = true\nheading_link_symbol = "#"\n'
        + 'guess_code_language = true\nextensions = ["admonition"]\n'
    )
    DiskSink(load_config(path), out, cache=True).build()  # the same cache of texts
    after = soup(page)
    link = after.select_one("h2#where-the-boats-landed a.headerlink")
    assert link is not None and link.get_text() == "#" and link["href"] == "#where-the-boats-landed"
    assert after.select_one(".admonition.warning .admonition-title").get_text() == "Warning"
    assert after.select_one(".highlight span") is not None  # a language guessed, so colours
