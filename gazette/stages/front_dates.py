"""Dates and times in front matter: how they may be written, and the site's timezone.

Shared by the checks of 'date' and 'updated' and those of dated notices
(corrections, updates), so every date in a file is read the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gazette.dates import RANGE, in_range, read_date, wrong_part
from gazette.stages.front import Front, short

_DATE_HINT = "write it as 2023-09-23 or 2023-09-23 14:30 or 2023-09-23T14:30:00+06:00"


def checked_date(key: str, value: Any, front: Front) -> dt.datetime | None:
    """A key's date as a time in the site's zone; None only for a page's missing date."""
    if value is None and front.is_page:
        return None
    if isinstance(value, str):
        value = read_date(value)
    if not isinstance(value, dt.date):
        why = wrong_part(value) if isinstance(value, str) else None
        message = f"'{key}' is not a date: {short(value)}" + (f" ({why})" if why else "")
        raise front.fail(key, message, _DATE_HINT)
    if not in_range(value):  # so near the calendar's ends that times overflow
        raise front.fail(key, f"'{key}' is out of range: {value.isoformat()}", RANGE)
    return in_zone(value, front.config.tz)


def in_zone(value: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """A date or time as a time in `tz` (a date alone: its midnight there)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
