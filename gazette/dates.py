"""The dates Gazette takes: years 1000 to 9998.

Python's dates end at years 1 and 9999, and a timezone conversion, a feed's
window or a sitemap's time near either end overflows with a traceback. No news
story is dated there, so every date Gazette reads (front matter, config,
SOURCE_DATE_EPOCH) is held to a range well inside, and one outside it is a
located error instead.
"""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(1000, 1, 1)
LATEST = dt.date(9998, 12, 31)
RANGE = f"Gazette takes dates from {EARLIEST.isoformat()} to {LATEST.isoformat()}"


def in_range(value: dt.date) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST <= day <= LATEST
