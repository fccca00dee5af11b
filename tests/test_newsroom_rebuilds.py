"""The authors data file, bylines, corrections and series under edits: a build kept
alive, one restarted from its cache and the preview all equal a clean build, byte
for byte, whatever the sequence (the incremental and parity contracts)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXED_NOW, copy_site, tree_bytes
from test_incremental import clean_build, differences
from test_parity import assert_same_as_a_clean_build

from gazette.sinks.disk import DiskSink
from gazette.sinks.memory import MemorySink
from gazette.stages.config import load_config

PEOPLE = ["Farhan Ahmed", "Nadia Rahman", "Tanvir Hasan", "Rumana Akter"]


def _site(tmp_path: Path) -> Path:
    root = copy_site("basic", tmp_path / "site")
    (root / "data").mkdir()
    (root / "data" / "authors.toml").write_text(
        '["Nadia Rahman"]\nrole = "Staff Correspondent, Dhaka"\n', encoding="utf-8"
    )
    return root


def _stories(root: Path) -> list[Path]:
    return sorted(p for p in (root / "content").rglob("*.md") if "draft" not in p.name)


def _set_key(path: Path, key: str, value: str | None) -> None:
    """Replace (or add, or with None remove) one top-level front matter key."""
    text = re.sub(rf"(?m)^{key}:.*\n(?:  .*\n)*", "", path.read_text(encoding="utf-8"))
    if value is not None:
        text = text.replace("---\n", f"---\n{key}: {value}\n", 1)
    path.write_text(text, encoding="utf-8")


def _profile(rng: random.Random, root: Path) -> str:
    """A person's role, slug or bio changed, added or taken out of the data file."""
    lines = []
    for name in rng.sample(PEOPLE, rng.randint(0, len(PEOPLE))):
        lines.append(f'["{name}"]')
        lines.append(f'role = "Reporter {rng.randint(0, 9)}"')
        if rng.random() < 0.4:
            lines.append(f'slug = "{name.split()[0].lower()}-{rng.randint(0, 3)}"')
        if rng.random() < 0.4:
            lines.append('social = ["https://social.example/@x"]')
    (root / "data" / "authors.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "authors data file"


def _no_data_file(rng: random.Random, root: Path) -> str:
    (root / "data" / "authors.toml").unlink(missing_ok=True)
    return "authors data file removed"


def _bylines(rng: random.Random, root: Path) -> str:
    path = rng.choice(_stories(root))
    names = rng.sample(PEOPLE, rng.randint(1, 3))
    _set_key(path, "author", None)
    _set_key(path, "authors", "[" + ", ".join(names) + "]")
    return f"bylines of {path.name}"


def _correction(rng: random.Random, root: Path) -> str:
    path = rng.choice(_stories(root))
    date = re.search(r"(?m)^date: (\d{4}-\d\d-\d\d)", path.read_text()).group(1)  # type: ignore[union-attr]
    key = rng.choice(["corrections", "updates"])
    value = f"[{{date: {date} 23:59, text: Fixed number {rng.randint(0, 99)}.}}]"
    _set_key(path, key, value if rng.random() < 0.8 else None)
    return f"{key} of {path.name}"


def _series(rng: random.Random, root: Path) -> str:
    path = rng.choice(_stories(root))
    _set_key(path, "series", rng.choice(["Quake", "Budget", None]))
    return f"series of {path.name}"


def _kind(rng: random.Random, root: Path) -> str:
    path = rng.choice(_stories(root))
    _set_key(path, "type", rng.choice(["opinion", "analysis", "news"]))
    _set_key(path, "kicker", rng.choice(["Exclusive", None]))
    return f"type of {path.name}"


EDITS: list[Callable[[random.Random, Path], str]] = [
    _profile, _profile, _no_data_file, _bylines, _correction, _series, _kind,
]  # fmt: skip


@pytest.mark.parametrize("seed", [3, 4])
def test_newsroom_edits_rebuild_as_clean_builds(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    root = _site(tmp_path)
    options = {"now": FIXED_NOW, "jobs": 1}
    live = DiskSink(load_config(root / "config.toml"), tmp_path / "live", **options)
    live.build()
    for step in range(8):
        before = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
        what = rng.choice(EDITS)(rng, root)
        after = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        live.build(changed)  # told which files changed, as the watcher tells
        config = load_config(root / "config.toml")
        DiskSink(config, tmp_path / "disk", cache=True, **options).build()
        expected = clean_build(root, tmp_path / f"clean-{step}")
        assert differences(tree_bytes(tmp_path / "live"), expected) == [], what
        assert differences(tree_bytes(tmp_path / "disk"), expected) == [], what


def test_an_edit_to_a_profile_rewrites_only_the_pages_that_show_it(tmp_path: Path) -> None:
    root = _site(tmp_path)
    sink = DiskSink(load_config(root / "config.toml"), tmp_path / "out", now=FIXED_NOW)
    sink.build()
    data = root / "data" / "authors.toml"
    data.write_text('["Nadia Rahman"]\nrole = "Chief Correspondent"\n', encoding="utf-8")
    result = sink.build({data})
    pages = sorted(p for p in result.changed if p.endswith(".html"))
    # her author page and her two stories, which show her role; nothing else
    assert pages[0] == "author/nadia-rahman/index.html"
    assert len(pages) == 3
    assert all("Chief Correspondent" in (tmp_path / "out" / p).read_text() for p in pages)


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FIXED_NOW.timestamp())))


@pytest.mark.parametrize("told", [True, False])
def test_the_preview_follows_the_data_file(tmp_path: Path, told: bool, pinned_clock: None) -> None:
    rng = random.Random(7)
    root = _site(tmp_path)
    preview = MemorySink(root / "config.toml")
    preview.rebuild()
    assert_same_as_a_clean_build(preview, root, tmp_path / "clean-0", "first look")
    for step in range(1, 6):
        before = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
        what = rng.choice(EDITS)(rng, root)
        after = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        preview.rebuild(changed if told else None)
        assert_same_as_a_clean_build(preview, root, tmp_path / f"clean-{step}", what)
