"""Live coverage, breaking news and expiry: the front matter keys that are about time.

A live story's body is its updates, each opened by a `## 14:05` heading (a time
on the story's day in the site's timezone, or `## 2024-01-03 00:15` once the
coverage has crossed midnight); the words after the time are the update's
headline. They are read here with the file, so a heading that is not a time is a
located error, and shown newest first whatever order they are written in.

Which stories are live, breaking or gone follows from the build's one clock
(`engine.clock`): the functions at the end take its "now" and nothing else.
"""

from __future__ import annotations

import datetime as dt
import html as entities
import re
from collections.abc import Callable, Iterable
from typing import Any

from gazette.errors import GazetteError
from gazette.model import Article, LiveUpdate
from gazette.stages.front import Front, short
from gazette.stages.front_dates import checked_date
from gazette.stages.localize import MONTHS

# "## 14:05", "## 14:05 Ferries stop", "## 2024-01-03 00:15 - Landfall"
_HEADING = re.compile(r"^ {0,3}##(?!#)\s*(.*?)\s*#*\s*$")
_TIME = re.compile(
    r"^(?:(\d{4})-(\d{2})-(\d{2})[ T]+)?(\d{1,2}):(\d{2})(?![\d:])\s*(?:[-–—:|.]\s*)?(.*)$"
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_HINT = "open each update with its time: '## 14:05' or '## 14:05 Ferries stop'"
UPDATES_OPENING = '<div class="live-updates">'  # after the introduction, before the updates


def flag(key: str, value: Any, front: Front) -> bool:
    """'live' and 'breaking': true or false, and for stories only."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise front.fail(
            key, f"'{key}' must be true or false, not {short(value)}", f"write '{key}: true'"
        )
    if value and front.is_page:
        raise front.fail(key, f"a page cannot be '{key}'", f"remove '{key}:' or 'kind: page'")
    return value


def until(key: str, value: Any, front: Front) -> dt.datetime | None:
    """'live_until', 'breaking_until' and 'expires': a time after the story's date."""
    if value is None:
        return None
    when = checked_date(key, value, front)
    owner = {"live_until": "live", "breaking_until": "breaking"}.get(key)
    if owner is not None and not front.fields.get(owner):
        raise front.fail(
            key, f"'{key}' is for a {owner} story", f"add '{owner}: true' or remove '{key}:'"
        )
    published: dt.datetime | None = front.fields.get("date")
    if when is not None and published is not None and when <= published:
        raise front.fail(
            key,
            f"'{key}' ({when:%Y-%m-%d %H:%M}) is not after 'date' ({published:%Y-%m-%d %H:%M})",
            "it is the time the story stops being so: give a time after it is published",
        )
    return when


def body_updates(key: str, value: Any, front: Front) -> tuple[LiveUpdate, ...]:
    """A live story's updates from the `##` headings of its body, newest first."""
    if not front.fields.get("live"):
        return ()
    published: dt.datetime = front.fields["date"]
    found: list[LiveUpdate] = []
    anchors: set[str] = set()
    for line, heading in _headings(front.body, front.body_line):
        time, headline = _heading_time(heading, published, front.config.tz)
        if time is None:
            raise GazetteError(
                f"a live story's '##' headings are its updates' times, not {short(heading)}",
                file=front.shown,
                line=line,
                hint=_HEADING_HINT + "; use '###' for a heading inside an update",
            )
        if time < published:
            raise GazetteError(
                f"the update at {time:%Y-%m-%d %H:%M} comes before the story "
                f"({published:%Y-%m-%d %H:%M})",
                file=front.shown,
                line=line,
                hint="a time alone is on the story's day: after midnight write "
                "'## 2024-01-03 00:15'",
            )
        anchor = base = f"update-{time:%Y-%m-%d-%H%M}"
        number = 1
        while anchor in anchors:
            number += 1
            anchor = f"{base}-{number}"
        anchors.add(anchor)
        found.append(LiveUpdate(time, headline, anchor, line))
    order = {id(u): n for n, u in enumerate(found)}
    return tuple(sorted(found, key=lambda u: (u.time, order[id(u)]), reverse=True))


def _headings(body: str, first_line: int) -> Iterable[tuple[int, str]]:
    """(line in the file, text) of each level-two heading outside code blocks."""
    fence = ""
    for number, text in enumerate(body.split("\n")):
        opened = _FENCE.match(text)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        match = _HEADING.match(text)
        if match:
            yield first_line + number, (match.group(1) or "").strip()


def _heading_time(
    heading: str, published: dt.datetime, tz: dt.tzinfo
) -> tuple[dt.datetime | None, str]:
    match = _TIME.match(heading)
    if match is None:
        return None, ""
    year, month, day, hour, minute, headline = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day)) if year else published.date()
        time = dt.datetime(date.year, date.month, date.day, int(hour), int(minute), tzinfo=tz)
    except ValueError:
        return None, ""
    return time, headline.strip()


def live_problems(articles: list[Article], now: dt.datetime) -> list[GazetteError]:
    """An update dated after `now` is a mistake: checked at each build, as the clock moves
    (a scheduled story's, shown by a --drafts preview before its time, are not)."""
    return [
        GazetteError(
            f"the update at {update.time:%Y-%m-%d %H:%M} is in the future",
            file=f"content/{article.path}",
            line=update.line,
            hint="give the update the time it was written (it is shown as written then)",
        )
        for article in articles
        if article.live_updates and article.date is not None and article.date <= now
        for update in article.live_updates
        if update.time > now
    ]


# -- the HTML of a live story -------------------------------------------------------------


def live_html(
    convert: Callable[[str], str], article: Article, opening: Callable[[str], str] = str
) -> str:
    """The body as the page shows it: the text before the first update (through
    `opening`, which adds the dateline), then each update newest first in a <section>
    with its anchor and its own <time>."""
    lines = article.body.split("\n")
    starts = sorted(u.line - article.body_line for u in article.live_updates)
    intro = "\n".join(lines[: starts[0]] if starts else lines)
    texts = {}
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        texts[start] = "\n".join(lines[start + 1 : end])
    parts = []
    if intro.strip():
        parts.append(f'<div class="live-intro">\n{opening(convert(intro))}\n</div>')
    parts.append(UPDATES_OPENING)
    published = article.date
    for update in article.live_updates:
        time = update.time
        shown = f"{time:%H:%M}"
        if published is None or time.date() != published.date():
            shown = f"{time.day} {MONTHS[time.month - 1]}, {shown}"
        headline = f" {entities.escape(update.headline)}" if update.headline else ""
        parts.append(
            f'<section class="live-update" id="{update.anchor}">\n'
            f'<h2 class="live-update-head"><a class="live-time" href="#{update.anchor}">'
            f'<time datetime="{time.isoformat()}">{shown}</time></a>{headline}</h2>\n'
            f"{convert(texts[update.line - article.body_line])}\n</section>"
        )
    parts.append("</div>")
    return "\n".join(parts)


def update_sections(article: Article) -> list[tuple[LiveUpdate, str]]:
    """Each update with its own HTML (without its heading), newest first, cut from the
    article's HTML as `live_html` made it."""
    html = article.html
    starts = [html.find(_opening(u)) for u in article.live_updates]
    out = []
    for number, (update, start) in enumerate(zip(article.live_updates, starts, strict=True)):
        if start < 0:
            out.append((update, ""))
            continue
        head_end = html.find("</h2>\n", start) + len("</h2>\n")
        later = [s for s in starts[number + 1 :] if s > start]
        end = html.rfind("\n</section>", head_end, min(later, default=len(html)))
        out.append((update, html[head_end:end] if end >= 0 else html[head_end:]))
    return out


def _opening(update: LiveUpdate) -> str:
    return f'<section class="live-update" id="{update.anchor}">'


# -- the clock ----------------------------------------------------------------------------


def is_live(article: Article, now: dt.datetime | None) -> bool:
    """A live story shows the Live badge until its `live_until`."""
    return article.live and (now is None or article.live_until is None or now < article.live_until)


def is_breaking(article: Article, now: dt.datetime | None) -> bool:
    until_time = article.breaking_until
    return article.breaking and (now is None or until_time is None or now < until_time)


def expired(article: Article, now: dt.datetime) -> bool:
    return article.expires is not None and article.expires <= now


def clock_key(articles: list[Article], now: dt.datetime | None) -> str:
    """What the clock decides of the published stories beyond which ones they are: the
    ones live and breaking now (a build whose sources are the same, later, differs in
    these alone)."""
    live = [a.path for a in articles if is_live(a, now)]
    breaking = [a.path for a in articles if is_breaking(a, now)]
    return repr((live, breaking)) if live or breaking else ""


def next_due(
    articles: Iterable[Article], now: dt.datetime, *, drafts: bool = False
) -> dt.datetime | None:
    """The next time after `now` at which the site changes by the clock alone: a
    scheduled story comes out, a story expires, a banner or a live badge ends
    (`drafts`: of drafts too, as a preview shows them)."""
    times = []
    for article in articles:
        if article.draft and not drafts:
            continue
        times.append(article.date)
        times.append(article.expires)
        if article.breaking:
            times.append(article.breaking_until)
        if article.live:
            times.append(article.live_until)
    return min((t for t in times if t is not None and t > now), default=None)
