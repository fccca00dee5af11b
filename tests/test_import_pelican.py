"""build.py import pelican: a Pelican site (tests/imports/pelican/site) into a fresh site."""

from __future__ import annotations

from pathlib import Path

import pytest

from gazette.importers.pelican import old_url, read_metadata, read_settings
from tests.importkit import (
    IMPORTS,
    assert_absent,
    assert_old_urls_resolve,
    assert_story,
    build,
    front,
    new_site,
    run_import,
)

SOURCE = IMPORTS / "pelican" / "site"
TEA = "Tea garden workers win a wage rise"
BOATS = "Villages race long boats on the Karnaphuli"
BOATS_SLUG = "villages-race-long-boats-on-the-karnaphuli"


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    site = new_site(tmp_path / "site")
    run = run_import(capsys, site, "pelican", str(SOURCE))
    assert run.code == 0, run.err
    return site, run.out


def test_settings_are_read_not_run() -> None:
    settings = read_settings(SOURCE / "pelicanconf.py")
    assert settings["ARTICLE_URL"] == "blog/{date:%Y}/{date:%m}/{date:%d}/{slug}/"
    assert settings["PAGE_URL"] == "{slug}/"
    assert "ARTICLE_SAVE_AS" not in settings and "THEME" not in settings  # computed
    assert settings["DEFAULT_CATEGORY"] == "misc"  # Pelican's default


def test_url_settings_take_only_plain_fields() -> None:
    import datetime as dt

    fields = {"slug": "s", "date": dt.datetime(2020, 12, 2), "category": "news", "lang": "en"}
    assert old_url("{category}/{date:%Y}/{slug}.html", fields) == "/news/2020/s.html"
    assert old_url("{date.__class__}/{slug}", fields) is None
    assert old_url("{nothing}/{slug}", fields) is None


def test_the_header_ends_at_the_first_blank_line() -> None:
    meta, body = read_metadata("Title: A\nTags: x,\n  y\n\nText: not a key.\n")
    assert meta == {"title": "A", "tags": "x, y"}
    assert body.strip() == "Text: not a key."


def test_articles_pages_and_drafts_come_over(imported: tuple[Path, str]) -> None:
    site, summary = imported
    assert "3 articles, 1 pages, 1 drafts among them, 2 files copied" in summary
    assert "news/market-day.rst: reStructuredText is not converted" in summary
    content = site / "content"
    tea, body = front(content / "news" / "tea-garden-wages.md")
    assert tea["date"] == "2020-12-02 00:00+06:00"  # 2020-12-2, in pelicanconf's TIMEZONE
    assert tea["updated"] == "2020-12-03 10:15+06:00"
    assert tea["author"] == "Mitu Chakma"
    assert tea["authors"] == ["Mitu Chakma", "Ronald Tripura"]
    assert tea["tags"] == ["tea", "wages"]
    assert tea["summary"] == "Pickers in the northern gardens will earn more from January."
    assert tea["aliases"] == ["/blog/2020/12/02/tea-garden-wages/"]
    assert tea["lang"] == "en"
    assert "![Tea pickers on a slope](tea-pickers.png)" in body
    assert "| Picker | 120 | 145 |" in body
    assert (content / "news" / "tea-garden-wages" / "tea-pickers.png").is_file()
    boats, body = front(content / "sport" / f"{BOATS_SLUG}.md")
    assert boats["date"] == "2021-01-05 09:30+06:00"
    assert boats["aliases"] == [f"/blog/2021/01/05/{BOATS_SLUG}/"]
    assert boats["original_template"] == "photo-story"  # Pelican's, not a Gazette template
    assert "![The winning crew](boat-race.png)" in body
    road, _ = front(content / "news" / "hill-road-to-close-for-repairs.md")
    assert road["draft"] is True and road["pelican_status"] == "draft"
    about, _ = front(content / "pages" / "about.md")
    assert about == {"title": "About the Herald", "slug": "about", "aliases": ["/about/"]}


def test_the_imported_site_builds_and_old_urls_still_work(imported: tuple[Path, str]) -> None:
    site, _ = imported
    output = build(site)
    page = assert_story(output, "/news/tea-garden-wages/", TEA, "Factory hand")
    assert "tea-pickers.png" in {img["src"] for img in page.select("article img")}
    assert_story(output, f"/sport/{BOATS_SLUG}/", BOATS, "Twelve crews paddled")
    assert_story(output, "/about/", "About the Herald", "office in Rangamati")
    assert_absent(output, "Hill road to close")
    assert_old_urls_resolve(
        output,
        {
            "/blog/2020/12/02/tea-garden-wages/": TEA,
            f"/blog/2021/01/05/{BOATS_SLUG}/": BOATS,
            "/about/": "About the Herald",
        },
    )


def test_a_missing_folder_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = new_site(tmp_path / "site")
    run = run_import(capsys, site, "pelican", str(tmp_path / "gone"))
    assert run.code == 1 and "gone: Pelican folder not found" in run.err
    assert not (site / "content").exists()


def test_into_a_folder_of_content_the_articles_name_their_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = new_site(tmp_path / "site")
    into = site / "content" / "archive"
    run = run_import(capsys, site, "pelican", str(SOURCE), "--into", str(into))
    assert run.code == 0, run.err
    tea, body = front(into / "news" / "tea-garden-wages.md")
    assert tea["section"] == "news"  # the folder alone would make it 'archive'
    # the article is at /news/tea-garden-wages/, its picture in output/archive/news/...
    assert "![Tea pickers on a slope](../../archive/news/tea-garden-wages/tea-pickers.png)" in body
    assert "content/archive/pages/: pages are pages only in content/pages/" in run.out
