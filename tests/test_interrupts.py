"""Ctrl-C and a killed build: one line, a prompt exit, and no worker left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sitekit import ROOT, article, as_at_a_terminal, make_site

from gazette.sinks.output_dir import staging_dir

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("interrupts") / "site"
    body = "\n\n".join(["The council met again and argued about the budget. " * 15] * 8)
    files: dict[str, str | bytes] = {
        f"content/world/story-{n}.md": article(f"Story {n}", body, date=f"2023-09-{1 + n % 28:02d}")
        for n in range(600)
    }
    make_site(folder, files)
    template = folder / "templates/article.html"  # pages slow enough to be caught rendering
    slow = "{% for i in range(300) %}{% for j in range(300) %}{% endfor %}{% endfor %}"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("{% block main %}", "{% block main %}" + slow, 1), "utf-8")
    return folder


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found |= {int(p) for p in task.read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def start(site: Path, output: Path) -> subprocess.Popen[str]:
    command = [sys.executable, str(ROOT / "build.py"), "--output", str(output), "--jobs", "2"]
    return subprocess.Popen(
        command,
        cwd=site,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a terminal's Ctrl-C reaches the whole group: so does ours
        preexec_fn=as_at_a_terminal,
    )


def wait_for(condition, what: str, timeout: float = 120) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.01)


@pytest.mark.parametrize("phase", ["parse", "render"])
def test_ctrl_c_exits_at_once_with_one_line_and_no_worker_left(
    site: Path, tmp_path: Path, phase: str
) -> None:
    output = tmp_path / "output"
    build = start(site, output)
    if phase == "parse":
        wait_for(lambda: len(children(build.pid)) >= 2, "the Markdown workers")
    else:
        staging = staging_dir(output)
        wait_for(lambda: len(list(staging.rglob("*.html"))) >= 20, "pages being written")
    workers = children(build.pid)
    assert workers, "the build had no workers to stop"
    os.killpg(build.pid, signal.SIGINT)
    sent = time.monotonic()
    _, err = build.communicate(timeout=30)
    took = time.monotonic() - sent
    assert build.returncode == 130
    assert err.strip() == "interrupted", err
    assert took < 2, f"took {took:.1f} s to stop"  # generous: it should take a fraction
    assert not any(alive(pid) for pid in workers)
    assert not staging_dir(output).exists() and not output.exists()


def test_workers_of_a_killed_build_die_with_it(site: Path, tmp_path: Path) -> None:
    build = start(site, tmp_path / "output")
    wait_for(lambda: len(children(build.pid)) >= 2, "the Markdown workers")
    workers = children(build.pid)
    os.kill(build.pid, signal.SIGKILL)  # the parent alone, as the OOM killer would
    build.wait(timeout=30)
    wait_for(lambda: not any(alive(pid) for pid in workers), "the workers end", timeout=10)
    again = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--output", str(tmp_path / "output"),
         "--no-wait"], cwd=site, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr  # the lock went with them
