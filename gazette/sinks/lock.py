"""One build of an output folder at a time, and a cache folder that is Gazette's own.

Two builds of one site at once (a CI job and a writer, two cron runs) would
swap and patch the same `output/` under each other and lose files. So a build
holds an exclusive `flock` on `.gazette-cache/<output name>.lock` from start to
end; the kernel releases it when the process ends, however it ends, so a killed
build never leaves a stale lock. The file also carries a token that changes with
every build, which tells a long-lived sink (`watch`) that another process has
built since it last looked.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from gazette.engine.cache import cache_dir_for, cache_root, refuse_links
from gazette.errors import GazetteError


@contextlib.contextmanager
def build_lock(
    output_dir: Path, *, wait: bool, notice: Callable[[str], None]
) -> Iterator[tuple[str, str]]:
    """Hold the output folder's build lock for the block; gives (the token the last
    build left, this build's token). Another build holding it is waited for, with a
    notice, or (`wait=False`) is an error."""
    refuse_links(cache_dir_for(output_dir))
    root = cache_root(output_dir)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{output_dir.absolute().name}.lock"
    try:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES) or not path.is_file():
                raise
            # a read-only cache folder: the lock still holds; the output check says why
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise GazetteError(
            f"cannot open the build lock {path}: {exc.strerror}",
            hint="the build cache folder must be a writable folder of its own",
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd).partition(" ")[0] or "unknown"
            if not wait:
                raise GazetteError(
                    f"another build of {output_dir} is running (process {holder})",
                    hint="wait for it to finish, or leave out --no-wait to wait for it",
                ) from None
            notice(f"waiting for another build of {output_dir} (process {holder}) to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        previous = _read(fd).partition(" ")[2]
        token = os.urandom(16).hex()
        _write(fd, f"{os.getpid()} {previous}")
        try:
            yield previous, token
        finally:
            _write(fd, f"{os.getpid()} {token}")
    finally:
        os.close(fd)  # releases the lock (the workers, forked with a copy, have ended)


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 200).decode("ascii", "replace").strip()


def _write(fd: int, text: str) -> None:
    with contextlib.suppress(OSError):  # a full disk: the lock itself still holds
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode("ascii"), 0)
