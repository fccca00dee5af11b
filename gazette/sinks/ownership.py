"""The output folder is replaced only when Gazette built it, and no file Gazette
did not write is deleted without `--force`.

`--output` pointed at a web team's existing web root or an uploads folder would
otherwise lose every file in it at the first swap. A folder is Gazette's when it
is empty, when the build cache's manifest describes it, or when its Atom feed
(`atom.xml`, or where `[urls] atom` puts it) names Gazette as its generator
(every build writes one: so a build copied, restored or checked out of git
without its cache is still known). When the manifest is known, a file it does
not list is someone else's.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gazette.errors import GazetteError
from gazette.machine.feeds import GENERATOR

SHOWN = 5  # foreign files named in the message
_SIGNATURE = f"<generator>{GENERATOR}</generator>".encode()


def check_owned(output_dir: Path, feed: str, manifest_known: bool, *, force: bool) -> None:
    """Refuse to replace a folder Gazette did not build, naming some of its files;
    `feed` is where the site's Atom feed is (`[urls] atom` may move it)."""
    if force or manifest_known or not output_dir.is_dir():
        return
    try:
        with open(output_dir / feed, "rb") as feed_file:
            if _SIGNATURE in feed_file.read(8192):
                return
    except OSError:
        pass
    files = [p.relative_to(output_dir).as_posix() for p in output_dir.rglob("*") if p.is_file()]
    if files:
        raise foreign_files(output_dir, files, "it holds files and no site built by Gazette")


def foreign_files(output_dir: Path, files: Iterable[str], why: str) -> GazetteError:
    found = sorted(files)
    shown = ", ".join(found[:SHOWN])
    if len(found) > SHOWN:
        shown += f" and {len(found) - SHOWN} more"
    return GazetteError(
        f"refusing to use {output_dir} as the output folder: {why} ({shown})",
        hint="move them into static/ or content/ so the build publishes them, choose "
        "another folder, or build with --force to let the build delete them",
    )
