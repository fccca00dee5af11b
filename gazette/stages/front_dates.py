"""Dates and times in front matter: how they may be written, and the site's timezone.

Shared by the checks of 'date' and 'updated' and those of dated notices
(corrections, updates), so every date in a file is read the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from gazette.dates import RANGE, in_range
from gazette.stages.front import Front, short

_DATE_HINT = "write it as 2023-09-23 or 2023-09-23 14:30 or 2023-09-23T14:30:00+06:00"


# Dates as other generators take them (Pelican builds `2020-12-2`): month, day and
# hour without their leading zero. ISO 8601 in full is read by fromisoformat.
_SHORT_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def read_date(text: str) -> dt.date | str:
    """A date or time written as text, or the text when it is none."""
    text = text.strip()
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _SHORT_DATE.fullmatch(text)
    if match is None:
        return text
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        if match.group(4) is None:
            return dt.date(year, month, day)
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:  # 2023-2-30, 25:00
        return text


def checked_date(key: str, value: Any, front: Front) -> dt.datetime | None:
    """A key's date as a time in the site's zone; None only for a page's missing date."""
    if value is None and front.is_page:
        return None
    if isinstance(value, str):
        value = read_date(value)
    if not isinstance(value, dt.date):
        raise front.fail(key, f"'{key}' is not a date: {short(value)}", _DATE_HINT)
    if not in_range(value):  # so near the calendar's ends that times overflow
        raise front.fail(key, f"'{key}' is out of range: {value.isoformat()}", RANGE)
    return in_zone(value, front.config.tz)


def in_zone(value: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """A date or time as a time in `tz` (a date alone: its midnight there)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
