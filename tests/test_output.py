"""Publishing: whole-site swap, unchanged files kept as they were, stale files removed."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import tree_bytes

from gazette.errors import GazetteError
from gazette.sinks.output_dir import staging_dir
from gazette.sinks.output_files import finish_patch, patch, published_state, survey
from gazette.stages.assets import OutputFile
from tests.cleanbuild import publish


def files(**contents: str) -> list[OutputFile]:
    return [OutputFile(name.replace("__", "/"), text.encode()) for name, text in contents.items()]


def test_first_publish_writes_everything(tmp_path: Path) -> None:
    out = tmp_path / "output"
    report = publish(out, files(index_html="home", world__index_html="world"))
    assert tree_bytes(out) == {"index_html": b"home", "world/index_html": b"world"}
    assert (report.written, report.unchanged, report.removed) == (2, 0, 0)


def test_unchanged_files_keep_inode_and_mtime(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish(out, files(a="same", b="old"))
    os.utime(out / "a", (1_000_000_000, 1_000_000_000))
    before = (out / "a").stat()
    report = publish(out, files(a="same", b="new"))
    after = (out / "a").stat()
    assert (after.st_ino, after.st_mtime) == (before.st_ino, 1_000_000_000)
    assert (out / "b").read_bytes() == b"new"
    assert (report.written, report.unchanged) == (1, 1)


def test_nothing_changed_touches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish(out, files(a="x"))
    inode = out.stat().st_ino
    report = publish(out, files(a="x"))
    assert (report.written, report.removed) == (0, 0)
    assert out.stat().st_ino == inode


def test_stale_files_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish(out, files(a="x", old__index_html="gone soon"))
    report = publish(out, files(a="x"))
    assert tree_bytes(out) == {"a": b"x"}
    assert not (out / "old").exists()
    assert report.removed == 1


def test_failure_while_writing_leaves_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish(out, files(a="x", b="y"))
    before = tree_bytes(out)

    def failing() -> Iterator[OutputFile]:
        yield OutputFile("a", b"changed")
        raise GazetteError("template error", file="templates/t.html", line=3)

    with pytest.raises(GazetteError):
        publish(out, failing())
    assert tree_bytes(out) == before
    assert not staging_dir(out.absolute()).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_two_outputs_on_one_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteError, match="two outputs"):
        publish(tmp_path / "output", [OutputFile("a", b"1"), OutputFile("a", b"2")])


def test_leftover_staging_from_a_killed_build_is_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "output"
    leftover = staging_dir(out.absolute())
    leftover.mkdir()
    (leftover / "junk").write_text("half written")
    publish(out, files(a="x"))
    assert not leftover.exists()
    assert tree_bytes(out) == {"a": b"x"}


def test_patch_replaces_files_whole_and_prunes_emptied_folders(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish(out, files(a="old", keep__x="x", keep__y="y", gone__deep__z="z"))
    elsewhere = tmp_path / "held"  # another name for the old file, as the spare version has
    os.link(out / "a", elsewhere)
    journal = tmp_path / "journal"
    changes = [("a", b"new", "d1"), ("fresh/b", b"b", "d2")]
    entries = patch(out, changes, ["gone/deep/z", "keep/x"], journal)
    assert not journal.exists()
    assert tree_bytes(out) == {"a": b"new", "fresh/b": b"b", "keep/y": b"y"}
    assert elsewhere.read_bytes() == b"old"  # replaced by a rename, never written into
    assert not (out / "gone").exists() and (out / "keep").is_dir()
    assert entries["a"].digest == "d1" and entries["a"].inode == (out / "a").stat().st_ino
    assert sorted(entries) == ["a", "fresh/b"]


def test_patch_refuses_a_path_outside_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish(out, files(a="x"))
    with pytest.raises(GazetteError, match="outside the output folder"):
        patch(out, [("a", b"new", "d"), ("../escape", b"no", "d")], [], tmp_path / "journal")
    assert not (tmp_path / "escape").exists()
    assert tree_bytes(out) == {"a": b"x"}


def test_a_patch_that_fails_writing_leaves_output_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish(out, files(a="old", b="b"))
    changes = [("a", b"new", "d1"), ("b/c", b"c", "d2")]  # b is a file: no folder there
    with pytest.raises(OSError):
        patch(out, changes, ["b"], tmp_path / "journal")
    assert tree_bytes(out) == {"a": b"old", "b": b"b"}  # no hidden file left either
    assert not (tmp_path / "journal").exists()


def test_a_patch_killed_while_renaming_is_finished_by_the_next_build(tmp_path: Path) -> None:
    out, journal = tmp_path / "output", tmp_path / "journal"
    publish(out, files(a="old", b="old", c="gone"))
    (out / ".a.gazette-new").write_bytes(b"new")  # a: renamed already, b: not yet
    (out / "a").write_bytes(b"new")
    (out / ".b.gazette-new").write_bytes(b"new")
    steps = [[".a.gazette-new", "a"], [".b.gazette-new", "b"]]
    journal.write_text(json.dumps({"state": "renaming", "steps": steps, "removed": ["c"]}))
    (out / ".a.gazette-new").unlink()
    finish_patch(out, journal)
    assert tree_bytes(out) == {"a": b"new", "b": b"new"}
    assert not journal.exists()


def test_a_patch_killed_while_writing_is_undone_by_the_next_build(tmp_path: Path) -> None:
    out, journal = tmp_path / "output", tmp_path / "journal"
    publish(out, files(a="old", b="old"))
    (out / ".a.gazette-new").write_bytes(b"new")
    steps = [[".a.gazette-new", "a"], [".b.gazette-new", "b"]]
    journal.write_text(json.dumps({"state": "writing", "steps": steps, "removed": ["b"]}))
    finish_patch(out, journal)
    assert tree_bytes(out) == {"a": b"old", "b": b"old"}
    assert not journal.exists()


def test_survey_lists_only_folders_whose_time_moved(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish(out, files(a="1", one__b="2", one__two__c="3", three__d="4"))
    for folder in (out, out / "one", out / "one" / "two", out / "three"):
        os.utime(folder, ns=(10**18, 10**18))  # long before any change below
    manifest = {p: published_state(out / p, "x") for p in ("a", "one/b", "one/two/c", "three/d")}
    first = survey(out, manifest)
    assert sorted(first.found) == sorted(manifest) and first.valid == manifest
    again = survey(out, manifest, first.folders)
    assert (sorted(again.found), again.valid, again.folders) == (
        sorted(first.found),
        first.valid,
        first.folders,
    )
    (out / "one" / "two" / "stray").write_text("added")  # moves its folder's time
    (out / "three" / "d").write_text("edited in place")  # moves only the file's
    (out / "one" / "b").unlink()
    later = survey(out, manifest, first.folders)
    assert sorted(later.found) == ["a", "one/two/c", "one/two/stray", "three/d"]
    assert sorted(later.valid) == ["a", "one/two/c"]
    # what the saving rests on: a folder whose time did not move is not listed again
    (out / "a-sneaky-file").write_text("added")
    os.utime(out, ns=(10**18, 10**18))
    assert "a-sneaky-file" not in survey(out, manifest, first.folders).found
    assert "a-sneaky-file" in survey(out, manifest).found
