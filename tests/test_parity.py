"""Preview equals build: after any sequence of edits, every URL the memory sink (serve)
answers is byte for byte the file a clean disk build (build) writes, machine files
included, and it answers no URL the build does not write."""

from __future__ import annotations

import random
import re
import tempfile
from pathlib import Path

import pytest
from conftest import FIXED_NOW, copy_sample_site, copy_site, tree_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_incremental import EDITS, _articles

from gazette.errors import GazetteError
from gazette.sinks.memory import MemorySink
from gazette.stages.config import load_config
from tests.cleanbuild import build


def _headline_and_slug(rng: random.Random, root: Path) -> str:
    """A new headline on an article that sets `slug:`, so its URL stays put."""
    path = rng.choice(_articles(root))
    text = re.sub(r"(?m)^slug: .*\n", "", path.read_text())
    number = rng.randint(0, 999)
    text = re.sub(r"(?m)^title: .*$", f"title: Kept-URL headline {number}", text)
    path.write_text(text.replace("---\n", f"---\nslug: kept-url-{number % 7}\n", 1))
    return f"headline and slug of {path.name}"


def _static(rng: random.Random, root: Path) -> str:
    """A stylesheet or a script edited, or a new file in static/."""
    choice = rng.choice(["style.css", "extra.js", "note.txt"])
    path = root / "static" / choice
    old = path.read_text() if path.exists() else ""
    path.write_text(old + f"/* revision {rng.randint(0, 999)} */\n")
    return f"static {choice}"


ALL_EDITS = [*EDITS, _headline_and_slug, _static]


def url_of(output_path: str) -> str:
    """The URL a browser asks for to get this file ("world/x/" for world/x/index.html)."""
    return (
        output_path.removesuffix("index.html")
        if output_path.endswith("index.html")
        else (output_path)
    )


def assert_same_as_a_clean_build(preview: MemorySink, root: Path, folder: Path, what: str) -> None:
    try:
        build(load_config(root / "config.toml"), folder, now=FIXED_NOW)
    except GazetteError as exc:  # an edit can break the site (an image left behind)
        assert str(preview.error) == str(exc), what  # the preview says what the build says
        return
    assert preview.error is None, f"{what}: {preview.error}"
    built = tree_bytes(folder)
    assert preview.paths() == sorted(built), what
    for path, data in built.items():
        served = preview.resource(url_of(path))
        assert served is not None, f"{what}: /{path} not served"
        assert served.data == data, f"{what}: /{path} differs from the build's"


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both sinks read 'now' from SOURCE_DATE_EPOCH, as reproducible builds do."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FIXED_NOW.timestamp())))


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(st.sampled_from(ALL_EDITS), min_size=1, max_size=6),
    seed=st.integers(0, 2**16),
    told=st.booleans(),
)
def test_any_edit_sequence_serves_what_a_clean_build_writes(
    edits: list, seed: int, told: bool
) -> None:
    """`told`: the preview is given the changed paths (as the watcher gives them), or
    left to look at everything."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as work:
        root = copy_site("basic", Path(work) / "site")
        preview = MemorySink(root / "config.toml")
        preview.rebuild()
        assert_same_as_a_clean_build(preview, root, Path(work) / "clean-0", "first look")
        for step, edit in enumerate(edits, 1):
            before = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
            what = edit(rng, root)
            after = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
            changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
            preview.rebuild(changed if told else None)
            assert_same_as_a_clean_build(preview, root, Path(work) / f"clean-{step}", what)


def test_a_site_in_three_editions_serves_what_a_clean_build_writes() -> None:
    """The sample site (English, Bengali, Arabic editions): after an edit to a Bengali
    story, a new Arabic one and an edit to config.toml's Arabic edition."""
    with tempfile.TemporaryDirectory() as work:
        root = copy_sample_site(Path(work) / "site")
        preview = MemorySink(root / "config.toml")
        preview.rebuild()
        assert_same_as_a_clean_build(preview, root, Path(work) / "clean-0", "three editions")
        story = root / "content" / "bn" / "world" / "kim-vladivostok-bombers.md"
        story.write_text(story.read_text().replace("ছড়ানো মেঘ", "মেঘলা আকাশ"))
        new = root / "content" / "ar" / "world" / "putin-kim-second-day.md"
        new.write_text("---\ntitle: اليوم الثاني\ndate: 2023-09-14 10:00\n---\n\nنص قصير.\n")
        config = root / "config.toml"
        config.write_text(config.read_text().replace('title = "دكا ليدجر"', 'title = "ليدجر"'))
        preview.rebuild({story, new, config})
        assert_same_as_a_clean_build(preview, root, Path(work) / "clean-1", "edits")
