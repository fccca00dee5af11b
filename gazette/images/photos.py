"""The photos of content/ into output files: each one's widths and formats, the
social cards of the articles that lead with one, and what pages need to show
them (`Picture`). Called by the engine on every look at the sources; encoding
happens only for entries the store lacks, in worker processes when there are
several.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import PIL

from gazette.digest import bytes_digest, digest
from gazette.errors import GazetteError
from gazette.images.encode import ENCODER_VERSION, BadImage, encode_card, encode_photo
from gazette.images.store import ImageStore
from gazette.model import Article
from gazette.stages.assets import Assets, OutputFile, StoredFile
from gazette.stages.config import Config
from gazette.stages.pictures import Picture, Variant, card_path

SUFFIX_FORMAT = {".jpg": "jpg", ".jpeg": "jpg", ".png": "png", ".webp": "webp", ".gif": "gif"}
Stat = tuple[int, int, int]
# the engine's Workers.map: (function over chunks, items, minimum, what, smallest chunk)
Mapper = Callable[..., Iterable[Any]]


@dataclass
class Job:
    """One entry to make: a photo's widths and formats, or one of its social cards."""

    key: str
    path: str  # in content/
    location: Path
    focus: tuple[float, float] | None = None
    card: bool = False


@dataclass
class PhotoMemo:
    """Each photo's digest by its file's stat, so a rebuild need not read them all."""

    digests: dict[str, tuple[Stat, str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # the store's entries the last look used
    # the icons last made: (icons_key, files, <link>s for the head)
    icons: tuple[str, list[OutputFile], list[tuple[str, str, str]]] | None = None
    # (Pillow's version and the formats asked for, those it writes, notices of the others)
    formats: tuple[tuple[str, tuple[str, ...]], tuple[str, ...], list[str]] | None = None


_JOB: tuple[ImageStore, Config, tuple[str, ...]] | None = None  # inherited by workers


def _encode(jobs: list[Job]) -> list[tuple[str, str, str] | None]:
    """Make each job's entry (in a worker); (path, message, hint) for a bad photo."""
    assert _JOB is not None
    store, config, formats = _JOB
    out: list[tuple[str, str, str] | None] = []
    for job in jobs:
        try:
            if job.card:
                store.put(job.key, lambda folder, j=job: _card(folder, j, config))
            else:
                store.put(
                    job.key,
                    lambda folder, j=job: encode_photo(j.location, folder, config.images, formats),
                )
            out.append(None)
        except BadImage as exc:
            out.append((job.path, exc.message, exc.hint))
    return out


def _card(folder: Path, job: Job, config: Config) -> dict[str, Any]:
    encode_card(job.location, folder / "card.jpg", config.images, job.focus)
    return {"files": [["card.jpg", 1200, 630, "jpg"]]}


def settings_key(config: Config, formats: tuple[str, ...]) -> str:
    """What an entry depends on besides the photo: the settings that change its files."""
    images = dataclasses.replace(config.images, sizes="", icon="", icon_color="")
    return digest(ENCODER_VERSION, PIL.__version__, repr(images), repr(formats))


def add_photos(
    assets: Assets,
    articles: list[Article],
    config: Config,
    store: ImageStore,
    workers: Mapper,
    memo: PhotoMemo,
    formats: tuple[str, ...],
) -> list[GazetteError]:
    """Put every photo's files in `assets.files` and its Picture in `assets.pictures`
    (SVGs too: their size, for width and height); the bad photos' errors."""
    for file in assets.files:
        if file.path in assets.content_files and file.path.lower().endswith(".svg"):
            size = svg_size(file.data)
            if size:
                assets.pictures[file.path] = Picture(file.path, *size, src=file.path)
    if not assets.photos:
        memo.used = set()
        return []
    clashes = same_names(assets.photos)
    if clashes:
        return clashes
    base = settings_key(config, formats)
    sources: dict[str, str] = {}
    jobs: dict[str, Job] = {}
    for path, location in sorted(assets.photos.items()):
        sources[path] = source = _source_digest(memo, path, location)
        key = digest(base, "photo", source)
        jobs[key] = Job(key, path, location)
    cards: dict[tuple[str, tuple[float, float] | None], str] = {}
    for article in articles:
        if article.image in sources:
            at = (article.image, article.image_focus)
            cards[at] = key = digest(
                base, "card", sources[article.image], repr(article.image_focus)
            )
            jobs[key] = Job(key, article.image, assets.photos[article.image], at[1], card=True)
    errors = _make_missing(store, config, formats, workers, jobs, articles)
    if errors:
        return errors
    memo.used = set(jobs)
    for job in jobs.values():
        if not job.card:
            _add_entry(assets, config, store, job, sources[job.path])
    for (path, focus), key in sorted(cards.items(), key=lambda item: repr(item[0])):
        assets.files.append(StoredFile(card_path(path, focus), store.path(key) / "card.jpg", key))
    return []


def same_names(photos: Iterable[str]) -> list[GazetteError]:
    """Photos whose resized copies would share their names: photo.jpg and photo.png in
    one folder both make photo.800.webp. Which one a page would get is then a matter of
    chance, so the writer is asked to rename one (it is nearly always the same picture
    saved twice)."""
    by_stem: dict[str, list[str]] = {}
    for path in sorted(photos):
        by_stem.setdefault(path.rsplit(".", 1)[0], []).append(path)
    errors = []
    for stem, paths in by_stem.items():
        if len(paths) > 1:
            names = " and ".join(f"'{p}'" for p in paths)
            errors.append(
                GazetteError(
                    f"photos {names} would be written to the same files ({stem}.800.webp...)",
                    file=f"content/{paths[-1]}",
                    hint="give one of them another name, and change the story that shows "
                    "it: a photo's resized copies are named after its file, without the "
                    "extension",
                )
            )
    return errors


def _make_missing(
    store: ImageStore,
    config: Config,
    formats: tuple[str, ...],
    workers: Mapper,
    jobs: dict[str, Job],
    articles: list[Article],
) -> list[GazetteError]:
    global _JOB
    missing = [job for key, job in jobs.items() if store.get(key) is None]
    if not missing:
        return []
    _JOB = (store, config, formats)
    try:
        results = list(workers(_encode, missing, 2, "photos", smallest=1))
    finally:
        _JOB = None
    bad = dict.fromkeys(r for r in results if r is not None)
    return [_bad_photo(config, path, message, hint, articles) for path, message, hint in bad]


def _add_entry(assets: Assets, config: Config, store: ImageStore, job: Job, source: str) -> None:
    """The entry's files at their places in output/, and the photo's Picture."""
    folder = store.path(job.key)
    entry = store.get(job.key)
    assert entry is not None
    own, stem = entry["own"], job.path.rsplit(".", 1)[0]
    if config.images.keep_originals:
        assets.files.append(StoredFile(job.path, job.location, source))
    if entry.get("animated"):  # an animated GIF, as it was, at its own URL
        if not config.images.keep_originals:
            assets.files.append(StoredFile(job.path, folder / "own.gif", source))
        picture = Picture(job.path, entry["width"], entry["height"], job.path)
        assets.pictures[job.path] = picture
        return
    variants = []
    for name, width, height, fmt in entry["files"]:
        assets.files.append(StoredFile(f"{stem}.{name}", folder / name, digest(job.key, name)))
        variants.append(Variant(f"{stem}.{name}", width, height, fmt))
    widest = next(v for v in variants if v.format == own)
    if not config.images.keep_originals and SUFFIX_FORMAT.get(Path(job.path).suffix.lower()) == own:
        # the photo's own URL still answers (a feed's full text links it), stripped too
        name = widest.path.rsplit("/", 1)[-1][len(stem.rsplit("/", 1)[-1]) + 1 :]
        assets.files.append(StoredFile(job.path, folder / name, digest(job.key, name)))
    picture = Picture(job.path, widest.width, widest.height, widest.path, tuple(variants))
    assets.pictures[job.path] = picture


def _source_digest(memo: PhotoMemo, path: str, location: Path) -> str:
    st = location.stat()
    stat = (st.st_size, st.st_mtime_ns, st.st_ino)
    known = memo.digests.get(path)
    if known is not None and known[0] == stat:
        return known[1]
    found = bytes_digest(location.read_bytes())
    memo.digests[path] = (stat, found)
    return found


def _bad_photo(
    config: Config, path: str, message: str, hint: str, articles: list[Article]
) -> GazetteError:
    """The error for a bad photo, naming the articles that use it (by `image:`, or by
    name in their body), so a writer knows which story's picture to fix."""
    name = path.rsplit("/", 1)[-1]
    users = [a.path for a in articles if a.image == path]
    if not users:
        users = [a.path for a in articles if _mentions(config, a, name)]
    used = f" (used by {', '.join('content/' + u for u in users)})" if users else ""
    return GazetteError(f"image '{path}' {message}{used}", file=f"content/{path}", hint=hint)


def _mentions(config: Config, article: Article, name: str) -> bool:
    try:
        return name in (config.content_dir / article.path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False


_SVG_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")


def svg_size(data: bytes) -> tuple[int, int] | None:
    """An SVG's width and height (its attributes in pixels, else its viewBox), for the
    page's <img>; None when it gives neither."""
    head = data[:4096].decode("utf-8", "replace")
    match = re.search(r"<svg\b[^>]*>", head)
    if not match:
        return None
    tag = match.group(0)
    attrs = dict(re.findall(r'\b(width|height|viewBox)\s*=\s*["\']([^"\']*)["\']', tag))
    width, height = (_SVG_LENGTH.match(attrs.get(k, "")) for k in ("width", "height"))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = attrs.get("viewBox", "").replace(",", " ").split()
    try:
        w, h = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        return None
    return (round(w), round(h)) if w > 0 and h > 0 else None
