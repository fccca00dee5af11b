"""Stage 6: put the rendered site in `output/`, all at once or not at all.

The new site is assembled in a staging folder beside `output/` (unchanged files
are hard links to the published ones, so their bytes and times are kept), then
swapped in with one atomic directory exchange. A build that fails or is killed
before the swap leaves `output/` exactly as it was; the next build removes the
stale staging folder.

A small change (an edited story: a handful of pages) is cheaper to `patch()` in
place: each file written beside its target, then renamed over it. Every file is
still replaced whole, and a build that fails does so before the first rename.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import shutil
import stat
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from gazette.errors import GazetteError
from gazette.paths import check_output_path
from gazette.stages.assets import OutputFile

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class WriteReport:
    written: int  # new or changed files
    unchanged: int
    removed: int

    @property
    def total(self) -> int:
        return self.written + self.unchanged


def staging_dir(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.staging"


def _old_dir(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.old"


def clean_leftovers(output_dir: Path) -> None:
    """Remove what a killed build may have left beside `output/`."""
    for leftover in (staging_dir(output_dir), _old_dir(output_dir)):
        if leftover.exists():
            shutil.rmtree(leftover)


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


@dataclass(frozen=True)
class Spare:
    """The version of the site before the published one, kept for reuse.

    Assembling a new version from scratch costs a folder and a link per page;
    on a big site that is most of a small rebuild. So the version that the
    last swap replaced is kept (in the build cache, never deployed) and turned
    into the next version by touching only what differs. `files` maps each of
    its paths to its inode (-1 when unknown); `name` is unique per version, so
    a cache that does not match the folder on disk is never trusted.
    """

    name: str
    files: dict[str, int]


class Stage:
    """The next version of `output/`, assembled beside it and swapped in by `commit()`.

    `add()` writes a file (or hard-links the published one when the bytes are the
    same); `keep()` carries a published file over unchanged without reading it.
    Nothing in `output/` changes before `commit()`; `abort()` drops the stage.
    With `spare_root`, the stage starts from the `spare` version kept there and
    leaves the replaced version there for next time.
    """

    def __init__(
        self,
        output_dir: Path,
        manifest: Manifest | None = None,
        *,
        spare_root: Path | None = None,
        spare: Spare | None = None,
        published: Iterable[str] | None = None,
    ) -> None:
        """`published`: the files output/ holds, when the caller knows (else it is walked)."""
        self.output_dir = output_dir.absolute()
        self.published = None if published is None else set(published)
        self.manifest = manifest or {}
        self.staging = staging_dir(self.output_dir)
        self.written: dict[str, str] = {}  # path -> digest, new or changed files
        self.unchanged: dict[str, str] = {}
        self.removed: list[str] = []  # published files the new version drops (after commit)
        self.spare_root = spare_root
        self.reused: dict[str, int] = {}  # files already in the staging folder -> inode
        self.spare: Spare | None = None  # the replaced version, after commit
        self._dirs: set[str] = {""}
        self._entries: Manifest = {}  # what the manifest will hold of the files written
        clean_leftovers(self.output_dir)
        if spare_root is not None:
            self._adopt_spare(spare_root, spare)
        if not self.staging.exists():
            self.staging.mkdir(parents=True)

    def _adopt_spare(self, root: Path, spare: Spare | None) -> None:
        for folder in root.glob("tree-*") if root.is_dir() else ():
            if spare is not None and folder.name == spare.name and folder.is_dir():
                try:
                    os.rename(folder, self.staging)
                except OSError:
                    continue
                self.reused = dict(spare.files)  # its folders are made again only if missing
            else:
                shutil.rmtree(folder, ignore_errors=True)  # from a build that was cut short

    def _parent(self, path: str) -> None:
        folder = path.rpartition("/")[0]
        if folder not in self._dirs:
            try:  # a page's own folder, whose parent is nearly always made already
                os.mkdir(f"{self.staging}/{folder}")
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(f"{self.staging}/{folder}", exist_ok=True)
            self._dirs.add(folder)

    def _claim(self, path: str) -> None:
        check_output_path(path)
        if path in self.written or path in self.unchanged:
            raise GazetteError(
                f"two outputs would be written to /{path}",
                hint="a content file and a generated page share a URL; rename one",
            )

    def add(self, path: str, data: bytes, digest: str | None = None) -> bool:
        """Stage `data` as `path`; True if it differs from the published file."""
        self._claim(path)
        digest = digest or file_digest(data)
        written = self.put(path, data, digest)
        self._record(path, digest, written)
        return written is not None

    def put(self, path: str, data: bytes, digest: str) -> Published | None:
        """Put the file in the staging folder without bookkeeping (worker processes call
        this, then the parent `adopt()`s the result): what the manifest will hold of the
        file written, or None when the published file's bytes are the same (kept)."""
        check_output_path(path)  # before any folder is made: workers call this directly
        self._parent(path)
        entry = self.manifest.get(path)
        if entry is not None:
            same = entry.digest == digest
        elif self.published is not None and path not in self.published:
            same = False  # nothing there to compare with (a first build: every page)
        else:
            same = _same_bytes(f"{self.output_dir}/{path}", data)
        if same and self._link(path):
            return None
        target = f"{self.staging}/{path}"
        if path in self.reused:
            _unlink(target)  # never write into a link to a published file
        return Published(digest, *_write(target, data))

    def _link(self, path: str) -> bool:
        """Make the staged `path` the published file; False if there is none."""
        entry = self.manifest.get(path)
        inode = self.reused.get(path)
        if inode is not None and entry is not None and inode == entry.inode:
            return True  # the kept version already shares it
        target = f"{self.staging}/{path}"
        if inode is not None:
            _unlink(target)
        try:
            os.link(f"{self.output_dir}/{path}", target)
        except FileNotFoundError:
            return False
        return True

    def adopt(self, path: str, digest: str, written: Published | None) -> None:
        """Record a file that `put()` (maybe in a worker process) staged."""
        self._claim(path)
        self._dirs.add(path.rpartition("/")[0])
        self._record(path, digest, written)

    def _record(self, path: str, digest: str, written: Published | None) -> None:
        if written is None:
            self.unchanged[path] = digest
        else:
            self.written[path] = digest
            self._entries[path] = written

    def keep_all(self, paths: Iterable[str]) -> None:
        """Carry the published `paths` (listed in the manifest) over unchanged, cheaply
        (a big site's unchanged pages): their paths were checked when first written."""
        for path in paths:
            if path in self.written or path in self.unchanged:
                self._claim(path)  # raises: two outputs for one path
            entry = self.manifest[path]
            if self.reused.get(path) != entry.inode:
                self._parent(path)
                if not self._link(path):
                    raise FileNotFoundError(self.output_dir / path)
            self.unchanged[path] = entry.digest

    def _drop_unclaimed(self) -> None:
        """Remove what the kept version had and the new one does not."""
        for path in self.reused:
            if path in self.written or path in self.unchanged:
                continue
            _remove(str(self.staging), path)

    def commit(self) -> tuple[WriteReport, Manifest]:
        """Swap the stage in (unless nothing changed); return the report and new manifest."""
        seen = self.written.keys() | self.unchanged.keys()
        current = list(self.published) if self.published is not None else []
        if self.published is None:
            current = survey(self.output_dir, {}).found
        self.removed = [p for p in current if p not in seen]
        removed = len(self.removed)
        self._drop_unclaimed()
        existed = self.output_dir.is_dir()
        if not self.written and removed == 0 and existed:
            # nothing to swap: the staging folder holds exactly the unchanged files
            kept = {p: (e.inode if (e := self.manifest.get(p)) else -1) for p in self.unchanged}
            self._retire(self.staging, kept)
        else:
            _exchange_in(self.staging, self.output_dir)
            replaced = {p: (e.inode if (e := self.manifest.get(p)) else -1) for p in current}
            if existed:
                self._retire(self.staging, replaced)
            self.reused = {}
        manifest: Manifest = {}
        for path, digest in self.unchanged.items():
            entry = self.manifest.get(path)
            if entry is None or entry.digest != digest:
                entry = published_state(self.output_dir / path, digest)
            manifest[path] = entry
        manifest.update(self._entries)  # swapping folders keeps the files' inodes and times
        report = WriteReport(len(self.written), len(self.unchanged), removed)
        return report, manifest

    def _retire(self, folder: Path, files: dict[str, int]) -> None:
        """Keep `folder` as the spare for next time, or delete it."""
        if self.spare_root is not None:
            name = f"tree-{uuid.uuid4().hex[:12]}"
            try:
                self.spare_root.mkdir(parents=True, exist_ok=True)
                os.rename(folder, self.spare_root / name)
                self.spare = Spare(name, files)
                return
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def publish(output_dir: Path, files: Iterable[OutputFile]) -> WriteReport:
    """Write `files` as the whole new content of `output_dir`, atomically."""
    stage = Stage(output_dir)
    try:
        for file in files:
            stage.add(file.path, file.data)
    except BaseException:
        stage.abort()
        raise
    return stage.commit()[0]


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
        facts = _write(temporary, data)
        os.replace(temporary, target)  # the spare version's hard link keeps the old bytes
        written[path] = Published(digest, *facts)  # renaming keeps its inode and time
    for path in removed:
        _remove(str(output_dir), path)
    return written


def _remove(root: str, path: str) -> None:
    """Remove the file `path` under `root`, and the folders it leaves empty."""
    _unlink(f"{root}/{path}")
    folder = path.rpartition("/")[0]
    while folder:
        try:
            os.rmdir(f"{root}/{folder}")
        except OSError:
            break  # not empty (or gone): nor are its parents
        folder = folder.rpartition("/")[0]


def _write(path: str, data: bytes) -> tuple[int, int, int]:
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


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def _unlink(path: str) -> None:
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


def _exchange_in(staging: Path, output_dir: Path) -> None:
    """Make `staging` the output folder; the replaced one ends up at `staging`."""
    if not output_dir.exists():
        os.rename(staging, output_dir)
        return
    if not _exchange(staging, output_dir):
        # No atomic exchange here (not Linux, or an old kernel): two quick renames.
        old = _old_dir(output_dir)
        os.rename(output_dir, old)
        os.rename(staging, output_dir)
        os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step with Linux's renameat2(RENAME_EXCHANGE)."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
