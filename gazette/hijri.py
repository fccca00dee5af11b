"""Hijri dates as newspapers print them: local month starts first, Umm al-Qura after.

A fixed day offset from Umm al-Qura goes wrong at month ends, so each month is
located by its start date: the site's table of locally announced starts where
it has one, the Umm al-Qura start otherwise.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Protocol

from hijridate import Gregorian, Hijri

ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_HIJRI_TEXT = re.compile(r"^\s*(\d{3,4})-(\d{1,2})-(\d{1,2})\s*$")


class HijriConfig(Protocol):
    """What the calendar needs of a site's settings (`[hijri]` in config.toml gives it)."""

    @property
    def format(self) -> str: ...
    @property
    def month_names(self) -> tuple[str, ...]: ...
    @property
    def digits(self) -> str: ...
    @property
    def month_starts(self) -> dict[str, dt.date]: ...


class HijriRangeError(ValueError):
    """The date is outside what the calendar covers."""


@dataclass(frozen=True, order=True)
class HijriDate:
    year: int
    month: int
    day: int

    def format(self, settings: HijriConfig) -> str:
        text = settings.format.format(
            year=self.year,
            month=self.month,
            day=self.day,
            month_name=settings.month_names[self.month - 1],
        )
        if settings.digits == "arabic":
            text = text.translate(ARABIC_DIGITS)
        return text

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


# Both conversions are pure and cost more than the rest of reading an article's
# date; 10,000 articles share a few thousand days and a few hundred months.
@functools.lru_cache(maxsize=8192)
def _umm_al_qura_start(year: int, month: int) -> dt.date:
    try:
        start = Hijri(year, month, 1).to_gregorian()
    except (OverflowError, ValueError) as exc:
        raise HijriRangeError(str(exc)) from None
    return dt.date(start.year, start.month, start.day)


@functools.lru_cache(maxsize=8192)
def _umm_al_qura_month(year: int, month: int, day: int) -> tuple[int, int]:
    """The Umm al-Qura (year, month) a Gregorian day falls in."""
    try:
        uq = Gregorian(year, month, day).to_hijri()
    except (OverflowError, ValueError) as exc:
        raise HijriRangeError(str(exc)) from None
    return uq.year, uq.month


def month_start(year: int, month: int, settings: HijriConfig) -> dt.date:
    local = settings.month_starts.get(f"{year}-{month:02d}")
    return local if local is not None else _umm_al_qura_start(year, month)


def to_hijri(day: dt.date, settings: HijriConfig) -> HijriDate:
    """The local Hijri date of a Gregorian day."""
    uq_year, uq_month = _umm_al_qura_month(day.year, day.month, day.day)
    # The local month is the Umm al-Qura month or one of its neighbours.
    candidates = [_previous_month(uq_year, uq_month), (uq_year, uq_month)]
    candidates.append(_next_month(uq_year, uq_month))
    for year, month in reversed(candidates):
        try:
            start = month_start(year, month, settings)
        except HijriRangeError:
            continue
        if start <= day:
            number = (day - start).days + 1
            if number > 30:
                raise HijriRangeError(
                    f"the month-start table makes {year}-{month:02d} longer than 30 days "
                    f"(day {number} on {day.isoformat()}); add the next month's start "
                    "to hijri.month_starts"
                )
            return HijriDate(year, month, number)
    raise HijriRangeError(f"no Hijri month found for {day.isoformat()}")


def month_length(year: int, month: int, settings: HijriConfig) -> int | None:
    """Days in a local Hijri month (29 or 30); None where the calendar does not reach."""
    try:
        following = month_start(*_next_month(year, month), settings)
        return (following - month_start(year, month, settings)).days
    except HijriRangeError:
        return None


def check_override(date: HijriDate, settings: HijriConfig) -> None:
    """An override of day 30 in a 29-day month is a typo, not a date."""
    length = month_length(date.year, date.month, settings)
    if length is not None and date.day > length:
        raise ValueError(
            f"{date.year}-{date.month:02d} has {length} days here, so there is no day {date.day}"
        )


def parse_hijri(text: str) -> HijriDate:
    """Parse a front matter override written as YEAR-MONTH-DAY (e.g. 1445-03-07)."""
    match = _HIJRI_TEXT.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a Hijri date written as YEAR-MONTH-DAY")
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"Hijri month {month} is not between 1 and 12")
    if not 1 <= day <= 30:
        raise ValueError(f"Hijri day {day} is not between 1 and 30")
    return HijriDate(year, month, day)
