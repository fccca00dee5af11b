"""output/'s files one by one: what the manifest knows of each, a look at what is
there (`survey`), and replacing a few in place (`patch`).

A small change (an edited story: a handful of pages) is cheaper to patch in place
than to assemble a new version of the site: every file is written beside its
target first, then a journal in the cache lists the renames, so a build that
fails does so before the first rename, and one killed while renaming is finished
by the next.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from gazette.paths import check_output_path, is_safe_relative

if TYPE_CHECKING:  # the command line's quick look imports this module, not the stages
    from gazette.stages.assets import OutputFile


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


def manifest_digest(file: OutputFile) -> str:
    """The manifest's digest of an output file: known, for one kept on disk with it (the
    search index's parts), so the file need not be read to be compared."""
    return getattr(file, "sha256", None) or file_digest(file.data)


def published_state(path: Path, digest: str) -> Published:
    st = path.stat()
    return Published(digest, st.st_size, st.st_mtime_ns, st.st_ino)


def patch(
    output_dir: Path,
    files: list[tuple[str, bytes, str]],
    removed: Iterable[str],
    journal: Path,
) -> Manifest:
    """Replace a few files of `output_dir` in place: for a small change far cheaper
    than assembling a new version (a folder and a link per page). `files` are (path,
    bytes, digest); returns their manifest entries. Every file is written beside its
    target under a hidden name first, so a full disk or a bad path stops the build
    with output/ as it was; then the `journal` lists the renames and removals, so a
    build killed while doing them is finished by the next (`finish_patch`), and
    output/ is never left part old, part new. Folders `removed` files leave empty
    are removed too."""
    steps: list[tuple[str, str]] = []  # (hidden name, target), relative to output_dir
    for path, _, _ in files:
        check_output_path(path)
        folder, _, name = path.rpartition("/")
        steps.append((f"{folder}/.{name}.gazette-new" if folder else f".{name}.gazette-new", path))
    gone = list(removed)
    _write_journal(journal, "writing", steps, gone)  # what to undo, if cut short now
    written: Manifest = {}
    try:
        for (hidden, path), (_, data, digest) in zip(steps, files, strict=True):
            folder = path.rpartition("/")[0]
            if folder:
                os.makedirs(f"{output_dir}/{folder}", exist_ok=True)
            # renaming keeps the file's inode and time, which the manifest records
            written[path] = Published(digest, *write_file(f"{output_dir}/{hidden}", data))
        _write_journal(journal, "renaming", steps, gone)
    except BaseException:
        finish_patch(output_dir, journal)  # undoes: the journal still says "writing"
        raise
    finish_patch(output_dir, journal)
    return written


def fits_in_place(output_dir: Path, path: str) -> bool:
    """True when `path` can be written into output/ as it is: no folder where the file
    goes, no file where one of its folders goes (a permalink changed its shape)."""
    target = f"{output_dir}/{path}"
    if os.path.isdir(target):
        return False
    folder = os.path.dirname(target)
    while not os.path.exists(folder):
        folder = os.path.dirname(folder)
    return os.path.isdir(folder)


def finish_patch(output_dir: Path, journal: Path) -> None:
    """Complete the patch the journal records, or undo it if its files were not all
    written yet; a build calls this before it looks at output/."""
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        state, steps, gone = record["state"], record["steps"], record["removed"]
    except FileNotFoundError:
        return
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)  # cut short while written: nothing was renamed
        return
    root = str(output_dir)
    for hidden, path in steps:
        if not (is_safe_relative(hidden) and is_safe_relative(path)):
            continue  # not a journal this code wrote
        if state == "renaming":
            try:
                os.replace(f"{root}/{hidden}", f"{root}/{path}")  # the spare's link keeps
            except (FileNotFoundError, NotADirectoryError):  # the old bytes; renamed already
                pass
        else:
            unlink(f"{root}/{hidden}")
    if state == "renaming":
        for path in gone:
            if is_safe_relative(path):
                remove_file(root, path)
    journal.unlink(missing_ok=True)


def _write_journal(
    journal: Path, state: str, steps: list[tuple[str, str]], removed: list[str]
) -> None:
    """Write the journal whole (beside it, then renamed), on disk before it is acted on."""
    journal.parent.mkdir(parents=True, exist_ok=True)
    temporary = journal.with_name(journal.name + ".tmp")
    data = json.dumps({"state": state, "steps": steps, "removed": removed}).encode()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, journal)


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
    except (FileNotFoundError, NotADirectoryError):  # nothing there
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
