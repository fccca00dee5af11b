"""Machine formats as a whole: config, base_url moves, other templates, reproducibility."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import feedparser
import pytest
import xmlschema
from conftest import BuiltSite, build_site, copy_sample_site, parse_html, tree_bytes

from gazette.errors import GazetteError
from gazette.stages.config import news_language, parse_config

SCHEMAS = Path(__file__).resolve().parent / "schemas"
MACHINE_FILES = [
    "atom.xml",
    "rss.xml",
    "world/atom.xml",
    "business/rss.xml",
    "sitemap.xml",
    "news-sitemap.xml",
    "robots.txt",
]


def _config_error(data: dict) -> GazetteError:
    with pytest.raises(GazetteError) as caught:
        parse_config(data)
    return caught.value


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"feeds": {"entries": 0}}, "feeds.entries must be at least 1"),
        ({"feeds": {"entries": "ten"}}, "'entries' in [feeds] must be a whole number"),
        ({"feeds": {"full_content": "yes"}}, "must be true or false"),
        ({"feeds": {"id_authority": "https://example.com/"}}, "is not 'domain,year'"),
        ({"feeds": {"per_tags": True}}, "did you mean 'per_tag'?"),
        ({"site": {"language": "english"}}, "'english' is not an ISO 639 code"),
        ({"publisher": {"language": "EN"}}, "'EN' is not an ISO 639 code"),
        ({"publisher": {"twitter": "ledger"}}, "is not a Twitter handle"),
        ({"publisher": {"logo": 5}}, "'logo' in [publisher] must be a string"),
    ],
)
def test_config_mistakes_are_named(data: dict, words: str) -> None:
    error = _config_error(data)
    assert words in error.one_line()


def test_config_accepts_the_documented_forms() -> None:
    config = parse_config(
        {
            "site": {"language": "en-GB"},
            "feeds": {"entries": 5, "per_tag": True, "id_authority": "news@example.com,2023-09"},
            "publisher": {"name": "Ledger", "twitter": "@ledger"},
        }
    )
    assert config.feeds.entries == 5 and config.feeds.per_tag
    assert config.publisher.name == "Ledger"


def test_sample_site_feeds_sitemaps_and_json_ld_all_pass(sample_site: BuiltSite) -> None:
    """What a new user gets from `python build.py`: every machine file reads back."""
    out = sample_site.output
    feeds = sorted(out.rglob("atom.xml")) + sorted(out.rglob("rss.xml"))
    assert len(feeds) >= 4
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.entries, path
        assert all(e.link.startswith("https://example.com/") for e in feed.entries)
    schema = xmlschema.XMLSchema([str(SCHEMAS / "sitemap.xsd"), str(SCHEMAS / "sitemap-news.xsd")])
    schema.validate(out / "sitemap.xml")
    schema.validate(out / "news-sitemap.xml")
    articles = 0
    for page in out.rglob("index.html"):
        soup = parse_html(page)
        og_type = soup.find("meta", property="og:type")
        if og_type is None:  # only an alias's redirect page has no <head> data
            assert soup.find("meta", attrs={"http-equiv": "refresh"}) is not None, page
            continue
        if og_type["content"] != "article":
            continue
        articles += 1
        blocks = soup.find_all("script", type="application/ld+json")
        assert len(blocks) == 1, page
        data = json.loads(blocks[0].string)
        required = {"headline", "datePublished", "dateModified", "author", "publisher"}
        required |= {"mainEntityOfPage", "articleSection"}
        assert required <= data.keys(), (page, required - data.keys())
        assert data["publisher"]["logo"]["url"] == "https://example.com/static/logo.svg"
    assert articles == sample_site.result.articles


def test_changing_base_url_changes_absolute_urls_and_nothing_else(tmp_path: Path) -> None:
    """The sample site, built for its own domain and then for a sub-path of another."""
    root = copy_sample_site(tmp_path / "site")
    old, new = "https://example.com/", "https://news.example.net/edition/"
    config = root / "config.toml"
    assert f'base_url = "{old}"' in config.read_text()
    build_site(root, tmp_path / "a")
    config.write_text(config.read_text().replace(f'base_url = "{old}"', f'base_url = "{new}"'))
    build_site(root, tmp_path / "b")
    before, after = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert before.keys() == after.keys()
    changed = set()
    for name, data in before.items():
        assert old.encode() not in after[name], name
        if name == "404.html":  # its links start from base_url's path, which moved too
            assert b'href="/edition/static/' in after[name]
            continue
        if name == "_redirects":  # host paths: under base_url's path, which moved too
            assert after[name] == re.sub(rb"(?m)(^| )/", rb"\1/edition/", data)
            continue
        assert data.replace(old.encode(), new.encode()) == after[name], name
        if data != after[name]:
            changed.add(name)
    # Every machine file and every page's head moved; feed ids did not.
    assert {"atom.xml", "rss.xml", "sitemap.xml", "news-sitemap.xml", "robots.txt"} <= changed
    assert all(name in changed for name in after if name.endswith(".html") and name != "404.html")
    ids_a = [e.id for e in feedparser.parse(before["atom.xml"]).entries]
    ids_b = [e.id for e in feedparser.parse(after["atom.xml"]).entries]
    assert ids_a == ids_b and ids_a and all(i.startswith("tag:example.com,2023:") for i in ids_a)


MINIMAL_TEMPLATE = "<!doctype html><title>{{ page.title }}</title><p>{{ page.title }}</p>\n"


def test_machine_files_do_not_depend_on_templates(basic_site: BuiltSite, site_root: Path) -> None:
    templates = site_root / "templates"
    for template in templates.glob("*.html"):
        template.write_text(MINIMAL_TEMPLATE)
    build_site(site_root)
    for name in MACHINE_FILES:
        assert (site_root / "output" / name).read_bytes() == (
            basic_site.output / name
        ).read_bytes(), name
    schema = xmlschema.XMLSchema([str(SCHEMAS / "sitemap.xsd"), str(SCHEMAS / "sitemap-news.xsd")])
    schema.validate(site_root / "output" / "sitemap.xml")


def test_same_input_same_bytes_whatever_the_clock(site_root: Path, tmp_path: Path) -> None:
    # Two builds at different times (both after every published story, before the
    # future one) must agree byte for byte: nothing may print the build time.
    build_site(site_root, tmp_path / "a", now=dt.datetime(2023, 10, 1, tzinfo=dt.UTC))
    build_site(site_root, tmp_path / "b", now=dt.datetime(2023, 11, 20, 7, 5, 3, tzinfo=dt.UTC))
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


@pytest.mark.parametrize(
    ("site_language", "publisher_language", "expected"),
    [
        ("en", "", "en"),
        ("en-GB", "", "en"),
        ("zh-TW", "", "zh-tw"),
        ("bn-BD", "", "bn"),
        ("en", "bn", "bn"),
    ],
)
def test_news_language_comes_from_the_site_language(
    site_language: str, publisher_language: str, expected: str
) -> None:
    config = parse_config(
        {"site": {"language": site_language}, "publisher": {"language": publisher_language}}
    )
    assert news_language(config.site, config.publisher) == expected
