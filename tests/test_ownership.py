"""A build replaces only an output folder Gazette built, and deletes no file in it
that Gazette did not write, unless told to with --force."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import run_cli, tree_bytes
from sitekit import article, make_site


def site_in(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    make_site(site, {"content/world/story.md": article("A story")})
    return site


def test_a_web_root_of_someone_elses_is_refused_and_kept(tmp_path: Path) -> None:
    site = site_in(tmp_path)
    webroot = tmp_path / "www"
    (webroot / "uploads").mkdir(parents=True)
    (webroot / "index.html").write_text("<h1>The old site</h1>")
    (webroot / "uploads" / "report.pdf").write_bytes(b"%PDF-1.4")
    before = tree_bytes(webroot)
    result = run_cli("--output", str(webroot), cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "it holds files and no site built by Gazette (index.html, uploads/report.pdf)" in (
        result.stderr
    )
    assert "--force" in result.stderr
    assert tree_bytes(webroot) == before
    forced = run_cli("--output", str(webroot), "--force", cwd=site)
    assert forced.returncode == 0, forced.stderr
    assert not (webroot / "uploads").exists() and "A story" in (webroot / "index.html").read_text()


def test_a_build_copied_without_its_cache_is_still_gazettes(tmp_path: Path) -> None:
    site = site_in(tmp_path)
    assert run_cli(cwd=site).returncode == 0
    shutil.copytree(site / "output", tmp_path / "restored")  # from a backup, or git
    (site / "content/world/story.md").write_text(article("A new headline"), encoding="utf-8")
    result = run_cli("--output", str(tmp_path / "restored"), cwd=site)
    assert result.returncode == 0, result.stderr
    assert "A new headline" in (tmp_path / "restored/index.html").read_text()


def test_a_build_with_its_feed_moved_is_still_gazettes_without_its_cache(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    make_site(
        site, {"content/world/story.md": article("A story")}, '[urls]\natom = "/{url}feed.xml"\n'
    )
    assert run_cli(cwd=site).returncode == 0
    assert not (site / "output/atom.xml").exists() and (site / "output/feed.xml").is_file()
    shutil.rmtree(site / ".gazette-cache")
    (site / "content/world/story.md").write_text(article("A new headline"), encoding="utf-8")
    result = run_cli(cwd=site)
    assert result.returncode == 0, result.stderr
    assert "A new headline" in (site / "output/index.html").read_text()


def test_an_empty_folder_is_built_into(tmp_path: Path) -> None:
    site = site_in(tmp_path)
    (tmp_path / "empty").mkdir()
    assert run_cli("--output", str(tmp_path / "empty"), cwd=site).returncode == 0
    assert (tmp_path / "empty/index.html").is_file()
