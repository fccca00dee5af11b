"""config.toml into typed settings: defaults, type errors, suggestions, located errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gazette.errors import GazetteError
from gazette.stages.config import ENGLISH_HIJRI_MONTHS, Config, load_config, parse_config


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_config_gives_documented_defaults(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, ""))
    assert isinstance(config, Config)
    assert config.site.per_page == 10
    assert config.site.permalink == "/{section}/{slug}/"
    assert config.site.timezone == "UTC"
    assert config.site.weather_unit == "°C"
    assert config.hijri.month_names == ENGLISH_HIJRI_MONTHS
    assert config.hijri.format == "{month_name} {day}, {year} H"
    assert config.sections == {}
    assert config.root == tmp_path
    assert config.content_dir == tmp_path / "content"


def test_values_are_read_into_typed_fields(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            '[site]\ntitle = "Ledger"\nper_page = 3\ntimezone = "Asia/Dhaka"\n'
            '[sections]\nworld = "World"\nsport = "Sport"\n',
        )
    )
    assert config.site.title == "Ledger"
    assert config.site.per_page == 3
    assert str(config.tz) == "Asia/Dhaka"
    assert list(config.sections) == ["world", "sport"]  # navigation order kept


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, ""))
    with pytest.raises(AttributeError):
        config.site.title = "changed"  # type: ignore[misc]


def test_wrong_type_names_key_expected_type_and_line(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[site]\ntitle = "A"\nper_page = "ten"\n')
    with pytest.raises(GazetteError) as info:
        load_config(path)
    err = info.value
    assert "per_page" in err.message and "whole number" in err.message and "str" in err.message
    assert err.line == 3
    assert err.file == str(path)


def test_boolean_is_not_accepted_as_a_number(tmp_path: Path) -> None:
    with pytest.raises(GazetteError, match="per_page"):
        load_config(write_config(tmp_path, "[site]\nper_page = true\n"))


def test_unknown_key_suggests_the_closest_known_one(tmp_path: Path) -> None:
    with pytest.raises(GazetteError) as info:
        load_config(write_config(tmp_path, '[site]\n\ntitel = "Ledger"\n'))
    err = info.value
    assert "titel" in err.message
    assert err.hint == "did you mean 'title'?"
    assert err.line == 3


def test_unknown_table_suggests_the_closest_table(tmp_path: Path) -> None:
    with pytest.raises(GazetteError) as info:
        load_config(write_config(tmp_path, '[hijry]\nformat = "x"\n'))
    assert "hijri" in (info.value.hint or "")
    assert info.value.line == 1


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[site]\ntitel = "A"\nper_page = 0\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(GazetteError) as info:
        load_config(path)
    problems = info.value.all_problems()
    assert len(problems) == 3
    text = str(info.value)
    assert "titel" in text and "per_page must be at least 1" in text and "Mars/Olympus" in text
    assert sorted(p.line for p in problems) == [2, 3, 4]


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[site]\ntitle = "A"\ntagline = "unterminated\n')
    with pytest.raises(GazetteError) as info:
        load_config(path)
    assert info.value.line == 3
    assert "not valid TOML" in info.value.message


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_unknown_timezone_is_an_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(GazetteError) as info:
        load_config(write_config(tmp_path, '[site]\ntimezone = "Dhaka"\n'))
    assert "unknown timezone 'Dhaka'" in info.value.message
    assert "Asia/Dhaka" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("permalink", "fragment"),
    [
        ("/{section}/", "must contain {slug}"),
        ("/{sektion}/{slug}/", "unknown placeholder"),
        ("/{section}/{slug}", "must end with '/'"),
        ("/{section}/{slug/", "check its braces"),
        ("/{section}}/{slug}/", "check its braces"),
        ("/{slug!r}/", "format or conversion"),
        ("/{slug:>40}/", "format or conversion"),
        ("{section}/{slug}/", "must start with '/'"),
        ("/news//{slug}/", "empty part"),
        ("/{section}/../{slug}/", "'..' part"),
    ],
)
def test_bad_permalink(tmp_path: Path, permalink: str, fragment: str) -> None:
    with pytest.raises(GazetteError, match=fragment):
        load_config(write_config(tmp_path, f'[site]\npermalink = "{permalink}"\n'))


def test_base_url_must_be_absolute(tmp_path: Path) -> None:
    with pytest.raises(GazetteError, match="base_url"):
        load_config(write_config(tmp_path, '[site]\nbase_url = "/news/"\n'))


def test_hijri_month_start_table_is_normalised(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path, '[hijri.month_starts]\n"1445-3" = 2023-09-17\n"1445-04" = 2023-10-17\n'
        )
    )
    assert config.hijri.month_starts == {
        "1445-03": dt.date(2023, 9, 17),
        "1445-04": dt.date(2023, 10, 17),
    }


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('"1445-13" = 2023-09-17', "not a Hijri 'YEAR-MONTH'"),
        ('"March" = 2023-09-17', "not a Hijri 'YEAR-MONTH'"),
        ('"1445-03" = "2023-09-17"', "must be a plain date"),
        ('"1445-03" = 2023-09-17T10:00:00', "must be a plain date"),
    ],
)
def test_bad_hijri_month_start_entries(tmp_path: Path, line: str, fragment: str) -> None:
    with pytest.raises(GazetteError, match=fragment) as info:
        load_config(write_config(tmp_path, f"[hijri.month_starts]\n{line}\n"))
    assert info.value.line == 2


def test_hijri_month_names_need_twelve(tmp_path: Path) -> None:
    with pytest.raises(GazetteError, match="12 names"):
        load_config(write_config(tmp_path, '[hijri]\nmonth_names = ["a", "b"]\n'))


def test_hijri_digits_and_format_are_checked(tmp_path: Path) -> None:
    with pytest.raises(GazetteError) as info:
        load_config(write_config(tmp_path, '[hijri]\ndigits = "roman"\nformat = "{dya}"\n'))
    text = str(info.value)
    assert "roman" in text and "{dya}" in text


def test_section_names_must_be_strings() -> None:
    with pytest.raises(GazetteError, match="section 'world'"):
        parse_config({"sections": {"world": 3}})


def test_month_start_far_from_umm_al_qura_is_a_typo(tmp_path: Path) -> None:
    # Rabi' al-awwal 1445 began on 16-18 September 2023; August is a wrong month.
    path = write_config(tmp_path, '[hijri.month_starts]\n"1445-03" = 2023-08-17\n')
    with pytest.raises(GazetteError) as info:
        load_config(path)
    assert "30 days before the Umm al-Qura start" in info.value.message
    assert "2023-09-16" in info.value.message
    assert info.value.line == 2


def test_consecutive_month_starts_must_make_29_or_30_days(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, '[hijri.month_starts]\n"1445-03" = 2023-09-14\n"1445-04" = 2023-10-17\n'
    )
    with pytest.raises(GazetteError, match="month of 33 days") as info:
        load_config(path)
    assert info.value.line == 3


def test_sighting_a_day_or_two_away_is_accepted(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path, '[hijri.month_starts]\n"1445-03" = 2023-09-18\n"1445-04" = 2023-10-17\n'
        )
    )
    assert config.hijri.month_starts["1445-03"] == dt.date(2023, 9, 18)
