"""build.py import jekyll: a Jekyll site (tests/imports/jekyll/site) into a fresh site."""

from __future__ import annotations

from pathlib import Path

import pytest

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

SOURCE = IMPORTS / "jekyll" / "site"
MONSOON = "Forecasters expect an early monsoon"
STRIKE = "Port strike ends after two days"


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    site = new_site(tmp_path / "site")
    run = run_import(capsys, site, "jekyll", str(SOURCE))
    assert run.code == 0, run.err
    return site, run.out


def test_posts_drafts_and_pages_come_over(imported: tuple[Path, str]) -> None:
    site, summary = imported
    assert "3 articles, 2 pages, 1 drafts among them, 1 files copied" in summary
    assert "index.html: the site's front page; Gazette makes its own" in summary
    content = site / "content"
    monsoon, body = front(content / "weather" / "monsoon-forecast.md")
    assert monsoon["date"] == "2022-03-04 00:00+06:00"  # from the file name, in _config's zone
    assert monsoon["image"] == "monsoon-forecast/clouds.png"
    assert monsoon["aliases"] == ["/weather/2022/03/04/monsoon-forecast/"]  # permalink: pretty
    assert monsoon["layout"] == "post"
    assert "![Clouds over the paddy fields](clouds.png)" in body
    strike, _ = front(content / "business" / "port-strike-ends.md")
    assert strike["date"] == "2022-05-20 18:45+06:00"
    assert strike["authors"] == ["Imran Hossain", "Nasrin Akter"]
    assert strike["tags"] == ["shipping", "labour"]
    assert strike["categories"] == ["business", "world"]
    assert strike["aliases"] == ["/port/strike-ends.html"]
    assert strike["summary"] == "Crane operators went back to work after a pay deal."
    fares, _ = front(content / "business" / "ferry-fares.md")
    assert fares["draft"] is True and "aliases" not in fares
    about, _ = front(content / "pages" / "about.md")
    assert about["aliases"] == ["/about-us/"]
    contact, body = front(content / "pages" / "contact.md")
    assert contact["aliases"] == ["/contact/"] and "| News | 12 |" in body


def test_the_imported_site_builds_and_old_urls_still_work(imported: tuple[Path, str]) -> None:
    site, _ = imported
    output = build(site)
    assert_story(output, "/weather/monsoon-forecast/", MONSOON, "boro harvest")
    assert_story(output, "/business/port-strike-ends/", STRIKE, "crane operators accepted")
    assert_story(output, "/about/", "About Delta Weekly", "small team in Barishal")
    assert_absent(output, "Ferry fares may rise")
    assert_old_urls_resolve(
        output,
        {
            "/weather/2022/03/04/monsoon-forecast/": MONSOON,
            "/port/strike-ends.html": STRIKE,
            "/about-us/": "About Delta Weekly",
            "/contact/": "Contact",
        },
    )
