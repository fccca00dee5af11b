"""Walking source folders and naming output files, safely.

Newsrooms symlink shared folders (wire copy, a photo desk) into `content/`, so
walks follow links, within limits (`Links`): a link that leads out of the site
folder is followed only into the folders config lists (`[content]
linked_folders`), so a careless `ln -s /etc` publishes nothing; with untrusted
content no link is followed at all. A link back to one of its own ancestors
would walk forever, so it is reported instead. Every output path is checked
here too, so no slug, image path or file name can make the build write outside
`output/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gazette.errors import GazetteError


@dataclass(frozen=True)
class Links:
    """Which symlinks a walk may follow: into the site folder or one of `shared`, or
    (`follow=False`, untrusted content) none."""

    site: Path
    shared: tuple[Path, ...] = ()
    follow: bool = True

    def problem(self, link: str, shown: str) -> GazetteError | None:
        """Why the walk must not follow `link`, if it must not."""
        target = os.path.realpath(link)
        if not self.follow:
            return GazetteError(
                f"symlinks are not allowed in untrusted content (this one leads to {target})",
                file=shown,
                hint="replace the link with the file itself, or remove it",
            )
        places = [os.path.realpath(self.site), *(os.path.realpath(p) for p in self.shared)]
        if any(target == place or target.startswith(place + os.sep) for place in places):
            return None
        return GazetteError(
            f"this symlink leads out of the site folder, to {target}",
            file=shown,
            hint="list the folder it leads into under [content] linked_folders "
            "(a shared wire-desk folder), or copy the file into the site",
        )


def walk_files(root: Path, shown: Path | None = None, links: Links | None = None) -> list[Path]:
    """Every file below `root` (following the symlinks `links` allows: all when None),
    sorted; a loop is an error, and so is a link `links` does not allow.

    `shown` is the folder paths are shown relative to in messages (default: root's parent).
    """
    return [Path(p) for p in walk(root, shown, links)]


def walk(root: Path, shown: Path | None = None, links: Links | None = None) -> list[str]:
    """`walk_files` as plain strings, which a site of 100,000 files needs for speed."""
    base = shown if shown is not None else root.parent
    real_base = Path(os.path.realpath(base))
    found: list[str] = []
    refused: list[GazetteError] = []

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
            if links is not None and entry.is_symlink():
                problem = links.problem(entry.path, _shown(Path(entry.path), base))
                if problem is not None:
                    refused.append(problem)
                    continue
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
    if refused:
        raise GazetteError.collect(refused)
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
