"""Editions in several languages, on the sample site (English, Bengali, Arabic):
each edition's lang and dir, dates and digits from Babel, the local Hijri date,
reciprocal hreflang, feeds and sitemaps per edition, and build = serve."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
import xmlschema
from babel.dates import format_date
from conftest import SAMPLE_NOW, BuiltSite, copy_sample_site, parse_html, tree_bytes

from gazette.errors import GazetteError
from gazette.stages.config import load_config, parse_config
from gazette.stages.localize import in_digits, long_date
from gazette.stages.strings import missing_words
from tests.cleanbuild import build

SCHEMAS = Path(__file__).resolve().parent / "schemas"
REFERENCE = "world/kim-vladivostok-bombers/"  # the reference story in bn/ and ar/
ENGLISH = "world/kim-tours-russian-bombers-and-a-warship-in-vladivostok/"
EDITIONS = {"": ("en", "auto"), "bn/": ("bn", "auto"), "ar/": ("ar", "rtl")}


def _pages(output: Path, prefix: str) -> list[Path]:
    pages = sorted((output / prefix).rglob("index.html")) if prefix else []
    if not prefix:
        others = [output / p for p in EDITIONS if p]
        pages = [
            p for p in output.rglob("index.html") if not any(p.is_relative_to(o) for o in others)
        ]
        pages = [p for p in pages if "pagefind" not in p.parts]
    return pages


@pytest.mark.parametrize("prefix", list(EDITIONS))
def test_every_page_of_an_edition_has_its_lang_and_dir(sample_site: BuiltSite, prefix: str) -> None:
    language, direction = EDITIONS[prefix]
    pages = _pages(sample_site.output, prefix)
    assert len(pages) > 10
    for path in pages:
        html = parse_html(path).find("html")
        if html.get("dir") is None:  # an alias's redirect page is not an edition's page
            continue
        assert (html["lang"], html["dir"]) == (language, direction), path


@pytest.mark.parametrize(
    ("prefix", "code", "digits", "hijri"),
    [
        ("bn/", "bn", "beng", "৭ রবিউল আউয়াল ১৪৪৫ হিজরি"),
        ("ar/", "ar", "arab", "٧ ربيع الأول ١٤٤٥ هـ"),
    ],
)
def test_reference_story_in_the_editions_language_and_digits(
    sample_site: BuiltSite, prefix: str, code: str, digits: str, hijri: str
) -> None:
    page = sample_site.page(prefix + REFERENCE)
    day = dt.date(2023, 9, 23)
    zero = {"beng": "০", "arab": "٠"}[digits]
    expected = format_date(day, "full", locale=code).translate(
        str.maketrans("0123456789", "".join(chr(ord(zero) + n) for n in range(10)))
    )
    line = page.find(class_="story-date").get_text(" ", strip=True)
    assert expected in line  # Babel's weekday and month, in the edition's digits
    assert hijri in line  # the local month-start table: the 7th, not Umm al-Qura's 8th
    assert "23" not in line and "2023" not in line  # no Latin digit left
    # reading time and the masthead's date are in the same digits
    facts = page.find(class_="story-facts").get_text(" ", strip=True)
    assert in_digits("1", _edition(code)) in facts


def _edition(code: str):  # noqa: ANN202 - the EditionConfig of the sample's edition
    config = load_config(Path(__file__).resolve().parent.parent / "config.toml")
    return next(e for e in config.editions if e.code == code)


def test_hreflang_links_are_reciprocal_and_absolute(sample_site: BuiltSite) -> None:
    urls = [ENGLISH, "bn/" + REFERENCE, "ar/" + REFERENCE]
    sets = []
    for url in urls:
        links = {
            link["hreflang"]: link["href"]
            for link in sample_site.page(url).find_all("link", hreflang=True)
        }
        assert all(href.startswith("https://example.com/") for href in links.values())
        assert links["x-default"] == "https://example.com/" + ENGLISH
        sets.append(links)
    assert sets[0] == sets[1] == sets[2]
    assert sorted(sets[0]) == ["ar", "bn", "en", "x-default"]
    # the switcher on the Arabic story lands on the Bengali translation
    switcher = sample_site.page("ar/" + REFERENCE).find("nav", class_="editions")
    target = switcher.find("a", hreflang="bn")["href"]
    assert (sample_site.output / "ar" / REFERENCE / target / "index.html").resolve() == (
        sample_site.output / "bn" / REFERENCE / "index.html"
    ).resolve()


@pytest.mark.parametrize("prefix", list(EDITIONS))
def test_feeds_and_sitemaps_of_each_edition(sample_site: BuiltSite, prefix: str) -> None:
    language, _ = EDITIONS[prefix]
    schema = xmlschema.XMLSchema([str(SCHEMAS / "sitemap.xsd"), str(SCHEMAS / "sitemap-news.xsd")])
    folder = sample_site.output / prefix
    for name in ("sitemap.xml", "news-sitemap.xml"):
        schema.validate(folder / name)
    root = ET.parse(folder / "sitemap.xml").getroot()
    locs = [e.text or "" for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    others = [f"https://example.com/{p}" for p in EDITIONS if p and p != prefix]
    assert locs and not any(loc.startswith(tuple(others)) for loc in locs)
    assert all(loc.startswith(f"https://example.com/{prefix}") for loc in locs)
    news = (folder / "news-sitemap.xml").read_text(encoding="utf-8")
    assert f"<news:language>{language}</news:language>" in news
    for name in ("atom.xml", "rss.xml"):
        feed = feedparser.parse((folder / name).read_bytes())
        assert not feed.bozo, feed.bozo_exception
        assert feed.entries
        assert all(e.link.startswith(f"https://example.com/{prefix}") for e in feed.entries)
        assert feed.feed.get("language", language) == language
    robots = (sample_site.output / "robots.txt").read_text()
    assert f"Sitemap: https://example.com/{prefix}sitemap.xml" in robots


def test_interface_words_are_translated_and_a_missing_one_is_listed(
    sample_site: BuiltSite,
) -> None:
    page = sample_site.page("bn/" + REFERENCE)
    assert page.find("h2", id="related-heading") is None or "Related" not in page.text
    assert "প্রচ্ছদ" in page.find("nav", class_="sections").get_text()
    assert sample_site.page("ar/").find("nav", class_="sections").find("a").get_text() == "الرئيسية"
    assert missing_words("bn") == [] and missing_words("ar") == []
    assert "Related" in missing_words("ur")  # shipped with its Hijri names only


def test_long_date_without_editions_is_as_before() -> None:
    config = parse_config({"site": {"timezone": "Asia/Dhaka"}})
    assert long_date(dt.date(2023, 9, 23), config) == "Saturday, September 23, 2023"


def test_a_translation_key_in_one_edition_twice_is_an_error(tmp_path: Path) -> None:
    root = copy_sample_site(tmp_path / "site")
    for name in ("a.md", "b.md"):
        (root / "content" / "bn" / "world" / name).write_text(
            "---\ntitle: এক\ndate: 2023-09-20\ntranslation_key: same\n---\n\nলেখা\n"
        )
    with pytest.raises(GazetteError, match="also content/bn/world/"):
        build(load_config(root / "config.toml"), root / "output", now=SAMPLE_NOW)


def test_check_lists_the_words_an_edition_shows_in_english(tmp_path: Path) -> None:
    from gazette.commands.check import check_site

    root = copy_sample_site(tmp_path / "site")
    with (root / "config.toml").open("a", encoding="utf-8") as config:
        config.write('\n[editions.ur]\ntitle = "ڈھاکہ لیجر"\n')
    report = check_site(load_config(root / "config.toml"), now=SAMPLE_NOW)
    assert not report.problems
    assert "Related" in report.untranslated["ur"] and "bn" not in report.untranslated
    assert "note: the ur edition shows" in report.summary()


def test_a_rebuild_after_edits_in_two_editions_is_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Incremental: an Arabic headline edited, a Bengali story added as a translation
    of an English one; the rebuilt output is byte for byte a clean build's."""
    from gazette.sinks.disk import DiskSink

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(SAMPLE_NOW.timestamp())))
    root = copy_sample_site(tmp_path / "site")
    DiskSink(load_config(root / "config.toml"), root / "output", now=SAMPLE_NOW).build()
    story = root / "content" / "ar" / "world" / "kim-vladivostok-bombers.md"
    story.write_text(story.read_text().replace("title: كيم يتفقد", "title: الزعيم كيم يتفقد"))
    new = root / "content" / "bn" / "bangladesh" / "cyclone-remal-landfall.md"
    new.write_text(
        "---\ntitle: উপকূলে আঘাত হানল ঘূর্ণিঝড় রিমাল\nslug: cyclone-remal\n"
        "date: 2024-05-27 09:10\n---\n\nঘূর্ণিঝড়টি রাতে মোংলার কাছে উপকূল অতিক্রম করে।\n"
    )
    result = DiskSink(load_config(root / "config.toml"), root / "output", now=SAMPLE_NOW).build()
    assert result.report.unchanged > 0  # not everything again
    build(load_config(root / "config.toml"), tmp_path / "clean", now=SAMPLE_NOW)
    assert tree_bytes(root / "output") == tree_bytes(tmp_path / "clean")
    english = parse_html(
        root
        / "output"
        / "bangladesh"
        / "cyclone-remal-batters-the-coast-after-a-million-people-move-to-shelters"
        / "index.html"
    )
    assert english.find("link", hreflang="bn")["href"].endswith("/bn/bangladesh/cyclone-remal/")


def test_one_search_index_names_each_storys_section_and_language_in_its_edition() -> None:
    from gazette.engine.core import Engine
    from gazette.engine.state import View
    from gazette.machine.search import make_records

    config = load_config(Path(__file__).resolve().parent.parent / "config.toml")
    engine = Engine(config, now=SAMPLE_NOW)
    snap = engine.snapshot(engine.read(), View(), None)
    records = {r.url: r for r in make_records(snap.site, engine.texts, config)}
    english, bengali = records[ENGLISH].filters, records["bn/" + REFERENCE].filters
    assert (english["section"], english["language"]) == (["World"], ["English"])
    assert (bengali["section"], bengali["language"]) == (["বিশ্ব"], ["বাংলা"])
    assert records["ar/" + REFERENCE].filters["section"] == ["العالم"]
