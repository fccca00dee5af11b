"""HTML bodies to Markdown, keeping as HTML whatever Markdown cannot say.

markdownify turns paragraphs, headings, lists, links, images, quotes and simple
tables into Markdown. Embedded players, forms, scripts, comments and tables
with merged or block-filled cells have no Markdown form: they are set aside
before the conversion and put back as raw HTML (which Gazette's Markdown passes
through), so a story keeps every part it had.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup, Comment, Tag
from markdownify import MarkdownConverter

# An old link (src or href) to the token of a copied file, or None to keep it.
Resolver = Callable[[str], str | None]

_RAW_BLOCKS = {"table", "form", "script", "style", "noscript", "details", "object", "svg", "math"}
_RAW_INLINE = {"iframe", "video", "audio", "embed", "canvas"}
_BLOCKS_IN_CELLS = ["table", "ul", "ol", "pre", "blockquote", "div", "h1", "h2", "h3", "h4"]
_LINK_ATTRIBUTES = (("img", "src"), ("a", "href"), ("video", "src"), ("video", "poster"))
_MEDIA_ATTRIBUTES = (("audio", "src"), ("source", "src"), ("embed", "src"))
_INLINE_IMAGES = ["td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "a", "li", "strong", "em"]


class _Converter(MarkdownConverter):
    """markdownify as Gazette's sample articles write Markdown: # headings, - bullets."""

    def __init__(self) -> None:
        super().__init__(
            heading_style="ATX",
            bullets="-",
            table_infer_header=True,
            keep_inline_images_in=_INLINE_IMAGES,
            escape_misc=False,
        )


def to_markdown(markup: str, resolve: Resolver | None = None) -> str:
    """Markdown for an HTML body; links to files on disk become their tokens."""
    soup = BeautifulSoup(markup, "html.parser")
    if resolve is not None:
        rewrite_links(soup, resolve)
    raw: list[tuple[str, bool]] = []  # (HTML, is a block)
    for node in list(soup.find_all(string=lambda s: isinstance(s, Comment))):
        raw.append((f"<!--{node}-->", node.parent is soup))
        node.replace_with(_token(len(raw) - 1))
    for tag in list(soup.find_all(True)):
        if tag.decomposed or not _kept_raw(tag) or tag.find_parent(_kept_raw):
            continue
        block = tag.name in _RAW_BLOCKS or tag.parent is soup
        raw.append((str(tag), block))
        replacement = soup.new_tag("p") if block else None
        token = _token(len(raw) - 1)
        if replacement is not None:
            replacement.string = token
            tag.replace_with(replacement)
        else:
            tag.replace_with(token)
    text = _Converter().convert_soup(soup)
    for number, (piece, block) in enumerate(raw):
        token = _token(number)
        if block:
            text = text.replace(token, "\n\n" + piece.strip() + "\n\n", 1)
        else:
            text = text.replace(token, re.sub(r"\n\s*\n", "\n", piece), 1)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _token(number: int) -> str:
    return f"GAZETTERAW{number}Z"


def _kept_raw(tag: Tag) -> bool:
    if tag.name in _RAW_INLINE or tag.name in ("form", "script", "style", "noscript"):
        return True
    if tag.name in ("details", "object", "svg", "math"):
        return True
    if tag.name != "table":
        return False
    merged = tag.find(attrs={"colspan": True}) or tag.find(attrs={"rowspan": True})
    cells = tag.find_all(["td", "th"])
    return bool(merged or tag.find("caption") or any(cell.find(_BLOCKS_IN_CELLS) for cell in cells))


def rewrite_links(soup: BeautifulSoup, resolve: Resolver) -> None:
    """Each link to a file the importer can copy now names the file's token."""
    for name, attribute in (*_LINK_ATTRIBUTES, *_MEDIA_ATTRIBUTES):
        for tag in soup.find_all(name):
            value = tag.get(attribute)
            if isinstance(value, str) and (token := resolve(value)):
                tag[attribute] = token
                if name == "img":
                    tag.attrs.pop("srcset", None)  # other sizes of the old file
                    tag.attrs.pop("sizes", None)


def plain_text(markup: str) -> str:
    """Text of a short piece of HTML (an excerpt), on one line."""
    return " ".join(BeautifulSoup(markup, "html.parser").get_text(" ").split())
