"""The packaged default theme: a site holds only the files it changes, and the
`[theme]` switches take out what a paper does not want."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import FIXED_NOW, tree_bytes

from gazette.errors import GazetteError
from gazette.sinks.disk import DiskSink
from gazette.stages.config import load_config
from gazette.themes import STATIC, TEMPLATES
from tests.cleanbuild import build
from tests.sitekit import article, make_site, soup

STORY = article(
    "Ferry timetable changes for the summer",
    "The first boat now leaves at six. The last one comes back at ten.",
    weather="{condition: sunny, high: 31, low: 24}",
)
LISTED = article("Market day moves to Saturday", "Stalls open at eight.", date="2023-09-20")
FILES: dict[str, str | bytes] = {
    "content/town/ferry-timetable.md": STORY,
    "content/town/market-day.md": LISTED,
}
STORY_PAGE = "town/ferry-timetable-changes-for-the-summer/index.html"


def bare_site(folder: Path, config: str = "") -> Path:
    """A site of config.toml and content/ only: everything else from the theme."""
    make_site(folder, FILES, config)
    shutil.rmtree(folder / "templates")
    shutil.rmtree(folder / "static")
    return folder


def incremental(root: Path) -> DiskSink:
    config = load_config(root / "config.toml")
    return DiskSink(config, root / "output", cache=True, now=FIXED_NOW, jobs=1)


def page(root: Path, name: str) -> BeautifulSoup:
    return soup(root / "output" / name)


def test_a_site_of_config_and_content_builds_with_the_packaged_theme(tmp_path: Path) -> None:
    root = bare_site(tmp_path / "site")
    incremental(root).build()
    story = page(root, STORY_PAGE)
    assert story.select_one("h1.headline").get_text() == "Ferry timetable changes for the summer"
    styles = [f for f in (root / "output/static").iterdir() if f.name.startswith("style.")]
    assert [f.read_bytes() for f in styles] == [(STATIC / "style.css").read_bytes()]
    assert (root / "output/static/icons/home.svg").read_bytes() == (
        STATIC / "icons/home.svg"
    ).read_bytes()


def test_a_site_template_replaces_the_theme_file_and_an_edit_renders_again(
    tmp_path: Path,
) -> None:
    root = bare_site(tmp_path / "site")
    incremental(root).build()
    assert "Printed by" not in (root / "output/index.html").read_text()
    footer = root / "templates/footer.html"
    footer.parent.mkdir()
    footer.write_text('<footer class="site-footer"><p>Printed by hand</p></footer>\n')
    first = incremental(root).build()
    assert first.rendered == first.pages  # every page includes the footer
    assert page(root, STORY_PAGE).select_one(".site-footer").get_text() == "Printed by hand"
    footer.write_text('<footer class="site-footer"><p>Printed by the river</p></footer>\n')
    again = incremental(root).build()
    assert again.rendered == again.pages
    assert page(root, "index.html").select_one(".site-footer").get_text() == (
        "Printed by the river"
    )
    # what the incremental builds wrote is what a clean build writes
    build(load_config(root / "config.toml"), tmp_path / "clean", now=FIXED_NOW)
    assert tree_bytes(tmp_path / "clean") == tree_bytes(root / "output")
    # and taking the file away brings the theme's back
    footer.unlink()
    incremental(root).build()
    assert "Printed by" not in (root / "output/index.html").read_text()


def test_a_site_stylesheet_replaces_the_theme_stylesheet(tmp_path: Path) -> None:
    root = bare_site(tmp_path / "site")
    (root / "static").mkdir()
    (root / "static/style.css").write_text("body { color: navy; }\n")
    incremental(root).build()
    styles = [f for f in (root / "output/static").iterdir() if f.name.startswith("style.")]
    assert [f.read_text() for f in styles] == ["body { color: navy; }\n"]
    href = page(root, "index.html").select_one('link[rel="stylesheet"]')["href"]
    assert href == f"./static/{styles[0].name}"
    assert (root / "output/static/icons/arrow-up.svg").is_file()  # the theme's others stay


def test_an_error_in_a_site_template_names_it_as_templates(tmp_path: Path) -> None:
    root = bare_site(tmp_path / "site")
    (root / "templates").mkdir()
    (root / "templates/footer.html").write_text("<footer>\n{{ printer }}\n</footer>\n")
    with pytest.raises(GazetteError) as info:
        incremental(root).build()
    assert (info.value.file, info.value.line) == ("templates/footer.html", 2)


def test_an_error_in_a_theme_template_names_its_real_path(tmp_path: Path) -> None:
    root = bare_site(tmp_path / "site")
    (root / "templates").mkdir()
    (root / "templates/macros.html").write_text("{# no card macro here #}\n")
    with pytest.raises(GazetteError) as info:
        incremental(root).build()
    assert info.value.file is not None
    assert Path(info.value.file).parent == TEMPLATES  # home.html, section.html...: the theme's
    assert Path(info.value.file).is_file()


# switch -> what it shows, as a count of matching elements on the article page and home page
SWITCHES: dict[str, Callable[[BeautifulSoup, BeautifulSoup], int]] = {
    "hijri": lambda story, home: (
        len(story.select(".story-date .hijri"))
        + sum(" H" in p.get_text() for p in home.select(".edition-date, .lead .card-meta"))
    ),
    "weather": lambda story, home: (
        len(story.select(".story-weather")) + len(home.select(".edition-weather"))
    ),
    "placeholder_image": lambda story, home: len(story.select(".no-image, figure.story-image")),
    "reading_time": lambda story, home: sum(
        "min read" in li.get_text() for li in story.select(".story-facts li")
    ),
}


@pytest.mark.parametrize("switch", SWITCHES)
def test_each_theme_switch_takes_out_its_element(tmp_path: Path, switch: str) -> None:
    on = bare_site(tmp_path / "on", f"\n[theme]\n{switch} = true\n")
    off = bare_site(tmp_path / "off", f"\n[theme]\n{switch} = false\n")
    incremental(on).build()
    incremental(off).build()
    shown = {root: SWITCHES[switch](page(root, STORY_PAGE), page(root, "index.html"))
             for root in (on, off)}  # fmt: skip
    assert shown[on] >= 1 and shown[off] == 0
    for other, count in SWITCHES.items():  # the other switches' elements stay
        if other != switch:
            assert count(page(off, STORY_PAGE), page(off, "index.html")) >= 1, other


def test_switching_off_renders_the_pages_again(tmp_path: Path) -> None:
    root = bare_site(tmp_path / "site")
    incremental(root).build()
    config = root / "config.toml"
    config.write_text(config.read_text() + "\n[theme]\nweather = false\n")
    again = incremental(root).build()
    assert again.rendered == again.pages
    assert not page(root, STORY_PAGE).select(".story-weather")


def test_a_misspelled_switch_is_named(tmp_path: Path) -> None:
    with pytest.raises(GazetteError, match="did you mean 'reading_time'"):
        bare_site(tmp_path / "site", "\n[theme]\nreading_times = false\n")


def test_listings_show_the_opening_words_of_a_story_without_a_summary(tmp_path: Path) -> None:
    summary = article("Bridge repairs finish early", "The bridge is open.", summary="Done early.")
    root = bare_site(tmp_path / "site")
    (root / "content/town/bridge.md").write_text(summary)
    incremental(root).build()
    cards = {
        card.select_one(".card-title").get_text(): card.select_one(".card-summary").get_text()
        for card in page(root, "town/index.html").select(".card")
    }
    assert cards["Bridge repairs finish early"] == "Done early."
    assert cards["Ferry timetable changes for the summer"].startswith("The first boat now leaves")
