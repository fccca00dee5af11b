"""The preview's alarm clock: a rebuild when the next thing falls due.

A build at 14:00 holds back a story dated 14:05; a cron job builds again then
(`build.py --next-due` says when). The preview does it itself: after each rebuild
it asks the memory sink when the site next changes by the clock alone, and
rebuilds at that moment, so an open tab shows what a build then would.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

SLACK_SECONDS = 0.05  # the rebuild comes this much after the time it is for
MAX_WAIT_SECONDS = 3600.0  # a longer wait is cut short: that rebuild changes nothing


class DueTimer:
    """Calls `fire` once when `next_due()` comes; `arm` again after every rebuild."""

    def __init__(
        self, next_due: Callable[[], dt.datetime | None], fire: Callable[[], object]
    ) -> None:
        self._next_due = next_due
        self._fire = fire
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def arm(self) -> dt.datetime | None:
        """Set the timer for the next due time (replacing any set before); returns it."""
        due = self._next_due()
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            if due is None or self._stopped:
                return due
            wait = (due - dt.datetime.now(due.tzinfo)).total_seconds()
            wait = min(max(wait, 0.0) + SLACK_SECONDS, MAX_WAIT_SECONDS)
            self._timer = threading.Timer(wait, self._fire)
            self._timer.name = "gazette-due"
            self._timer.daemon = True
            self._timer.start()
        return due

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
