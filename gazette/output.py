"""Stage 6: put the rendered site in `output/`, all at once or not at all.

The new site is assembled in a staging folder beside `output/` (unchanged files
are hard links to the published ones, so their bytes and times are kept), then
swapped in with one atomic directory exchange. A build that fails or is killed
before the swap leaves `output/` exactly as it was; the next build removes the
stale staging folder.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gazette.assets import OutputFile
from gazette.errors import GazetteError
from gazette.paths import check_output_path

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


def publish(output_dir: Path, files: Iterable[OutputFile]) -> WriteReport:
    """Write `files` as the whole new content of `output_dir`, atomically."""
    output_dir = output_dir.absolute()
    clean_leftovers(output_dir)
    staging = staging_dir(output_dir)
    staging.mkdir(parents=True)
    written = unchanged = 0
    seen: set[str] = set()
    try:
        for file in files:
            if file.path in seen:
                raise GazetteError(
                    f"two outputs would be written to /{file.path}",
                    hint="a content file and a generated page share a URL; rename one",
                )
            check_output_path(file.path)
            seen.add(file.path)
            target = staging / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            published = output_dir / file.path
            if _same_bytes(published, file.data):
                os.link(published, target)
                unchanged += 1
            else:
                target.write_bytes(file.data)
                written += 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    removed = sum(1 for p in _files_below(output_dir) if p not in seen)
    if written == 0 and removed == 0 and output_dir.is_dir():
        shutil.rmtree(staging)
    else:
        _swap_in(staging, output_dir)
    return WriteReport(written=written, unchanged=unchanged, removed=removed)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def _files_below(folder: Path) -> Iterable[str]:
    if not folder.is_dir():
        return
    for dirpath, _dirs, names in os.walk(folder):
        base = Path(dirpath).relative_to(folder)
        for name in names:
            yield (base / name).as_posix()


def _swap_in(staging: Path, output_dir: Path) -> None:
    if not output_dir.exists():
        os.rename(staging, output_dir)
        return
    if not _exchange(staging, output_dir):
        # No atomic exchange here (not Linux, or an old kernel): two quick renames.
        old = _old_dir(output_dir)
        os.rename(output_dir, old)
        os.rename(staging, output_dir)
    shutil.rmtree(staging if staging.exists() else _old_dir(output_dir), ignore_errors=True)
    clean_leftovers(output_dir)


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
