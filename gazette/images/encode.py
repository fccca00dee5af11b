"""One photo through Pillow: opened with limits, turned upright, stripped of its
metadata, written at each width in each format, and cropped to a social card.

Nothing of the source's EXIF, XMP or IPTC is carried over (GPS position, camera,
serial numbers); with `keep_credit`, only EXIF's Artist and Copyright are. The
colour profile is kept (it is no one's secret, and the colours depend on it).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gazette.stages.config import ImagesConfig
from gazette.stages.pictures import CARD_SIZE

if TYPE_CHECKING:  # Pillow is loaded by the functions that use it: most rebuilds write no
    from PIL import Image  # photo, and loading it is a tenth of a no-op's start

ENCODER_VERSION = "1"  # bump when what is written for the same photo and settings changes
AVIF_SPEED = 8  # libavif's 0-10: 8 is about three times faster than its default, files ~2% larger
ARTIST, COPYRIGHT, ORIENTATION = 0x013B, 0x8298, 0x0112
_PILLOW_FORMATS = {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG", "png": "PNG", "gif": "GIF"}


class BadImage(Exception):
    """A photo Gazette cannot use; the caller names the file and the articles using it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Written:
    """One file made from a photo: `name` in the entry's folder."""

    name: str
    width: int
    height: int
    format: str


def available_formats(wanted: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """The formats of `wanted` this Pillow can write, and a notice for each it cannot."""
    from PIL import features

    found, notices = [], []
    for name in wanted:
        if features.check(name):
            found.append(name)
        else:
            notices.append(
                f"warning: this Pillow cannot write {name.upper()}; photos are written "
                f"without it (pip install --upgrade Pillow, whose wheels include it)"
            )
    return tuple(found), notices


def open_photo(path: Path, max_pixels: int) -> Image.Image:
    """The photo, decoded in full: a file that is not an image, is cut short, or is
    bigger than `max_pixels` (a decompression bomb) is a BadImage."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = None  # our own limit, below, with its own message
    try:
        image = Image.open(path)
    except UnidentifiedImageError:
        if path.suffix.lower() in (".heic", ".heif"):
            raise BadImage(
                "HEIC photos cannot be read",
                "export it as JPEG (on an iPhone: Settings > Camera > Formats > Most Compatible)",
            ) from None
        raise BadImage(
            "is not an image Gazette can read (JPEG, PNG, WebP, AVIF, GIF, TIFF, BMP)",
            "replace it with the photo itself, saved as JPEG or PNG",
        ) from None
    except OSError as exc:
        raise BadImage(f"cannot be read: {exc}", "check the file's permissions") from None
    width, height = image.size
    if width * height > max_pixels:
        raise BadImage(
            f"is {width}x{height} pixels, more than [images] max_pixels ({max_pixels:,})",
            "make it smaller before adding it, or raise max_pixels if the photo is really so big",
        )
    return image


def load(image: Image.Image, draft: tuple[int, int] | None = None) -> Image.Image:
    """Decode the pixels (JPEG at a reduced scale when `draft` allows: a 4000-pixel photo
    is decoded at 2000 when 1600 are wanted), upright, as RGB or RGBA, without metadata."""
    from PIL import ImageOps

    if draft and image.format == "JPEG":
        image.draft(image.mode, draft)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's warnings about odd but readable files
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError) as exc:
        raise BadImage(
            f"is damaged ({exc})", "the file is cut short or broken: copy the photo again"
        ) from None
    icc = image.info.get("icc_profile") if image.mode != "CMYK" else None
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    upright = upright.convert("RGBA" if alpha else "RGB")
    upright.info = {"icc_profile": icc} if icc else {}
    return upright


def credit_exif(image: Image.Image) -> bytes:
    """EXIF with the photographer's credit and copyright only, when the source has them."""
    from PIL import Image

    source = image.getexif()
    kept = Image.Exif()
    for tag in (ARTIST, COPYRIGHT):
        if tag in source:
            kept[tag] = source[tag]
    return kept.tobytes() if len(kept) else b""


def own_format(image: Image.Image, alpha: bool) -> str:
    """The fallback every browser shows: the photo's own format where browsers know it."""
    if image.format == "WEBP":
        return "webp"
    if image.format == "GIF":
        return "gif"
    if image.format == "PNG" or alpha:
        return "png"
    return "jpg"


def widths_for(width: int, widths: tuple[int, ...]) -> list[int]:
    """The configured widths below the photo's own, then the widest it can give: never
    wider than the photo (no upscaling), never wider than the widest configured."""
    return sorted({w for w in widths if w < width} | {min(width, widths[-1])})


def encode_photo(
    path: Path, folder: Path, settings: ImagesConfig, formats: tuple[str, ...]
) -> dict:
    """Write every width and format of the photo at `path` into `folder`; the entry's
    description (its files, the photo's size) for `gazette.images.store`."""
    from PIL import Image

    source = open_photo(path, settings.max_pixels)
    if getattr(source, "is_animated", False) and source.format == "GIF":
        # an animated GIF is kept as it is: its frames are the content (GIF has no EXIF)
        width, height = source.size
        (folder / "own.gif").write_bytes(path.read_bytes())
        return {"width": width, "height": height, "own": "gif", "animated": True, "files": []}
    exif = credit_exif(source) if settings.keep_credit else b""
    width, height = _upright_size(source)
    sizes = widths_for(width, settings.widths)
    widest = (sizes[-1], max(1, round(height * sizes[-1] / width)))
    swapped = source.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)
    image = load(source, widest[::-1] if swapped else widest)
    own = own_format(source, image.mode == "RGBA")
    files: list[Written] = []
    for size in reversed(sizes):
        scaled = image.resize(
            (size, max(1, round(image.height * size / image.width))), Image.LANCZOS
        )
        scaled.info = image.info
        for fmt in dict.fromkeys([*formats, own]):
            name = f"{size}.{fmt}"
            (folder / name).write_bytes(_save(scaled, fmt, settings, exif))
            files.append(Written(name, scaled.width, scaled.height, fmt))
        image = scaled  # the next width from this one: quicker, and as sharp
    big = files[0]
    return {
        "width": big.width,
        "height": big.height,
        "own": own,
        "files": [[f.name, f.width, f.height, f.format] for f in files],
    }


def encode_card(
    path: Path, target: Path, settings: ImagesConfig, focus: tuple[float, float] | None
) -> None:
    """The 1200x630 social card: the widest crop of that shape around `focus` (the
    middle when None), scaled to size (up, for a small photo: cards have one size)."""
    from PIL import Image, ImageOps

    source = open_photo(path, settings.max_pixels)
    exif = credit_exif(source) if settings.keep_credit else b""
    image = load(source, None)
    if image.mode == "RGBA":  # JPEG has no transparency: on white, as pages show it
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        flat.info = image.info
        image = flat
    fx, fy = focus or (0.5, 0.5)
    card = ImageOps.fit(image, CARD_SIZE, Image.Resampling.LANCZOS, centering=(fx, fy))
    card.info = image.info
    target.write_bytes(_save(card, "jpg", settings, exif))


def _upright_size(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    if image.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8):
        return height, width
    return width, height


def _save(image: Image.Image, fmt: str, settings: ImagesConfig, exif: bytes) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {}
    if icc := image.info.get("icc_profile"):
        options["icc_profile"] = icc
    if exif:
        options["exif"] = exif
    if fmt == "jpg":
        options.update(quality=settings.quality, optimize=True, progressive=True)
    elif fmt == "webp":
        options.update(quality=settings.quality, method=4)
    elif fmt == "avif":
        # one thread: the same photo gives the same bytes, and workers run side by side
        options.update(quality=settings.avif_quality, speed=AVIF_SPEED, max_threads=1)
    image.save(out, _PILLOW_FORMATS[fmt], **options)
    return out.getvalue()
