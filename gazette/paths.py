"""Walking source folders and naming output files, safely.

Newsrooms symlink shared folders (wire copy, a photo desk) into `content/`, so
walks follow links; a link back to one of its own ancestors would walk forever,
so it is reported instead. Every output path is checked here too, so no slug,
image path or file name can make the build write outside `output/`.
"""

from __future__ import annotations

import os
from pathlib import Path

from gazette.errors import GazetteError


def walk_files(root: Path, shown: Path | None = None) -> list[Path]:
    """Every file below `root` (following symlinked folders), sorted; a loop is an error.

    `shown` is the folder paths are shown relative to in messages (default: root's parent).
    """
    return [Path(p) for p in walk(root, shown)]


def walk(root: Path, shown: Path | None = None) -> list[str]:
    """`walk_files` as plain strings, which a site of 100,000 files needs for speed."""
    base = shown if shown is not None else root.parent
    real_base = Path(os.path.realpath(base))
    found: list[str] = []

    def visit(folder: str, ancestors: tuple[str, ...]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            raise GazetteError(
                f"cannot read folder: {exc.strerror}",
                file=_shown(Path(folder), base),
                hint="check the folder's permissions",
            ) from None
        for entry in entries:
            if entry.is_dir(follow_symlinks=True):
                real = os.path.realpath(entry.path)
                if real in ancestors:
                    raise GazetteError(
                        f"symlink loop: this link points back to {_shown(Path(real), real_base)}, "
                        "which contains it",
                        file=_shown(Path(entry.path), base),
                        hint="remove the link or point it at a folder outside this one",
                    )
                visit(entry.path, (*ancestors, real))
            elif entry.is_file(follow_symlinks=True):
                found.append(entry.path)

    if root.is_dir():
        visit(str(root), (os.path.realpath(root),))
    return found


def _shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def is_safe_relative(path: str) -> bool:
    """True when `path` names a place inside its folder: relative, no '..', no NUL."""
    if not path or "\x00" in path or "\\" in path or path.startswith("/"):
        return False
    return ".." not in path.split("/")


def check_output_path(path: str) -> None:
    """The last line of defence before writing: refuse a path that leaves output/."""
    if not is_safe_relative(path):
        raise GazetteError(
            f"refusing to write '{path}': it would land outside the output folder",
            hint="check 'slug:', 'permalink' and file names for '..' or a leading '/'",
        )
