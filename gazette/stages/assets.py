"""Static files: `static/` (fingerprinted CSS/JS), images beside articles, code CSS.

Stylesheets and scripts get a content hash in their name so hosts can cache
them forever; a changed file gets a new name, so no reader sees a stale one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from gazette.errors import GazetteError
from gazette.model import Article
from gazette.paths import Links, walk, walk_files
from gazette.stages.config import Config
from gazette.stages.markup import code_stylesheet

FINGERPRINTED = {".css", ".js"}
IGNORED_NAMES = {".DS_Store", "Thumbs.db"}


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to output/, POSIX separators
    data: bytes


@dataclass
class Assets:
    files: list[OutputFile] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)  # "style.css" -> "static/style.ab12cd34.css"
    content_files: set[str] = field(default_factory=set)  # copied from content/, e.g. images


def fingerprint(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def _skip(path: Path) -> bool:
    return path.name in IGNORED_NAMES or any(part.startswith(".") for part in path.parts)


def collect_assets(static_dir: Path, content_dir: Path, links: Links | None = None) -> Assets:
    """`links`: the symlinks the walks may follow (`Config.links`; None: all)."""
    assets = Assets()
    sources: list[tuple[str, bytes]] = []
    if static_dir.is_dir():
        for path in walk_files(static_dir, links=links):
            relative = path.relative_to(static_dir)
            if not _skip(relative):
                sources.append((relative.as_posix(), path.read_bytes()))
    sources.append(("code.css", code_stylesheet().encode("utf-8")))
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
            if not _skip(relative):
                assets.content_files.add(relative.as_posix())
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
