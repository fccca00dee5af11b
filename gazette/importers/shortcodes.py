"""WordPress's own markup in a post body: block comments, shortcodes, auto-paragraphs.

A WordPress body is not plain HTML: the block editor wraps content in
`<!-- wp:... -->` comments, the classic editor leaves paragraphs as blank lines
for `wpautop` to mark up at view time, and `[caption]`, `[gallery]` or a
plugin's `[shortcode]` are expanded by PHP. This module turns all of that into
plain HTML first; a shortcode it does not know stays in the text as written
(and is reported), so nothing disappears without a word.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# (url, alt text, caption) of each picture a [gallery] shows.
Picture = tuple[str, str, str]
Gallery = Callable[[list[str] | None], list[Picture]]

_BLOCK = re.compile(r"<!--\s*(/?)wp:([a-z0-9_/-]+)(\s+\{.*?\})?\s*(/?)-->", re.DOTALL)
_MORE = re.compile(r"<!--\s*(more|noteaser)\b.*?-->", re.DOTALL)
_NEXTPAGE = re.compile(r"<!--\s*nextpage\s*-->")
_SHORTCODE = re.compile(
    r"\[(\[?)([A-Za-z][\w-]*)(\s[^\[\]]*?)?(/?)\](?:(.*?)\[/\2\])?(\]?)", re.DOTALL
)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"]+))""")
_IMAGE = re.compile(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_KNOWN = {"caption", "wp_caption", "gallery", "embed", "audio", "video"}
_BLOCK_START = re.compile(
    r"<(?:table|thead|tbody|tr|td|th|ul|ol|li|dl|dd|dt|h[1-6]|blockquote|pre|div|figure|p|hr|"
    r"iframe|form|script|style|address|section|article|aside|header|footer|nav|video|audio|"
    r"object|embed|details|!--)\b",
    re.IGNORECASE,
)


@dataclass
class Expanded:
    """A body as plain HTML, and what the reader should know about it."""

    html: str
    notes: list[str] = field(default_factory=list)


def expand(body: str, gallery: Gallery) -> Expanded:
    """Blocks, shortcodes and classic paragraphs as plain HTML."""
    result = Expanded(body.replace("\r\n", "\n"))
    classic = "<!-- wp:" not in result.html and not re.search(r"<p[\s>]", result.html, re.I)
    result.html = _blocks(result.html, result.notes)
    result.html = _MORE.sub("", result.html)
    if _NEXTPAGE.search(result.html):
        result.html = _NEXTPAGE.sub("<hr />", result.html)
        result.notes.append("a story split into pages (<!--nextpage-->) is one page now")
    result.html = _shortcodes(result.html, gallery, result.notes)
    if classic:
        result.html = autop(result.html)
    return result


def _blocks(body: str, notes: list[str]) -> str:
    """Block comments go, their content stays; a block with no content (rendered by
    PHP, like latest-posts) cannot be carried over and is named."""

    def replace(match: re.Match[str]) -> str:
        if match.group(4):
            notes.append(f"block wp:{match.group(2)} is made by WordPress at view time; left out")
        return ""

    return _BLOCK.sub(replace, body)


def attributes(text: str | None) -> dict[str, str]:
    """A shortcode's attributes; exports often hold them with &quot; or curly quotes."""
    text = html.unescape(text or "")
    text = re.sub("[\u201c\u201d\u2033]", '"', text).replace("\u2018", "'").replace("\u2019", "'")
    found = {}
    for match in _ATTRIBUTE.finditer(text):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        found[match.group(1).lower()] = value
    return found


def _shortcodes(body: str, gallery: Gallery, notes: list[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        opening, name, attrs, _, inner, closing = match.groups()
        whole = match.group(0)
        if opening and closing:  # [[name]] is WordPress's way to write [name] itself
            return whole[1:-1]
        kind = name.lower()
        if kind not in _KNOWN:
            if re.fullmatch(r"[a-z][a-z0-9_-]*", name):
                notes.append(f"shortcode [{name}] is not known to Gazette; kept as text")
            inner_text = _shortcodes(inner, gallery, notes) if inner else None
            return whole if inner_text is None else whole.replace(inner, inner_text, 1)
        options = attributes(attrs)
        if kind in ("caption", "wp_caption"):
            return opening + _caption(inner or "", options) + closing
        if kind == "gallery":
            return opening + _gallery(whole, options, gallery, notes) + closing
        if kind == "embed":
            url = (inner or options.get("src", "")).strip()
            return opening + f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>' + closing
        return opening + _media(kind, options, inner or "", notes, whole) + closing

    return _SHORTCODE.sub(replace, body)


def _caption(inner: str, options: dict[str, str]) -> str:
    """[caption]<img ...> Text[/caption]: the picture, then its caption in italics."""
    image = _IMAGE.search(inner)
    text = options.get("caption") or (_IMAGE.sub("", inner) if image else inner)
    text = " ".join(_TAG.sub("", text).split())
    picture = f"<p>{image.group(0)}</p>\n" if image else ""
    words = f"<p><em>{html.escape(html.unescape(text))}</em></p>\n" if text else ""
    return f"\n{picture}{words}\n"


def _gallery(whole: str, options: dict[str, str], gallery: Gallery, notes: list[str]) -> str:
    ids = [part.strip() for part in options.get("ids", options.get("include", "")).split(",")]
    pictures = gallery([i for i in ids if i] or None)
    if not pictures:
        notes.append("a [gallery] whose images are not in the export; kept as text")
        return whole
    parts = []
    for url, alt, caption in pictures:
        parts.append(f'<p><img src="{html.escape(url)}" alt="{html.escape(alt)}" /></p>')
        if caption:
            parts.append(f"<p><em>{html.escape(caption)}</em></p>")
    return "\n" + "\n".join(parts) + "\n"


def _media(kind: str, options: dict[str, str], inner: str, notes: list[str], whole: str) -> str:
    """[audio] and [video]: an HTML player on the file, which the page keeps as HTML."""
    keys = ("src", "mp4", "m4v", "webm", "ogv", "mp3", "ogg", "wav", "m4a")
    url = next((options[key] for key in keys if options.get(key)), "") or inner.strip()
    if not url or "<" in url:
        notes.append(f"a [{kind}] without a file; kept as text")
        return whole
    return f'\n<p><{kind} controls src="{html.escape(url)}"></{kind}></p>\n'


def autop(body: str) -> str:
    """WordPress's wpautop, simplified: blank lines part paragraphs and a single
    newline is a line break, except in blocks that are already HTML (and <pre>)."""
    keep: list[str] = []

    def hold(match: re.Match[str]) -> str:
        keep.append(match.group(0))
        return f"GAZETTEPRE{len(keep) - 1}Z"

    body = re.sub(r"<pre\b.*?</pre>", hold, body, flags=re.DOTALL | re.IGNORECASE)
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", body)]
    out = []
    for chunk in filter(None, chunks):
        if _BLOCK_START.match(chunk) or re.fullmatch(r"GAZETTEPRE\d+Z", chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br />\n") + "</p>")
    text = "\n\n".join(out)
    for number, block in enumerate(keep):
        text = text.replace(f"GAZETTEPRE{number}Z", block)
    return text
