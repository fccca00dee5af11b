"""Jekyll sites: `_posts/YYYY-MM-DD-slug.md` are articles, `_drafts/` drafts, and any
other Markdown or HTML file with front matter a page. Old URLs come from the
`permalink` of `_config.yml` (or of the file itself), as Jekyll builds them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from gazette.importers.common import ARTICLE, PAGE, Import, Item, Options, parse_date, slug_of
from gazette.importers.html import to_markdown
from gazette.importers.textfiles import (
    MARKDOWN,
    Unreadable,
    attach_local,
    files_under,
    image_field,
    read_text,
    source_folder,
    split_header,
    words,
    zone_named,
)

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_POST_NAME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})-(.+)$")
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_KNOWN = {"title", "date", "last_modified_at", "categories", "category", "tags", "tag"}
_KNOWN |= {"author", "authors", "excerpt", "description", "published", "permalink", "slug"}
_KNOWN |= {"image"}
_SKIPPED_PAGES = {
    "index": "the site's front page; Gazette makes its own",
    "404": "Gazette writes its own 404 page",
}


def read_jekyll(source: Path, options: Options) -> Import:
    site = source_folder(source, "Jekyll")
    config = _config(site)
    permalink = str(config.get("permalink") or "date")
    pattern = STYLES.get(permalink, permalink)
    zone = zone_named(config.get("timezone"))
    found = Import()
    for path in files_under(site):
        relative = path.relative_to(site).as_posix()
        parts = relative.split("/")
        suffix = path.suffix.lower()
        if suffix not in MARKDOWN | {".html"}:
            continue
        if "_posts" in parts or parts[0] == "_drafts":
            kind = ARTICLE
        elif any(part.startswith("_") for part in parts) or parts[0] in ("vendor", "node_modules"):
            continue  # layouts, includes, data, the built _site
        else:
            kind = PAGE
        try:
            item = _item(path, relative, kind, site, pattern, options)
            if item is not None and zone is not None:
                item.date = _localise(item.date, zone)
                item.updated = _localise(item.updated, zone)
        except Unreadable as exc:
            found.skip(relative, str(exc))
            continue
        if item is None:
            continue
        if kind == PAGE and path.stem in _SKIPPED_PAGES and len(parts) == 1:
            found.skip(relative, _SKIPPED_PAGES[path.stem])
            continue
        if _LIQUID.search(item.body):
            found.note(relative, "Liquid tags ({% ... %}, {{ ... }}) kept as written")
        found.items.append(item)
    return found


def _localise(moment: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """Jekyll reads a date without an offset in the site's `timezone`."""
    return moment.replace(tzinfo=zone) if moment and moment.tzinfo is None else moment


def _config(site: Path) -> dict[str, Any]:
    path = site / "_config.yml"
    if not path.is_file():
        return {}
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _item(
    path: Path, relative: str, kind: str, site: Path, pattern: str, options: Options
) -> Item | None:
    meta, body = split_header(read_text(path))
    draft_folder = relative.startswith("_drafts/")
    if meta is None:
        if kind == PAGE:
            return None  # Jekyll copies files without front matter as they are
        meta = {}
    named = _POST_NAME.match(path.stem)
    name = named.group(2) if named and kind == ARTICLE else path.stem
    date = parse_date(meta.get("date")) or (parse_date(named.group(1)) if named else None)
    if kind == ARTICLE and date is None:
        if not draft_folder:
            raise Unreadable("has no date in its name (YYYY-MM-DD-title.md) or front matter")
        date = dt.datetime.fromtimestamp(int(path.stat().st_mtime)).replace(second=0)
    title = str(meta.get("title") or name.replace("-", " ").capitalize())
    categories = words(meta.get("categories") or meta.get("category"))
    if isinstance(meta.get("categories"), str):
        categories = meta["categories"].split()
    slug = str(meta.get("slug") or name)
    item = Item(
        kind=kind,
        origin=relative,
        title=title,
        slug=slug_of(slug, options.slug_style, path.stem),
        section=slug_of(categories[0], options.slug_style) if categories else "posts",
        date=date,
        updated=parse_date(meta.get("last_modified_at")),
        authors=words(meta.get("authors") or meta.get("author")),
        tags=_tags(meta),
        summary=str(meta.get("excerpt") or meta.get("description") or "") or None,
        draft=draft_folder or meta.get("published") is False,
        file=str(path),
    )
    if kind == PAGE:
        item.section = ""
    if len(categories) > 1:
        item.extra["categories"] = categories
    item.extra.update({key: value for key, value in meta.items() if key not in _KNOWN})
    body = to_markdown(body) if path.suffix.lower() == ".html" else body
    body = re.sub(r"\{\{\s*site\.(?:baseurl|url)\s*\}\}", "", body)
    item.body = attach_local(item, body, path.parent, site, site)
    image_field(item, meta.get("image"), path.parent, site, site)
    if not draft_folder:
        own = meta.get("permalink")
        url = _page_url(relative, pattern) if kind == PAGE else None
        if own or kind == ARTICLE:
            url = _permalink(str(own or pattern), slug, date, categories)
        item.add_alias(url)
    return item


def _tags(meta: dict[str, Any]) -> list[str]:
    value = meta.get("tags", meta.get("tag"))
    return value.split() if isinstance(value, str) else words(value)


def _page_url(relative: str, pattern: str) -> str:
    """A page's default URL: its path, .md as .html (as a folder when the site's
    permalinks end in '/'), index.html as its folder."""
    stem = re.sub(r"\.(md|markdown|mkd|mdown|html)$", "", relative)
    if stem == "index" or stem.endswith("/index"):
        return "/" + stem[: -len("index")]
    return f"/{stem}/" if pattern.endswith("/") else f"/{stem}.html"


def _permalink(pattern: str, slug: str, date: dt.datetime | None, categories: list[str]) -> str:
    """Jekyll's placeholders filled in; an empty :categories leaves no double '/'."""
    when = date or dt.datetime(1970, 1, 1)
    fields = {
        "year": f"{when.year:04d}",
        "month": f"{when.month:02d}",
        "i_month": str(when.month),
        "day": f"{when.day:02d}",
        "i_day": str(when.day),
        "short_year": f"{when.year % 100:02d}",
        "y_day": f"{when.timetuple().tm_yday:03d}",
        "hour": f"{when.hour:02d}",
        "minute": f"{when.minute:02d}",
        "second": f"{when.second:02d}",
        "title": slug,
        "slug": slug,
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "output_ext": ".html",
    }
    names = "|".join(sorted(fields, key=len, reverse=True))
    url = re.sub(rf":({names})", lambda m: fields[m.group(1)], pattern)
    return "/" + re.sub(r"/{2,}", "/", url).lstrip("/")
