"""output/'s files one by one: what the manifest knows of each, a look at what is
there (`survey`), and replacing a few in place (`patch`).

A small change (an edited story: a handful of pages) is cheaper to patch in place
than to assemble a new version of the site: each file is written beside its target,
then renamed over it, so it is still replaced whole, and a build that fails does
so before the first rename.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from gazette.paths import check_output_path


@dataclass(frozen=True)
class WriteReport:
    written: int  # new or changed files
    unchanged: int
    removed: int

    @property
    def total(self) -> int:
        return self.written + self.unchanged


class Published(NamedTuple):
    """What the manifest remembers of one published file, to skip re-reading it.
    A tuple: the cache holds one per output file, and tuples load fastest."""

    digest: str  # sha256 of the bytes
    size: int
    mtime_ns: int
    inode: int


Manifest = dict[str, Published]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def published_state(path: Path, digest: str) -> Published:
    st = path.stat()
    return Published(digest, st.st_size, st.st_mtime_ns, st.st_ino)


def patch(
    output_dir: Path, files: list[tuple[str, bytes, str]], removed: Iterable[str]
) -> Manifest:
    """Replace a few files of `output_dir` in place, each whole: written beside its
    target under a hidden name, then renamed over it. For a small change this is far
    cheaper than assembling a new version (a folder and a link per page), and it keeps
    the promise that matters: no file is ever seen half-written. `files` are (path,
    bytes, digest); returns their manifest entries. Folders `removed` files leave
    empty are removed too."""
    written: Manifest = {}
    for path, data, digest in files:
        check_output_path(path)
        folder, _, name = path.rpartition("/")
        target = f"{output_dir}/{path}"
        if folder:
            os.makedirs(f"{output_dir}/{folder}", exist_ok=True)
        temporary = f"{target[: -len(name)]}.{name}.gazette-new"
        facts = write_file(temporary, data)
        os.replace(temporary, target)  # the spare version's hard link keeps the old bytes
        written[path] = Published(digest, *facts)  # renaming keeps its inode and time
    for path in removed:
        remove_file(str(output_dir), path)
    return written


def remove_file(root: str, path: str) -> None:
    """Remove the file `path` under `root`, and the folders it leaves empty."""
    unlink(f"{root}/{path}")
    folder = path.rpartition("/")[0]
    while folder:
        try:
            os.rmdir(f"{root}/{folder}")
        except OSError:
            break  # not empty (or gone): nor are its parents
        folder = folder.rpartition("/")[0]


def write_file(path: str, data: bytes) -> tuple[int, int, int]:
    """Plain os calls on a text path: a cold build of a big site writes tens of thousands.
    Returns the file's size, time and inode as written, which the manifest keeps."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        st = os.fstat(fd)
    finally:
        os.close(fd)
    return st.st_size, st.st_mtime_ns, st.st_ino


def same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class Survey(NamedTuple):
    valid: Manifest  # the manifest's entries whose file is still exactly as written
    found: list[str]  # every file there, as relative POSIX paths
    folders: dict[int, int]  # each folder's inode -> modification time, for the next survey


def survey(folder: Path, manifest: Manifest, folders: dict[int, int] | None = None) -> Survey:
    """What `folder` holds, measured against `manifest` (same inode, size and time).

    `folders` is what the last survey returned. A folder whose time is still the one
    seen then has had nothing added, removed or renamed in it, so its files are the
    manifest's and it need not be listed: each file is still looked at (an edit in
    place does not touch its folder), but listing every folder of a big site costs
    more than that. Changed or unknown folders are listed in full."""
    known = folders or {}
    valid: Manifest = {}
    found: list[str] = []
    seen: dict[int, int] = {}
    root = str(folder)
    files_in: dict[str, list[str]] = {"": []}  # the manifest's folders, with their files
    for relative in manifest:
        parent = relative.rpartition("/")[0]
        if parent not in files_in:
            files_in[parent] = []
            above = parent.rpartition("/")[0]
            while above not in files_in:
                files_in[above] = []
                above = above.rpartition("/")[0]
        files_in[parent].append(relative)

    def check(relative: str, st: os.stat_result) -> None:
        found.append(relative)
        entry = manifest.get(relative)
        if entry is not None and (st.st_size, st.st_mtime_ns, st.st_ino) == (
            entry.size,
            entry.mtime_ns,
            entry.inode,
        ):
            valid[relative] = entry

    def visit(path: str, prefix: str, listed_apart: bool) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    check(prefix + entry.name, entry.stat(follow_symlinks=True))
                elif not (listed_apart and prefix + entry.name in files_in):
                    visit(entry.path, f"{prefix}{entry.name}/", False)

    if not folder.is_dir():
        return Survey(valid, found, seen)
    for name, files in files_in.items():
        path = f"{root}/{name}" if name else root
        try:
            st = os.stat(path, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            continue  # its parent changed, so was listed, and did not have it
        if not stat.S_ISDIR(st.st_mode):
            continue
        seen[st.st_ino] = st.st_mtime_ns
        if known.get(st.st_ino) != st.st_mtime_ns:
            visit(path, f"{name}/" if name else "", True)
            continue
        for relative in files:
            try:
                check(relative, os.stat(f"{root}/{relative}"))
            except FileNotFoundError:
                continue
    return Survey(valid, found, seen)
