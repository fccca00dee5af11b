"""The dates Gazette takes: years 1000 to 9998, written as writers write them.

Python's dates end at years 1 and 9999, and a timezone conversion, a feed's
window or a sitemap's time near either end overflows with a traceback. No news
story is dated there, so every date Gazette reads (front matter, config,
SOURCE_DATE_EPOCH) is held to a range well inside, and one outside it is a
located error instead.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

EARLIEST = dt.date(1000, 1, 1)
LATEST = dt.date(9998, 12, 31)
RANGE = f"Gazette takes dates from {EARLIEST.isoformat()} to {LATEST.isoformat()}"


def in_range(value: dt.date) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST <= day <= LATEST


# Dates as other generators take them (Pelican builds `2020-12-2`): month, day and
# hour without their leading zero. ISO 8601 in full is read by fromisoformat.
_SHORT_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ZONE = re.compile(r"(?<=:\d\d)(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)$")  # after a time
_DAY_FIRST = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b.*")


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


def wrong_part(text: str) -> str | None:
    """Which part of a text that looks like a date is wrong ("month 13 is not 1 to 12"),
    so that a writer need not guess; None when it does not look like one at all."""
    text = text.strip()
    if _DAY_FIRST.fullmatch(text):
        return "the year comes first, then the month and the day"
    match = _SHORT_DATE.fullmatch(_ZONE.sub("", text))
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    if not 1 <= month <= 12:
        return f"month {month} is not 1 to 12"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"day {day} is not in {calendar.month_name[month]} {year}, which has {days} days"
    if hour > 23:
        return f"hour {hour} is not 0 to 23"
    if minute > 59 or second > 59:
        return f"minute or second {max(minute, second)} is not 0 to 59"
    return "the time zone is not one Gazette reads (write +06:00 or Z)"
