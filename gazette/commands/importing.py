"""`build.py import KIND SOURCE`: move an archive from another tool into content/.

The importer reads and checks the whole source first; only then are files
written, none replaced, and a summary says what came over and what did not.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from gazette.errors import GazetteError

if TYPE_CHECKING:  # every command builds this one's parser; only `import` needs importers
    from gazette.importers.common import Import, Options
    from gazette.importers.writing import Report
    from gazette.stages.config import Config

KINDS = ("wordpress", "pelican", "jekyll", "hugo")
Reader = Callable[[Path, "Options"], "Import"]


def _reader(kind: str) -> Reader:
    """Loaded on use: the HTML converter takes a while to import, and a build needs none."""
    if kind == "wordpress":
        from gazette.importers.wordpress import read_wordpress

        return read_wordpress
    if kind == "pelican":
        from gazette.importers.pelican import read_pelican

        return read_pelican
    if kind == "jekyll":
        from gazette.importers.jekyll import read_jekyll

        return read_jekyll
    from gazette.importers.hugo import read_hugo

    return read_hugo


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The `import` subcommand's arguments (cli.py adds --config)."""
    parser = commands.add_parser(
        "import", help="turn a WordPress, Pelican, Jekyll or Hugo archive into content/ files"
    )
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    parser.add_argument(
        "source",
        type=Path,
        metavar="SOURCE",
        help="the WordPress export (.xml), or the site or content folder",
    )
    parser.add_argument(
        "--into",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder to write articles into (default: content/ beside the config)",
    )
    parser.add_argument(
        "--uploads",
        type=Path,
        default=None,
        metavar="DIR",
        help="a copy of the WordPress site's wp-content/uploads folder, to copy images from",
    )
    return parser


def run_import(args: argparse.Namespace) -> int:
    report = import_archive(args.config, args.kind, args.source, args.into, args.uploads)
    print(report.summary())
    return 0


def import_archive(
    config_path: Path, kind: str, source: Path, into: Path | None, uploads: Path | None
) -> Report:
    """Read `source` as `kind`, then write it into `into` (default: the site's content/)."""
    from gazette.stages.config import load_config  # not needed to read the options

    config = load_config(config_path)
    if uploads is not None and not uploads.is_dir():
        raise GazetteError(
            "uploads folder not found",
            file=uploads,
            hint="give a copy of the site's wp-content/uploads folder",
        )
    if kind != "wordpress" and uploads is not None:
        raise GazetteError("--uploads is for WordPress exports only", file=uploads)
    from gazette.importers.common import Options
    from gazette.importers.writing import Site, write_import

    found = _reader(kind)(source, Options(slug_style=config.content.slugs, uploads=uploads))
    into = into or config.content_dir
    site = Site(config.site.permalink, config.tz, tuple(config.sections), _inside(into, config))
    return write_import(found, into, site, f"{kind} {source}")


def _inside(into: Path, config: Config) -> str:
    """`into` relative to content/: '' for content/ itself or a folder outside it."""
    try:
        return into.resolve().relative_to(config.content_dir.resolve()).as_posix().strip(".")
    except ValueError:
        return ""
