"""Stage 6: put the rendered site in `output/`, all at once or not at all.

The new site is assembled in a staging folder beside `output/` (unchanged files
are hard links to the published ones, so their bytes and times are kept), then
swapped in with one atomic directory exchange. A build that fails or is killed
before the swap leaves `output/` exactly as it was; the next build removes the
stale staging folder.

A small change is patched in place instead (`gazette.sinks.output_files`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path

from gazette.engine.cache import cache_root
from gazette.errors import GazetteError
from gazette.paths import check_output_path
from gazette.sinks.output_files import (
    Manifest,
    Published,
    WriteReport,
    file_digest,
    published_state,
    remove_file,
    same_bytes,
    survey,
    unlink,
    write_file,
)
from gazette.sinks.ownership import foreign_files
from gazette.stages.config import Config

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def staging_dir(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.staging"


def _old_dir(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.old"


def clean_leftovers(output_dir: Path) -> None:
    """Remove what a killed build may have left beside `output/`."""
    for leftover in (staging_dir(output_dir), _old_dir(output_dir)):
        if leftover.exists():
            shutil.rmtree(leftover)


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
        owned: Container[str] | None = None,
    ) -> None:
        """`published`: the files output/ holds, when the caller knows (else it is walked).
        `owned`: the files Gazette wrote there, when known; `commit()` refuses to delete
        any other (None: all of them are Gazette's)."""
        self.owned = owned
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
            same = same_bytes(f"{self.output_dir}/{path}", data)
        if same and self._link(path):
            return None
        target = f"{self.staging}/{path}"
        if path in self.reused:
            unlink(target)  # never write into a link to a published file
        return Published(digest, *write_file(target, data))

    def _link(self, path: str) -> bool:
        """Make the staged `path` the published file; False if there is none."""
        entry = self.manifest.get(path)
        inode = self.reused.get(path)
        if inode is not None and entry is not None and inode == entry.inode:
            return True  # the kept version already shares it
        target = f"{self.staging}/{path}"
        if inode is not None:
            unlink(target)
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
            remove_file(str(self.staging), path)

    def commit(self) -> tuple[WriteReport, Manifest]:
        """Swap the stage in (unless nothing changed); return the report and new manifest."""
        seen = self.written.keys() | self.unchanged.keys()
        current = list(self.published) if self.published is not None else []
        if self.published is None:
            current = survey(self.output_dir, {}).found
        self.removed = [p for p in current if p not in seen]
        owned = self.owned
        if owned is not None and (foreign := [p for p in self.removed if p not in owned]):
            raise foreign_files(self.output_dir, foreign, "it holds files Gazette did not write")
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
            name = f"tree-{os.urandom(6).hex()}"
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


def check_output_dir(output_dir: Path, config: Config) -> None:
    """Refuse an output folder whose replacement would destroy sources or the system."""
    out = output_dir.resolve()
    protected = {
        "the site folder": config.root.resolve(),
        "content/": config.content_dir.resolve(),
        "templates/": config.templates_dir.resolve(),
        "static/": config.static_dir.resolve(),
        "your home folder": Path.home().resolve(),
        "/": Path("/").resolve(),
    }
    for name, path in protected.items():
        if out == path or out in path.parents:
            raise GazetteError(
                f"refusing to use {output_dir} as the output folder: it is or contains {name}",
                hint="the build replaces the output folder whole; choose a folder of its own, "
                "such as output/",
            )
    sources = {
        "content/": config.content_dir.resolve(),
        "templates/": config.templates_dir.resolve(),
        "static/": config.static_dir.resolve(),
        "the build cache": cache_root(output_dir).resolve(),
    }
    for name, path in sources.items():
        if path in out.parents:
            raise GazetteError(
                f"refusing to use {output_dir} as the output folder: it is inside {name}",
                hint="the site would be read back as its own source on the next build; "
                "choose a folder outside content/, templates/ and static/, such as output/",
            )
    if out.exists() and not out.is_dir():
        raise GazetteError(
            f"refusing to use {output_dir} as the output folder: it is a file",
            hint="choose a folder, such as output/",
        )
    if out.is_dir() and os.path.ismount(out):
        raise GazetteError(
            f"cannot build into {output_dir}: it is a mount point",
            hint="the build assembles the new site beside the output folder and swaps it in, "
            "which a mount point cannot be; mount the folder above it instead",
        )
    for folder in (out, out.parent):
        if folder.is_dir() and not _writable(folder):
            raise GazetteError(
                f"cannot build into {output_dir}: {folder} is read-only",
                hint="make it writable (the build writes the new site beside output/, "
                "then swaps it in), or choose another folder with --output",
            )


def _writable(folder: Path) -> bool:
    """A read-only file system (a mount) or a folder without write permission."""
    read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    return not read_only and os.access(folder, os.W_OK | os.X_OK)


def write_error(output_dir: Path, exc: OSError, site_size: int) -> GazetteError:
    """output/ is as it was (the stage is dropped, a patch undone): say why, and for a
    full disk how much room the build wants (each changed file is written again beside
    the published one before the swap, so at worst the site's size once more)."""
    where = f" ({exc.filename})" if exc.filename else ""
    hint = "check the folder's permissions and free space; the published site is unchanged"
    if exc.errno == errno.ENOSPC:
        free = shutil.disk_usage(output_dir.absolute().parent).free
        needed = f"up to {_mb(site_size)} (the site's size), " if site_size else ""
        hint = (
            f"a build needs {needed}room for the files it changes beside the published "
            f"ones; {_mb(free)} are free there. Free some space and build again; the "
            "published site is unchanged"
        )
    return GazetteError(
        f"cannot write the site into {output_dir}: {exc.strerror}{where}", hint=hint
    )


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
