"""The front matter keys that say what a story is: its type, kicker, series, and the
dated corrections and updates it carries.

Readers and press councils ask that opinion and paid content be told apart from
news, and that a correction be shown with its date: these keys are checked as
strictly as 'date', each problem at its own line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from gazette.dates import in_range
from gazette.errors import GazetteError
from gazette.model import Notice
from gazette.stages.assets import front_matter_line
from gazette.stages.front import Front, key_line, kind_of, short
from gazette.stages.front_dates import in_zone, read_date


@dataclass(frozen=True)
class StoryType:
    """How one `type:` is shown and what schema.org calls it."""

    label: str  # on cards and pages; "" for plain news, which needs no label
    schema: str  # the schema.org @type of its JSON-LD
    genre: str = ""  # schema.org `genre`, where no type of its own exists


# schema.org has no type of its own for obituaries and interviews: they stay
# NewsArticle, with the genre saying which.
TYPES: dict[str, StoryType] = {
    "news": StoryType("", "NewsArticle"),
    "analysis": StoryType("Analysis", "AnalysisNewsArticle"),
    "opinion": StoryType("Opinion", "OpinionNewsArticle"),
    "review": StoryType("Review", "ReviewNewsArticle"),
    "explainer": StoryType("Explainer", "BackgroundNewsArticle"),
    "obituary": StoryType("Obituary", "NewsArticle", "obituary"),
    "interview": StoryType("Interview", "NewsArticle", "interview"),
    "sponsored": StoryType("Sponsored", "AdvertiserContentArticle"),
}
SET_APART = frozenset({"opinion", "sponsored"})  # shown in a box of their own, not as news


def story_type(key: str, value: Any, front: Front) -> str:
    if value is None:
        return "news"
    name = value.strip().lower() if isinstance(value, str) else None
    if name not in TYPES:
        raise front.fail(
            key,
            f"unknown story type {short(value)}",
            "use one of " + ", ".join(TYPES) + " (news when no 'type:' is given)",
        )
    return name


def kicker(key: str, value: Any, front: Front) -> str | None:
    """A short label over the headline ('Exclusive', 'Cricket World Cup')."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise front.fail(
            key, f"'kicker' must be a short text, not {kind_of(value)}", "write 'kicker: Exclusive'"
        )
    return " ".join(str(value).split()) or None


def series(key: str, value: Any, front: Front) -> str | None:
    if value is None:
        return None
    hint = "a story is a part of one series: write 'series: Rohingya crisis'"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise front.fail(key, f"'series' must be one name, not {kind_of(value)}", hint)
    if front.is_page:
        raise front.fail(key, "a page is in no series", "remove 'series:' or 'kind: page'")
    return " ".join(str(value).split()) or None


_NOTICE_HINT = "each item is a date and a text: '- {{date: 2023-09-24 09:30, text: ...}}'"


def notices(key: str, value: Any, front: Front) -> tuple[Notice, ...]:
    """A list of {date, text}, oldest first; none may come before the story."""
    if value is None:
        return ()
    hint = _NOTICE_HINT.format(key=key)
    if front.is_page:
        raise front.fail(key, f"only articles take '{key}'", f"remove '{key}:' or 'kind: page'")
    if not isinstance(value, list):
        raise front.fail(key, f"'{key}' must be a list of dates and texts", hint)
    found = [_notice(key, number, item, front, hint) for number, item in enumerate(value)]
    return tuple(sorted(found, key=lambda notice: notice.date))


def _notice(key: str, number: int, item: Any, front: Front, hint: str) -> Notice:
    what = key.removesuffix("s")
    line = _item_line(front.text, key, number)

    def fail(message: str, advice: str = hint) -> GazetteError:
        where = line or key_line(front.text, key)
        return GazetteError(
            f"{what} {number + 1}: {message}", file=front.shown, line=where, hint=advice
        )

    if not isinstance(item, dict):
        raise fail(f"must be a mapping with 'date' and 'text', not {kind_of(item)}")
    unknown = sorted(set(map(str, item)) - {"date", "text"})
    if unknown:
        raise fail(f"has unknown key(s) {unknown}: it takes 'date' and 'text'")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise fail("has no text: say what was wrong and what the story says now")
    date = _notice_date(item.get("date"), front.fields["date"], front.config.tz)
    if date is None:
        raise fail(f"has no valid date: {short(item.get('date'))}")
    published: dt.datetime = front.fields["date"]
    if date < published:
        raise fail(
            f"is dated {date:%Y-%m-%d %H:%M}, before the story ({published:%Y-%m-%d %H:%M})",
            f"a {what} comes after the story it is about: check both dates",
        )
    return Notice(date, " ".join(text.split()))


def _notice_date(value: Any, published: dt.datetime, tz: dt.tzinfo) -> dt.datetime | None:
    """A date alone is that day; on the day the story came out, the story's own time."""
    if isinstance(value, str):
        value = read_date(value)
    if not isinstance(value, dt.date) or not in_range(value):
        return None
    when = in_zone(value, tz)
    if not isinstance(value, dt.datetime) and when.date() == published.date():
        return max(when, published)
    return when


def _item_line(text: str, key: str, number: int) -> int | None:
    """The line of a block list's item `number` under top-level `key` (None: not found)."""
    start = key_line(text, key)
    if start is None:
        return None
    # key_line counts the opening '---' as line 1: text's line i is the file's i + 2
    lines = text.split("\n")[start - 1 :]  # those after the key's own
    indent: str | None = None
    seen = -1
    for offset, line in enumerate(lines, start=start + 1):
        if re.match(r"^\S", line):  # the next top-level key
            break
        match = re.match(r"^(\s*)- ", line)
        if match and (indent is None or match.group(1) == indent):
            indent = match.group(1)
            seen += 1
            if seen == number:
                return offset
    return None


def latest_update(key: str, value: dt.datetime | None, front: Front) -> dt.datetime | None:
    """'updated' as given, else the latest correction's, update's or live update's date."""
    if value is not None:
        return value
    dates = [n.date for name in ("corrections", "updates") for n in front.fields[name]]
    dates += [u.time for u in front.fields.get("live_updates", ())]
    return max(dates, default=None)


def notice_problems(articles: list[Any], now: dt.datetime, config: Any) -> list[GazetteError]:
    """An error for each correction or update dated after `now`: checked at each build,
    since the clock moves while a file's checks are kept (a scheduled story's, shown by
    a --drafts preview before its time, are not)."""
    errors = []
    for article in articles:
        if not (article.corrections or article.updates):  # most stories: nothing to sort
            continue
        if article.date is not None and article.date > now:
            continue
        for kind, notice in article.notices:
            if notice.date > now:
                key = f"{kind}s"
                errors.append(
                    GazetteError(
                        f"a {kind} is dated {notice.date:%Y-%m-%d %H:%M}, in the future",
                        file=f"content/{article.path}",
                        line=front_matter_line(config, article, key),
                        hint=f"give the {kind} the time it was made (it is shown as made then)",
                    )
                )
    return errors
