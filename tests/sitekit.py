"""Small fixture sites written into tmp_path, for the whole-site tests of issue 6."""

from __future__ import annotations

import re
import shutil
import signal
from pathlib import Path
from typing import Any

import extruct
from bs4 import BeautifulSoup

from gazette.stages.config import Config, load_config
from tests.cleanbuild import build

ROOT = Path(__file__).resolve().parent.parent
THEME = ROOT / "gazette" / "theme"  # the packaged default theme

BASE_CONFIG = """\
[site]
title = "Test Gazette"
base_url = "https://example.com/news/"
timezone = "UTC"
"""


def article(title: str = "A plain headline", body: str = "Body text.", **front: str) -> str:
    """Markdown source with front matter; values are written as given (YAML)."""
    lines = [f"title: {title}", f"date: {front.pop('date', '2023-09-23 10:00')}"]
    lines += [f"{key}: {value}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def tiny_photo(fmt: str = "JPEG", size: tuple[int, int] = (8, 6)) -> bytes:
    """A real photo file, small: content/ photos are decoded and re-encoded now."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, fmt)
    return out.getvalue()


def make_site(folder: Path, files: dict[str, str | bytes], config: str = "") -> Config:
    """A site in `folder`: a copy of the theme's templates and static (as `gazette init`
    writes them, so a test can edit them), config, and `files` under it."""
    shutil.copytree(THEME / "templates", folder / "templates")
    shutil.copytree(THEME / "static", folder / "static")
    (folder / "config.toml").write_text(BASE_CONFIG + config, encoding="utf-8")
    (folder / "content").mkdir(exist_ok=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return load_config(folder / "config.toml")


def build_site_into(folder: Path, files: dict[str, str | bytes], config: str = "") -> Path:
    out = folder / "output"
    build(make_site(folder, files, config), out)
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article_pages(out: Path) -> list[Path]:
    """Every generated article page (they carry <article class="story">)."""
    return [p for p in sorted(out.rglob("index.html")) if soup(p).select_one("article.story")]


FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "style", "form", "input", "button", "textarea", "base", "meta", "link", "body",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "poster", "background", "cite",
    "xlink:href", "srcset",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def dangerous(fragment: BeautifulSoup, *, whole_page: bool = False) -> list[str]:
    """Everything in parsed HTML that could run script: tags, handlers, URLs, styles.

    `whole_page` allows the page's own <body>, <meta>/<link> in <head> (but no
    http-equiv, the refresh-to-javascript trick), the masthead's search form, a
    plain GET to the site's own search page, and the search page's own scripts (files
    of the site's pagefind/ and static/, nothing inline)."""
    found = []
    for tag in fragment.find_all(True):
        search = tag.find_parent("form") if tag.name != "form" else tag
        own = whole_page and (
            tag.name == "body"
            or (
                tag.name in ("meta", "link")
                and tag.find_parent("head")
                and "http-equiv" not in tag.attrs
            )
            or (
                tag.name in ("form", "input", "button")
                and search is not None
                and search.get("role") == "search"
                and search.find_parent("li", class_="nav-search") is not None
                and not any(a.startswith("on") for a in tag.attrs)
            )
            or (
                tag.name == "script"
                and not tag.string
                and re.fullmatch(
                    r"(\.\./)*(pagefind/pagefind-ui|static/search\.\w+)\.js", tag.get("src", "")
                )  # fmt: skip
                is not None
            )
        )
        if tag.name in FORBIDDEN_TAGS and not own:
            found.append(f"<{tag.name}>")
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            squeezed = "".join(c for c in text if c > " ").lower()
            if name.startswith("on") or name in ("style", "srcdoc"):
                found.append(f"{tag.name}[{name}]")
            elif name in URL_ATTRIBUTES and squeezed.startswith(BAD_SCHEMES):
                found.append(f"{tag.name}[{name}={text[:30]}]")
    return found


def json_ld(path: Path) -> dict[str, Any]:
    """The one JSON-LD block of a page, as extruct (what search engines' tools use) reads it."""
    found = extruct.extract(
        path.read_text(encoding="utf-8"), base_url="https://example.com/", syntaxes=["json-ld"]
    )["json-ld"]
    assert len(found) == 1
    return found[0]


def as_at_a_terminal() -> None:
    """A child's Ctrl-C as a terminal gives it: a suite started in the background by a
    shell without job control ignores SIGINT, and its children would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
