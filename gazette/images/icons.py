"""favicon.ico and touch icons, so no browser asks for a file the site lacks.

Made from `[images] icon` when set, else from the publisher logo when it is a
raster file; an SVG logo (Pillow cannot draw SVG) gives a generated icon: the
site's initial, white on `[images] icon_color`. Made again only when what they
are made from changes (`icons_key`): encoding them took a sixth of a no-op build.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import PIL

from gazette.digest import bytes_digest, digest
from gazette.errors import GazetteError
from gazette.images.encode import BadImage, load, open_photo
from gazette.stages.assets import OutputFile
from gazette.stages.config import Config

if TYPE_CHECKING:  # Pillow is loaded only when the icons are made (see icons_key)
    from PIL import Image

RASTER_ICON = (".png", ".jpg", ".jpeg", ".webp", ".gif")
TOUCH = 180  # Apple's touch icon
ICON_SIZES = ((16, 16), (32, 32), (48, 48))


def icon_source(config: Config) -> Path | None:
    """The raster file the icons are made from, None for a generated one."""
    for name in (config.images.icon, config.publisher.logo):
        name = name.lstrip("/")
        if not name or "://" in name or Path(name).suffix.lower() not in RASTER_ICON:
            continue
        for folder in (config.static_dir, config.content_dir, config.root):
            if (folder / name).is_file():
                return folder / name
        if name == config.images.icon.lstrip("/"):
            raise GazetteError(
                f"[images] icon '{name}' is not in static/ or content/",
                file=config.path,
                hint='give a square PNG of 512 pixels or more, e.g. icon = "icon.png" in static/',
            )
    return None


def icons_key(config: Config) -> str:
    """What the icons are made from: the source's bytes, or the generated icon's
    letter and colour; and Pillow's version, which encodes them."""
    source = icon_source(config)
    if source is not None:
        made_from = bytes_digest(source.read_bytes())
    else:
        made_from = digest(config.publisher.name, config.site.title, config.images.icon_color)
    return digest(made_from, PIL.__version__, repr(ICON_SIZES), str(TOUCH))


def make_icons(config: Config) -> tuple[list[OutputFile], list[tuple[str, str, str]]]:
    """favicon.ico (16, 32, 48), apple-touch-icon.png (180) and icon-512.png, and the
    <link>s for a page's head (rel, type, path)."""
    from PIL import Image

    source = icon_source(config)
    if source is not None:
        try:
            image = load(open_photo(source, config.images.max_pixels))
        except BadImage as exc:
            raise GazetteError(
                f"icon '{source.name}' {exc.message}", file=source, hint=exc.hint
            ) from None
        square = _square(image)
    else:
        square = _initial(config, 512)
    files = [
        OutputFile("favicon.ico", _encode(square, "ICO", sizes=ICON_SIZES)),
        OutputFile(
            "apple-touch-icon.png",
            _encode(square.resize((TOUCH, TOUCH), Image.Resampling.LANCZOS), "PNG"),
        ),
        OutputFile(
            "icon-512.png", _encode(square.resize((512, 512), Image.Resampling.LANCZOS), "PNG")
        ),
    ]
    head = [
        ("icon", "image/x-icon", "favicon.ico"),
        ("apple-touch-icon", "image/png", "apple-touch-icon.png"),
    ]
    return files, head


def _square(image: Image.Image) -> Image.Image:
    """The image centred on a transparent square (a logo is seldom square)."""
    from PIL import Image

    side = max(image.size)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return square


def _initial(config: Config, size: int) -> Image.Image:
    """The site's first letter, white on its colour, in a rounded square."""
    from PIL import Image, ImageDraw, ImageFont

    colour = tuple(int(config.images.icon_color[i : i + 2], 16) for i in (1, 3, 5))
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=(*colour, 255))
    name = (config.publisher.name or config.site.title).strip()
    letter = next((c for c in name if c.isalnum()), "G").upper()
    font = ImageFont.load_default(size=round(size * 0.62))
    draw.text((size / 2, size / 2), letter, fill=(255, 255, 255, 255), font=font, anchor="mm")
    return image


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()
