"""Dates and numbers in an edition's language: names and patterns from CLDR (Babel),
digits in the edition's numbering system.

A site without editions writes dates as it always has (`gregorian`, English
names, independent of the machine's locale), so its pages keep their bytes.
Babel carries CLDR's names, date patterns and each language's numbering system,
but formats dates in Latin digits; the digits of a numbering system are
Unicode's (each system's ten digits follow its zero), put in afterwards.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from gazette.hijri import HijriDate
from gazette.stages.config import Config
from gazette.stages.config_tables import EditionConfig
from gazette.stages.strings import word

if TYPE_CHECKING:
    from babel import Locale

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

# Each numbering system's zero; its other nine digits follow it in Unicode.
ZEROS = {
    "latn": "0", "arab": "\u0660", "arabext": "\u06f0", "beng": "\u09e6", "deva": "\u0966",
    "thai": "\u0e50", "mymr": "\u1040", "tamldec": "\u0be6",
}  # fmt: skip


def gregorian(value: dt.datetime | dt.date, pattern: str) -> str:
    """A date in English words, independent of the machine's locale."""
    return pattern.format(
        weekday=WEEKDAYS[value.weekday()],
        month=MONTHS[value.month - 1],
        day=value.day,
        year=value.year,
    )


def edition_settings(config: Config) -> EditionConfig | None:
    """The [editions.<code>] table of the edition `config` is for; None without editions."""
    return next((e for e in config.editions if e.code == config.edition), None)


@functools.lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    from babel import Locale  # Babel is loaded only by a site with editions

    return Locale.parse(code.replace("-", "_"))


def format_date(value: dt.date, pattern: str, locale: Locale) -> str:
    from babel import dates

    return dates.format_date(value, pattern, locale=locale)


def numbering_system(edition: EditionConfig) -> str:
    """The edition's digits: its `digits`, else CLDR's default for the language
    (beng for Bengali; latn for Arabic and Urdu, whose native ones are arab and arabext)."""
    if edition.digits:
        return edition.digits
    system = _locale(edition.code).default_numbering_system
    return system if system in ZEROS else "latn"


@functools.lru_cache(maxsize=16)
def _digit_table(system: str) -> dict[int, str]:
    zero = ord(ZEROS.get(system, "0"))
    return str.maketrans("0123456789", "".join(chr(zero + n) for n in range(10)))


def in_digits(text: str, edition: EditionConfig | None) -> str:
    """Every Latin digit of `text` in the edition's numbering system."""
    if edition is None:
        return text
    system = numbering_system(edition)
    return text if system == "latn" else text.translate(_digit_table(system))


def long_date(value: dt.datetime | dt.date, config: Config) -> str:
    """A date in the edition's language and digits (its `date_format`, else CLDR's full
    date), in its timezone; the site's English `date_format` without editions."""
    edition = edition_settings(config)
    if edition is None:
        return gregorian(value, config.site.date_format)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(config.site.timezone))
    locale = _locale(edition.code)
    if edition.date_format:
        text = edition.date_format.format(
            weekday=locale.days["format"]["wide"][value.weekday()],
            month=locale.months["format"]["wide"][value.month],
            day=value.day,
            year=value.year,
        )
    else:
        text = format_date(value, "full", locale=locale)
    return in_digits(text, edition)


def hijri_text(hijri: HijriDate, config: Config) -> str:
    """The Hijri date per [hijri] (an edition's names and format), in its digits."""
    return in_digits(hijri.format(config.hijri), edition_settings(config))


def number(value: int, config: Config) -> str:
    """A count, reading time or page number in the edition's language and digits."""
    edition = edition_settings(config)
    if edition is None:
        return str(value)
    from babel.numbers import format_decimal

    locale, system = _locale(edition.code), numbering_system(edition)
    symbols = system if system in locale.number_symbols else "latn"  # its separators
    return in_digits(format_decimal(value, locale=locale, numbering_system=symbols), edition)


def archive_title(year: int, month: int | None, config: Config) -> str:
    """An archive's name in the edition's language: "September 2023" (the month's name
    standing alone, as CLDR writes it), or the year; English without editions."""
    edition = edition_settings(config)
    if month is None:
        return in_digits(str(year), edition)
    if edition is None:
        return f"{MONTHS[month - 1]} {year}"
    day = dt.date(year, month, 1)
    return in_digits(format_date(day, "LLLL y", locale=_locale(edition.code)), edition)


# An update's time as live.live_html writes it: "08:10", or "27 May, 00:30" past the day.
_LIVE_TIME = re.compile(r'(<a class="live-time" href="[^"]*"><time datetime="([^"]+)">)([^<]*)<')


def live_times(html: str, config: Config) -> str:
    """A live story's update times in the edition's language and digits ("২৭ মে, ০০:৩০");
    the body as it is without editions. (The body is converted once, for any edition.)"""
    edition = edition_settings(config)
    if edition is None or 'class="live-time"' not in html:
        return html
    locale = _locale(edition.code)

    def shown(match: re.Match[str]) -> str:
        when = dt.datetime.fromisoformat(match[2])
        text = f"{when:%H:%M}"
        if "," in match[3]:  # on a day after the story's: with its date
            day = format_date(when, "d MMMM", locale=locale)
            text = word(edition.code, "{date}, {time}").format(date=day, time=text)
        return match[1] + in_digits(text, edition) + "<"

    return _LIVE_TIME.sub(shown, html)
