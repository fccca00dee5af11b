"""Helpers of the import tests: a fresh site, an import through the CLI, a build, and
the checks every imported site must pass (pages, drafts, old URLs over HTTP)."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest
import yaml
from bs4 import BeautifulSoup

from gazette.commands.cli import main
from tests.conftest import FIXED_NOW, REPO, build_site, serve_folder

IMPORTS = Path(__file__).resolve().parent / "imports"


def new_site(folder: Path, sections: dict[str, str] | None = None) -> Path:
    """An empty site: the repository's templates and static, a config, no content/."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "templates", folder / "templates")
    shutil.copytree(REPO / "static", folder / "static")
    lines = [
        "[site]",
        'title = "Imported Times"',
        'base_url = "https://example.com/"',
        'timezone = "Asia/Dhaka"',
    ]
    if sections:
        lines += ["", "[sections]", *(f'{key} = "{name}"' for key, name in sections.items())]
    (folder / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def add_sections(site: Path, sections: dict[str, str]) -> None:
    with (site / "config.toml").open("a", encoding="utf-8") as handle:
        handle.writelines(f'{key} = "{name}"\n' for key, name in sections.items())


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_import(capsys: pytest.CaptureFixture[str], site: Path, *args: str) -> Run:
    """`build.py import ARGS --config site/config.toml`, in this process."""
    capsys.readouterr()
    code = main(["import", *args, "--config", str(site / "config.toml")])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def front(path: Path) -> tuple[dict, str]:
    """A written file's front matter and body."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    head, _, body = text[4:].partition("\n---\n")
    return yaml.safe_load(head), body


def build(site: Path) -> Path:
    build_site(site, now=FIXED_NOW)
    return site / "output"


def page_at(output: Path, url: str) -> BeautifulSoup:
    path = output / url.lstrip("/")
    if url.endswith("/"):
        path = path / "index.html"
    assert path.is_file(), f"no page at {url}"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def assert_story(output: Path, url: str, title: str, words: str) -> BeautifulSoup:
    """The page at `url` has `title` as its headline and `words` in its text."""
    page = page_at(output, url)
    headline = page.find("h1")
    assert headline is not None and " ".join(headline.get_text().split()) == title, url
    assert words in " ".join(page.get_text(" ").split()), f"{words!r} not on {url}"
    return page


def assert_absent(output: Path, *titles: str) -> None:
    """No page of the built site shows any of `titles` (drafts, future stories)."""
    for path in output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for title in titles:
            assert title not in text, f"{title!r} appears in {path}"


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def _redirect_target(html: str) -> str | None:
    """Where a redirect page sends the reader: its meta refresh, else its canonical link."""
    page = BeautifulSoup(html, "html.parser")
    refresh = page.find("meta", attrs={"http-equiv": lambda v: v and v.lower() == "refresh"})
    if refresh is not None:
        content = str(refresh.get("content", ""))
        _, _, target = content.partition("=")
        return target.strip().strip("'\"") or None
    return None


def assert_old_urls_resolve(output: Path, urls: dict[str, str]) -> None:
    """Served over real HTTP, each old URL (site path -> the title it must reach) shows
    that story, itself or through the redirect page Gazette wrote for the alias."""
    with serve_folder(output) as base:
        for old, title in urls.items():
            address = urljoin(base, quote(old.lstrip("/"), safe="/?=&"))
            status, html = fetch(address)
            assert status == 200, f"{old}: HTTP {status}"
            target = _redirect_target(html)
            if target is not None:
                status, html = fetch(urljoin(address, target))
                assert status == 200, f"{old} -> {target}: HTTP {status}"
            headline = BeautifulSoup(html, "html.parser").find("h1")
            assert headline is not None and title in headline.get_text(), (
                f"{old} does not lead to {title!r}"
            )


def assert_query_redirects(output: Path, urls: dict[str, str]) -> None:
    """An old URL with a query ('/?p=12') has no file to stand for it: `_redirects`
    (Netlify's) sends it on with a 301 to the story's new URL."""
    lines = (output / "_redirects").read_text(encoding="utf-8").splitlines()
    for old, new in urls.items():
        route, _, query = old.partition("?")
        assert f"{route} {query} {new} 301" in lines, f"{old} is not redirected to {new}"
