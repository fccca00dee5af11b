"""build.py import wordpress: a WXR export (tests/imports/wordpress) into a fresh site."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importkit import (
    IMPORTS,
    add_sections,
    assert_absent,
    assert_old_urls_resolve,
    assert_query_redirects,
    assert_story,
    build,
    front,
    new_site,
    page_at,
    run_import,
)

EXPORT = IMPORTS / "wordpress" / "export.xml"
UPLOADS = IMPORTS / "wordpress" / "uploads"
FERRY = "Ferry service resumes on the Buriganga after repairs"
RAIN = "ঢাকায় বৃষ্টিতে জলাবদ্ধতা"
FAIR = "معرض الكتاب يفتح أبوابه في الشارقة"
RAIN_SLUG = "ddhaakaay-brssttite-jlaabddhtaa"


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    site = new_site(tmp_path / "site", {"city": "City"})
    run = run_import(capsys, site, "wordpress", str(EXPORT), "--uploads", str(UPLOADS))
    assert run.code == 0, run.err
    return site, run.out


def test_the_summary_says_what_came_over_and_what_did_not(imported: tuple[Path, str]) -> None:
    _, summary = imported
    assert "6 articles, 2 pages, 2 drafts among them, 2 files copied" in summary
    assert "'Old flood appeal' (WordPress post 106): status 'trash'" in summary
    assert "'Home' (WordPress nav_menu_item 401): a menu entry" in summary
    assert "attachment 'rickshaw-in-rain': no imported story uses" in summary
    assert "shortcode [poll] is not known to Gazette; kept as text" in summary
    assert "block wp:latest-posts is made by WordPress at view time" in summary
    assert "1 comments not imported" in summary
    assert "2023/09/pumps-at-work.png: not in the --uploads folder" in summary
    # world is not in [sections]: named, with the lines to add
    assert "Sections not in config.toml's [sections]" in summary
    assert 'world = "World"' in summary and 'city = "City"' not in summary


def test_front_matter_keeps_every_field(imported: tuple[Path, str]) -> None:
    site, _ = imported
    content = site / "content"
    meta, _ = front(content / "city" / "ferry-service-resumes.md")
    assert meta["title"] == FERRY
    assert meta["date"] == "2023-09-10 08:30+06:00"
    assert meta["updated"] == "2023-09-11 10:15+06:00"
    assert meta["author"] == "Rahima Khan"
    assert meta["tags"] == ["transport", "river"]
    assert meta["summary"] == "Launches are back at Sadarghat after three weeks of pontoon repairs."
    assert meta["slug"] == "ferry-service-resumes"
    assert meta["image"] == "ferry-service-resumes/ferry-at-sadarghat.png"
    assert meta["image_alt"] == "A ferry tied up at the pontoon"
    assert meta["aliases"] == ["/2023/09/10/ferry-service-resumes/", "/?p=101"]
    assert meta["guid"] == "https://courier.example.org/?p=101"
    assert meta["wordpress_id"] == 101 and meta["comment_status"] == "open"
    assert meta["sticky"] is True and meta["wordpress_meta"] == {"print_page": "A3"}
    assert "section" not in meta and "draft" not in meta
    assert (content / "city" / "ferry-service-resumes" / "ferry-at-sadarghat.png").is_file()

    rain, _ = front(content / "city" / f"{RAIN_SLUG}.md")
    assert rain["title"] == RAIN
    assert rain["author"] == "Tanvir Bose"
    assert rain["authors"] == ["Tanvir Bose", "Rahima Khan"]
    assert rain["aliases"][0] == "/2023/09/14/ঢাকায়-বৃষ্টিতে-জলাবদ্ধতা/"
    assert rain["wordpress_terms"] == {"post_format": ["Gallery"]}

    fair, _ = front(content / "world" / "sharjah-book-fair-opens.md")
    assert fair["title"] == FAIR and fair["categories"] == ["World", "Culture"]
    assert fair["summary"] == "The fair opened with publishers from forty countries."

    draft, _ = front(content / "city" / "budget-talks-stall-over-fuel-subsidy.md")
    assert draft["draft"] is True and draft["wordpress_status"] == "draft"
    private, _ = front(content / "city" / "night-desk-notes.md")
    assert private["draft"] is True and private["wordpress_status"] == "private"
    scheduled, _ = front(content / "city" / "cricket-board-new-coach.md")
    assert scheduled["date"] == "2031-01-15 10:00+06:00" and "draft" not in scheduled

    about, _ = front(content / "pages" / "about.md")
    assert about["slug"] == "about" and about["aliases"] == ["/about/", "/?p=301", "/?page_id=301"]
    contact, _ = front(content / "pages" / "contact.md")
    assert contact["aliases"][0] == "/about/contact/" and contact["wordpress_parent"] == 301


def test_bodies_become_markdown_and_lose_nothing(imported: tuple[Path, str]) -> None:
    site, _ = imported
    content = site / "content"
    _, ferry = front(content / "city" / "ferry-service-resumes.md")
    assert "wp:" not in ferry and "[caption" not in ferry
    assert "![A ferry tied up at the pontoon](ferry-at-sadarghat.png)" in ferry
    assert "*The first launch of the day waits at the repaired pontoon.*" in ferry
    assert "## Fares unchanged" in ferry

    _, rain = front(content / "city" / f"{RAIN_SLUG}.md")
    assert "| Agargaon | 112 |" in rain  # a plain table, as Markdown
    assert "![Water up to the doorsteps of a lane](flooded-lane.png)" in rain  # the gallery
    assert "(https://courier.example.org/wp-content/uploads/2023/09/pumps-at-work.png)" in rain
    assert "*Pumps clearing water by noon.*" in rain
    assert "ভারী বৃষ্টির পর" in rain and "\n\nRainfall recorded" in rain  # classic paragraphs

    _, fair = front(content / "world" / "sharjah-book-fair-opens.md")
    assert '<th colspan="2">Opening week</th>' in fair  # merged cells: kept as HTML
    assert '[poll id="4"]' in fair
    assert "<https://video.example.net/watch/book-fair-opening>" in fair


def test_the_imported_site_builds_and_old_urls_still_work(imported: tuple[Path, str]) -> None:
    site, _ = imported
    add_sections(site, {"world": "World"})
    output = build(site)
    ferry = assert_story(output, "/city/ferry-service-resumes/", FERRY, "Fares unchanged")
    images = {img["src"] for img in ferry.select("article img")}
    assert "ferry-at-sadarghat.png" in images
    assert (output / "city" / "ferry-service-resumes" / "ferry-at-sadarghat.png").is_file()
    assert_story(output, f"/city/{RAIN_SLUG}/", RAIN, "Agargaon")
    fair = assert_story(output, "/world/sharjah-book-fair-opens/", FAIR, "Entry is free")
    assert fair.find("th", attrs={"colspan": "2"}) is not None
    assert_story(output, "/about/", "About the Courier", "above the old jute market")
    assert_story(output, "/contact/", "Contact the newsroom", "weekdays from nine")
    assert_absent(output, "Budget talks stall", "Notes for the night desk", "Cricket board")
    assert not (output / "city" / "cricket-board-new-coach").exists()
    assert page_at(output, "/city/")
    assert_old_urls_resolve(
        output,
        {
            "/2023/09/10/ferry-service-resumes/": FERRY,
            "/2023/09/14/ঢাকায়-বৃষ্টিতে-জলাবদ্ধতা/": RAIN,
            "/2023/09/18/sharjah-book-fair-opens/": FAIR,
            "/about/": "About the Courier",
            "/about/contact/": "Contact the newsroom",
        },
    )
    assert_query_redirects(
        output,
        {"/?p=101": "/city/ferry-service-resumes/", "/?page_id=302": "/contact/"},
    )
    # the feed keeps WordPress's ids, so readers do not see the stories as new
    assert "<id>https://courier.example.org/?p=101</id>" in (output / "atom.xml").read_text("utf-8")


def test_an_import_never_replaces_a_file(
    imported: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    site, _ = imported
    story = site / "content" / "city" / "ferry-service-resumes.md"
    story.write_text("---\ntitle: Edited by hand\ndate: 2023-09-10\n---\n\nMine.\n", "utf-8")
    again = run_import(capsys, site, "wordpress", str(EXPORT), "--uploads", str(UPLOADS))
    assert again.code == 0
    assert "0 articles, 0 pages" in again.out
    assert f"{story} already exists; left as it is" in again.out
    assert story.read_text("utf-8").endswith("Mine.\n")


def _fails(capsys: pytest.CaptureFixture[str], tmp_path: Path, export: Path) -> str:
    site = new_site(tmp_path / "site")
    run = run_import(capsys, site, "wordpress", str(export))
    assert run.code == 1 and "Traceback" not in run.err
    assert not (site / "content").exists(), "a failed import wrote files"
    return run.err


def test_a_file_that_is_not_xml_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.xml"
    export.write_text("Site export\ntitle,date\n", encoding="utf-8")
    err = _fails(capsys, tmp_path, export)
    assert f"{export}:1: this file is not XML, so not a WordPress export" in err


def test_a_truncated_export_names_its_last_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXPORT.read_text(encoding="utf-8")
    cut = text[: text.index("<wp:post_id>103</wp:post_id>")]
    export = tmp_path / "export.xml"
    export.write_text(cut, encoding="utf-8")
    err = _fails(capsys, tmp_path, export)
    assert f"{export}:{cut.count(chr(10)) + 1}: the export ends too early" in err
    assert "cut short" in err


def test_two_posts_with_one_slug_in_one_section_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXPORT.read_text(encoding="utf-8")
    twin = text.replace(
        "<wp:post_name><![CDATA[night-desk-notes]]></wp:post_name>",
        "<wp:post_name><![CDATA[ferry-service-resumes]]></wp:post_name>",
    )
    export = tmp_path / "export.xml"
    export.write_text(twin, encoding="utf-8")
    err = _fails(capsys, tmp_path, export)
    assert "'Ferry service resumes on the Buriganga after repairs' (WordPress post 101)" in err
    assert "'Notes for the night desk' (WordPress post 107)" in err
    assert "same slug 'ferry-service-resumes' in section 'city'" in err


def test_dtds_and_entities_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export.xml"
    export.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">\n]>\n<rss><channel>&lol2;</channel></rss>\n',
        encoding="utf-8",
    )
    err = _fails(capsys, tmp_path, export)
    assert "declares a DTD or entities" in err


def test_a_missing_export_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails(capsys, tmp_path, tmp_path / "nowhere.xml")
    assert "nowhere.xml: WordPress export not found" in err
