"""The imported item, as every source kind fills it in, and what an import found.

Importers only read: they return an `Import` of `Item`s plus what they skipped
and why, so the whole archive is checked before a single file is written (a
broken export must leave `content/` as it was).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from gazette.dates import in_range
from gazette.errors import GazetteError
from gazette.slugs import make_slug

ARTICLE = "article"
PAGE = "page"
PAGES_FOLDER = "pages"  # content/pages/: Gazette's undated pages


@dataclass(frozen=True)
class Options:
    """What an importer needs from the site: its slug style and where uploads are."""

    slug_style: str = "ascii"
    uploads: Path | None = None  # a WordPress export's wp-content/uploads folder


@dataclass(frozen=True)
class Attachment:
    """A file on disk to copy beside the item; the body names it by `token`."""

    source: Path
    name: str  # file name in the item's folder
    token: str  # stands for the file's link in `Item.body` and `Item.image`


@dataclass
class Item:
    """One article or page, in Gazette's terms, before it is written."""

    kind: str  # ARTICLE or PAGE
    origin: str  # how the summary and errors name it: a file, or an export's item
    title: str
    slug: str
    slug_given: bool = True  # False: made from the title, so it may take a -2 to be unique
    section: str = ""  # articles only
    date: dt.datetime | None = None  # aware when the source gave an offset
    updated: dt.datetime | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    draft: bool = False
    image: str | None = None  # a URL, or an attachment's token
    image_alt: str | None = None
    caption: str | None = None
    url: str | None = None  # a page's own URL, when the source fixed one
    aliases: list[str] = field(default_factory=list)
    guid: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    files: list[Attachment] = field(default_factory=list)
    file: str | None = None  # where it was read, for errors
    line: int | None = None

    def attach(self, source: Path) -> str:
        """The token for `source` copied beside this item (one copy per file)."""
        for known in self.files:
            if known.source == source:
                return known.token
        names = {known.name for known in self.files}
        stem, suffix = source.stem, source.suffix
        name, number = source.name, 1
        while name in names:
            number += 1
            name = f"{stem}-{number}{suffix}"
        token = f"GAZETTEFILE{id(self)}N{len(self.files)}Z"
        self.files.append(Attachment(source, name, token))
        return token

    def add_alias(self, url: str | None) -> None:
        if url and url not in self.aliases:
            self.aliases.append(url)

    @property
    def target(self) -> PurePosixPath:
        """The Markdown file, relative to the folder imported into."""
        folder = PAGES_FOLDER if self.kind == PAGE else self.section
        return PurePosixPath(folder, f"{self.slug}.md")


@dataclass(frozen=True)
class Skipped:
    """Something in the source not imported, or imported with a caveat."""

    name: str
    reason: str


@dataclass
class Import:
    """What one importer read: the items, and everything it could not carry over."""

    items: list[Item] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Skipped] = field(default_factory=list)  # imported, with a caveat
    listings: list[str] = field(default_factory=list)  # section index files, not articles

    def skip(self, name: str, reason: str) -> None:
        self.skipped.append(Skipped(name, reason))

    def note(self, name: str, reason: str) -> None:
        self.notes.append(Skipped(name, reason))


def slug_of(text: str, style: str, fallback: str = "item") -> str:
    return make_slug(text, style) or make_slug(fallback, style) or "item"


_DATE = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)


def parse_date(value: Any) -> dt.datetime | None:
    """A date or time in the forms archives hold, or None when it is not one.

    `2020-12-2`, `2013-01-11 09:05:00`, `2013-01-11T09:05:00+06:00` and
    YAML's own dates all come in; an offset is kept, none is invented.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and (match := _DATE.fullmatch(value.strip())):
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups()[:6])
        zone = _zone(match.group(7))
        try:
            moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)
        except ValueError:
            return None
    else:
        return None
    return moment if in_range(moment) else None


def _zone(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def format_date(moment: dt.datetime) -> str:
    """`2013-01-11 09:05`, seconds only when there are some, the offset when known."""
    text = moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")
    offset = moment.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds()) // 60
        sign, minutes = ("-", -minutes) if minutes < 0 else ("+", minutes)
        text += f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return text


def site_path(url: str) -> str | None:
    """An old URL as a site-relative path starting with '/', query kept ('/?p=12')."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url.strip())
    path = unquote(parts.path) or "/"
    if not path.startswith("/"):
        path = "/" + path
    if parts.query:
        path += "?" + parts.query
    return path if path != "/" else None


def check_unique(items: list[Item]) -> None:
    """Two items on one file would have one overwrite the other: an error naming both.
    A slug the source did not give (a draft's, made from its title) takes -2, -3..."""
    owners: dict[PurePosixPath, Item] = {}
    errors = []
    for item in sorted(items, key=lambda item: not item.slug_given):
        base, number = item.slug, 1
        while not item.slug_given and item.target in owners:
            number += 1
            item.slug = f"{base}-{number}"
        first = owners.setdefault(item.target, item)
        if first is not item:
            where = "page" if item.kind == PAGE else f"section '{item.section}'"
            errors.append(
                GazetteError(
                    f"{first.origin} and {item.origin} have the same slug '{item.slug}' in {where}",
                    file=item.file,
                    line=item.line,
                    hint="give one of them another slug in the source and export again",
                )
            )
    if errors:
        raise GazetteError.collect(errors)
