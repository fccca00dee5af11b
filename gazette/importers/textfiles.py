"""What Pelican, Jekyll and Hugo sources share: Markdown files with a header on top,
and images beside them or in a static folder, which the new site must carry.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from gazette.errors import GazetteError
from gazette.importers.common import Item

MARKDOWN = {".md", ".markdown", ".mkd", ".mdown"}
_YAML = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_TOML = re.compile(r"\A\+\+\+[ \t]*\r?\n(.*?)^\+\+\+[ \t]*(?:\r?\n|\Z)", re.S | re.M)
# Markdown links and images, reference definitions, and src/href in raw HTML.
_LINKS = (
    re.compile(r"(!?\[[^\]\n]*\]\(\s*<?)([^)\s>]+)"),
    re.compile(r"(^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?)(\S+?)(?=>?(?:\s|$))", re.M),
    re.compile(r"""(\b(?:src|href|poster)\s*=\s*["'])([^"']+)"""),
)
_PREFIXES = (
    "{static}",
    "{attach}",
    "|static|",
    "|attach|",
    "{{ site.baseurl }}",
    "{{site.baseurl}}",
)


class Unreadable(Exception):
    """One source file that cannot be imported; the reason goes in the summary."""


def source_folder(source: Path, what: str) -> Path:
    if not source.is_dir():
        raise GazetteError(
            f"{what} folder not found",
            file=source,
            hint=f"give the folder of the {what} site (or its content folder)",
        )
    return source


def files_under(folder: Path) -> Iterator[Path]:
    """Every file below `folder`, sorted, hidden ones left out."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield path


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (byte {exc.start})") from None


def split_header(text: str) -> tuple[dict[str, Any] | None, str]:
    """Front matter in YAML (`---`), TOML (`+++`) or JSON (`{`), and the body after it;
    None when the file has none."""
    if match := _YAML.match(text):
        try:
            meta = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            raise Unreadable(f"its YAML front matter is not valid{where}") from None
        return _mapping(meta), text[match.end() :]
    if match := _TOML.match(text):
        try:
            return tomllib.loads(match.group(1)), text[match.end() :]
        except tomllib.TOMLDecodeError as exc:
            raise Unreadable(f"its TOML front matter is not valid: {exc}") from None
    if text.startswith("{"):
        try:
            meta, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as exc:
            raise Unreadable(f"its JSON front matter is not valid: {exc}") from None
        return _mapping(meta), text[end:]
    return None, text


def _mapping(meta: Any) -> dict[str, Any]:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise Unreadable("its front matter is not a set of 'key: value' lines")
    return {str(key): value for key, value in meta.items()}


def words(value: Any) -> list[str]:
    """A list from a YAML list, or from a string of comma-separated words."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def local_file(ref: str, folder: Path, root: Path, top: Path) -> Path | None:
    """The file on disk a link in a source names, if it is one inside `top`:
    '/x.png' is under `root`, 'x.png' beside the source file (in `folder`)."""
    for prefix in _PREFIXES:
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
    ref = ref.split("#", 1)[0].split("?", 1)[0]
    if not ref or re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.I) or ref.startswith("//"):
        return None
    from urllib.parse import unquote

    ref = unquote(ref)
    path = (root / ref.lstrip("/")) if ref.startswith("/") else folder / ref
    try:
        path = path.resolve()
    except OSError:
        return None
    if path.suffix.lower() in MARKDOWN or not path.is_file():
        return None
    return path if path.is_relative_to(top.resolve()) else None


def attach_local(item: Item, body: str, folder: Path, root: Path, top: Path) -> str:
    """Links to files on disk now name the copies the item carries."""

    def replace(match: re.Match[str]) -> str:
        path = local_file(match.group(2), folder, root, top)
        return match.group(0) if path is None else match.group(1) + item.attach(path)

    for pattern in _LINKS:
        body = pattern.sub(replace, body)
    return body


def image_field(item: Item, value: Any, folder: Path, root: Path, top: Path) -> str | None:
    """A featured image: a copied file, or a URL kept as it is. A file that is not
    on disk is kept as `old_image` (Gazette would refuse it) and returned, to report."""
    if isinstance(value, dict):
        value = value.get("path") or value.get("src") or value.get("url")
    if isinstance(value, list):
        value = value[0] if value else None
    if not value:
        return None
    text = str(value)
    path = local_file(text, folder, root, top)
    if path is not None:
        item.image = item.attach(path)
    elif re.match(r"^https?://", text, re.I):
        item.image = text
    else:
        item.extra["old_image"] = text
        return text
    return None


def zone_named(name: Any) -> dt.tzinfo | None:
    """A source's configured timezone ('Asia/Dhaka'); None when it names none we know."""
    try:
        return ZoneInfo(str(name)) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
