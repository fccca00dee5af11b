"""Search: the index Pagefind makes of the stories, and the search page in Chromium.

Whole-site tests read the built index the way the search page's script does
(through Pagefind's own pagefind.js, in the browser); the browser tests type
into the page as a reader would, at a domain root and under a sub-path.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_NOW, copy_sample_site, reading

from gazette.errors import GazetteError
from gazette.sinks.disk import DiskSink
from gazette.sinks.memory import MemorySink
from gazette.stages.config import load_config
from tests.cleanbuild import build
from tests.sitekit import article, build_site_into

ARABIC_WORD = "فوستوتشني"  # only the Arabic story has it
BENGALI_WORD = "ছায়ানটের"  # only the Bengali story has it


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample_site(tmp_path_factory.mktemp("search") / "site")
    DiskSink(load_config(root / "config.toml"), root / "output", now=SAMPLE_NOW).build()
    return root


# Results shown, and none still loading (Pagefind shows a result's place, then its
# link once its data is in: the first link is not yet every result).
LOADED = (
    "document.querySelector('.pagefind-ui__result-link') !== null"
    " && document.querySelector('.pagefind-ui__result .pagefind-ui__loading') === null"
)


def _search(page: object, base: str, query: str, filters: str = "") -> list[str]:
    """Type `query` into the search page, as a reader does; the result links, in order."""
    page.goto(base + "search/" + filters)  # type: ignore[attr-defined]
    box = page.locator(".pagefind-ui__search-input")  # type: ignore[attr-defined]
    box.fill(query)
    page.wait_for_function(f"() => {LOADED}", timeout=10_000)  # type: ignore[attr-defined]
    links = page.locator(".pagefind-ui__result-link")  # type: ignore[attr-defined]
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def _only_world(page: object) -> list[str]:
    """Tick the World section's filter, as a reader does; the result links once all are
    World's stories."""
    page.locator("summary.pagefind-ui__filter-name", has_text="Section").click()  # type: ignore[attr-defined]
    page.locator("input.pagefind-ui__filter-checkbox[name=section][value=World]").check()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const links = [...document.querySelectorAll('.pagefind-ui__result-link')];"
        f" return {LOADED} && links.every(a => a.href.includes('/world/')); }}",
        timeout=10_000,
    )
    links = page.locator(".pagefind-ui__result-link")  # type: ignore[attr-defined]
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


@pytest.mark.parametrize("prefix", ["/", "/news/edition/"])
def test_search_page_finds_the_story_that_has_the_word(
    sample: Path, browser: object, prefix: str
) -> None:
    with reading(browser, sample / "output", prefix) as (page, base):
        found = _search(page, base, "Vostochny")
        assert found, "no results"
        first = page.locator(".pagefind-ui__result-link").first
        first.click()
        page.wait_for_load_state()
        assert page.url.startswith(base + "world/")
        assert "Vostochny" in page.locator("h1").inner_text()
        # Bengali and Arabic words find their own stories from the same box
        bengali = _search(page, base, BENGALI_WORD)
        assert len(bengali) == 1 and "pohela-boishakh-1431" in bengali[0]
        arabic = _search(page, base, ARABIC_WORD)
        assert len(arabic) == 1 and "putin-kim-vostochny-ar" in arabic[0]
        # the masthead's Search link on any page leads to the box, ready to type in
        page.goto(base + "business/")
        page.click(".nav-search a")
        page.wait_for_selector(".pagefind-ui__search-input:focus", timeout=10_000)
        assert page.url.startswith(base + "search/")
        page.keyboard.type("Vladivostok")
        page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
        # and a ?q= in the address (a link from elsewhere) searches at once
        page.goto(base + "search/?q=Vladivostok")
        page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)


def test_a_section_filter_narrows_the_results(sample: Path, browser: object) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with reading(browser, sample / "output") as (page, base):
        everywhere = _search(page, base, "Dhaka")
        assert any("/world/" not in href for href in everywhere)  # not all from World
        section = page.locator("summary.pagefind-ui__filter-name", has_text="Section")  # type: ignore[attr-defined]
        try:
            section.wait_for(timeout=10_000)
        except PlaywrightTimeout:
            # On a loaded machine Pagefind's UI has shown the results without its filter
            # panel (its filters load on their own): a reader would reload, and so do we.
            _search(page, base, "Dhaka")
        narrowed = _only_world(page)
        assert narrowed and all("/world/" in href for href in narrowed)


def test_the_index_covers_every_story_and_no_listing(sample: Path) -> None:
    out = sample / "output"
    entry = (out / "pagefind" / "pagefind-entry.json").read_text()
    articles = [p for p in (sample / "content").rglob("*.md") if "pages" not in p.parts]
    drafts = [p for p in articles if "draft: true" in p.read_text()]
    assert f'"page_count":{len(articles) - len(drafts)}' in entry.replace(" ", "")
    assert (out / "search" / "index.html").is_file()


def test_a_no_op_rebuild_does_not_index_again(sample: Path, tmp_path: Path) -> None:
    root = copy_sample_site(tmp_path / "site")
    # a story of its own, so that no index of this process's other builds fits it
    (root / "content" / "world" / "harbour-night.md").write_text(
        "---\ntitle: Night shift at the harbour\ndate: 2024-03-01 22:00\n---\nCranes ran late.\n"
    )
    config = load_config(root / "config.toml")
    first = DiskSink(config, root / "output", now=SAMPLE_NOW, cache=True).build()
    assert first.search_seconds > 0 and "search index" in first.summary()
    bundle = root / "output" / "pagefind"
    files = {p: p.stat().st_mtime_ns for p in bundle.rglob("*")}
    data = {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    again = DiskSink(config, root / "output", now=SAMPLE_NOW, cache=True).build()
    assert again.search_seconds == 0 and "search index" not in again.summary()
    assert {p: p.stat().st_mtime_ns for p in bundle.rglob("*")} == files  # not touched
    template = root / "templates" / "footer.html"
    template.write_text(template.read_text() + "\n")
    third = DiskSink(load_config(root / "config.toml"), root / "output", cache=True,
                     now=SAMPLE_NOW).build()  # fmt: skip
    assert third.rendered > 0 and third.search_seconds == 0  # pages, not the index
    assert {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file()} == data


def test_search_switched_off_needs_no_indexer(tmp_path: Path) -> None:
    root = copy_sample_site(tmp_path / "site")
    config = root / "config.toml"
    config.write_text(config.read_text() + "\n[search]\nenabled = false\n")
    build(load_config(config), root / "output", now=SAMPLE_NOW)
    assert not (root / "output" / "pagefind").exists()
    assert not (root / "output" / "search").exists()
    home = (root / "output" / "index.html").read_text()
    assert "nav-search" not in home and 'href="./search/"' not in home


def test_a_missing_indexer_stops_the_build_and_leaves_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_sample_site(tmp_path / "site")
    out = root / "output"
    build(load_config(root / "config.toml"), out, now=SAMPLE_NOW)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    story = next((root / "content" / "world").glob("*.md"))
    story.write_text(story.read_text() + "\nA new closing line.\n")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(GazetteError) as failed:
        build(load_config(root / "config.toml"), out, now=SAMPLE_NOW)
    assert "search" in str(failed.value) and "Pagefind" in str(failed.value)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_the_preview_indexes_drafts_and_follows_edits(tmp_path: Path) -> None:
    root = copy_sample_site(tmp_path / "site")
    preview = MemorySink(root / "config.toml", include_drafts=True)
    assert preview.rebuild().error is None

    def stories() -> int:
        entry = preview.resource("pagefind/pagefind-entry.json")
        assert entry is not None
        return int(json.loads(entry.data)["languages"]["en"]["page_count"])

    published = [p for p in (root / "content").rglob("*.md") if "pages" not in p.parts]
    assert stories() == len(published)  # drafts and future stories too, with --drafts
    new = root / "content" / "world" / "late-ferry.md"
    new.write_text("---\ntitle: A late ferry docks at Sadarghat\ndate: 2024-01-02 08:00\n---\n"
                   "Passengers waited through the fog.\n")  # fmt: skip
    assert preview.rebuild({new}).error is None
    assert stories() == len(published) + 1


def test_names_with_diacritics_and_phrases_are_found_either_way(
    tmp_path: Path, browser: object
) -> None:
    story = article(
        "A delegation from Zürich visits the river port",
        "Officials from Zürich and São Paulo toured the port with Renée Côté.",
    )
    other = article("Rain floods the low streets", "Water stood in the lanes of the old town.")
    out = build_site_into(
        tmp_path, {"content/world/zurich.md": story, "content/world/rain.md": other}
    )
    with reading(browser, out) as (page, base):
        for query in ["Zürich", "zurich", "Sao Paulo", "Renee Cote", '"the river port"']:
            found = _search(page, base, query)
            assert len(found) == 1 and "zurich" in found[0], query
