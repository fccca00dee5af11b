"""Photos as pages show them: `<picture>` with a `srcset` per format, and the photo's
intrinsic width and height, so the browser picks a file the screen's width and
keeps the photo's place before it arrives (no layout shift).

The files themselves are made by `gazette.images`; this module knows only what
was written (`Picture`) and turns an image reference into markup. A Markdown
body's images are rewritten here, after conversion (the converter's output for
a text is cached and must not change), when a page is rendered.
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass
from html import escape
from urllib.parse import unquote

CARD_SIZE = (1200, 630)  # Open Graph and Twitter's large card
MIME = {
    "avif": "image/avif",
    "webp": "image/webp",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "svg": "image/svg+xml",
}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)
_IMG = re.compile(r"<img\b([^>]*?)\s*/?>")
_ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
# an image alone in its paragraph (a figure when it has a title), or any other image
_PART = re.compile(r"<p>(<img\b[^>]*>)</p>|<img\b[^>]*>")


@dataclass(frozen=True)
class Variant:
    path: str  # in output/, e.g. "world/quake.800.avif"
    width: int
    height: int
    format: str  # "avif", "webp", "jpg", "png"


@dataclass(frozen=True)
class Picture:
    """What was written for one image of content/."""

    path: str  # the source's path in content/ (and in output/ when a copy is kept there)
    width: int  # the widest file written: the size the page gives the <img>
    height: int
    src: str  # the <img>'s own file: the widest in the photo's own format
    variants: tuple[Variant, ...] = ()  # every file written, all widths and formats

    def srcset(self, format: str) -> list[Variant]:
        return [v for v in self.variants if v.format == format]

    @property
    def formats(self) -> list[str]:
        return list(dict.fromkeys(v.format for v in self.variants))


def card_path(path: str, focus: tuple[float, float] | None) -> str:
    """Where the social card of the photo at `path`, cropped around `focus`, is written."""
    stem = path.rsplit(".", 1)[0]
    if focus is None:
        return f"{stem}.card.jpg"
    return f"{stem}.card-{round(focus[0] * 100)}-{round(focus[1] * 100)}.jpg"


def picture_html(
    picture: Picture,
    root: str,
    alt: str,
    *,
    sizes: str,
    lead: bool = False,
    css_class: str = "",
) -> str:
    """`<picture>` (or a lone `<img>` for a file written once, e.g. SVG) with width
    and height; the page's lead photo loads at once and first, every other lazily."""
    sizes = escape(sizes)
    attrs = [f'src="{escape(root + picture.src)}"']
    own = picture.src.rsplit(".", 1)[-1]
    if len(picture.srcset(own)) > 1:
        attrs.append(f'srcset="{_srcset(picture, own, root)}" sizes="{sizes}"')
    attrs.append(f'width="{picture.width}" height="{picture.height}" alt="{escape(alt)}"')
    if css_class:
        attrs.append(f'class="{escape(css_class)}"')
    attrs.append('fetchpriority="high"' if lead else 'loading="lazy" decoding="async"')
    img = f"<img {' '.join(attrs)}>"
    sources = [
        f'<source type="{MIME[fmt]}" srcset="{_srcset(picture, fmt, root)}" sizes="{sizes}">'
        for fmt in picture.formats
        if fmt != own
    ]
    return f"<picture>{''.join(sources)}{img}</picture>" if sources else img


def _srcset(picture: Picture, format: str, root: str) -> str:
    return ", ".join(f"{escape(root + v.path)} {v.width}w" for v in picture.srcset(format))


def content_path(src: str, article_path: str) -> str | None:
    """An image reference of an article (`photo.jpg`, `../images/x.png`, `/images/x.png`)
    as a path in content/, as `image:` is read; None for a URL of another host."""
    if not src or _SCHEME.match(src):
        return None
    src = unquote(src.split("#")[0].split("?")[0])
    if src.startswith("/"):
        return src.lstrip("/")
    parts = article_path.split("/")[:-1]
    for part in src.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def body_images(html: str, article_path: str) -> list[str]:
    """The paths in content/ of the images a converted body shows."""
    found = []
    if "<img" in html:
        for match in _IMG.finditer(html):
            path = content_path(dict(_ATTR.findall(match.group(1))).get("src", ""), article_path)
            if path:
                found.append(path)
    return found


def body_pictures(
    html: str,
    article_path: str,
    pictures: dict[str, Picture],
    root: str,
    *,
    sizes: str,
    lead: bool = False,
) -> str:
    """A converted body with its photos as `<picture>`s (`lead`: the first one is the
    page's lead photo). An image alone in its paragraph with a title becomes a figure:
    `![Boats at dawn](boats.jpg "Fishing boats off Cox's Bazar | Photo: AFP")` is
    captioned with the title, and what follows its last " | " is the credit."""
    if "<img" not in html:
        return html
    first = [lead]

    def picture_of(img: str) -> str:
        attrs = dict(_ATTR.findall(img))
        path = content_path(attrs.get("src", ""), article_path)
        picture = pictures.get(path) if path else None
        if picture is None:
            return img
        is_lead, first[0] = first[0], False
        alt = _unescape(attrs.get("alt", ""))
        return picture_html(picture, root, alt, sizes=sizes, lead=is_lead)

    def one(match: re.Match[str]) -> str:
        img = match.group(1) or match.group(0)
        title = dict(_ATTR.findall(img)).get("title")
        if not match.group(1):
            return picture_of(img)
        if not title:
            return f"<p>{picture_of(img)}</p>"
        caption, bar, credit = title.rpartition(" | ")
        if not bar:
            caption, credit = title, ""
        shown = f' <span class="photo-credit">{credit}</span>' if credit else ""
        return (
            f'<figure class="body-image">{picture_of(img)}'
            f"<figcaption>{caption}{shown}</figcaption></figure>"
        )

    return _PART.sub(one, html)


def _unescape(text: str) -> str:
    return html_module.unescape(text)
