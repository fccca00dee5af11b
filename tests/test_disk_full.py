"""A disk that fills up mid-build: a clear error naming the folder, the published
site as it was, and a cache the next build can use (or discards)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_site, run_cli, tree_bytes


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)])
    if mounted.returncode != 0:
        pytest.skip("this machine does not let the tests mount a file system")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Take all the free space but `leave` bytes."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(filler, "wb") as file:
        file.write(b"\0" * max(0, free - leave))
    return filler


def assert_clear_failure(result: subprocess.CompletedProcess, output: Path) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    site_full = f"error: cannot write the site into {output}: No space left on device"
    if site_full in result.stderr:
        assert "MB are free there" in result.stderr
    else:  # the disk filled while the build stored converted articles
        assert f"error: cannot save the build cache in {output.parent}/.gazette-cache" in (
            result.stderr
        )


@pytest.mark.parametrize("change", ["every article", "one headline"])
def test_a_full_disk_leaves_the_published_site_and_a_usable_cache(
    tmp_path: Path, small_disk: Path, change: str
) -> None:
    site = copy_site("basic", tmp_path / "site")
    # no search index: dropping its last bundle from the cache would free the space
    with open(site / "config.toml", "a", encoding="utf-8") as config:
        config.write("\n[search]\nenabled = false\n")
    output = small_disk / "public"
    assert run_cli("--output", str(output), cwd=site).returncode == 0
    before = tree_bytes(output)
    stories = sorted((site / "content").rglob("*.md"))
    for story in stories if change == "every article" else stories[:1]:
        text = story.read_text(encoding="utf-8")
        story.write_text(text.replace("title: ", "title: Late news ", 1), encoding="utf-8")
    filler = fill(small_disk, leave=2_000)

    result = run_cli("--output", str(output), cwd=site)
    assert_clear_failure(result, output)
    assert tree_bytes(output) == before
    assert not [p.name for p in small_disk.iterdir() if p.name.startswith(".public.")]
    assert not list(output.rglob("*.gazette-new"))

    filler.unlink()
    again = run_cli("--output", str(output), cwd=site)
    assert again.returncode == 0, again.stderr
    assert "Late news " in (output / "index.html").read_text(encoding="utf-8")
    assert run_cli("--output", str(output), cwd=site).stdout.count(" 0 written") == 1


def test_a_first_build_on_a_full_disk_leaves_nothing_behind(
    tmp_path: Path, small_disk: Path
) -> None:
    site = copy_site("basic", tmp_path / "site")
    fill(small_disk, leave=30_000)
    output = small_disk / "public"
    result = run_cli("--output", str(output), cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "No space left on device" in result.stderr
    assert not output.exists()
    assert not [p.name for p in small_disk.iterdir() if p.name.startswith(".public.")]
