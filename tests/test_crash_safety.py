"""A build killed while writing leaves output/ wholly old or wholly new; the next build
cleans up after it."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sitekit import ROOT, article, as_at_a_terminal, make_site

from gazette.sinks.output_dir import staging_dir

ARTICLES = 250
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1695600000"}


def corpus(edition: str) -> dict[str, str | bytes]:
    """Every article's text carries the edition, so a rebuild changes every page."""
    paragraph = f"Edition {edition}: the council met and argued about the budget again. " * 12
    return {
        f"content/{('world', 'business')[n % 2]}/story-{n}.md": article(
            f"Story number {n}",
            "\n\n".join([paragraph] * 6),
            date=f"2023-09-{1 + n % 28:02d} {n % 24:02d}:00",
            tags=f"[topic-{n % 40}, desk-{n % 7}]",
        )
        for n in range(ARTICLES)
    }


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write(site: Path, files: dict[str, str | bytes]) -> None:
    for name, text in files.items():
        (site / name).write_text(str(text), encoding="utf-8")


def build_cmd(output: Path) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "--config", "config.toml", "--output",
            str(output)]  # fmt: skip


def interrupt_mid_write(site: Path, output: Path, sig: int) -> subprocess.Popen[bytes]:
    """Start a build and send `sig` once the new site is half-way into its staging folder."""
    staging = staging_dir(output.absolute())
    proc = subprocess.Popen(
        build_cmd(output),
        cwd=site,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # so the signal reaches render workers too
        preexec_fn=as_at_a_terminal,
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if staging.is_dir() and sum(1 for _ in staging.rglob("*.html")) >= 50:
            os.killpg(proc.pid, sig)
            break
        time.sleep(0.005)
    proc.wait(timeout=60)
    return proc


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """A site built at edition 1 (its output saved), and what edition 2 builds to."""
    site = tmp_path_factory.mktemp("crash") / "site"
    make_site(site, corpus("two"))
    new_out = site.parent / "expected-new"
    subprocess.run(build_cmd(new_out), cwd=site, env=ENV, check=True, capture_output=True)
    write(site, corpus("one"))
    old_out = site.parent / "expected-old"
    subprocess.run(build_cmd(old_out), cwd=site, env=ENV, check=True, capture_output=True)
    return site, snapshot(old_out), snapshot(new_out)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_interrupted_build_leaves_old_or_new_site(
    editions: tuple[Path, dict, dict], sig: int, tmp_path: Path
) -> None:
    site, old, new = editions
    pages = {name for name in old if not name.startswith("pagefind/")}  # the index's
    assert old != new and pages == {name for name in new if not name.startswith("pagefind/")}
    output = tmp_path / "public"
    shutil.copytree(site.parent / "expected-old", output)  # the site as published
    write(site, corpus("two"))

    proc = interrupt_mid_write(site, output, sig)
    assert proc.returncode in (-sig, 130), f"build was not interrupted: {proc.returncode}"
    assert snapshot(output) in (old, new)  # wholly old or wholly new, never a mix
    assert snapshot(output) == old  # it was stopped before the swap
    if sig == signal.SIGINT:
        assert b"Traceback" not in proc.stderr.read()  # type: ignore[union-attr]
        assert not staging_dir(output).exists()  # Ctrl-C cleans up at once

    subprocess.run(build_cmd(output), cwd=site, env=ENV, check=True, capture_output=True)
    assert snapshot(output) == new
    assert not staging_dir(output).exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".public.")]
