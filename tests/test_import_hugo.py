"""build.py import hugo: a Hugo site (tests/imports/hugo/site) into a fresh site."""

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

SOURCE = IMPORTS / "hugo" / "site"
BRIDGE = "New bridge links the island to the mainland"
WARDS = "Ward results are in"
KABADDI = "Harbour team wins the kabaddi final"


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    site = new_site(tmp_path / "site")
    run = run_import(capsys, site, "hugo", str(SOURCE))
    assert run.code == 0, run.err
    return site, run.out


def test_yaml_and_toml_files_come_over(imported: tuple[Path, str]) -> None:
    site, summary = imported
    assert "4 articles, 2 pages, 1 drafts among them, 2 files copied" in summary
    assert "Section listings, not articles" in summary and "news/_index.md" in summary
    assert "news/bridge-opens.md: Hugo shortcode {{< youtube >}} kept as written" in summary
    content = site / "content"
    bridge, body = front(content / "news" / "bridge-opens.md")
    assert bridge["date"] == "2023-04-02 10:00+06:00"
    assert bridge["updated"] == "2023-04-03 08:30+06:00"
    assert bridge["aliases"] == ["/news/bridge-opens/", "/2023/04/bridge-opens/", "/news/bridge/"]
    assert bridge["categories"] == ["Infrastructure"] and bridge["weather_note"] == "windy"
    assert "![The bridge at dawn](bridge.png)" in body
    assert "*The bridge before its opening ceremony.*" in body
    assert (content / "news" / "bridge-opens" / "bridge.png").is_file()
    wards, body = front(content / "news" / "ward-results-2023.md")  # TOML, a page bundle
    assert wards["date"] == "2023-05-14 21:15+06:00" and wards["tags"] == ["election"]
    assert "![Map of the nine wards](map.png)" in body
    assert (content / "news" / "ward-results-2023" / "map.png").is_file()
    kabaddi, _ = front(content / "sport" / "kabaddi-final.md")
    assert kabaddi["aliases"] == ["/sport/2023/kabaddi/"] and kabaddi["author"] == "Sumon Das"
    # Hugo's own 'source' is not Gazette's credit line: kept under another name
    assert kabaddi["original_source"] == {"name": "District sports office"}
    assert "source" not in kabaddi
    chess, _ = front(content / "sport" / "chess-camp.md")
    assert chess["draft"] is True
    privacy, _ = front(content / "pages" / "privacy.md")
    assert privacy["url"] == "/legal/privacy/"
    assert not (content / "news" / "_index.md").exists()


def test_the_imported_site_builds_and_old_urls_still_work(imported: tuple[Path, str]) -> None:
    site, _ = imported
    output = build(site)
    page = assert_story(output, "/news/bridge-opens/", BRIDGE, "for the first time on Sunday")
    assert "bridge.png" in {img["src"] for img in page.select("article img")}
    assert_story(output, "/news/ward-results-2023/", WARDS, "all nine wards")
    assert_story(output, "/sport/kabaddi-final/", KABADDI, "by six points")
    assert_story(output, "/legal/privacy/", "Privacy", "no records")
    assert_story(output, "/about/", "About the Dispatch", "southern coast")
    assert_absent(output, "Chess camp for schoolchildren")
    assert_old_urls_resolve(
        output,
        {
            "/2023/04/bridge-opens/": BRIDGE,
            "/news/bridge/": BRIDGE,
            "/sport/2023/kabaddi/": KABADDI,
        },
    )
