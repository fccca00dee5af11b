"""The code stays ruff clean: lint and format are part of the suite, not a habit."""

import subprocess
import sys

from tests.conftest import REPO


def run_ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True
    )


def test_ruff_finds_no_lint_problems() -> None:
    result = run_ruff("check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    result = run_ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
