"""Limits on what a template may do: a page's render ends within `[build] timeout`
seconds, and `range()` makes at most MAX_RANGE numbers.

A template is code; one that loops for ever would hang the build, and a huge
`range()` would take all memory. Jinja's own sandbox caps `range` the same way.
The time limit is one watchdog thread per process that raises `RenderTimeout`
in a render past its deadline (the build renders in worker processes, the
preview in server threads: a signal would reach neither).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
import time
from collections.abc import Iterator

from gazette.errors import GazetteError

MAX_RANGE = 100_000
_TICK = 0.1


class RenderTimeout(BaseException):
    """Raised into a render that ran out of time; a BaseException, so that no
    `except Exception` in a template's filters can swallow it."""


def capped_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise GazetteError(
            f"range() of {len(numbers):,} numbers is more than a template may make ({MAX_RANGE:,})",
            hint="loop over the page's own lists, or make the range smaller",
        )
    return numbers


class Watchdog:
    """Deadlines of the renders under way in this process, by thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadlines: dict[int, float] = {}
        self._fired: set[int] = set()
        self._pid = 0

    @contextlib.contextmanager
    def limit(self, seconds: float) -> Iterator[None]:
        """Raise RenderTimeout in this thread if the block runs past `seconds`."""
        self._start()
        me = threading.get_ident()
        with self._lock:
            self._deadlines[me] = time.monotonic() + seconds
        try:
            yield
        finally:
            with self._lock:
                self._deadlines.pop(me, None)
                if me in self._fired:  # fired as the block ended: not for what follows
                    self._fired.discard(me)
                    _raise_in(me, None)

    def _start(self) -> None:
        if self._pid != os.getpid():  # a forked worker has no copy of the thread
            self._pid = os.getpid()
            threading.Thread(target=self._watch, name="gazette-watchdog", daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(_TICK)
            now = time.monotonic()
            with self._lock:
                for ident, deadline in list(self._deadlines.items()):
                    if now > deadline:
                        del self._deadlines[ident]
                        self._fired.add(ident)
                        _raise_in(ident, RenderTimeout)


def _raise_in(thread: int, exception: type[BaseException] | None) -> None:
    """Make `exception` happen in `thread` at its next step (None: cancel one pending)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread), ctypes.py_object(exception) if exception else ctypes.py_object()
    )
