"""Shared test helpers: fixture sites, builds, parsed pages, external tools.

Reusable by every test module (and every helper working on Gazette):

- ``copy_site(name, dest)`` copies ``tests/sites/<name>/`` to ``dest``; a fixture
  site without its own ``templates/`` or ``static/`` gets a copy of the packaged
  theme's (as ``gazette init`` writes them), so fixture sites stay small, always
  test the real templates, and tests may edit them.
- ``build_site(root, output=None, drafts=False, now=FIXED_NOW)`` loads
  ``root/config.toml`` and runs ``tests.cleanbuild.build`` with a fixed "now",
  so which articles are published does not depend on the wall clock.
- ``parse_html(path)`` gives a BeautifulSoup of a generated page.
- ``make_article(**fields)`` an in-memory ``Article`` with sensible defaults, for
  unit tests of the stages after ``content``.
- ``text(node)`` a node's visible text with whitespace collapsed.
- ``assert_reference_page(page, headline)`` checks an article page carries every
  element of the reference page (DESIGN.md) in order, for the Vladivostok story.
- ``run_cli(*args, cwd=...)`` runs ``python build.py ...`` in a subprocess.
- ``tree_bytes(folder)`` maps every file below ``folder`` to its bytes, to
  compare whole outputs.
- ``serve_folder(folder, prefix="/")`` (context manager) serves ``folder`` with a
  real HTTP server on 127.0.0.1 (free port) mounted at URL path ``prefix``,
  yields the base URL, and stops the server on exit.
- ``require_module(name)`` the same for a Python package (``playwright``).
- ``require_tool(name)`` skips a test when an external program (``java``,
  ``chromium``) is missing, unless the environment sets
  ``GAZETTE_REQUIRE_TOOLS=1`` (as ``.ci/run`` does): there it fails instead,
  so CI cannot pass by silently skipping.

Fixtures:

- ``site_root``: a fresh copy of ``tests/sites/basic`` in ``tmp_path`` (edit it freely).
- ``sample_site``: the repository's own sample site (config.toml, content/,
  templates/, static/) copied and built once per session; a read-only ``BuiltSite``.
- ``basic_site``: ``tests/sites/basic`` built once per session into a temporary
  folder; a read-only ``BuiltSite`` (use ``site_root`` for tests that change things).
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup, Tag

from gazette.hijri import HijriDate
from gazette.model import Article
from gazette.stages.config import load_config
from tests.cleanbuild import BuildResult, build

# Debian chromium as this machine runs it: no sandbox as root, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

REPO = Path(__file__).resolve().parent.parent
THEME = REPO / "gazette" / "theme"  # the packaged default theme
SITES = Path(__file__).resolve().parent / "sites"
# After every published fixture article, before the one dated in December 2023.
FIXED_NOW = dt.datetime(2023, 10, 1, 12, 0, tzinfo=ZoneInfo("Asia/Dhaka"))
# The sample site is built as of a fixed day too, so its tests do not change with the clock.
SAMPLE_NOW = dt.datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))


def copy_site(name: str, dest: Path) -> Path:
    """Copy fixture site `name` to `dest`, filling in the theme's templates/static."""
    shutil.copytree(SITES / name, dest)
    for folder in ("templates", "static"):
        if not (dest / folder).exists():
            shutil.copytree(THEME / folder, dest / folder)
    return dest


def build_site(
    root: Path,
    output: Path | None = None,
    *,
    drafts: bool = False,
    now: dt.datetime = FIXED_NOW,
) -> BuildResult:
    """Build the site at `root` (its config.toml) into `output` (default root/output)."""
    config = load_config(root / "config.toml")
    return build(config, output or root / "output", include_drafts=drafts, now=now)


def make_article(**fields: object) -> Article:
    """An Article as `content` would produce it; pass only the fields a test cares about."""
    title = str(fields.pop("title", "A headline"))
    defaults: dict[str, object] = {
        "path": f"world/{title.lower().replace(' ', '-')}.md",
        "title": title,
        "date": FIXED_NOW - dt.timedelta(days=1),
        "hijri": HijriDate(1445, 3, 7),
        "section": "world",
        "slug": title.lower().replace(" ", "-"),
        "body": "Text.",
    }
    defaults.update(fields)
    return Article(**defaults)  # type: ignore[arg-type]


def parse_html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text(node: Tag | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ", strip=True).split())


REFERENCE_DATE_LINE = "Saturday, September 23, 2023 | Rabi' al-awwal 7, 1445 H"


def assert_reference_page(page: BeautifulSoup, headline: str, home: str) -> dict[str, Tag]:
    """The reference page's elements, in its order: date line, weather, headline,
    image slot, dateline opening the body, '— AFP' credit ending it, back-to-top
    and home links. Returns them by name for further checks."""
    main = page.find("main")
    assert main is not None
    story = main.find("article")
    assert story is not None
    date_text = story.find(string=lambda s: s and "Saturday, September 23, 2023" in s)
    assert date_text is not None, "no Gregorian date"
    body = story.find(class_="story-body")
    assert body is not None
    found: dict[str, Tag] = {
        "date line": date_text.find_parent("p"),
        "condition": story.find(string="scattered clouds"),
        "temperatures": story.find(string="30°C / 30°C"),
        "headline": story.find("h1"),
        "image slot": story.find(string="No Image") or story.find("figure"),
        "dateline": body.find(class_="dateline"),
        "credit": body.find(string="— AFP"),
        "back to top": (story.find("img", alt="arrow up") or story).find_parent("a"),
        "home": (story.find("img", alt="home icon") or story).find_parent("a"),
    }
    missing = [name for name, node in found.items() if node is None]
    assert missing == [], f"missing: {missing}"
    assert text(found["date line"]) == REFERENCE_DATE_LINE
    assert text(found["headline"]) == headline
    assert text(found["dateline"]) == "MOSCOW:"
    first_paragraph = body.find("p")
    assert first_paragraph is not None and first_paragraph.contents[0] is found["dateline"]
    credit_paragraph = found["credit"].find_parent("p")
    assert credit_paragraph is body.find_all("p")[-1] or credit_paragraph.find_next(
        "div", class_="footnote"
    ), "the credit must end the story text"
    assert found["back to top"]["href"] == "#top" and page.find(id="top") is not None
    assert found["home"]["href"] == home
    elements = list(story.descendants)
    positions = [elements.index(node) for node in found.values()]
    assert positions == sorted(positions), "reference elements out of order"
    return found


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run `python build.py ARGS` from `cwd` the way a user would."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def html_pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def require_tool(name: str) -> str:
    """Path of program `name`; skip without it, or fail when GAZETTE_REQUIRE_TOOLS=1."""
    path = shutil.which(name)
    if path is None:
        message = f"'{name}' is not installed"
        if os.environ.get("GAZETTE_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{message}, and GAZETTE_REQUIRE_TOOLS=1 requires it")
        pytest.skip(message)
    return path


class _MountedHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` under URL path `prefix` only; anything else is a 404."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        bare = path.split("?", 1)[0].split("#", 1)[0]
        if not bare.startswith(self.prefix):
            return os.path.join(self.directory, ".missing", "nothing-here")
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep test output quiet


@contextmanager
def serve_folder(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `folder` at http://127.0.0.1:PORT{prefix}; yields that base URL."""
    handler = type("Handler", (_MountedHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def reading(browser: object, folder: Path, prefix: str = "/") -> Iterator[tuple[object, str]]:
    """A browser page for `folder` served at `prefix`, as a reader opens it: (the page,
    the site's address); the page is closed after, the server stopped."""
    with serve_folder(folder, prefix) as base:
        page = browser.new_page()  # type: ignore[attr-defined]
        try:
            yield page, base
        finally:
            page.close()


def copy_sample_site(dest: Path) -> Path:
    """The repository's own site (config, content, and its few own templates and static
    files; the rest comes from the packaged theme) copied to `dest`."""
    dest.mkdir(parents=True)
    shutil.copy(REPO / "config.toml", dest / "config.toml")
    for folder in ("content", "templates", "static"):
        shutil.copytree(REPO / folder, dest / folder)
    return dest


def require_module(name: str) -> None:
    """Skip without Python package `name` (e.g. playwright), or fail when
    GAZETTE_REQUIRE_TOOLS=1, as `require_tool` does for programs."""
    try:
        __import__(name)
    except ImportError:
        message = f"Python package '{name}' is not installed"
        if os.environ.get("GAZETTE_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{message}, and GAZETTE_REQUIRE_TOOLS=1 requires it")
        pytest.skip(message)


@dataclass(frozen=True)
class BuiltSite:
    root: Path
    output: Path
    result: BuildResult

    def page(self, url: str) -> BeautifulSoup:
        """Parsed page at site-relative `url` ("" = home, "world/" or "404.html")."""
        path = self.output / url
        if url == "" or url.endswith("/"):
            path = path / "index.html"
        assert path.is_file(), f"no page at /{url}"
        return parse_html(path)


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    return copy_site("basic", tmp_path / "site")


@pytest.fixture(scope="session")
def basic_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    root = copy_site("basic", tmp_path_factory.mktemp("basic") / "site")
    result = build_site(root)
    return BuiltSite(root=root, output=root / "output", result=result)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    root = copy_sample_site(tmp_path_factory.mktemp("sample") / "site")
    result = build_site(root, now=SAMPLE_NOW)
    return BuiltSite(root=root, output=root / "output", result=result)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright, one per test module (skipped without them)."""
    chromium = require_tool("chromium")
    require_module("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
