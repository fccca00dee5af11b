"""Each stage's time and memory, printed with GAZETTE_TIMINGS=1 in the environment:
how a user or the benchmark sees where a build's time goes."""

from __future__ import annotations

import os
import resource
import sys
import time


class Timings:
    """Called with a stage's name when it ends ("start" begins the clock)."""

    def __init__(self) -> None:
        self._last = 0.0
        self._on = bool(os.environ.get("GAZETTE_TIMINGS"))

    def __call__(self, what: str) -> None:
        if not self._on:
            return
        now = time.perf_counter()
        if what != "start":
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"timing: {what}: {now - self._last:.2f} s, peak {rss:.0f} MB", file=sys.stderr)
        self._last = now
