"""Hijri dates: local month-start table first, Umm al-Qura after, overrides, range."""

from __future__ import annotations

import datetime as dt

import pytest

from gazette.hijri import (
    HijriDate,
    HijriRangeError,
    check_override,
    month_length,
    month_start,
    parse_hijri,
    to_hijri,
)
from gazette.stages.config import HijriConfig

# Bangladesh started Rabi' al-awwal 1445 a day after Umm al-Qura (16 Sep 2023).
LOCAL = HijriConfig(month_starts={"1445-03": dt.date(2023, 9, 17)})


def test_table_month_gives_the_local_date_of_the_reference_page() -> None:
    day = to_hijri(dt.date(2023, 9, 23), LOCAL)
    assert day == HijriDate(1445, 3, 7)
    assert day.format(LOCAL) == "Rabi' al-awwal 7, 1445 H"


def test_without_a_table_umm_al_qura_applies() -> None:
    assert to_hijri(dt.date(2023, 9, 23), HijriConfig()) == HijriDate(1445, 3, 8)


def test_months_missing_from_the_table_fall_back_to_umm_al_qura() -> None:
    # July 2023 is Dhu al-Hijjah 1444 / Muharram 1445: not in the table.
    assert to_hijri(dt.date(2023, 7, 15), LOCAL) == HijriDate(1444, 12, 27)
    assert month_start(1445, 4, LOCAL) == dt.date(2023, 10, 16)  # Umm al-Qura start


def test_pakistan_two_days_later() -> None:
    settings = HijriConfig(month_starts={"1445-03": dt.date(2023, 9, 18)})
    assert to_hijri(dt.date(2023, 9, 23), settings) == HijriDate(1445, 3, 6)


def test_month_end_where_local_and_umm_al_qura_lengths_differ() -> None:
    # Local Rabi' al-awwal starts a day late (17 Sep) but Rabi' al-thani starts with
    # Umm al-Qura (16 Oct): the local month has 29 days, the Umm al-Qura one 30.
    # A fixed one-day offset would give 1445-03-30 for 16 Oct; the table gives 04-01.
    settings = HijriConfig(
        month_starts={"1445-03": dt.date(2023, 9, 17), "1445-04": dt.date(2023, 10, 16)}
    )
    assert to_hijri(dt.date(2023, 10, 15), settings) == HijriDate(1445, 3, 29)
    assert to_hijri(dt.date(2023, 10, 16), settings) == HijriDate(1445, 4, 1)


def test_local_month_starting_after_umm_al_qura_keeps_the_previous_month_longer() -> None:
    # Umm al-Qura starts Rabi' al-thani on 16 Oct; locally it starts on 17 Oct, so
    # 16 Oct is still the 30th of the local Rabi' al-awwal.
    settings = HijriConfig(
        month_starts={"1445-03": dt.date(2023, 9, 17), "1445-04": dt.date(2023, 10, 17)}
    )
    assert to_hijri(dt.date(2023, 10, 16), settings) == HijriDate(1445, 3, 30)
    assert to_hijri(dt.date(2023, 10, 17), settings) == HijriDate(1445, 4, 1)


def test_local_month_starting_before_umm_al_qura() -> None:
    settings = HijriConfig(month_starts={"1445-03": dt.date(2023, 9, 15)})
    # Umm al-Qura says 1445-02-30 on 15 Sep; the local table says the 3rd month began.
    assert to_hijri(dt.date(2023, 9, 15), settings) == HijriDate(1445, 3, 1)


def test_parse_override() -> None:
    assert parse_hijri("1445-03-07") == HijriDate(1445, 3, 7)
    assert parse_hijri(" 1445-3-7 ") == HijriDate(1445, 3, 7)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("7 Rabi 1445", "YEAR-MONTH-DAY"), ("1445-13-01", "month 13"), ("1445-03-31", "day 31")],
)
def test_bad_overrides(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_hijri(text)


@pytest.mark.parametrize("day", [dt.date(1900, 1, 1), dt.date(2100, 1, 1)])
def test_out_of_range_is_a_clear_error(day: dt.date) -> None:
    for _ in range(2):  # conversions are cached; failures must not be
        with pytest.raises(HijriRangeError):
            to_hijri(day, HijriConfig())


def test_cached_conversions_still_follow_each_site_s_table() -> None:
    day = dt.date(2023, 9, 23)
    assert to_hijri(day, HijriConfig()) == HijriDate(1445, 3, 8)
    assert to_hijri(day, LOCAL) == HijriDate(1445, 3, 7)
    assert to_hijri(day, HijriConfig()) == HijriDate(1445, 3, 8)


def test_arabic_names_and_digits() -> None:
    names = tuple(f"m{i}" for i in range(1, 12)) + ("ذو الحجة",)
    names = ("محرم", "صفر", "ربيع الأول", *names[3:])
    settings = HijriConfig(
        format="{day} {month_name} {year} هـ", month_names=names, digits="arabic"
    )
    assert HijriDate(1445, 3, 7).format(settings) == "٧ ربيع الأول ١٤٤٥ هـ"


def test_numeric_format_and_iso() -> None:
    settings = HijriConfig(format="{day}/{month}/{year}")
    assert HijriDate(1445, 3, 7).format(settings) == "7/3/1445"
    assert HijriDate(1445, 3, 7).iso() == "1445-03-07"


def test_a_table_month_running_past_30_days_is_an_error_not_day_31() -> None:
    # Local month 3 starts two days early and month 4 is not listed: the Umm al-Qura
    # start of month 4 (16 Oct) is 32 days later, which no Hijri month is.
    settings = HijriConfig(month_starts={"1445-03": dt.date(2023, 9, 14)})
    assert to_hijri(dt.date(2023, 10, 13), settings) == HijriDate(1445, 3, 30)
    with pytest.raises(HijriRangeError, match="longer than 30 days"):
        to_hijri(dt.date(2023, 10, 14), settings)


def test_month_length_follows_the_table() -> None:
    # Local Rabi' al-awwal runs from 17 Sep to Umm al-Qura's 16 Oct start of the next month.
    assert month_length(1445, 3, LOCAL) == 29
    assert month_length(1445, 3, HijriConfig()) == 30
    assert month_length(1600, 1, HijriConfig()) is None  # beyond Umm al-Qura's tables


def test_an_override_past_the_months_end_is_refused() -> None:
    check_override(HijriDate(1445, 3, 29), LOCAL)
    check_override(HijriDate(1445, 3, 30), HijriConfig())  # Umm al-Qura's month has 30
    with pytest.raises(ValueError, match="has 29 days"):
        check_override(HijriDate(1445, 3, 30), LOCAL)
