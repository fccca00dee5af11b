"""Front matter keys, each checked and converted into an Article field.

`_CHECKS` holds one short check per key, run in its order: a file reports its
first problem, located at the key's line, so the order decides which a writer
sees first. A check gets the value as earlier checks left it ('image' is made
text, then resolved), and may read what earlier checks made (the date for the
Hijri date, the title for the slug).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gazette.errors import GazetteError
from gazette.hijri import HijriDate, HijriRangeError, check_override, parse_hijri, to_hijri
from gazette.model import Article, Weather
from gazette.slugs import make_slug
from gazette.stages import bylines, live, placement, story_fields
from gazette.stages.config import Config
from gazette.stages.config_editions import edition_of
from gazette.stages.front import Front, key_line, kind_of, short
from gazette.stages.front_dates import checked_date as _date
from gazette.stages.frontmatter import FrontMatter

KNOWN_KEYS = {
    "title",
    "date",
    "hijri",
    "weather",
    "source",
    "dateline",
    "section",
    "tags",
    "author",
    "authors",
    "type",
    "kicker",
    "series",
    "corrections",
    "updates",
    "live",
    "live_until",
    "breaking",
    "breaking_until",
    "expires",
    "image",
    "image_alt",
    "caption",
    "image_credit",
    "image_focus",
    "summary",
    "slug",
    "draft",
    "updated",
    "kind",
    "aliases",
    "guid",
    "url",
    "template",
    "translation_key",
}

_STRING_KEYS = (
    "source", "dateline", "image", "image_alt", "caption", "image_credit", "summary",
    "guid",
    "template", "translation_key",
)  # fmt: skip
_EXAMPLES = {"title": "title: Kim inspects weapons in Vladivostok", "date": "date: 2023-09-23"}
_WEATHER_HINT = "write 'weather: {condition: scattered clouds, high: 30, low: 30}'"

# A site has a handful of sections and thousands of articles; make_slug is pure.
_section_slug = functools.lru_cache(maxsize=1024)(make_slug)


def to_article(front: FrontMatter, path: str, shown: str, config: Config) -> Article:
    """Check every key of one file's front matter; the first problem is raised. A story
    of an edition with a timezone of its own reads its dates in that timezone."""
    edition, within = edition_of(path, config.editions)
    zone = next((e.timezone for e in config.editions if e.code == edition), "")
    if zone:
        config = dataclasses.replace(config, site=dataclasses.replace(config.site, timezone=zone))
    meta = {str(k): v for k, v in front.meta.items()}
    state = Front(
        meta, front.text, path, shown, config,
        body=front.body, body_line=front.body_line, within=within,
    )  # fmt: skip
    state.fields["edition"] = edition
    state.fields["kind"] = placement.page_or_article("kind", state.meta.get("kind"), state)
    _require(state)
    for key, check in _CHECKS:
        state.fields[key] = check(key, state.fields.get(key, state.meta.get(key)), state)
    return Article(
        path=path,
        body=front.body,
        body_line=front.body_line,
        extra={k: v for k, v in state.meta.items() if k not in KNOWN_KEYS},
        slug_given=state.meta.get("slug") is not None,
        **state.fields,
    )


def _require(front: Front) -> None:
    """Missing keys come first: a new file lacks them before it gets any other wrong."""
    for key in ("title",) if front.is_page else ("title", "date"):
        if front.meta.get(key) in (None, ""):
            raise GazetteError(
                f"front matter is missing '{key}'",
                file=front.shown,
                line=key_line(front.text, key) or 1,
                hint=f"add a line like {_EXAMPLES[key]!r} between the '---' lines",
            )


def _title(key: str, value: Any, front: Front) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise front.fail(key, "'title' must be text", "write the headline on one line")
    return value


def _updated(key: str, value: Any, front: Front) -> dt.datetime | None:
    if value is None:
        return None
    updated, date = _date(key, value, front), front.fields.get("date")
    if updated is not None and date is not None and updated < date:
        raise front.fail(
            key,
            f"'updated' ({updated:%Y-%m-%d %H:%M}) is earlier than 'date' ({date:%Y-%m-%d %H:%M})",
            "an update comes after the story is published: check both dates",
        )
    return updated


def _hijri(key: str, value: Any, front: Front) -> HijriDate | None:
    if front.fields["date"] is None:  # an undated page
        return None
    day: dt.date = front.fields["date"].date()
    if value is None:
        try:
            return to_hijri(day, front.config.hijri)
        except HijriRangeError as exc:
            raise front.fail(
                "date",
                f"the Hijri date of {day.isoformat()} cannot be computed: {exc}",
                "give the date yourself with 'hijri: YEAR-MONTH-DAY'",
            ) from None
    if isinstance(value, dt.date):  # YAML reads 1445-03-07 as a (Gregorian) date
        value = f"{value.year}-{value.month}-{value.day}"
    try:
        override = parse_hijri(str(value))
        check_override(override, front.config.hijri)
        return override
    except ValueError as exc:
        raise front.fail(
            key, f"'hijri' is not a valid Hijri date: {exc}", "write it like 1445-03-07"
        ) from None


def _weather(key: str, value: Any, front: Front) -> Weather | None:
    unit = front.config.site.weather_unit
    if value is None:
        return None
    if isinstance(value, str):
        return Weather(condition=value, unit=unit)
    if not isinstance(value, dict):
        raise front.fail(
            key, f"'weather' must be text or a mapping, not {kind_of(value)}", _WEATHER_HINT
        )
    unknown = set(map(str, value)) - {"condition", "high", "low"}
    if unknown:
        raise front.fail(
            key, f"'weather' has unknown key(s) {sorted(unknown)}", "use condition, high and low"
        )
    condition = value.get("condition", "")
    if not isinstance(condition, str):
        raise front.fail(key, "weather 'condition' must be text", _WEATHER_HINT)
    high, low = (_weather_figure(name, value.get(name), front) for name in ("high", "low"))
    if not condition.strip() and high is None and low is None:
        return None  # the blank mapping `build.py new` writes: no weather yet
    return Weather(condition=condition, high=high, low=low, unit=unit)


def _weather_figure(name: str, figure: Any, front: Front) -> float | None:
    if figure is not None and (isinstance(figure, bool) or not isinstance(figure, (int, float))):
        raise front.fail(
            "weather", f"weather '{name}' must be a number, not {short(figure)}", _WEATHER_HINT
        )
    return figure


def _text(key: str, value: Any, front: Front) -> str | None:
    if value is not None and not isinstance(value, (str, int, float)):
        raise front.fail(
            key,
            f"'{key}' must be text, not {kind_of(value)}",
            f"write it on one line after '{key}:', in quotes if it has special characters",
        )
    return None if value is None else str(value)


def _tags(key: str, value: Any, front: Front) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in (p.strip() for p in value.split(",")) if part]
    if not isinstance(value, list) or not all(
        isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in value
    ):
        raise front.fail(key, "'tags' must be a list of words", "write 'tags: [russia, defence]'")
    seen: dict[str, None] = {}
    for tag in value:
        seen.setdefault(str(tag).strip(), None)
    return tuple(t for t in seen if t)


def _draft(key: str, value: Any, front: Front) -> bool:
    if key not in front.meta:
        return False
    if not isinstance(value, bool):
        raise front.fail(
            key, "'draft' must be true or false", "write 'draft: true' or remove the line"
        )
    return value


def _section(key: str, value: Any, front: Front) -> str:
    if front.is_page:
        if value is not None:
            raise front.fail(key, "a page has no section", "remove 'section:' or 'kind: page'")
        return ""
    if value is None:
        value = _section_folder(front)
    if not isinstance(value, str):
        raise front.fail(key, "'section' must be text", "write e.g. 'section: world'")
    section = _section_slug(value, front.config.content.slugs)
    if not section:
        raise front.fail(
            key,
            "'section' has no letters or digits to make a URL from",
            "write e.g. 'section: world'",
        )
    _check_known_section(section, front)
    return section


def _section_folder(front: Front) -> str:
    """An article without 'section:' is in its top folder's section."""
    if "/" not in front.within:
        raise GazetteError(
            "article has no section",
            file=front.shown,
            line=1,
            hint="move it into a section folder (content/world/...) or add 'section:'",
        )
    return front.within.split("/")[0]


def _check_known_section(section: str, front: Front) -> None:
    """The message names the section, not the file: a folder missing from [sections]
    gives the same error for each of its files, which the report folds into one line."""
    sections = front.config.sections
    if not sections or section in sections:
        return
    known = ", ".join(sections)
    if "section" in front.meta:
        raise front.fail(
            "section",
            f"unknown section '{section}'",
            f"use one of {known} or add it to [sections] in config.toml",
        )
    raise GazetteError(
        f"unknown section '{section}' (from the folder content/{section}/)",
        file=front.shown,
        hint=f"move the file into one of the folders {known}, add 'section:', "
        "or add it to [sections] in config.toml",
    )


def _slug(key: str, value: Any, front: Front) -> str:
    if value is not None and not isinstance(value, (str, int)):
        raise front.fail(key, "'slug' must be text", "write e.g. 'slug: kim-visits-vladivostok'")
    style = front.config.content.slugs
    stem = Path(front.path).stem
    if value is None and front.is_page:  # about.md is /about/, whatever its title
        value = stem
    slug = make_slug(str(value if value is not None else front.fields["title"]), style)
    return slug or make_slug(stem, style) or "article"


def _image(key: str, value: str | None, front: Front) -> str | None:
    """Runs after `_text` made the value text; an empty 'image:' line means no image."""
    if not value:
        return None
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", value, re.IGNORECASE)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        raise front.fail(
            key,
            f"'image' must be a file in content/ or an http(s) URL, not a {scheme.group(1)}: URL",
            "write e.g. 'image: harbour.jpg' (beside the article) or 'image: https://...'",
        )
    return _image_url(value, front.path)


def _image_url(image: str, article_path: str) -> str:
    """Resolve an image path against the article's folder (or content/ for '/...')."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", image, re.IGNORECASE):
        return image
    if image.startswith("/"):
        return image.lstrip("/")
    folder = article_path.rsplit("/", 1)[0] if "/" in article_path else ""
    parts: list[str] = [p for p in folder.split("/") if p]
    for part in image.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def _image_focus(key: str, value: Any, front: Front) -> tuple[float, float] | None:
    """'0.5,0.3': where the social card's crop is centred, across and down the photo."""
    if value is None:
        return None
    parts = str(value).split(",")
    try:
        x, y = (float(part) for part in parts)
    except ValueError:
        x = y = -1.0
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise front.fail(
            key,
            f"'image_focus' must be two numbers from 0 to 1, across and down, not {value!r}",
            "write e.g. 'image_focus: 0.5,0.3' (the middle, a third from the top)",
        )
    return (x, y)


Check = Callable[[str, Any, Front], Any]

# Key -> check, in the order a file's problems are looked for; keys are Article's fields.
_CHECKS: tuple[tuple[str, Check], ...] = (
    ("title", _title),
    ("date", _date),
    ("updated", _updated),
    ("hijri", _hijri),
    ("weather", _weather),
    *((key, _text) for key in _STRING_KEYS),
    ("authors", bylines.authors),
    ("author", bylines.first_author),
    ("type", story_fields.story_type),
    ("kicker", story_fields.kicker),
    ("series", story_fields.series),
    ("corrections", story_fields.notices),
    ("updates", story_fields.notices),
    ("live", live.flag),
    ("live_until", live.until),
    ("live_updates", live.body_updates),
    ("breaking", live.flag),
    ("breaking_until", live.until),
    ("expires", live.until),
    ("updated", story_fields.latest_update),
    ("tags", _tags),
    ("draft", _draft),
    ("section", _section),
    ("slug", _slug),
    ("image", _image),
    ("image_focus", _image_focus),
    ("aliases", placement.aliases),
    ("permalink", placement.permalink),
    ("template", placement.template),
)
