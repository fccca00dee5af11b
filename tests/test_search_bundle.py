"""The search index comes out the same for the same stories, whatever order Pagefind's
hash maps gave its filter values (Pagefind/pagefind#638)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from gazette.machine import search_bundle
from gazette.machine.search import Record, index_records


def _records() -> list[Record]:
    sections = ["World", "Bangladesh", "Sport", "Business"]
    return [
        Record(
            f"story-{n}/",
            f"Story {n}",
            f"Story {n} reports on river number {n} in Khulna.",
            {"title": f"Story {n}", "date": "September 23, 2023", "section": sections[n % 4]},
            {"section": [sections[n % 4]], "year": [str(2020 + n % 3)], "author": [f"R{n % 5}"]},
            {"date": f"2023-09-{n + 1:02d}"},
        )
        for n in range(12)
    ]


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_filter_values_in_another_order_give_the_same_bundle(tmp_path: Path) -> None:
    index_records(_records(), "en", tmp_path / "one")
    canonical = _tree(tmp_path / "one")
    assert len([name for name in canonical if name.startswith("filter/")]) == 3
    # the same bundle with every filter's values reversed, as another run may write them
    shuffled = tmp_path / "two"
    shutil.copytree(tmp_path / "one", shuffled)
    for path in (shuffled / "filter").iterdir():
        name, values = search_bundle._read(path)
        data = search_bundle.SIGNATURE + search_bundle._encode([name, values[::-1]])
        path.write_bytes(gzip.compress(data))
    assert _tree(shuffled) != canonical
    assert search_bundle.make_reproducible(shuffled)
    assert _tree(shuffled) == canonical


def test_a_bundle_it_cannot_read_is_left_as_it_is(tmp_path: Path) -> None:
    index_records(_records(), "en", tmp_path / "one")
    filter_file = next((tmp_path / "one" / "filter").iterdir())
    filter_file.write_bytes(gzip.compress(b"another format"))
    before = _tree(tmp_path / "one")
    assert not search_bundle.make_reproducible(tmp_path / "one")
    assert _tree(tmp_path / "one") == before
