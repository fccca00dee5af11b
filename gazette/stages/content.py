"""Stage 2: discover Markdown files, read their front matter, validate it.

Produces `Article` records with the body still in Markdown. Every problem in
every file is collected, so a writer sees all mistakes in one run. Reading one
file lives in `frontmatter`, the checks of its keys in `fields`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from gazette.errors import GazetteError
from gazette.model import Article
from gazette.paths import Links, walk
from gazette.stages.config import Config
from gazette.stages.fields import to_article
from gazette.stages.frontmatter import SourceFile, read_front_matter, read_source


def discover(content_dir: Path, links: Links | None = None) -> list[Path]:
    """Every Markdown file under content/, in a stable order."""
    return [Path(p) for p in markdown_files(content_dir, links)]


def markdown_files(content_dir: Path, links: Links | None = None) -> list[str]:
    """`discover` as plain strings, which a site of 100,000 files needs for speed."""
    if not content_dir.is_dir():
        raise GazetteError(
            "content folder not found",
            file=content_dir,
            hint="create it and put articles in section folders, e.g. content/world/",
        )
    return [p for p in walk(content_dir, links=links) if p.endswith(".md")]


def parse_article(source: SourceFile, config: Config, shown: str) -> Article:
    """Validate one file's front matter into an Article (body still Markdown)."""
    return to_article(read_front_matter(source, shown), source.path, shown, config)


def load_articles(config: Config, paths: Iterable[Path] | None = None) -> list[Article]:
    """Read and validate every article; raise one error listing all problems."""
    articles, errors = read_articles(config, paths)
    if errors:
        raise GazetteError.collect(errors)
    return articles


def read_articles(
    config: Config, paths: Iterable[Path] | None = None
) -> tuple[list[Article], list[GazetteError]]:
    """The articles that are valid, and one error for each file that is not."""
    content_dir = config.content_dir
    files = discover(content_dir, config.links) if paths is None else list(paths)
    articles: list[Article] = []
    errors: list[GazetteError] = []
    # Paths as text: pathlib's relative_to() three times a file cost as much as the YAML.
    prefix = os.path.join(str(content_dir), "")
    shown_prefix = os.path.join(_display_path(config, content_dir), "").replace(os.sep, "/")
    for file in files:
        name = str(file)
        if name.startswith(prefix) and shown_prefix != "./":
            relative = name[len(prefix) :].replace(os.sep, "/")
            shown = shown_prefix + relative
        else:
            relative = file.relative_to(content_dir).as_posix()
            shown = _display_path(config, content_dir / relative)
        try:
            source = read_source(file, content_dir, relative)
            articles.append(parse_article(source, config, shown))
        except GazetteError as exc:
            if exc.file and not exc.problems:
                exc.file = shown
            errors.append(exc)
        except OSError as exc:
            errors.append(GazetteError(f"cannot read this file: {exc.strerror}", file=shown))
        except Exception as exc:  # noqa: BLE001 - any input Gazette fails on is named
            errors.append(unreadable(exc, shown))
    return articles, errors


def unreadable(exc: Exception, shown: str | Path) -> GazetteError:
    """An input some reader failed on in a way no check foresaw: named, not a traceback
    (the exception's type keeps a bug in Gazette traceable)."""
    return GazetteError(
        f"cannot read this file ({type(exc).__name__}: {exc})",
        file=shown,
        hint="check it for unusual values; if it looks right, please report it",
    )


def _display_path(config: Config, path: Path) -> str:
    """A path as the user would type it: relative to the site folder when possible."""
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()
