"""Builds of one site started together, or killed at any moment, leave output/ one
whole build: the build lock, the stage swap and the patch journal."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sitekit import ROOT, article, make_site

from gazette.engine.cache import cache_root
from gazette.sinks.disk import DiskSink
from gazette.sinks.lock import build_lock
from gazette.sinks.output_files import finish_patch
from gazette.stages.config import load_config

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1695600000"}


def story(n: int, edition: int = 0) -> str:
    body = f"Edition {edition} of story {n}: the council argued about the budget. " * 20
    return article(
        f"Story {n} in edition {edition}" if n % 50 == 0 else f"Story number {n}",
        body,
        date=f"2023-09-{1 + n % 28:02d} {n % 24:02d}:00",
        tags=f"[topic-{n % 30}]",
    )


def corpus(count: int) -> dict[str, str | bytes]:
    return {f"content/{('world', 'business')[n % 2]}/story-{n}.md": story(n) for n in range(count)}


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build_cmd(output: Path, *flags: str) -> list[str]:
    command = [sys.executable, str(ROOT / "build.py"), "--config", "config.toml"]
    return [*command, "--output", str(output), *flags]


def edit(site: Path, rng: random.Random, count: int, round_: int) -> None:
    """Many bodies edited (a big build), a headline or two, one story added, one gone."""
    for n in rng.sample(range(count), 300):
        path = site / f"content/{('world', 'business')[n % 2]}/story-{n}.md"
        if path.exists():
            path.write_text(story(n, round_), encoding="utf-8")
    (site / f"content/world/extra-{round_}.md").write_text(story(1000 + round_), encoding="utf-8")
    gone = site / f"content/business/story-{rng.randrange(1, count, 2)}.md"
    gone.unlink(missing_ok=True)


def test_builds_started_together_leave_one_whole_site(tmp_path: Path) -> None:
    count = 400
    site = tmp_path / "site"
    make_site(site, corpus(count))
    output = site / "output"
    subprocess.run(build_cmd(output), cwd=site, env=ENV, check=True, capture_output=True)
    rng = random.Random(20)
    for round_, together in enumerate((2, 3, 2), start=1):
        edit(site, rng, count, round_)
        builds = [
            subprocess.Popen(build_cmd(output), cwd=site, env=ENV, stderr=subprocess.PIPE)
            for _ in range(together)
        ]
        errors = [b.communicate(timeout=300)[1].decode() for b in builds]
        assert [b.returncode for b in builds] == [0] * together, errors
        clean = tmp_path / f"clean-{round_}"
        subprocess.run(build_cmd(clean), cwd=site, env=ENV, check=True, capture_output=True)
        assert snapshot(output) == snapshot(clean)
        assert not [p.name for p in site.iterdir() if p.name.startswith(".output.")]


def test_a_second_build_waits_for_the_first_or_with_no_wait_fails_at_once(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    make_site(site, corpus(3))
    output = site / "output"
    with build_lock(output, wait=False, notice=print):
        refused = subprocess.run(
            build_cmd(output, "--no-wait"), cwd=site, env=ENV, capture_output=True, text=True
        )
        assert refused.returncode == 1
        assert f"another build of {output} is running (process {os.getpid()})" in refused.stderr
        assert "Traceback" not in refused.stderr and not output.exists()
        waiting = subprocess.Popen(
            build_cmd(output), cwd=site, env=ENV, stderr=subprocess.PIPE, text=True
        )
        time.sleep(3)
        assert waiting.poll() is None and not output.exists()  # it waits
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert f"waiting for another build of {output}" in err
    assert (output / "index.html").is_file()


def _build_in_child(site: Path, output: Path) -> int:
    """Fork a build (no interpreter start-up: the kill lands in the build's own work)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            with open(os.devnull, "w") as quiet:
                os.dup2(quiet.fileno(), 2)
            config = load_config(site / "config.toml")
            DiskSink(config, output, cache=True, jobs=1).build()
            code = 0
        finally:
            os._exit(code)
    return pid


def test_small_builds_killed_at_any_moment_leave_the_old_site_or_the_new(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, corpus(24))
    output = site / "output"
    journal = cache_root(output) / "output.journal"
    _, status = os.waitpid(_build_in_child(site, output), 0)
    assert status == 0
    target = site / "content/world/story-2.md"  # on the home page: a small patch
    target.write_text(story(2, 99).replace("Story number 2", "Headline 99"), "utf-8")
    started = time.perf_counter()
    os.waitpid(_build_in_child(site, output), 0)  # how long a small change takes
    span = (time.perf_counter() - started) * 1.5
    rng = random.Random(5)
    old = snapshot(output)
    outcomes = {"old": 0, "new": 0}
    for take in range(60):
        target.write_text(story(2, take).replace("Story number 2", f"Headline {take}"), "utf-8")
        pid = _build_in_child(site, output)
        time.sleep(rng.uniform(0, span))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        finish_patch(output, journal)  # what the next build does first
        now = snapshot(output)
        if now != old:
            _, status = os.waitpid(_build_in_child(site, output), 0)
            assert status == 0
            assert now == snapshot(output), f"take {take}: output/ was part old, part new"
            outcomes["new"] += 1
        else:
            outcomes["old"] += 1
            _, status = os.waitpid(_build_in_child(site, output), 0)
            assert status == 0
        old = snapshot(output)
        assert not [p for p in output.rglob("*.gazette-new")]
    assert outcomes["old"] and outcomes["new"], outcomes  # kills landed before and after


def test_a_symlinked_cache_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, corpus(3))
    target = tmp_path / "precious"
    target.mkdir()
    (target / "keep.txt").write_text("not the cache's")
    (site / ".gazette-cache").symlink_to(target)
    result = subprocess.run(build_cmd(site / "output"), cwd=site, env=ENV, capture_output=True)
    assert result.returncode == 1
    assert b"refusing to use the build cache" in result.stderr
    assert b"is a symlink" in result.stderr and b"Traceback" not in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
    assert not (site / "output").exists()


def test_a_symlinked_part_of_the_cache_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, corpus(3))
    output = site / "output"
    subprocess.run(build_cmd(output), cwd=site, env=ENV, check=True, capture_output=True)
    before = snapshot(output)
    target = tmp_path / "elsewhere"
    target.mkdir()
    trees = site / ".gazette-cache/output/trees"
    if trees.exists():
        os.rename(trees, tmp_path / "old-trees")
    trees.symlink_to(target)
    (site / "content/world/story-0.md").write_text(story(0, 9), encoding="utf-8")
    result = subprocess.run(build_cmd(output), cwd=site, env=ENV, capture_output=True)
    assert result.returncode == 1 and b"trees is a symlink" in result.stderr
    assert list(target.iterdir()) == [] and snapshot(output) == before


@pytest.mark.parametrize("inside", ["content", "static", "templates"])
def test_an_output_folder_inside_the_sources_is_refused(tmp_path: Path, inside: str) -> None:
    site = tmp_path / "site"
    make_site(site, corpus(3))
    result = subprocess.run(
        build_cmd(site / inside / "out"), cwd=site, env=ENV, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert f"it is inside {inside}/" in result.stderr
    assert not (site / inside / "out").exists()


def _mount_tmpfs(folder: Path) -> bool:
    folder.mkdir()
    if os.geteuid() != 0:
        return False
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(folder)])
    return mounted.returncode == 0


def test_a_read_only_output_folder_is_a_clear_error_with_nothing_left(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, corpus(3))
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk):
        pytest.skip("mounting a file system needs root")
    try:
        output = disk / "public"
        subprocess.run(build_cmd(output), cwd=site, env=ENV, check=True, capture_output=True)
        before = snapshot(disk)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        (site / "content/world/story-0.md").write_text(story(0, 3), encoding="utf-8")
        result = subprocess.run(build_cmd(output), cwd=site, env=ENV, capture_output=True)
        assert result.returncode == 1, result.stderr
        assert f"cannot build into {output}: {output} is read-only".encode() in result.stderr
        assert b"Traceback" not in result.stderr
        assert snapshot(disk) == before
    finally:
        subprocess.run(["umount", str(disk)], check=False)
