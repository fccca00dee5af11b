"""Peak memory of a process and all its descendants, as PSS summed over them.

A build forks workers that share most of their pages with the parent (copy on
write), so the largest resident set of any one process understates what the
machine holds and summing resident sets overstates it. PSS (proportional set
size) charges each shared page to its sharers in equal parts, so the PSS of all
the processes added up is the memory the build takes. Linux reports it in
/proc/<pid>/smaps_rollup; a thread samples the process tree every 50 ms while
the build runs and keeps the largest sum (the kernel walks a process's page
tables for each reading: sampling much more often slows a big build down).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for task in tasks:
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += _children(current)
    return out


def pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class PeakPss:
    """`with PeakPss(pid) as peak: ...wait...`, then `peak.mb`."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.pid, self.every, self.kb = pid, every, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            self.kb = max(self.kb, sum(pss_kb(p) for p in tree(self.pid)))
            self._done.wait(self.every)

    def __enter__(self) -> PeakPss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return self.kb / 1024
