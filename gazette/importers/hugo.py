"""Hugo sites: `content/<section>/...` with YAML (`---`) or TOML (`+++`) front matter.

A file's section is its top folder, as in Gazette; files at the top of
content/ are pages. A page bundle (`post/index.md` with its images beside it)
brings its files along. `_index.md` files describe section listings, which
Gazette makes itself: they are named in the summary, not imported.
"""

from __future__ import annotations

import re
from pathlib import Path

from gazette.importers.common import ARTICLE, PAGE, Import, Item, Options, parse_date, slug_of
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
)

_KNOWN = {"title", "date", "lastmod", "publishdate", "draft", "slug", "url", "aliases", "tags"}
_KNOWN |= {"authors", "author", "summary", "description", "images", "image"}
_KNOWN |= {"featured_image", "categories"}
_SHORTCODE = re.compile(r"\{\{[<%]\s*(/?)(\w[\w/-]*)(.*?)\s*[>%]\}\}", re.S)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")


def read_hugo(source: Path, options: Options) -> Import:
    site = source_folder(source, "Hugo")
    content = site / "content" if (site / "content").is_dir() else site
    root = content.parent
    static = root / "static" if (root / "static").is_dir() else content
    found = Import()
    for path in files_under(content):
        relative = path.relative_to(content).as_posix()
        if path.suffix.lower() not in MARKDOWN:
            continue
        if path.stem == "_index":
            found.listings.append(relative)
            continue
        try:
            item = _item(path, relative, content, static, root, options, found)
        except Unreadable as exc:
            found.skip(relative, str(exc))
            continue
        found.items.append(item)
    return found


def _item(
    path: Path,
    relative: str,
    content: Path,
    static: Path,
    root: Path,
    options: Options,
    found: Import,
) -> Item:
    meta, body = split_header(read_text(path))
    meta = {key.lower(): value for key, value in (meta or {}).items()}
    parts = relative.split("/")
    kind = ARTICLE if len(parts) > 1 else PAGE
    bundle = path.stem == "index"
    name = parts[-2] if bundle and len(parts) > 1 else path.stem
    date = parse_date(meta.get("date")) or parse_date(meta.get("publishdate"))
    if kind == ARTICLE and date is None:
        raise Unreadable("has no date (Gazette's articles need one; give it 'date:')")
    section = parts[0] if kind == ARTICLE else ""
    title = str(meta.get("title") or name.replace("-", " ").capitalize())
    slug = str(meta.get("slug") or name)
    item = Item(
        kind=kind,
        origin=relative,
        title=title,
        slug=slug_of(slug, options.slug_style, name),
        section=slug_of(section, options.slug_style) if section else "",
        date=date,
        updated=parse_date(meta.get("lastmod")),
        authors=words(meta.get("authors") or meta.get("author")),
        tags=words(meta.get("tags")),
        summary=str(meta.get("summary") or meta.get("description") or "") or None,
        draft=meta.get("draft") is True,
        file=str(path),
    )
    item.extra.update({key: value for key, value in meta.items() if key not in _KNOWN})
    if meta.get("categories"):
        item.extra["categories"] = words(meta["categories"])
    body = _shortcodes(body, relative, found)
    item.body = attach_local(item, body, path.parent, static, root)
    image = meta.get("image") or meta.get("featured_image") or meta.get("images")
    image_field(item, image, path.parent, static, root)
    own = meta.get("url")
    if kind == PAGE and own:
        item.url = "/" + str(own).strip("/") + ("/" if not str(own).endswith(".html") else "")
    else:
        old = f"/{section}/{slug}/".lower() if kind == ARTICLE else f"/{slug}/".lower()
        item.add_alias("/" + str(own).lstrip("/") if own else old)
    for alias in words(meta.get("aliases")):
        base = f"/{section}/" if section else "/"
        item.add_alias(alias if alias.startswith("/") else base + alias)
    return item


def _shortcodes(body: str, relative: str, found: Import) -> str:
    """{{< figure >}} becomes an image and its caption; any other shortcode is kept."""

    def replace(match: re.Match[str]) -> str:
        closing, name, attrs = match.groups()
        if name == "figure" and not closing:
            values = {
                m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
                for m in _ATTRIBUTE.finditer(attrs)
            }
            src = values.get("src", "")
            alt = values.get("alt") or values.get("title") or ""
            caption = values.get("caption") or values.get("title") or ""
            text = f"![{alt}]({src})"
            return text + (f"\n\n*{caption}*" if caption else "")
        found.note(relative, f"Hugo shortcode {{{{< {name} >}}}} kept as written")
        return match.group(0)

    return _SHORTCODE.sub(replace, body)
