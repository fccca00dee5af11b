"""Front matter into Article records: parsing, defaults, types, located errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gazette.errors import GazetteError
from gazette.hijri import HijriDate
from gazette.model import Weather
from gazette.stages.config import parse_config
from gazette.stages.content import load_articles, parse_article
from gazette.stages.frontmatter import SourceFile, read_source

CONFIG = parse_config(
    {
        "site": {"timezone": "Asia/Dhaka"},
        "hijri": {"month_starts": {"1445-03": dt.date(2023, 9, 17)}},
    }
)
DHAKA = ZoneInfo("Asia/Dhaka")


def parse(text: str, path: str = "world/story.md"):
    return parse_article(SourceFile(path, text), CONFIG, f"content/{path}")


def front(**lines: str) -> str:
    body = "\n".join(f"{k}: {v}" for k, v in lines.items())
    return f"---\n{body}\n---\n\nBody text.\n"


def test_minimal_article() -> None:
    article = parse(front(title="Kim in Vladivostok", date="2023-09-23"))
    assert article.title == "Kim in Vladivostok"
    assert article.slug == "kim-in-vladivostok"
    assert article.section == "world"  # from the folder
    assert article.body.strip() == "Body text."
    assert article.body_line == 5
    assert article.draft is False
    assert article.tags == ()
    assert article.weather is None


def test_date_without_timezone_is_in_the_site_timezone() -> None:
    article = parse(front(title="T", date="2023-09-23 18:00"))
    assert article.date == dt.datetime(2023, 9, 23, 18, 0, tzinfo=DHAKA)
    assert article.date.utcoffset() == dt.timedelta(hours=6)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("2020-12-2", dt.datetime(2020, 12, 2, tzinfo=DHAKA)),
        ("2020-1-5 9:30", dt.datetime(2020, 1, 5, 9, 30, tzinfo=DHAKA)),
        ("'2020-01-05T09:30:15'", dt.datetime(2020, 1, 5, 9, 30, 15, tzinfo=DHAKA)),
    ],
)
def test_dates_without_leading_zeros_are_read(written: str, meant: dt.datetime) -> None:
    assert parse(front(title="T", date=written)).date == meant


@pytest.mark.parametrize("written", ["2023-2-30", "2023-9-5 25:00", "2023-9", "23-9-5"])
def test_impossible_short_dates_are_errors(written: str) -> None:
    with pytest.raises(GazetteError, match="'date' is not a date"):
        parse(front(title="T", date=written))


def test_plain_date_is_midnight_in_the_site_timezone() -> None:
    article = parse(front(title="T", date="2023-09-23"))
    assert article.date == dt.datetime(2023, 9, 23, tzinfo=DHAKA)


def test_date_with_offset_is_converted_to_the_site_timezone() -> None:
    # 20:00 in New York on the 22nd is already the 23rd in Dhaka: the Hijri date follows.
    article = parse(front(title="T", date="2023-09-22T20:00:00-04:00"))
    assert article.date.date() == dt.date(2023, 9, 23)
    assert article.date.hour == 6
    assert article.hijri == HijriDate(1445, 3, 7)


def test_hijri_is_computed_from_the_table_or_overridden() -> None:
    assert parse(front(title="T", date="2023-09-23")).hijri == HijriDate(1445, 3, 7)
    overridden = parse(front(title="T", date="2023-09-23", hijri="1445-03-06"))
    assert overridden.hijri == HijriDate(1445, 3, 6)
    quoted = parse(front(title="T", date="2023-09-23", hijri='"1445-3-6"'))
    assert quoted.hijri == HijriDate(1445, 3, 6)


def test_crlf_and_bom_are_accepted(tmp_path: Path) -> None:
    content = tmp_path / "content" / "world"
    content.mkdir(parents=True)
    file = content / "story.md"
    file.write_bytes(
        "\ufeff---\r\ntitle: Windows story\r\ndate: 2023-09-23\r\n---\r\n\r\nLine one.\r\n".encode()
    )
    source = read_source(file, tmp_path / "content")
    assert "\r" not in source.text
    article = parse_article(source, CONFIG, "content/world/story.md")
    assert article.title == "Windows story"
    assert article.body.strip() == "Line one."


def test_weather_as_mapping_and_as_string() -> None:
    mapped = parse(
        "---\ntitle: T\ndate: 2023-09-23\nweather:\n  condition: scattered clouds\n"
        "  high: 30\n  low: 30\n---\n"
    )
    assert mapped.weather == Weather("scattered clouds", 30, 30, "°C")
    assert mapped.weather.temperatures == "30°C / 30°C"
    plain = parse(front(title="T", date="2023-09-23", weather="light rain"))
    assert plain.weather == Weather("light rain", None, None, "°C")
    assert plain.weather.temperatures == ""


def test_weather_with_decimal_and_one_figure() -> None:
    article = parse(front(title="T", date="2023-09-23", weather="{condition: fog, high: 21.5}"))
    assert article.weather is not None
    assert article.weather.temperatures == "21.5°C"


def test_tags_list_or_comma_string_deduplicated() -> None:
    listed = parse(front(title="T", date="2023-09-23", tags="[russia, defence, russia]"))
    assert listed.tags == ("russia", "defence")
    comma = parse(front(title="T", date="2023-09-23", tags="russia, north korea"))
    assert comma.tags == ("russia", "north korea")


def test_section_key_overrides_the_folder_and_is_slugified() -> None:
    article = parse(front(title="T", date="2023-09-23", section="Opinion Pieces"))
    assert article.section == "opinion-pieces"


def test_article_at_content_root_needs_a_section() -> None:
    with pytest.raises(GazetteError, match="no section"):
        parse(front(title="T", date="2023-09-23"), path="story.md")


def test_unknown_section_is_an_error_when_config_lists_sections() -> None:
    config = parse_config({"sections": {"world": "World"}})
    with pytest.raises(GazetteError, match="unknown section 'sport'") as info:
        parse_article(SourceFile("sport/a.md", front(title="T", date="2023-09-23")), config, "x")
    assert "world" in (info.value.hint or "")


def test_draft_slug_and_extra_keys() -> None:
    article = parse(
        front(title="T", date="2023-09-23", draft="true", slug="Custom Slug", mood="calm")
    )
    assert article.draft is True
    assert article.slug == "custom-slug"
    assert article.extra == {"mood": "calm"}


def test_image_path_is_resolved_against_the_article_folder() -> None:
    beside = parse(front(title="T", date="2023-09-23", image="photo.jpg"))
    assert beside.image == "world/photo.jpg"
    rooted = parse(front(title="T", date="2023-09-23", image="/images/a.png"))
    assert rooted.image == "images/a.png"
    remote = parse(front(title="T", date="2023-09-23", image="https://cdn.example/x.jpg"))
    assert remote.image == "https://cdn.example/x.jpg"


def test_numeric_title_is_text() -> None:
    assert parse(front(title="1971", date="2023-09-23")).title == "1971"


def test_updated_date() -> None:
    article = parse(front(title="T", date="2023-09-23", updated="2023-09-24 09:00"))
    assert article.updated == dt.datetime(2023, 9, 24, 9, 0, tzinfo=DHAKA)
    assert article.modified == article.updated


# --- errors: each names the file and the line of the offending key -------------------


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("---\ndate: 2023-09-23\n---\n", "missing 'title'", 1),
        ("---\ntitle: T\n---\n", "missing 'date'", 1),
        ("---\ntitle: T\ndate: 23/09/2023\n---\n", "'date' is not a date", 3),
        ("---\ntitle: T\ndate: 2023-02-30\n---\n", "'date' is not a date", 3),
        ("---\ntitle: [a, b]\ndate: 2023-09-23\n---\n", "'title' must be text", 2),
        ("---\ntitle: T\ndate: 2023-09-23\ntags: {a: 1}\n---\n", "'tags' must be a list", 4),
        ("---\ntitle: T\ndate: 2023-09-23\ndraft: maybe\n---\n", "'draft' must be true", 4),
        ("---\ntitle: T\ndate: 2023-09-23\nweather: [1]\n---\n", "'weather' must be", 4),
        (
            "---\ntitle: T\ndate: 2023-09-23\nweather: {condition: x, high: hot}\n---\n",
            "'high' must be a number",
            4,
        ),
        (
            "---\ntitle: T\ndate: 2023-09-23\nauthor: {a: 1}\n---\n",
            "'author' must be a name or a list",
            4,
        ),
        ("---\ntitle: T\ndate: 2023-09-23\nhijri: soon\n---\n", "'hijri' is not a valid", 4),
        (  # the table's Rabi' al-awwal 1445 starts a day late and so has 29 days
            "---\ntitle: T\ndate: 2023-10-15\nhijri: 1445-03-30\n---\n",
            "has 29 days here, so there is no day 30",
            4,
        ),
        ("---\ntitle: T\ndate: 1900-01-01\n---\n", "Hijri date of 1900-01-01", 3),
        ("---\ntitle: 'T\ndate: 2023-09-23\n---\n", "quoted value is never closed", 2),
        ('---\ntitle: T\nsummary: "It\n\nsource: AFP\n---\n', "quoted value is never closed", 3),
        ("---\ntitle: T\ndate: 2023-09-23\ntags: [a, b\nsource: x\n---\n", "'[' is not closed", 4),
        ("---\ntitle: T\nweather: {high: 1\ndate: 2023-09-23\n---\n", "'{' is not closed", 3),
        ("---\ntitle: T\n  date: x: y\n---\n", "not valid YAML", 3),
        ("title: T\ndate: 2023-09-23\n", "no front matter", 1),
        ("---\ntitle: T\ndate: 2023-09-23\n", "not closed", 1),
        ("---\n- a\n- b\n---\n", "'key: value' lines", 2),
    ],
)
def test_front_matter_errors_are_located(text: str, fragment: str, line: int | None) -> None:
    with pytest.raises(GazetteError) as info:
        parse(text)
    err = info.value
    assert fragment in err.message
    assert err.file == "content/world/story.md"
    if line is not None:
        assert err.line == line
    else:
        assert err.line is not None
    assert err.hint, "every error says how to fix it"


def test_load_articles_reports_every_bad_file_at_once(tmp_path: Path) -> None:
    (tmp_path / "content" / "world").mkdir(parents=True)
    (tmp_path / "content" / "world" / "good.md").write_text(front(title="G", date="2023-09-23"))
    (tmp_path / "content" / "world" / "a.md").write_text("---\ntitle: A\n---\n")
    (tmp_path / "content" / "world" / "b.md").write_text("---\ndate: 2023-09-23\n---\n")
    config = parse_config({}, path=tmp_path / "config.toml")
    with pytest.raises(GazetteError) as info:
        load_articles(config)
    problems = info.value.all_problems()
    assert [p.file for p in problems] == ["content/world/a.md", "content/world/b.md"]


def test_non_utf8_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "content" / "world").mkdir(parents=True)
    (tmp_path / "content" / "world" / "latin1.md").write_bytes(
        b"---\ntitle: Caf\xe9\ndate: 2023-09-23\n---\n"
    )
    config = parse_config({}, path=tmp_path / "config.toml")
    with pytest.raises(GazetteError, match="not UTF-8") as info:
        load_articles(config)
    assert info.value.file == "content/world/latin1.md"


def test_hijri_override_that_is_no_gregorian_date_still_parses() -> None:
    # YAML would read 1445-02-30 as a Gregorian date, and 30 February does not exist.
    article = parse(front(title="T", date="2023-09-23", hijri="1445-02-30"))
    assert article.hijri == HijriDate(1445, 2, 30)


def test_apostrophes_do_not_split_slugs() -> None:
    assert parse(front(title="\"Kim's visit: what's next\"", date="2023-09-23")).slug == (
        "kims-visit-whats-next"
    )


def test_blank_weather_mapping_from_new_means_no_weather() -> None:
    article = parse(
        front(title="T", date="2023-09-23", weather="{condition: '', high: null, low: null}")
    )
    assert article.weather is None


def test_empty_image_line_means_no_image() -> None:
    assert parse(front(title="T", date="2023-09-23", image="''")).image is None


@pytest.mark.parametrize(
    ("lines", "reported"),
    [
        ({"title": "[a]"}, "front matter is missing 'date'"),  # missing keys first
        ({"title": "[a]", "date": "soon"}, "'title' must be text"),
        ({"date": "soon", "updated": "later"}, "'date' is not a date: 'soon'"),
        ({"date": "2023-09-23", "tags": "{a: 1}", "image": "javascript:x"}, "'tags' must be"),
        ({"date": "2023-09-23", "source": "[a]", "weather": "[1]"}, "'weather' must be text"),
        ({"date": "2023-09-23", "image": "data:x", "slug": "[x]"}, "'slug' must be text"),
        ({"date": "2023-09-23", "image": "[x]", "draft": "yes"}, "'image' must be text, not"),
    ],
)
def test_a_file_with_several_mistakes_reports_the_first_in_key_order(
    lines: dict[str, str], reported: str
) -> None:
    """Fixing one mistake and building again must not show one that used to come later."""
    with pytest.raises(GazetteError) as info:
        parse(front(**{"title": "T", **lines}))
    assert info.value.message.startswith(reported)


def test_unknown_section_from_a_folder_says_the_same_for_each_file() -> None:
    """The file is in `file`; a message naming it would keep the report from folding."""
    config = parse_config({"sections": {"world": "World"}})
    messages = set()
    for name in ("a", "b"):
        with pytest.raises(GazetteError) as info:
            parse_article(
                SourceFile(f"sport/{name}.md", front(title="T", date="2023-09-23")),
                config,
                f"content/sport/{name}.md",
            )
        assert info.value.file == f"content/sport/{name}.md"
        messages.add((info.value.message, info.value.hint))
    assert len(messages) == 1
