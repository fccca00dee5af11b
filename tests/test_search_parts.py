"""The search index in parts: how many a site has, which part holds a story, an edit
that indexes its own part alone, and the search page merging the parts in Chromium.

A part holds up to `search_parts.PART_SIZE` stories (1,000); the tests make it a
few instead, as a site of thousands of stories would be slow to build here.
"""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from pathlib import Path

import pytest
from conftest import FIXED_NOW, SAMPLE_NOW, copy_sample_site, reading, tree_bytes
from test_parity import assert_same_as_a_clean_build
from test_search import _only_world, _search

from gazette.machine import search
from gazette.machine.search import index_records
from gazette.sinks.disk import DiskSink
from gazette.sinks.memory import MemorySink
from gazette.stages import search_parts
from gazette.stages.config import load_config
from gazette.stages.search_parts import merged_folders, part_count, part_of
from tests.cleanbuild import build

WORD = "Lanternwharf"  # only the story below has it
STORY = "world/night-ferry-lanterns.md"  # in a part past the first (asserted below)
STORY_TEXT = (
    "---\ntitle: Lantern boats light the night ferry from Dhaka\ndate: 2024-03-01 22:00\n---\n"
    f"\nBoatmen at {WORD} hung lanterns along the ferry route out of Dhaka.\n"
)


def test_the_count_of_parts_is_a_power_of_two_that_keeps_each_to_the_size() -> None:
    assert [part_count(n) for n in (0, 1, 999, 1000)] == [1, 1, 1, 1]
    assert [part_count(n) for n in (1001, 2000, 2001, 10_000, 100_000)] == [2, 2, 4, 16, 128]
    for stories in range(0, 300_000, 997):
        count = part_count(stories)
        assert count & (count - 1) == 0  # a power of two
        assert stories <= count * search_parts.PART_SIZE  # none over the size on average
        assert count == 1 or stories > count * search_parts.PART_SIZE // 2  # nor too few
    assert merged_folders(1000) == []  # a small site: one bundle, at pagefind/


def test_the_size_of_a_part_is_one_constant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_parts, "PART_SIZE", 3)
    assert [part_count(n) for n in (3, 4, 7, 12, 13)] == [1, 2, 4, 4, 8]
    assert merged_folders(7) == ["pagefind/parts/1/", "pagefind/parts/2/", "pagefind/parts/3/"]


def test_a_storys_part_follows_from_its_path_alone() -> None:
    paths = [f"world/story-{n}.md" for n in range(4000)]
    parts = [part_of(path, 16) for path in paths]
    # the same in every build, process and machine (a digest, not Python's hash())
    assert parts[:8] == [10, 15, 7, 10, 14, 11, 13, 3]
    assert [part_of(path, 1) for path in paths[:8]] == [0] * 8
    spread = Counter(parts)
    assert len(spread) == 16 and max(spread.values()) < 1.3 * len(paths) / 16
    # when the count doubles, each part splits in two
    assert all(part_of(path, 32) % 16 == part for path, part in zip(paths, parts, strict=True))


def test_a_part_of_no_story_is_an_index_of_no_page(tmp_path: Path) -> None:
    index_records([], "en", tmp_path / "primary")
    index_records([], "en", tmp_path / "merged", ui=False)
    for name in ("primary", "merged"):
        entry = json.loads((tmp_path / name / "pagefind-entry.json").read_text())
        assert entry["languages"]["en"]["page_count"] == 0
    assert (tmp_path / "primary" / "pagefind-ui.js").is_file()  # the primary has the scripts
    merged = sorted(p.name for p in (tmp_path / "merged").rglob("*"))
    assert merged[0] == "pagefind-entry.json" and merged[1].endswith(".pf_meta")
    assert len(merged) == 2


def _sample_with_story(folder: Path) -> Path:
    root = copy_sample_site(folder)
    (root / "content" / STORY).write_text(STORY_TEXT)
    return root


def _page_counts(output: Path) -> list[int]:
    """Each part's number of stories, the primary's first."""
    counts = []
    for folder in [search_parts.BUNDLE, *merged_folders(1 << 20)]:
        entry = output / folder / "pagefind-entry.json"
        if not entry.is_file():
            break
        counts.append(json.loads(entry.read_text())["languages"]["en"]["page_count"])
    return counts


def test_an_edit_indexes_its_storys_part_alone_and_gives_a_clean_builds_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_parts, "PART_SIZE", 8)
    # every build's parts made by Pagefind, none copied from this process's earlier ones
    monkeypatch.setattr(search, "_RECENT", OrderedDict())
    monkeypatch.setattr(search, "_RECENT_SIZE", 0)
    root = _sample_with_story(tmp_path / "site")
    output = root / "output"

    def built() -> list[int] | None:
        """The parts Pagefind made (None: the build looked at no index)."""
        sink = DiskSink(load_config(root / "config.toml"), output, now=SAMPLE_NOW, cache=True)
        sink.build()
        return None if sink.engine.search is None else sink.engine.search.indexed

    assert built() == [0, 1, 2, 3]
    counts = _page_counts(output)
    assert len(counts) == 4 and min(counts) > 0
    page = (output / "search" / "index.html").read_text()
    assert 'data-parts="pagefind/parts/1/ pagefind/parts/2/ pagefind/parts/3/"' in page
    assert not (output / "pagefind" / "parts" / "1" / "pagefind-ui.js").exists()
    footer = root / "templates" / "footer.html"
    footer.write_text(footer.read_text() + "\n")
    assert built() == []  # pages made again, every part kept

    story = root / "content" / "world" / "putin-kim-vostochny-summit.md"
    story.write_text(story.read_text() + "\nA closing line on the talks.\n")
    assert built() == [part_of("world/putin-kim-vostochny-summit.md", 4)]
    new = root / "content" / "sport" / "river-regatta.md"
    new.write_text("---\ntitle: A regatta on the river\ndate: 2024-03-02 09:00\n---\nOars.\n")
    assert len(counts) == part_count(sum(counts) + 1)  # premise: the count stays
    assert built() == [part_of("sport/river-regatta.md", 4)]
    assert _page_counts(output) != counts and sum(_page_counts(output)) == sum(counts) + 1
    kept = sorted(p.name for p in (root / ".gazette-cache" / "output" / "search").iterdir())
    assert len(kept) == 4  # the parts in use, no older ones

    clean = tmp_path / "clean"
    build(load_config(root / "config.toml"), clean, now=SAMPLE_NOW)
    assert tree_bytes(output) == tree_bytes(clean)


def test_the_preview_of_a_site_in_parts_serves_what_a_build_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_parts, "PART_SIZE", 8)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FIXED_NOW.timestamp())))
    root = _sample_with_story(tmp_path / "site")
    preview = MemorySink(root / "config.toml")
    preview.rebuild()
    assert preview.resource("pagefind/parts/1/pagefind-entry.json") is not None
    assert_same_as_a_clean_build(preview, root, tmp_path / "clean-0", "several parts")
    story = root / "content" / STORY
    story.write_text(story.read_text() + "\nThe last ferry left at midnight.\n")
    preview.rebuild({story})
    assert_same_as_a_clean_build(preview, root, tmp_path / "clean-1", "an edit in a part")


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site and one story more, indexed in 16 parts of about two stories,
    some of them empty (an index of no page, merged as any other)."""
    root = _sample_with_story(tmp_path_factory.mktemp("parts") / "site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_parts, "PART_SIZE", 2)
        # premises: the story is in a merged part, and World's other story with "Dhaka"
        # in another one
        assert 0 != part_of(STORY, 16) != part_of("world/rohingya-boats-aceh.md", 16)
        DiskSink(load_config(root / "config.toml"), root / "output", now=SAMPLE_NOW).build()
    counts = _page_counts(root / "output")
    assert len(counts) == 16 and 0 in counts[1:]  # premise: merged parts, empty ones too
    return root


@pytest.mark.parametrize("prefix", ["/", "/news/edition/"])
def test_the_search_page_finds_and_filters_across_parts(
    parted: Path, browser: object, prefix: str
) -> None:
    with reading(browser, parted / "output", prefix) as (page, base):
        found = _search(page, base, WORD)
        assert found == [prefix + "world/lantern-boats-light-the-night-ferry-from-dhaka/"]
        # the Bengali edition's search page, a folder further down, has the same index
        assert _search(page, base + "bn/", WORD) == found
        # a filter narrows results drawn from several parts
        everywhere = _search(page, base, "Dhaka")
        assert any("/world/" not in href for href in everywhere)
        assert sorted(_only_world(page)) == [
            prefix + "world/lantern-boats-light-the-night-ferry-from-dhaka/",
            prefix + "world/more-rohingya-boats-reach-indonesias-aceh-as-locals-push-back/",
        ]
        # a story's image, from a merged part, shown from where the site has it
        _search(page, base, "Motijheel")
        image = page.locator(".pagefind-ui__result-image").first
        image.wait_for(timeout=10_000)
        src = image.evaluate("img => img.src")
        assert src == base + "bangladesh/metro-line-6.svg"
        assert page.evaluate("src => fetch(src).then(r => r.status)", src) == 200
