"""WordPress exports (WXR): posts become articles, pages pages, uploads their images.

Everything an item carries that Gazette has no field for (its WordPress id,
comment settings, custom fields, other taxonomies) is kept as extra front
matter keys, so nothing of the archive is lost in the move.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gazette.importers.common import ARTICLE, PAGE, Import, Item, Options, parse_date, site_path
from gazette.importers.common import slug_of as make_item_slug
from gazette.importers.html import plain_text, to_markdown
from gazette.importers.shortcodes import Picture, expand
from gazette.importers.wxr import Node, read_wxr

_PUBLISHED = {"publish", "future"}
_DRAFTS = {"draft", "pending", "private"}
_NOT_CONTENT = {
    "nav_menu_item": "a menu entry; Gazette's navigation comes from [sections] in config",
    "revision": "an earlier revision of a story",
    "custom_css": "the theme's custom CSS; put it in static/style.css",
    "customize_changeset": "unsaved theme settings",
    "oembed_cache": "WordPress's cache of an embed",
    "wp_block": "a reusable block; stories that use it show it by reference only",
    "wp_global_styles": "block theme styles",
    "wp_navigation": "a menu of the block editor",
    "wp_template": "a block theme template",
    "wp_template_part": "a block theme template part",
}
_RESIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")


@dataclass
class _Upload:
    """An attachment item: a file in wp-content/uploads and what describes it."""

    url: str
    title: str
    alt: str
    caption: str
    parent: str
    order: int


@dataclass
class _Export:
    """What items refer to across the export, and what the import has used."""

    path: Path
    options: Options
    authors: dict[str, str] = field(default_factory=dict)
    uploads: dict[str, _Upload] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # upload URLs the stories link to
    missing: set[str] = field(default_factory=set)

    def resolve(self, item: Item, url: str) -> str | None:
        """A link into wp-content/uploads, as the token of its copied file."""
        marker = "/wp-content/uploads/"
        if marker not in url or self.options.uploads is None:
            return None
        relative = unquote(urlsplit(url).path.split(marker, 1)[1])
        root = self.options.uploads.resolve()
        for candidate in (relative, _RESIZED.sub("", relative)):
            path = (root / candidate).resolve()
            if path.is_relative_to(root) and path.is_file():
                self.used.add(url)
                self.used.add(url.replace(relative, candidate))
                return item.attach(path)
        self.missing.add(relative)
        return None


def read_wordpress(source: Path, options: Options) -> Import:
    """Every item of the export, checked; nothing is written here."""
    channel, lines = read_wxr(source)
    export = _Export(source, options)
    for author in channel.all("wp:author"):
        login = author.text("wp:author_login")
        export.authors[login] = author.text("wp:author_display_name") or login
    items = channel.all("item")
    for node in items:
        if node.text("wp:post_type") == "attachment":
            export.uploads[node.text("wp:post_id")] = _upload(node)
    found = Import()
    for number, node in enumerate(items):
        line = lines[number] if number < len(lines) else None
        _read_item(node, line, export, found)
    for upload in export.uploads.values():
        if upload.url not in export.used:
            found.skip(f"attachment '{upload.title}'", f"no imported story uses {upload.url}")
    uploaded = any("/wp-content/uploads/" in u.url for u in export.uploads.values())
    if options.uploads is None and uploaded:
        found.note("uploads", "no --uploads folder given: images still link to the old site")
    for relative in sorted(export.missing):
        found.note(relative, "not in the --uploads folder; the link to the old site is kept")
    return found


def _upload(node: Node) -> _Upload:
    meta = _postmeta(node)
    return _Upload(
        url=node.text("wp:attachment_url") or node.text("guid"),
        title=node.text("title"),
        alt=meta.get("_wp_attachment_image_alt", ""),
        caption=plain_text(node.raw("excerpt:encoded")),
        parent=node.text("wp:post_parent"),
        order=int(node.text("wp:menu_order") or 0),
    )


def _postmeta(node: Node) -> dict[str, str]:
    return {meta.text("wp:meta_key"): meta.raw("wp:meta_value") for meta in node.all("wp:postmeta")}


def _read_item(node: Node, line: int | None, export: _Export, found: Import) -> None:
    kind, status = node.text("wp:post_type"), node.text("wp:status")
    post_id = node.text("wp:post_id")
    name = f"'{node.text('title') or '(no title)'}' (WordPress {kind or 'item'} {post_id})"
    if kind == "attachment":
        return
    if kind not in ("post", "page"):
        reason = _NOT_CONTENT.get(kind, f"post type '{kind}' has no Gazette equivalent")
        found.skip(name, reason)
        return
    if status not in _PUBLISHED | _DRAFTS:
        found.skip(name, f"status '{status}' (in the trash, or never saved)")
        return
    date = _date(node, "wp:post_date")
    if date is None and kind == "post":
        found.skip(name, "has no publication date")
        return
    item = Item(
        kind=ARTICLE if kind == "post" else PAGE,
        origin=name,
        title=node.text("title") or f"Untitled {post_id}",
        slug="",
        date=date,
        file=str(export.path),
        line=line,
    )
    _name_and_place(item, node, export.options)
    _people_and_terms(item, node, export)
    _state(item, node, status, found)
    _body(item, node, export, found)
    _urls(item, node, kind, post_id)
    found.items.append(item)


def _date(node: Node, name: str) -> dt.datetime | None:
    """Local time with the offset its GMT twin gives (drafts have no GMT time)."""
    local = parse_date(node.text(name))
    if local is None:
        return None
    gmt = parse_date(node.text(f"{name}_gmt"))
    if gmt is None:
        return local
    offset = local - gmt
    if abs(offset) > dt.timedelta(hours=15):
        return local
    return local.replace(tzinfo=dt.timezone(offset))


def _name_and_place(item: Item, node: Node, options: Options) -> None:
    given = unquote(node.text("wp:post_name"))
    item.slug = make_item_slug(given or item.title, options.slug_style)
    item.slug_given = bool(given)
    categories = [c for c in node.all("category") if c.element.get("domain") == "category"]
    if item.kind == ARTICLE:
        first = categories[0] if categories else None
        label = ""
        if first is not None:
            label = unquote(first.element.get("nicename") or "") or (first.element.text or "")
        item.section = make_item_slug(label or "uncategorized", options.slug_style)
    if len(categories) > 1 or (item.kind == PAGE and categories):
        item.extra["categories"] = [(c.element.text or "").strip() for c in categories]


def _people_and_terms(item: Item, node: Node, export: _Export) -> None:
    creator = node.text("dc:creator")
    names = [export.authors.get(creator, creator)] if creator else []
    terms: dict[str, list[str]] = {}
    for category in node.all("category"):
        domain = category.element.get("domain") or ""
        text = (category.element.text or "").strip()
        if domain == "post_tag":
            item.tags.append(text)
        elif domain == "author":  # Co-Authors Plus: every byline of the story
            names.append(export.authors.get(text, text))
        elif domain != "category" and text:
            terms.setdefault(domain, []).append(text)
    item.authors = list(dict.fromkeys(n for n in names if n))
    if terms:
        item.extra["wordpress_terms"] = terms


def _state(item: Item, node: Node, status: str, found: Import) -> None:
    item.extra["wordpress_id"] = int(node.text("wp:post_id") or 0)
    item.draft = status in _DRAFTS
    if status != "publish":
        item.extra["wordpress_status"] = status
    if node.text("wp:post_password"):
        item.draft = True
        found.note(item.origin, "password-protected in WordPress; imported as a draft")
    item.updated = _date(node, "wp:post_modified")
    for key in ("comment_status", "ping_status"):
        if value := node.text(f"wp:{key}"):
            item.extra[key] = value
    if node.text("wp:is_sticky") == "1":
        item.extra["sticky"] = True
    if (parent := node.text("wp:post_parent")) not in ("", "0"):
        item.extra["wordpress_parent"] = int(parent)
    if (order := node.text("wp:menu_order")) not in ("", "0"):
        item.extra["menu_order"] = int(order)
    comments = node.all("wp:comment")
    if comments:
        item.extra["wordpress_comments"] = len(comments)
        found.note(item.origin, f"{len(comments)} comments not imported (Gazette has none)")
    summary = plain_text(node.raw("excerpt:encoded"))
    item.summary = summary or None


def _body(item: Item, node: Node, export: _Export, found: Import) -> None:
    meta = _postmeta(node)
    post_id = node.text("wp:post_id")

    def gallery(ids: list[str] | None) -> list[Picture]:
        if ids is None:
            chosen = [u for u in export.uploads.values() if u.parent == post_id]
            chosen.sort(key=lambda u: u.order)
        else:
            chosen = [export.uploads[i] for i in ids if i in export.uploads]
        for upload in chosen:
            export.used.add(upload.url)
        return [(u.url, u.alt, u.caption) for u in chosen]

    expanded = expand(node.raw("content:encoded"), gallery)
    for note in dict.fromkeys(expanded.notes):
        found.note(item.origin, note)
    item.body = to_markdown(expanded.html, lambda url: export.resolve(item, url))
    thumbnail = meta.pop("_thumbnail_id", "")
    if thumbnail in export.uploads:
        upload = export.uploads[thumbnail]
        export.used.add(upload.url)
        item.image = export.resolve(item, upload.url) or upload.url
        item.image_alt = upload.alt or None
        item.caption = upload.caption or None
    if meta:
        item.extra["wordpress_meta"] = meta


def _urls(item: Item, node: Node, kind: str, post_id: str) -> None:
    item.add_alias(site_path(node.text("link")) if node.text("link") else None)
    item.add_alias(f"/?p={post_id}")
    if kind == "page":
        item.add_alias(f"/?page_id={post_id}")
    item.guid = node.text("guid") or None
