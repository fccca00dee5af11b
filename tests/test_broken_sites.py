"""One broken fixture site per user mistake: a clear located message, exit 1, nothing touched.

Each folder in tests/broken/ (except _base) is overlaid on tests/broken/_base/
and on a copy of the packaged theme's templates/ and static/, so a case holds only the file
that is wrong. Its expected.txt says what the error must contain:

    file: / line:   the location printed as "file:line:"
    message:        a fragment of the message
    also:           more fragments (repeatable)
    hint:           a fragment of the hint
    output:         the --output folder, relative to the site ({home} = $HOME)
    remove:         a file to delete from the assembled site (repeatable)

Before the build, output/ holds an earlier good build; after it every file in
the site folder (output/ included) must hash the same.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gazette.commands.cli import main
from gazette.stages.config import load_config
from tests.cleanbuild import build

ROOT = Path(__file__).resolve().parent.parent
THEME = ROOT / "gazette" / "theme"  # copied into each case, as `gazette init` does
BROKEN = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir() and not p.name.startswith("_"))


@dataclass
class Expected:
    message: str = ""
    file: str | None = None
    line: int | None = None
    hint: str | None = None
    output: str = "output"
    also: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)


def read_expected(case: str) -> Expected:
    expected = Expected()
    for raw in (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines():
        key, _, value = raw.partition(": ")
        if key in ("also", "remove"):
            getattr(expected, key).append(value)
        elif key == "line":
            expected.line = int(value)
        else:
            setattr(expected, key, value)
    assert expected.message, f"{case}/expected.txt has no 'message:'"
    return expected


def assemble(case: str, into: Path) -> Path:
    """The case's site: the theme's templates/static, then _base, then the case's own files."""
    site = into / "site"
    shutil.copytree(THEME / "templates", site / "templates")
    shutil.copytree(THEME / "static", site / "static")
    for layer in (BROKEN / "_base", BROKEN / case):
        shutil.copytree(layer, site, symlinks=True, dirs_exist_ok=True)
    (site / "expected.txt").unlink()
    for name in read_expected(case).remove:
        (site / name).unlink()
    return site


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry below `folder` with a hash of its bytes (links by target, not followed),
    but the build cache: a build that fails after converting articles keeps them there,
    so the build after the fix is warm (tests/test_cache.py checks that)."""
    found: dict[str, str] = {}
    for dirpath, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".gazette-cache"]
        base = Path(dirpath)
        for name in dirs + files:
            path = base / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An earlier good build of the base site, copied into each case's output/."""
    work = tmp_path_factory.mktemp("good")
    site = work / "site"
    shutil.copytree(THEME / "templates", site / "templates")
    shutil.copytree(THEME / "static", site / "static")
    shutil.copytree(BROKEN / "_base", site, dirs_exist_ok=True)
    build(load_config(site / "config.toml"), work / "output")
    return work / "output"


def _assert_message(text: str, expected: Expected) -> None:
    assert "Traceback" not in text
    if expected.file is not None:
        where = expected.file + (f":{expected.line}:" if expected.line is not None else ":")
        assert where in text
    assert expected.message in text
    for fragment in expected.also:
        assert fragment in text
    if expected.hint is not None:
        assert "hint: " in text and expected.hint in text


@pytest.mark.parametrize("case", CASES)
def test_broken_site_fails_clearly_and_touches_nothing(
    case: str, tmp_path: Path, good_build: Path
) -> None:
    expected = read_expected(case)
    site = assemble(case, tmp_path)
    shutil.copytree(good_build, site / "output")
    home = tmp_path / "home"
    home.mkdir()
    before = snapshot(tmp_path)
    args = [sys.executable, str(ROOT / "build.py"), "--config", "config.toml"]
    if expected.output != "output":
        args += ["--output", expected.output.replace("{home}", str(home))]
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        args, cwd=site, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1, result.stdout + result.stderr
    _assert_message(result.stderr, expected)
    assert len(result.stderr.strip().splitlines()) <= 2 + len(expected.also), result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("case", [c for c in CASES if read_expected(c).output == "output"])
def test_check_reports_the_same_problem_and_writes_nothing(
    case: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = read_expected(case)
    site = assemble(case, tmp_path)
    monkeypatch.chdir(site)
    monkeypatch.setenv("HOME", str(tmp_path))
    before = snapshot(tmp_path)
    assert main(["check", "--config", "config.toml"]) == 1
    _assert_message(capsys.readouterr().err, expected)
    assert snapshot(tmp_path) == before
