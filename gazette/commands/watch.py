"""Watch the site's sources and call back once per burst of changes.

Editors save through temporary files and renames, and `git checkout` touches
hundreds of files at once, so events are gathered until the files have been
quiet for a moment and then handed over together. Changes that arrive while
the callback runs are gathered again and give exactly one more call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

QUIET_SECONDS = 0.04  # a burst ends after this long without events
MAX_WAIT_SECONDS = 0.5  # ...or this long after its first event, whatever keeps coming
EDITOR_LITTER = ("~", ".swp", ".swx", ".tmp", ".part")


def is_editor_litter(path: Path) -> bool:
    """Backup, swap and lock files editors write beside the real one."""
    name = path.name
    return name.startswith((".#", "#")) or name.endswith(EDITOR_LITTER) or name.endswith("#")


class Debouncer:
    """Collects paths from any thread; one worker thread calls `callback` per burst."""

    def __init__(
        self,
        callback: Callable[[set[Path]], None],
        *,
        quiet: float = QUIET_SECONDS,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self._callback = callback
        self._quiet = quiet
        self._max_wait = max_wait
        self._pending: set[Path] = set()
        self._first = 0.0
        self._last = 0.0
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="gazette-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, path: Path) -> None:
        with self._wake:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending.add(path)
            self._last = now
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _next_burst(self) -> set[Path] | None:
        with self._wake:
            while True:
                if self._stopping:
                    return None
                if not self._pending:
                    self._wake.wait()
                    continue
                now = time.monotonic()
                due = min(self._last + self._quiet, self._first + self._max_wait)
                if now >= due:
                    burst, self._pending = self._pending, set()
                    return burst
                self._wake.wait(due - now)

    def _run(self) -> None:
        while (burst := self._next_burst()) is not None:
            self._callback(burst)


class _Handler(FileSystemEventHandler):
    def __init__(
        self,
        accept: Callable[[Path], bool],
        debouncer: Debouncer,
        appeared: Callable[[Path], None] = lambda path: None,
    ) -> None:
        self._accept = accept
        self._debouncer = debouncer
        self._appeared = appeared

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's own times change with every save inside it
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(raw if isinstance(raw, str) else raw.decode())
            if event.is_directory:
                self._appeared(path)
            if not is_editor_litter(path) and self._accept(path):
                self._debouncer.add(path)


class Watcher:
    """Watches folders (recursively) and single files, feeding a Debouncer.

    A folder that does not exist yet (a site using the packaged theme may have no
    templates/) is watched for from its parent, and watched itself once it appears."""

    def __init__(
        self,
        folders: list[Path],
        files: list[Path],
        callback: Callable[[set[Path]], None],
        *,
        poll: bool = False,
        quiet: float = QUIET_SECONDS,
    ) -> None:
        self.debouncer = Debouncer(callback, quiet=quiet)
        self._observer = PollingObserver(timeout=0.25) if poll else Observer()
        wanted_files = {f.absolute() for f in files}
        roots = [f.absolute() for f in folders if f.is_dir()]
        awaited = {f.absolute() for f in folders if not f.is_dir() and f.parent.is_dir()}

        def accept(path: Path) -> bool:
            path = path.absolute()
            return path in wanted_files or any(path.is_relative_to(r) for r in roots)

        def appeared(path: Path) -> None:
            """An awaited folder was made: watch it, and take the files already in it."""
            path = path.absolute()
            if path in awaited and path.is_dir():
                awaited.discard(path)
                roots.append(path)
                self._observer.schedule(handler, str(path), recursive=True)
                for found in path.rglob("*"):
                    self.debouncer.add(found)

        handler = _Handler(accept, self.debouncer, appeared)
        for folder in roots:
            self._observer.schedule(handler, str(folder), recursive=True)
        for parent in {f.parent for f in wanted_files} | {f.parent for f in awaited}:
            if parent not in roots:
                self._observer.schedule(handler, str(parent), recursive=False)

    def start(self) -> None:
        self.debouncer.start()
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self.debouncer.stop()
        self._observer.join(timeout=5)
