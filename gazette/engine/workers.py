"""Work over many items in forked worker processes, when there are enough to be worth it.

Workers are forked, so they inherit what the parent set up for them (the job in a
module global) instead of receiving it; results come back chunk by chunk.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

PROGRESS_MIN_ITEMS = 2000

Chunked = Callable[[list[Any]], list[Any]]


class Workers:
    """A number of processes (`jobs`), and a progress bar for long runs on a terminal."""

    def __init__(self, jobs: int | None = None, *, progress: bool = False) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.progress = progress

    def map(
        self, function: Chunked, items: Sequence[Any], minimum: int, what: str, smallest: int = 20
    ) -> Iterator[Any]:
        """`function` over chunks of `items`, in worker processes when it is worth it;
        `smallest`: the fewest items a chunk has (1 for slow items, such as photos)."""
        with self.launch(function, items, minimum, what, smallest) as results:
            yield from results

    @contextlib.contextmanager
    def launch(
        self, function: Chunked, items: Sequence[Any], minimum: int, what: str, smallest: int = 20
    ) -> Iterator[Iterator[Any]]:
        """`map`, with the workers already at it when the block starts; in this process
        (one job, or fewer items than `minimum`), the work is done as results are taken."""
        bar = self._bar(len(items), what)
        try:
            if self.jobs == 1 or len(items) < minimum:
                yield _here(function, items, bar)
                return
            import multiprocessing  # with its sockets and queues: only when forking

            context = multiprocessing.get_context("fork")
            gc.freeze()  # the inherited heap: workers leave it alone, so it stays shared
            # Ctrl-C is held back while workers are forked: one arriving before a worker
            # ignores it would print that worker's traceback. Here it waits for the pool.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                pool = context.Pool(self.jobs, _start_worker, (os.getpid(),))
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            with pool:
                chunks = pool.imap_unordered(function, chunks_of(items, self.jobs, smallest))
                yield _counted(chunks, bar)
        finally:
            bar.close()

    def _bar(self, total: int, what: str) -> Any:
        if self.progress and total >= PROGRESS_MIN_ITEMS and sys.stderr.isatty():
            try:
                from tqdm import tqdm
            except ImportError:  # a progress bar is a nicety, not a reason to fail
                return _NoBar()
            return tqdm(total=total, desc=what, unit="", leave=False, file=sys.stderr)
        return _NoBar()


class Ahead:
    """`function(*args)` in a forked process, while this process goes on with other
    work until `wait`, which says whether it returned a true value. What it leaves on
    disk (the text store) is not relied on: what it could not leave is made again."""

    def __init__(self, function: Callable[..., object], *args: object) -> None:
        parent = os.getpid()
        self.pid = 0
        try:
            gc.freeze()  # the inherited heap: the child collects only what it makes
            self.pid = os.fork()
        except OSError:  # no memory or processes to spare: the work is done later
            return
        if self.pid == 0:
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's
                _die_with_parent(parent)
                gc.enable()
                code = 0 if function(*args) else 1
            except BaseException:  # noqa: BLE001, S110 - said by the parent, if at all
                pass
            finally:
                os._exit(code)  # no buffers flushed twice, no cleanup of the parent's

    def wait(self) -> bool:
        """False also when the process could not be forked or was killed."""
        if not self.pid:
            return False
        pid, self.pid = self.pid, 0
        try:
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        except ChildProcessError:
            return False


def _start_worker(parent: int) -> None:
    """A worker leaves Ctrl-C to its parent (which stops the pool at once, printing one
    line instead of a traceback per worker) and dies with it: a worker whose parent was
    killed would otherwise wait forever on the pool's queue, holding the build lock."""
    gc.enable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back by the parent
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    try:
        import ctypes  # in the child: the command line's quick look never needs it

        libc = ctypes.CDLL(None, use_errno=True)  # this process's own C library
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own checks must do
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def chunks_of(items: Sequence[Any], jobs: int, smallest: int) -> list[Sequence[Any]]:
    """32 chunks a worker: the last chunk keeps one core alone for a fraction of a
    second (about 0.3 s of Markdown at 10,000 articles), and a chunk's own cost (a
    message each way) stays far below its work."""
    size = max(smallest, -(-len(items) // (jobs * 32)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _here(function: Chunked, items: Sequence[Any], bar: Any) -> Iterator[Any]:
    """The work in this process, with the cycle collector on as it is in workers:
    converting and rendering make garbage cycles (Markdown's trees, Jinja's contexts),
    which would pile up while the build pauses it."""
    paused = not gc.isenabled()
    gc.enable()
    try:
        for chunk in chunks_of(items, 1, 200):
            yield from function(list(chunk))
            bar.update(len(chunk))
    finally:
        if paused:
            gc.disable()


def _counted(results: Iterable[list[Any]], bar: Any) -> Iterator[Any]:
    for result in results:
        yield from result
        bar.update(len(result))


class _NoBar:
    def update(self, count: int) -> None:
        pass

    def close(self) -> None:
        pass
