"""Writing an import: Markdown files with front matter, their images, the summary.

Everything is checked before the first write, and no file is ever replaced: a
target that exists is reported as skipped, so running an import twice, or into
a site that already has stories, cannot destroy anyone's work.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from gazette.importers.common import PAGE, Import, Item, Skipped, check_unique, format_date


@dataclass(frozen=True)
class Site:
    """The parts of the site's config an import needs to place files and links."""

    permalink: str = "/{section}/{slug}/"
    tz: dt.tzinfo = dt.UTC
    sections: tuple[str, ...] = ()  # [sections] of config.toml; empty: any folder is one
    # Where the import goes inside content/ ('' for content/ itself, or for a folder
    # elsewhere that will become content/): its articles then say their section.
    prefix: str = ""


@dataclass
class Report:
    """What was written and what was not, for the summary the command prints."""

    source: str
    into: Path
    articles: int = 0
    pages: int = 0
    drafts: int = 0
    copied: int = 0
    written: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Skipped] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    new_sections: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"Imported {self.source} into {self.into}: {self.articles} articles, "
            f"{self.pages} pages, {self.drafts} drafts among them, {self.copied} files copied"
        ]
        if self.skipped:
            lines.append(f"Skipped {len(self.skipped)}:")
            lines += [f"  {entry.name}: {entry.reason}" for entry in self.skipped]
        if self.notes:
            lines.append("Imported with a caveat:")
            lines += [f"  {entry.name}: {entry.reason}" for entry in self.notes]
        if self.listings:
            lines.append("Section listings, not articles (Gazette makes section pages itself):")
            lines += [f"  {name}" for name in self.listings]
        if self.new_sections:
            lines.append("Sections not in config.toml's [sections]; add them to build the site:")
            lines.append("  [sections]")
            lines += [f'  {name} = "{_label(name)}"' for name in self.new_sections]
        return "\n".join(lines)


def _label(section: str) -> str:
    return section.replace("-", " ").title()


# Gazette's front matter fields (and authors, which the import writes itself).
RESERVED = frozenset(
    "title date updated hijri weather source dateline section tags author authors image "
    "image_alt caption summary slug draft url aliases guid kind template "
    "type kicker series corrections updates".split()
)


class _Dumper(yaml.SafeDumper):
    """No anchors: Gazette refuses YAML aliases in front matter."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _flow_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    """Lists on one line (`tags: [a, b]`), as Gazette's README writes them."""
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(list, _flow_list)


def front_matter(item: Item, image: str | None, site: Site) -> dict[str, Any]:
    """The item's keys in Gazette's order; extra keys last, never dropped."""
    meta: dict[str, Any] = {"title": item.title}
    if item.date is not None:
        meta["date"] = format_date(item.date)
    if item.updated is not None and _later(item.updated, item.date):
        meta["updated"] = format_date(item.updated)
    if item.authors:
        meta["author"] = item.authors[0]
        if len(item.authors) > 1:
            meta["authors"] = list(item.authors)
    optional = {
        "section": item.section if site.prefix and item.kind != PAGE else None,
        "tags": list(item.tags),
        "summary": item.summary,
        "draft": True if item.draft else None,
        "slug": item.slug,
        "url": item.url,
        "image": image,
        "image_alt": item.image_alt if image else None,
        "caption": item.caption if image else None,
        "aliases": list(item.aliases),
        "guid": item.guid,
    }
    meta.update({key: value for key, value in optional.items() if value not in (None, "", [])})
    for key, value in item.extra.items():
        # A source's own 'source:' or 'weather:' means something else than Gazette's
        # field of that name (and may not have its type): kept under another name.
        meta.setdefault(f"original_{key}" if key in RESERVED else key, value)
    return meta


def _later(updated: dt.datetime, date: dt.datetime | None) -> bool:
    """Gazette refuses an 'updated' before 'date'; equal says nothing either."""
    if date is None:
        return True
    if (updated.tzinfo is None) != (date.tzinfo is None):
        return updated.replace(tzinfo=None) > date.replace(tzinfo=None)
    return updated > date


def url_of(item: Item, site: Site) -> str:
    """The item's URL in the new site, relative to its root (no leading '/')."""
    if item.kind == PAGE:
        return (item.url or f"/{item.slug}/").lstrip("/")
    date = item.date or dt.datetime(2000, 1, 1)
    if date.tzinfo is not None:
        date = date.astimezone(site.tz)
    return site.permalink.format(
        section=item.section,
        slug=item.slug,
        year=f"{date.year:04d}",
        month=f"{date.month:02d}",
        day=f"{date.day:02d}",
    ).lstrip("/")


def file_folder(item: Item) -> PurePosixPath:
    """An item's files go in a folder named after it, beside its Markdown file."""
    return item.target.parent / item.slug


def render(item: Item, site: Site) -> str:
    """The whole Markdown file: front matter, then the body with its files' links."""
    page_dir = url_of(item, site)
    page_dir = page_dir if page_dir.endswith("/") or not page_dir else posixpath.dirname(page_dir)
    body, image = item.body, item.image
    for attachment in item.files:
        copied = PurePosixPath(site.prefix) / file_folder(item) / attachment.name
        link = posixpath.relpath(copied.as_posix(), page_dir or ".")
        body = body.replace(attachment.token, link)
        if image == attachment.token:
            image = f"{item.slug}/{attachment.name}"
    front = yaml.dump(
        front_matter(item, image, site),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1000,
    )
    return f"---\n{front}---\n\n{body.strip()}\n"


def write_import(found: Import, into: Path, site: Site, source: str) -> Report:
    """Check the items together, then write each one whose file does not exist yet."""
    check_unique(found.items)
    report = Report(source=source, into=into, skipped=list(found.skipped), notes=list(found.notes))
    report.listings = list(found.listings)
    texts = [(item, render(item, site)) for item in found.items]  # every failure before writing
    sections: dict[str, None] = {}
    for item, text in texts:
        path = into / item.target
        if path.exists():
            report.skipped.append(Skipped(item.origin, f"{path} already exists; left as it is"))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        report.written.append(path)
        report.copied += _copy_files(item, into, report)
        if item.kind == PAGE:
            report.pages += 1
        else:
            report.articles += 1
            sections.setdefault(item.section, None)
        report.drafts += item.draft
    if site.prefix and report.pages:
        folder = f"content/{site.prefix}/pages/"
        report.notes.append(Skipped(folder, "pages are pages only in content/pages/: move them"))
    if site.sections:
        report.new_sections = [name for name in sections if name not in site.sections]
    return report


def _copy_files(item: Item, into: Path, report: Report) -> int:
    copied = 0
    for attachment in item.files:
        target = into / file_folder(item) / attachment.name
        if target.exists():
            if target.read_bytes() != attachment.source.read_bytes():
                reason = f"{target} already exists and differs; the story links to that file"
                report.skipped.append(Skipped(str(attachment.source), reason))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(attachment.source, target)
        copied += 1
    return copied
