"""Static files: `static/` (fingerprinted CSS/JS), images beside articles, code CSS.

Stylesheets and scripts get a content hash in their name so hosts can cache
them forever; a changed file gets a new name, so no reader sees a stale one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gazette import themes
from gazette.digest import bytes_digest
from gazette.errors import GazetteError
from gazette.model import Article
from gazette.paths import Links, walk, walk_files
from gazette.stages.config import Config
from gazette.stages.markup import code_stylesheet
from gazette.stages.pictures import Picture

FINGERPRINTED = {".css", ".js"}
# Photos in content/: written by `gazette.images` (resized, converted, stripped of
# their metadata), never copied as they are. HEIC is here to be refused clearly.
RASTER = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".avif", ".heic"}
IGNORED_NAMES = {".DS_Store", "Thumbs.db"}


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to output/, POSIX separators
    data: bytes

    def digest(self) -> str:
        return bytes_digest(self.data)


class StoredFile(OutputFile):
    """An output file kept on disk (an encoded photo in the cache), read only when it is
    written or served: a site's photos need not all be in memory, nor read at all by a
    build that finds nothing changed (its digest is known)."""

    def __init__(  # noqa: D107
        self, path: str, location: Path, digest: str, sha256: str | None = None
    ) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "location", location)
        object.__setattr__(self, "_digest", digest)
        # the SHA-256 of its bytes when known: the disk sink's manifest compares files by it
        object.__setattr__(self, "sha256", sha256)

    @property  # type: ignore[override]
    def data(self) -> bytes:  # noqa: D102
        return self.location.read_bytes()  # type: ignore[attr-defined, no-any-return]

    def digest(self) -> str:
        return self._digest  # type: ignore[attr-defined, no-any-return]

    def __repr__(self) -> str:
        return f"StoredFile({self.path!r})"


@dataclass
class Assets:
    files: list[OutputFile] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)  # "style.css" -> "static/style.ab12cd34.css"
    content_files: set[str] = field(default_factory=set)  # copied from content/, e.g. images
    photos: dict[str, Path] = field(default_factory=dict)  # raster files of content/, to encode
    pictures: dict[str, Picture] = field(default_factory=dict)  # what was written for each
    head: list[tuple[str, str, str]] = field(default_factory=list)  # icon links: rel, type, path


def fingerprint(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def _skip(path: Path) -> bool:
    return path.name in IGNORED_NAMES or any(part.startswith(".") for part in path.parts)


def collect_assets(
    static_dirs: Sequence[Path],
    content_dir: Path,
    links: Links | None = None,
    code_css: str | None = None,
) -> Assets:
    """`static_dirs`: laid down in order, so a later folder's file replaces an earlier
    one's of the same path (the theme's, then the site's: `Config.static_dirs`).
    `links`: the symlinks the walks of the site's folders may follow (None: all).
    `code_css`: Pygments' stylesheet, when the caller kept it (None: made here)."""
    assets = Assets()
    found: dict[str, bytes] = {}
    for static_dir in static_dirs:
        if static_dir.is_dir():
            trusted = static_dir.is_relative_to(themes.THEME_DIR)  # the package's own files
            for path in walk_files(static_dir, links=None if trusted else links):
                relative = path.relative_to(static_dir)
                if not _skip(relative):
                    found[relative.as_posix()] = path.read_bytes()
    sources = sorted(found.items())
    code_css = code_stylesheet() if code_css is None else code_css
    sources.append(("code.css", code_css.encode("utf-8")))
    for name, data in sources:
        target = fingerprint(name, data) if Path(name).suffix in FINGERPRINTED else name
        assets.urls[name] = f"static/{target}"
        assets.files.append(OutputFile(f"static/{target}", data))
    if content_dir.is_dir():
        cut = len(str(content_dir)) + 1
        for name in walk(content_dir, links=links):  # as text: content/ holds the articles too
            if name.endswith(".md"):
                continue
            relative = Path(name[cut:])
            if _skip(relative):
                continue
            assets.content_files.add(relative.as_posix())
            if relative.suffix.lower() in RASTER:
                assets.photos[relative.as_posix()] = Path(name)
            else:
                assets.files.append(OutputFile(relative.as_posix(), Path(name).read_bytes()))
    return assets


def image_problems(
    articles: list[Article], content_files: set[str], config: Config
) -> list[GazetteError]:
    """An error for each article whose `image:` names a file that is not in content/."""
    errors = []
    for article in articles:
        image = article.image
        if image and "://" not in image and image not in content_files:
            errors.append(
                GazetteError(
                    f"image '{image}' does not exist",
                    file=f"content/{article.path}",
                    line=front_matter_line(config, article, "image"),
                    hint="put the image file beside the article (or under content/) "
                    "and check the name",
                )
            )
    return errors


def front_matter_line(config: Config, article: Article, key: str) -> int | None:
    path = config.content_dir / article.path
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None
