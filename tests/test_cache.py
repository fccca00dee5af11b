"""The text store (gazette.engine.cache.TextStore): rendered bodies kept on disk, each row
checked before it is used, so a damaged store costs a conversion, never a wrong page."""

from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path

import pytest
from conftest import FIXED_NOW, copy_site, make_article, tree_bytes

from gazette.engine.cache import (
    RENDERING_LIBRARIES,
    TEXTS,
    TextStore,
    cache_dir_for,
    library_versions,
)
from gazette.sinks.disk import DiskSink
from gazette.stages.config import load_config
from tests.cleanbuild import build


def test_rows_round_trip_and_unused_ones_are_dropped(tmp_path: Path) -> None:
    store = TextStore(tmp_path / TEXTS)
    store.put([("a", "<p>Alpha</p>", ""), ("b", "<p>Beta</p>", "<ul></ul>")])
    assert store.get("a") == ("<p>Alpha</p>", "")
    assert store.get("b") == ("<p>Beta</p>", "<ul></ul>")
    assert store.get("c") is None
    store.keep_only({"b"})
    assert store.get("a") is None and store.get("b") is not None


def test_a_tampered_row_is_not_served(tmp_path: Path) -> None:
    store = TextStore(tmp_path / TEXTS)
    store.put([("a", "<p>Alpha</p>", "")])
    store.close()
    with sqlite3.connect(tmp_path / TEXTS) as db:
        db.execute("UPDATE texts SET html = '<p>Forged</p>' WHERE key = 'a'")
    assert TextStore(tmp_path / TEXTS).get("a") is None


def test_a_store_that_is_not_a_database_reads_as_empty(tmp_path: Path) -> None:
    (tmp_path / TEXTS).write_bytes(b"not a database at all" * 100)
    assert TextStore(tmp_path / TEXTS).get("a") is None


def test_build_with_tampered_texts_still_matches_a_clean_build(tmp_path: Path) -> None:
    """Every stored body is forged, then every page must be rendered again (a template
    changed): the build converts the Markdown again rather than print the forgeries."""
    root = copy_site("basic", tmp_path / "site")
    out = tmp_path / "out"
    DiskSink(load_config(root / "config.toml"), out, now=FIXED_NOW, cache=True).build()
    store = cache_dir_for(out) / TEXTS
    with sqlite3.connect(store) as db:
        assert db.execute("UPDATE texts SET html = '<p>FORGED</p>'").rowcount > 0
    template = root / "templates" / "article.html"
    template.write_text(template.read_text().replace("{% block main %}", "{% block main %} "))
    DiskSink(load_config(root / "config.toml"), out, now=FIXED_NOW, cache=True).build()
    pages = tree_bytes(out)
    assert not any(b"FORGED" in data for data in pages.values())
    build(load_config(root / "config.toml"), tmp_path / "clean", now=FIXED_NOW)
    assert pages == tree_bytes(tmp_path / "clean")


def test_a_store_that_is_not_a_database_is_replaced(tmp_path: Path) -> None:
    (tmp_path / TEXTS).write_bytes(b"not a database at all" * 100)
    store = TextStore(tmp_path / TEXTS)
    store.put([("a", "<p>Alpha</p>", "")])
    assert store.get("a") == ("<p>Alpha</p>", "")


def test_a_cache_of_another_version_takes_its_compiled_templates_with_it(
    tmp_path: Path,
) -> None:
    """Jinja keys compiled templates by their source alone, not by the filters Gazette
    gives them: a compiled template of another version could call a filter as that
    version had it (seen: 'missing 1 required positional argument')."""
    root = copy_site("basic", tmp_path / "site")
    out = tmp_path / "out"
    DiskSink(load_config(root / "config.toml"), out, now=FIXED_NOW, cache=True).build()
    folder = cache_dir_for(out)
    compiled = sorted((folder / "templates").iterdir())
    assert compiled
    stale = folder / "templates" / "from-another-version.cache"
    stale.write_bytes(b"compiled by another version")
    stamp = json.loads((folder / "stamp.json").read_text())
    (folder / "stamp.json").write_text(json.dumps({**stamp, "code": "another version"}))
    DiskSink(load_config(root / "config.toml"), out, now=FIXED_NOW, cache=True).build()
    assert not stale.exists()
    assert sorted((folder / "templates").iterdir())  # compiled again by this version


def test_library_versions_are_those_importlib_metadata_gives() -> None:
    """The cache is void when a library that renders changes version; the quick reading
    of metadata folders' names must agree with Python's own."""
    from importlib import metadata

    found = library_versions(RENDERING_LIBRARIES)
    assert found == {name: metadata.version(name) for name in RENDERING_LIBRARIES}


def test_the_first_library_on_the_path_wins_and_a_missing_one_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Markdown-0.1.dist-info").mkdir()  # as a newer install earlier on the path
    (tmp_path / "python_slugify-0.2-py3.11.egg-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    found = library_versions(("markdown", "python-slugify", "no-such-library"))
    assert found == {"markdown": "0.1", "python-slugify": "0.2", "no-such-library": "?"}


def test_an_article_comes_back_from_the_cache_as_it_went_in() -> None:
    """Articles are pickled as their fields' values: every field returns, and what
    `__post_init__` derived from a body the cache does not keep stays as it was."""
    from gazette.engine.sources import lean

    article = make_article(title="Summit", body="Leaders met in the port city today.")
    article.tags, article.extra, article.url = ("ports",), {"desk": "night"}, "world/summit/"
    kept = lean(article, "<p>Leaders met in the port city today.</p>")
    back = pickle.loads(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == kept and back is not kept
    assert back.body == "" and back.words == article.words == 7
    assert back.opening == "Leaders met in the port city today."
