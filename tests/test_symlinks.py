"""Symlinks in content/ and static/: followed inside the site and into the folders
config lists, never elsewhere; with untrusted content, never at all. The build,
`check` and the preview agree."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import run_cli
from PIL import Image
from sitekit import article, make_site, tiny_photo

from gazette.sinks.memory import MemorySink

SECRET = "the host's own file, never published"


def host_files(tmp_path: Path) -> Path:
    """A stand-in for /etc: a folder outside the site with a secret file in it."""
    system = tmp_path / "system"
    (system / "ssh").mkdir(parents=True)
    (system / "shadow").write_text(SECRET, encoding="utf-8")
    (system / "ssh" / "key").write_text(SECRET, encoding="utf-8")
    return system


def published(output: Path) -> dict[str, str]:
    if not output.exists():
        return {}
    return {
        p.relative_to(output).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in output.rglob("*")
        if p.is_file()
    }


def site_with(tmp_path: Path, config: str = "") -> Path:
    site = tmp_path / "site"
    make_site(site, {"content/world/story.md": article("A story")}, config)
    assert run_cli(cwd=site).returncode == 0
    return site


@pytest.mark.parametrize("untrusted", [True, False], ids=["untrusted", "trusted"])
def test_links_out_of_the_site_publish_nothing(tmp_path: Path, untrusted: bool) -> None:
    site = site_with(tmp_path, "[content]\nuntrusted = true\n" if untrusted else "")
    system = host_files(tmp_path)
    before = published(site / "output")
    (site / "content/world/etcdir").symlink_to(system)
    (site / "content/world/photo.jpg").symlink_to(system / "shadow")
    (site / "static/key.txt").symlink_to(system / "ssh" / "key")
    (site / "content/world/story.md").write_text(article("An edit"), encoding="utf-8")

    result = run_cli(cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for link in ("content/world/etcdir", "content/world/photo.jpg"):
        assert link in result.stderr
    expected = "not allowed in untrusted content" if untrusted else "leads out of the site folder"
    assert result.stderr.count(expected) == 2
    assert published(site / "output") == before
    assert not any(SECRET in p.read_text("utf-8", "replace") for p in site.rglob("output/**/*.*"))

    checked = run_cli("check", cwd=site)
    assert checked.returncode == 1
    assert "content/world/photo.jpg" in checked.stderr and expected in checked.stderr
    assert "does not exist" not in checked.stderr  # named for what it is, not as missing

    preview = MemorySink(site / "config.toml")
    update = preview.rebuild()
    assert update.error is not None and expected in str(update.error)
    assert preview.resource("world/photo.jpg") is None
    assert preview.resource("static/key.txt") is None

    for link in ("content/world/etcdir", "content/world/photo.jpg"):
        (site / link).unlink()
    result = run_cli(cwd=site)  # static/ is walked by the same rules
    assert result.returncode == 1 and "error: static/key.txt: " in result.stderr
    assert expected in result.stderr
    assert published(site / "output") == before


def test_links_inside_the_site_and_into_listed_folders_are_followed(tmp_path: Path) -> None:
    wire = tmp_path / "wire-desk" / "afp"
    wire.mkdir(parents=True)
    (wire / "wire-story.md").write_text(article("From the wire"), encoding="utf-8")
    (wire / "photo.jpg").write_bytes(tiny_photo("JPEG"))
    site = site_with(tmp_path, '[content]\nlinked_folders = ["../wire-desk"]\n')
    (site / "content/wire").symlink_to(wire)
    (site / "photos").mkdir()
    (site / "photos/map.png").write_bytes(tiny_photo("PNG"))
    (site / "content/world/map.png").symlink_to(site / "photos/map.png")

    result = run_cli(cwd=site)
    assert result.returncode == 0, result.stderr
    output = site / "output"
    for path in ("wire/photo.jpg", "world/map.png"):  # photos: written (stripped), not copied
        with Image.open(output / path) as photo:
            assert photo.size == (8, 6)
    assert "From the wire" in (output / "wire/from-the-wire/index.html").read_text("utf-8")

    preview = MemorySink(site / "config.toml")
    assert preview.rebuild().error is None
    served = preview.resource("wire/photo.jpg")
    assert served is not None and served.data == (output / "wire/photo.jpg").read_bytes()


def test_a_listed_folder_does_not_open_the_rest_of_the_system(tmp_path: Path) -> None:
    system = host_files(tmp_path)
    wire = tmp_path / "wire-desk"
    wire.mkdir()
    (wire / "shadow.txt").symlink_to(system / "shadow")  # a link inside the shared folder
    site = site_with(tmp_path, '[content]\nlinked_folders = ["../wire-desk"]\n')
    (site / "content/wire").symlink_to(wire)
    result = run_cli(cwd=site)
    assert result.returncode == 1
    assert "content/wire/shadow.txt" in result.stderr
    assert "leads out of the site folder" in result.stderr
    assert not (site / "output/wire").exists()
