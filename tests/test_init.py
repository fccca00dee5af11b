"""`gazette init DIR`: a new site that builds, checks clean and previews at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import html_pages
from test_html_valid import validate

from gazette.commands.cli import main
from gazette.commands.init import init_site
from gazette.errors import GazetteError
from gazette.sinks.disk import DiskSink
from gazette.sinks.memory import MemorySink
from gazette.stages.config import load_config
from gazette.themes import STATIC, TEMPLATES
from tests.sitekit import soup


def built(root: Path) -> Path:
    """Build the site at `root` into root/output, as `gazette build` does."""
    config = load_config(root / "config.toml")
    DiskSink(config, root / "output", cache=True, jobs=1).build()  # its stories are past
    return root / "output"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A full and a bare new site, each built once."""
    work = tmp_path_factory.mktemp("init")
    found = {}
    for kind in ("full", "bare"):
        assert main(["init", str(work / kind), *(["--bare"] if kind == "bare" else [])]) == 0
        built(work / kind)
        found[kind] = work / kind
    return found


def test_init_writes_config_content_and_a_copy_of_the_theme(sites: dict[str, Path]) -> None:
    root = sites["full"]
    assert (root / "config.toml").is_file()
    stories = sorted(p.relative_to(root / "content").parts[0] for p in root.glob("content/*/*.md"))
    assert len(set(stories) - {"pages"}) == 2  # two sections
    assert (root / "content/pages/about.md").is_file()
    for name in (p.relative_to(TEMPLATES) for p in TEMPLATES.rglob("*") if p.is_file()):
        assert (root / "templates" / name).read_bytes() == (TEMPLATES / name).read_bytes()
    for name in (p.relative_to(STATIC) for p in STATIC.rglob("*") if p.is_file()):
        assert (root / "static" / name).read_bytes() == (STATIC / name).read_bytes()


def test_bare_init_writes_no_templates_or_static(sites: dict[str, Path]) -> None:
    root = sites["bare"]
    assert not (root / "templates").exists() and not (root / "static").exists()
    assert (root / "config.toml").read_bytes() == (sites["full"] / "config.toml").read_bytes()


def test_the_config_comments_every_key(sites: dict[str, Path]) -> None:
    for line in (sites["full"] / "config.toml").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#") and not line.startswith("["):
            assert "#" in line, line


def test_both_sites_build_the_same_pages(sites: dict[str, Path]) -> None:
    def files(root: Path) -> list[str]:
        out = root / "output"
        return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())

    assert files(sites["full"]) == files(sites["bare"])
    home = soup(sites["bare"] / "output/index.html")
    assert home.select_one(".site-title").get_text() == "The Riverside Courier"
    assert len(home.select(".lead, .card")) == 2


@pytest.mark.parametrize("kind", ["full", "bare"])
def test_a_new_site_checks_clean(
    sites: dict[str, Path], kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--config", str(sites[kind] / "config.toml")]) == 0, capsys.readouterr()
    assert "No problems found" in capsys.readouterr().out


def test_a_new_site_is_valid_html(sites: dict[str, Path]) -> None:
    pages = html_pages(sites["full"] / "output") + html_pages(sites["bare"] / "output")
    result = validate(pages)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if "error" in line]
    assert result.returncode == 0 and errors == [], "\n".join(errors[:20])


def test_a_new_site_previews_at_once(tmp_path: Path) -> None:
    init_site(tmp_path / "site", bare=True)
    preview = MemorySink(tmp_path / "site" / "config.toml")
    update = preview.rebuild()
    assert update.error is None, update.error
    home = preview.resource("")
    assert home is not None and b"The Riverside Courier" in home.data


def test_init_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "the folder is not empty" in err and "hint: " in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "paper").write_text("")
    with pytest.raises(GazetteError, match="it is a file, not a folder"):
        init_site(tmp_path / "paper")


def test_init_fills_an_empty_folder(tmp_path: Path) -> None:
    written = init_site(tmp_path, bare=True)
    assert {p.relative_to(tmp_path).as_posix() for p in written} >= {
        "config.toml",
        "content/pages/about.md",
    }
