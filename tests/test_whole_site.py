"""Whole-site tests: build tests/sites/basic and read the pages as a reader would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import (
    BuiltSite,
    assert_reference_page,
    build_site,
    html_pages,
    parse_html,
    text,
    tree_bytes,
)
from PIL import Image

from gazette.errors import GazetteError

KIM = "world/kim-looks-over-russian-bombers-and-a-warship-in-vladivostok/"
DATE_LINE = "Saturday, September 23, 2023 | Rabi' al-awwal 7, 1445 H"


def test_reference_article_carries_every_element_in_order(basic_site: BuiltSite) -> None:
    page = basic_site.page(KIM)
    found = assert_reference_page(
        page, "Kim looks over Russian bombers and a warship in Vladivostok", home="../../"
    )
    assert text(found["dateline"].parent).startswith("MOSCOW: Kim Jong Un")
    assert text(found["credit"].find_parent("p")).endswith("sanctions. — AFP")


def test_article_facts_section_tags_author_reading_time(basic_site: BuiltSite) -> None:
    story = basic_site.page(KIM).find("article")
    links = {text(a): a["href"] for a in story.find_all("a")}
    assert links["World"] == "../../world/"
    assert links["Staff Correspondent"] == "../../author/staff-correspondent/"
    assert links["russia"] == "../../tag/russia/"
    assert links["north-korea"] == "../../tag/north-korea/"
    assert links["defence"] == "../../tag/defence/"
    assert "1 min read" in text(story)


def test_article_previous_next_and_related(basic_site: BuiltSite) -> None:
    page = basic_site.page(KIM)
    prev = page.find("a", rel="prev")
    assert prev["href"] == "../../world/leaders-gather-in-new-york-for-the-un-general-assembly/"
    assert page.find("a", rel="next") is None  # newest in its section
    related = [text(a) for a in page.find(class_="related").find_all("a")]
    # chips story shares two tags (russia, defence); Putin summit shares two but is older.
    assert related == [
        "New export rules for chips worry hardware makers",
        "Putin and Kim meet at the Vostochny cosmodrome",
    ]
    middle = basic_site.page("world/leaders-gather-in-new-york-for-the-un-general-assembly/")
    assert middle.find("a", rel="next")["href"] == "../../" + KIM


def test_article_with_image_has_alt_and_caption(basic_site: BuiltSite) -> None:
    page = basic_site.page("world/relief-convoys-reach-villages-cut-off-by-the-earthquake/")
    figure = page.find("figure")
    img = figure.find("img")
    assert img["alt"] == "Trucks on a mountain road"
    assert text(figure.find("figcaption")) == "A convoy on the way to the affected villages."
    # the photo is written at its widths (here only its own 4 pixels), stripped, upright
    with Image.open(basic_site.output / "world" / "quake.png") as photo:
        assert photo.size == (4, 3)
    assert img["src"] == "../../world/quake.4.png"
    assert (img["width"], img["height"]) == ("4", "3")
    assert "No Image" not in text(figure)


def test_weather_as_plain_string_shows_condition_only(basic_site: BuiltSite) -> None:
    page = basic_site.page("world/putin-and-kim-meet-at-the-vostochny-cosmodrome/")
    weather = page.find("article").find(class_="story-weather")
    assert text(weather) == "light rain"


def test_code_is_highlighted_and_code_css_is_linked(basic_site: BuiltSite) -> None:
    page = basic_site.page("technology/a-new-python-release-speeds-up-start-up/")
    assert page.find("div", class_="highlight").find("span", class_="k") is not None
    styles = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    code_css = [h for h in styles if "code." in h]
    assert code_css, styles
    css = (basic_site.output / "technology" / "x" / code_css[0]).resolve()
    assert ".highlight .k" in css.read_text()


def test_every_page_has_the_site_header(basic_site: BuiltSite) -> None:
    pages = html_pages(basic_site.output)
    assert len(pages) == basic_site.result.pages
    for path in pages:
        soup = parse_html(path)
        header = soup.find("header", class_="masthead")
        assert header is not None, path
        assert "The Test Ledger" in text(header), path
        nav = [text(a) for a in header.find("nav").find_all("a")]
        assert {"World", "Business", "Technology"} <= set(nav), path
        # the newest article's edition line and weather
        assert DATE_LINE in text(header), path
        assert "scattered clouds" in text(header) and "30°C / 30°C" in text(header), path
        assert soup.find("html")["lang"] == "en"
        assert soup.find("title") and text(soup.find("title")), path
        assert soup.find("meta", attrs={"name": "description"})["content"].strip(), path
        assert soup.find("main") is not None, path
        assert soup.find("footer", class_="site-footer") is not None, path  # landmarks
        for img in soup.find_all("img"):
            assert img.has_attr("alt"), (path, img)


def test_home_has_lead_and_sections(basic_site: BuiltSite) -> None:
    home = basic_site.page("")
    lead = home.find(class_="lead")
    assert lead.find(class_="lead-title").find("a")["href"] == "./" + KIM
    sections = {
        text(s.find("h2")): [text(a) for a in s.find_all("h3")]
        for s in home.find_all("section", class_="home-section")
    }
    assert list(sections) == ["World", "Business", "Technology"]
    assert "Kim looks over Russian bombers and a warship in Vladivostok" not in sections["World"]
    assert sections["Business"] == [
        "Rice prices ease as the harvest comes in",
        "Central bank holds its policy rate",
    ]


def listed(page: BeautifulSoup) -> list[str]:
    return [text(h) for h in page.find("main").find_all("h2")]


def test_section_pages_are_paginated(basic_site: BuiltSite) -> None:
    first, second = basic_site.page("world/"), basic_site.page("world/page/2/")
    assert listed(first) == [
        "Kim looks over Russian bombers and a warship in Vladivostok",
        "Leaders gather in New York for the UN General Assembly",
    ]
    assert listed(second) == [
        "Putin and Kim meet at the Vostochny cosmodrome",
        "Relief convoys reach villages cut off by the earthquake",
    ]
    assert (
        first.find("nav", class_="pagination").find("a", rel="next")["href"] == "../world/page/2/"
    )
    assert (
        second.find("nav", class_="pagination").find("a", rel="prev")["href"] == "../../../world/"
    )
    assert "Page 2 of 2" in text(second.find("nav", class_="pagination"))
    assert not (basic_site.output / "world" / "page" / "3").exists()
    assert basic_site.page("business/").find("nav", class_="pagination") is None


def test_tag_and_author_pages(basic_site: BuiltSite) -> None:
    russia = listed(basic_site.page("tag/russia/")) + listed(basic_site.page("tag/russia/page/2/"))
    assert russia == [
        "Kim looks over Russian bombers and a warship in Vladivostok",
        "New export rules for chips worry hardware makers",
        "Putin and Kim meet at the Vostochny cosmodrome",
    ]
    assert "A story still being written" not in russia  # the draft
    assert listed(basic_site.page("author/nadia-rahman/")) == [
        "Leaders gather in New York for the UN General Assembly",
        "Relief convoys reach villages cut off by the earthquake",
    ]


def test_year_and_month_archives(basic_site: BuiltSite) -> None:
    index = basic_site.page("archive/")
    hrefs = [a["href"] for a in index.find("main").find_all("a")]
    assert {
        "../archive/2023/",
        "../archive/2023/09/",
        "../archive/2023/08/",
        "../archive/2023/07/",
    } <= set(hrefs)
    assert listed(basic_site.page("archive/2023/07/")) == ["Central bank holds its policy rate"]
    september = listed(basic_site.page("archive/2023/09/"))
    assert september[0] == "Kim looks over Russian bombers and a warship in Vladivostok"
    assert len(september) == 2 and (basic_site.output / "archive/2023/09/page/3").is_dir()
    assert not (basic_site.output / "archive/2023/12").exists()  # future article left out


def test_404_page(basic_site: BuiltSite) -> None:
    page = basic_site.page("404.html")
    assert "Page not found" in text(page.find("h1"))
    # Served at any missing URL, so its links start from base_url's path (/news/).
    assert page.find("main").find("a")["href"] == "/news/"
    styles = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    assert styles and all(href.startswith("/news/static/") for href in styles)


def test_drafts_and_future_articles_are_left_out(basic_site: BuiltSite) -> None:
    assert basic_site.result.articles == 8
    assert not (basic_site.output / "world" / "a-story-still-being-written").exists()
    assert not (
        basic_site.output / "business" / "next-years-budget-previewed-before-it-is-published"
    ).exists()


def test_drafts_flag_includes_drafts_and_future(site_root: Path) -> None:
    result = build_site(site_root, drafts=True)
    assert result.articles == 10
    out = site_root / "output"
    draft = parse_html(out / "world" / "a-story-still-being-written" / "index.html")
    assert draft.find(class_="badge-draft") is not None
    assert (
        out / "business" / "next-years-budget-previewed-before-it-is-published" / "index.html"
    ).is_file()


def test_rebuild_is_byte_identical(site_root: Path, tmp_path: Path) -> None:
    build_site(site_root, tmp_path / "one")
    build_site(site_root, tmp_path / "two")
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert one.keys() == two.keys()
    assert one == two


def test_deleted_article_disappears_from_output(site_root: Path) -> None:
    build_site(site_root)
    out = site_root / "output"
    gone = out / "technology" / "new-export-rules-for-chips-worry-hardware-makers"
    assert gone.is_dir()
    (site_root / "content" / "technology" / "chip-export-rules.md").unlink()
    result = build_site(site_root)
    assert not gone.exists()
    assert not (out / "tag" / "trade").exists()  # its only tag page too
    assert result.report.removed >= 2
    home = parse_html(out / "index.html")
    assert "New export rules" not in text(home)


BREAKAGES = {
    "bad front matter": (
        "content/world/putin-summit.md",
        "---\ntitle: [unclosed\ndate: 2023-09-13\n---\n",
    ),
    "template error": (
        "templates/article.html",
        "{% extends 'base.html' %}{% block main %}{{ nope }}{% endblock %}",
    ),
    "template syntax": ("templates/home.html", "{% if %}"),
    "bad config": ("config.toml", "[site]\nper_page = 'two'\n"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_failed_build_leaves_output_byte_for_byte_unchanged(site_root: Path, breakage: str) -> None:
    build_site(site_root)
    out = site_root / "output"
    before = tree_bytes(out)
    stats = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    # An article change that would alter output if the build went through.
    (site_root / "content" / "world" / "un-assembly.md").unlink()
    relative, broken = BREAKAGES[breakage]
    (site_root / relative).write_text(broken, encoding="utf-8")
    with pytest.raises(GazetteError):
        build_site(site_root)
    assert tree_bytes(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stats
    leftovers = [p.name for p in site_root.iterdir() if p.name.startswith(".")]
    assert leftovers in ([], [".gazette-cache"])  # no stage, no half patch
    assert not list(site_root.glob(".gazette-cache/*.journal"))


def test_site_without_templates_or_static_of_its_own_builds_with_the_theme(
    site_root: Path, tmp_path: Path
) -> None:
    build_site(site_root, tmp_path / "copied")  # a full copy of the theme (as init writes)
    shutil.rmtree(site_root / "templates")
    (site_root / "templates").mkdir()  # an empty folder is the same as none
    shutil.rmtree(site_root / "static")
    build_site(site_root, tmp_path / "packaged")
    assert tree_bytes(tmp_path / "packaged") == tree_bytes(tmp_path / "copied")


def test_unknown_front_matter_keys_reach_templates(site_root: Path) -> None:
    story = site_root / "content" / "world" / "kim-vladivostok.md"
    story.write_text(
        story.read_text().replace("source: AFP\n", "source: AFP\nstrapline: Exclusive\n")
    )
    template = site_root / "templates" / "article.html"
    template.write_text(
        template.read_text().replace(
            '<h1 class="headline">',
            "{% if article.extra.get('strapline') %}"
            '<p class="strapline-test">{{ article.extra.strapline }}</p>'
            '{% endif %}<h1 class="headline">',
            1,
        )
    )
    build_site(site_root)
    page = parse_html(site_root / "output" / KIM / "index.html")
    assert [text(p) for p in page.find_all(class_="strapline-test")] == ["Exclusive"]
