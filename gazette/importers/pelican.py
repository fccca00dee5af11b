"""Pelican sites: Markdown files with `Key: value` lines on top, settings in
pelicanconf.py.

pelicanconf.py is Python, and an import must not run someone's code: only its
plain assignments (`ARTICLE_URL = "..."`) are read, with `ast.literal_eval`.
The settings give the old URLs (ARTICLE_URL, PAGE_URL), which become aliases.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from pathlib import Path
from typing import Any

from gazette.importers.common import ARTICLE, PAGE, Import, Item, Options, parse_date, slug_of
from gazette.importers.textfiles import (
    MARKDOWN,
    Unreadable,
    attach_local,
    files_under,
    read_text,
    source_folder,
    words,
    zone_named,
)

DEFAULTS: dict[str, Any] = {
    "PATH": "content",
    "ARTICLE_URL": "{slug}.html",
    "PAGE_URL": "pages/{slug}.html",
    "PAGE_PATHS": ["pages"],
    "DEFAULT_CATEGORY": "misc",
    "USE_FOLDER_AS_CATEGORY": True,
    "DEFAULT_LANG": "en",
}
_META = re.compile(r"^([A-Za-z][\w-]*):[ \t]*(.*)$")
_KNOWN = {"title", "date", "modified", "category", "tags", "slug", "author", "authors"}
_KNOWN |= {"summary", "status"}


def read_settings(path: Path) -> dict[str, Any]:
    """The literal assignments of a pelicanconf.py; anything computed is left out."""
    settings = dict(DEFAULTS)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8-sig"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return settings
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and value is not None:
            try:
                settings[target.id] = ast.literal_eval(value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
    return settings


def _find_site(source: Path) -> tuple[Path, dict[str, Any]]:
    """The content folder and the settings: pelicanconf.py beside it or above it."""
    for folder in (source, source.parent):
        conf = folder / "pelicanconf.py"
        if conf.is_file():
            settings = read_settings(conf)
            content = folder / str(settings["PATH"])
            return (content if folder == source and content.is_dir() else source), settings
    return source, dict(DEFAULTS)


class _UrlFormat(string.Formatter):
    """str.format for URL settings, without attribute or index lookups."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if not field_name.isidentifier():
            raise KeyError(field_name)
        return super().get_field(field_name, args, kwargs)


def old_url(pattern: str, fields: dict[str, Any]) -> str | None:
    try:
        path = _UrlFormat().format(pattern, **fields)
    except (KeyError, ValueError, IndexError, AttributeError):
        return None
    return "/" + path.lstrip("/")


def read_metadata(text: str) -> tuple[dict[str, str], str]:
    """Pelican's header: `Key: value` lines up to the first blank line (indented
    lines continue the one before)."""
    meta: dict[str, str] = {}
    lines = text.splitlines()
    last = None
    number = 0
    for number, line in enumerate(lines):  # noqa: B007 - where it stops, the body starts
        if not line.strip():
            break
        match = _META.match(line)
        if match:
            last = match.group(1).lower()
            meta[last] = match.group(2).strip()
        elif last and line[:1] in (" ", "\t"):
            meta[last] += " " + line.strip()
        else:
            return ({}, text) if not meta else (meta, "\n".join(lines[number:]))
    else:
        number = len(lines)
    return meta, "\n".join(lines[number:])


def read_pelican(source: Path, options: Options) -> Import:
    content, settings = _find_site(source_folder(source, "Pelican"))
    found = Import()
    zone = zone_named(settings.get("TIMEZONE"))
    page_folders = tuple(str(p).strip("/") for p in words(settings["PAGE_PATHS"]))
    for path in files_under(content):
        relative = path.relative_to(content).as_posix()
        suffix = path.suffix.lower()
        if suffix in (".rst", ".rest"):
            found.skip(relative, "reStructuredText is not converted; turn it into Markdown")
            continue
        if suffix not in MARKDOWN:
            continue
        is_page = any(relative.startswith(folder + "/") for folder in page_folders if folder)
        try:
            item = _item(path, relative, is_page, content, settings, zone, options)
        except Unreadable as exc:
            found.skip(relative, str(exc))
            continue
        if item.extra.get("pelican_status") == "hidden":
            found.note(relative, "hidden in Pelican; imported as a draft")
        if "{filename}" in item.body or "|filename|" in item.body:
            found.note(relative, "links to other files ({filename}...) kept as written")
        found.items.append(item)
    return found


def _when(value: str | None, zone: dt.tzinfo | None) -> dt.datetime | None:
    if not value:
        return None
    moment = parse_date(value)
    if moment is None:
        raise Unreadable(f"'{value}' is not a date Gazette can read")
    return moment.replace(tzinfo=zone) if moment.tzinfo is None and zone else moment


def _item(
    path: Path,
    relative: str,
    is_page: bool,
    content: Path,
    settings: dict[str, Any],
    zone: dt.tzinfo | None,
    options: Options,
) -> Item:
    meta, body = read_metadata(read_text(path))
    title = meta.get("title") or path.stem.replace("-", " ").capitalize()
    date = _when(meta.get("date"), zone)
    if date is None and not is_page:
        raise Unreadable("has no Date: line, which a Pelican article needs")
    folder = relative.split("/")[0] if "/" in relative else ""
    category = meta.get("category") or (folder if settings["USE_FOLDER_AS_CATEGORY"] else "")
    category = category or str(settings["DEFAULT_CATEGORY"])
    slug = meta.get("slug") or slug_of(title, "ascii", path.stem)
    item = Item(
        kind=PAGE if is_page else ARTICLE,
        origin=relative,
        title=title,
        slug=slug_of(slug, options.slug_style, path.stem),
        section=slug_of(category, options.slug_style, "misc") if not is_page else "",
        date=date,
        updated=_when(meta.get("modified"), zone),
        authors=words(meta.get("authors") or meta.get("author")),
        tags=words(meta.get("tags")),
        summary=meta.get("summary") or None,
        file=str(path),
    )
    status = meta.get("status", "published").lower()
    item.draft = status in ("draft", "hidden")
    if status != "published":
        item.extra["pelican_status"] = status
    item.extra.update({key: value for key, value in meta.items() if key not in _KNOWN})
    if category != item.section and not is_page:
        item.extra["category"] = category
    item.body = attach_local(item, body, path.parent, content, content)
    fields = {
        "slug": slug,
        "lang": meta.get("lang") or settings["DEFAULT_LANG"],
        "date": date or dt.datetime(1970, 1, 1),
        "category": slug_of(category, "ascii"),
        "author": slug_of(item.authors[0], "ascii") if item.authors else "",
    }
    own = meta.get("url")
    pattern = settings["PAGE_URL"] if is_page else settings["ARTICLE_URL"]
    item.add_alias(("/" + own.lstrip("/")) if own else old_url(str(pattern), fields))
    return item
