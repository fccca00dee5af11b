"""The checks on config values that their types alone do not catch.

Each check reports through `problem` and goes on, so that `parse_config` can
list every problem in the file at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import string
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hijridate import Hijri

from gazette.dates import RANGE, in_range
from gazette.slugs import STYLES as SLUG_STYLES

if TYPE_CHECKING:  # config.py imports this module to run the checks
    from gazette.stages.config import (
        ContentConfig,
        FeedsConfig,
        HijriConfig,
        ImagesConfig,
        MarkdownConfig,
        PublisherConfig,
        SiteConfig,
    )

MAX_SIGHTING_GAP = 3  # days a locally sighted month start may be from Umm al-Qura's
_MONTH_KEY = re.compile(r"^(\d{3,4})-(\d{1,2})$")
_ID_AUTHORITY = re.compile(
    r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"
    r"|[^@\s,]+@[a-z0-9.-]+),\d{4}(-\d{2}(-\d{2})?)?$",
    re.IGNORECASE,
)
NEWS_LANGUAGE = re.compile(r"^(zh-cn|zh-tw|[a-z]{2,3})$")


class Problem(Protocol):
    """Records one problem at a dotted key (its line is found from the key)."""

    def __call__(self, message: str, key_path: str, hint: str | None = None) -> None: ...


def check_site(site: SiteConfig, problem: Problem) -> None:
    try:
        ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problem(
            f"unknown timezone '{site.timezone}'",
            "site.timezone",
            "use an IANA name such as 'Asia/Dhaka' or 'UTC'",
        )
    if not re.match(r"^https?://[^/\s]+", site.base_url):
        problem(
            f"base_url '{site.base_url}' is not an absolute http(s) URL",
            "site.base_url",
            "write it like 'https://example.com/' or 'https://example.com/news/'",
        )
    if site.per_page < 1:
        problem("per_page must be at least 1", "site.per_page")
    why = permalink_problem(site.permalink)
    if why is not None:
        problem(f"permalink '{site.permalink}' {why}", "site.permalink", PERMALINK_HINT)


PLACEHOLDERS = ("section", "slug", "year", "month", "day")
PERMALINK_HINT = (
    "the default is '/{section}/{slug}/'; use {section}, {slug}, {year}, {month}, {day}"
)


def permalink_problem(
    pattern: str,
    placeholders: tuple[str, ...] = PLACEHOLDERS,
    required: str | None = "slug",
    ends: tuple[str, ...] = ("/", ".html"),
) -> str | None:
    """What is wrong with a URL pattern, if anything: every page it makes must land on
    a file of its own inside output/ (a folder's index.html, or a .html file)."""
    try:
        parts = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(pattern)]
    except ValueError as exc:
        return f"is not a valid pattern ({exc}): check its braces"
    fields = [name for name, _, _ in parts if name is not None]
    specs = [(spec, conv) for name, spec, conv in parts if name is not None]
    unknown = sorted(set(fields) - set(placeholders))
    if unknown:
        return f"uses unknown placeholder(s) {unknown}"
    if any(spec or conv for spec, conv in specs):
        return "has a format or conversion in a placeholder: write them plainly, like {slug}"
    if required is not None and required not in fields:
        return f"must contain {{{required}}}"
    if not pattern.startswith("/"):
        return "must start with '/'"
    if any(part in (".", "..") for part in pattern.split("/")):
        return "has a '.' or '..' part: pages would be written outside the output folder"
    if "//" in pattern or "\\" in pattern:
        return "has an empty part ('//') or a backslash"
    if any(ord(char) < 32 for char in pattern):
        return "has a control character (a tab, a newline, a NUL)"
    if not pattern.endswith(ends):
        if ends == ("/", ".html"):
            return "must end with '/' (a folder's index.html) or '.html'"
        return "must end with " + " or ".join(f"'{end}'" for end in ends)
    return None


# [urls] key -> (its placeholders, the one it must have, how it may end)
URL_PATTERNS: dict[str, tuple[tuple[str, ...], str | None, tuple[str, ...]]] = {
    "section": (("slug",), "slug", ("/", ".html")),
    "tag": (("slug",), "slug", ("/", ".html")),
    "author": (("slug",), "slug", ("/", ".html")),
    "series": (("slug",), "slug", ("/", ".html")),
    "corrections": ((), None, ("/", ".html")),
    "archive": ((), None, ("/", ".html")),
    "year": (("year",), "year", ("/", ".html")),
    "month": (("year", "month"), "month", ("/", ".html")),
    "search": ((), None, ("/", ".html")),
    "atom": (("url", "kind", "slug"), None, (".xml",)),
    "rss": (("url", "kind", "slug"), None, (".xml",)),
}


def check_urls(urls: object, problem: Problem) -> None:
    for key, (placeholders, required, ends) in URL_PATTERNS.items():
        pattern = getattr(urls, key)
        why = permalink_problem(pattern, placeholders, required, ends)
        if why is not None:
            listed = ", ".join(f"{{{name}}}" for name in placeholders) or "no placeholders"
            problem(f"urls.{key} '{pattern}' {why}", f"urls.{key}", f"it takes {listed}")


def url_path_problem(path: str, query: bool = False) -> str | None:
    """What is wrong with a site path ('/about/', an alias '/2013/01/old.html'), if
    anything: it must name a file inside output/. `query`: '/?p=12' may be given."""
    if not path.startswith("/"):
        return "must start with '/'"
    route, mark, rest = path.partition("?")
    if mark and not query:
        return "has a query ('?')"
    if mark and not rest:
        return "has an empty query ('?')"
    if "#" in path:
        return "has a fragment ('#'): a browser never sends it"
    if any(part in (".", "..") for part in route.split("/")):
        return "has a '.' or '..' part: it would be written outside the output folder"
    if "//" in route or "\\" in path:
        return "has an empty part ('//') or a backslash"
    if any(ord(char) < 32 or char == " " for char in path):
        return "has a space or a control character (a tab, a newline, a NUL)"
    return None


def check_syndication(
    feeds: FeedsConfig, publisher: PublisherConfig, language: str, problem: Problem
) -> None:
    """`language` comes from `news_language`, which needs the site's settings too."""
    if feeds.entries < 1:
        problem("feeds.entries must be at least 1", "feeds.entries")
    if feeds.id_authority and not _ID_AUTHORITY.match(feeds.id_authority):
        problem(
            f"feeds.id_authority '{feeds.id_authority}' is not 'domain,year'",
            "feeds.id_authority",
            "write the domain you owned and a year you owned it, like 'example.com,2023'",
        )
    if not NEWS_LANGUAGE.match(language):
        key = "publisher.language" if publisher.language else "site.language"
        problem(
            f"language '{language}' is not an ISO 639 code for news sitemaps",
            key,
            "use a 2 or 3 letter lower-case code such as 'en' or 'bn' (or zh-cn, zh-tw)",
        )
    if publisher.twitter and not re.match(r"^@\w{1,15}$", publisher.twitter):
        problem(
            f"publisher.twitter '{publisher.twitter}' is not a Twitter handle",
            "publisher.twitter",
            "write it like '@dhakaledger'",
        )


def check_hijri(hijri: HijriConfig, problem: Problem) -> HijriConfig:
    if len(hijri.month_names) != 12:
        problem(
            f"hijri.month_names must list 12 names, not {len(hijri.month_names)}",
            "hijri.month_names",
        )
    if hijri.digits not in ("latin", "arabic"):
        problem(
            f"hijri.digits must be 'latin' or 'arabic', not '{hijri.digits}'",
            "hijri.digits",
        )
    try:
        hijri.format.format(month_name="", month=1, day=1, year=1)
    except (KeyError, IndexError, ValueError) as exc:
        problem(
            f"hijri.format '{hijri.format}' is not valid ({exc})",
            "hijri.format",
            "use {day}, {month}, {month_name} and {year}",
        )
    starts: dict[str, dt.date] = {}
    for key, value in hijri.month_starts.items():
        match = _MONTH_KEY.match(str(key))
        if not match or not 1 <= int(match.group(2)) <= 12:
            problem(
                f"hijri.month_starts key '{key}' is not a Hijri 'YEAR-MONTH'",
                f"hijri.month_starts.{key}",
                'write it like "1445-03" = 2023-09-17',
            )
            continue
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            problem(
                f"hijri.month_starts '{key}' must be a plain date like 2023-09-17",
                f"hijri.month_starts.{key}",
            )
            continue
        if not in_range(value):
            problem(
                f"hijri.month_starts '{key}' = {value} is out of range",
                f"hijri.month_starts.{key}",
                RANGE,
            )
            continue
        year, month = int(match.group(1)), int(match.group(2))
        if _check_month_start(f"hijri.month_starts.{key}", year, month, value, problem):
            starts[f"{year}-{month:02d}"] = value
    for key, start in starts.items():
        year, month = (int(part) for part in key.split("-"))
        following = f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"
        if following in starts:
            days = (starts[following] - start).days
            if days not in (29, 30):
                problem(
                    f"hijri.month_starts '{key}' = {start} and '{following}' = "
                    f"{starts[following]} make a month of {days} days; "
                    "a Hijri month has 29 or 30",
                    f"hijri.month_starts.{following}",
                    "check both dates against the moon-sighting announcements",
                )
    return dataclasses.replace(hijri, month_starts=starts)


def _check_month_start(
    key_path: str, year: int, month: int, start: dt.date, problem: Problem
) -> bool:
    """A local month starts within a few days of Umm al-Qura's; more is a typo in the table."""
    try:
        uq = Hijri(year, month, 1).to_gregorian()
    except (OverflowError, ValueError):
        return True  # outside Umm al-Qura's range: the table is all there is
    gap = (start - dt.date(uq.year, uq.month, uq.day)).days
    if abs(gap) <= MAX_SIGHTING_GAP:
        return True
    problem(
        f"{key_path.removeprefix('hijri.')} = {start} is {abs(gap)} days "
        f"{'after' if gap > 0 else 'before'} the Umm al-Qura start of that month "
        f"({uq.isoformat()}); local sightings differ from it by a day or two",
        key_path,
        "check the Hijri year and month of the key and the Gregorian date",
    )
    return False


def check_content(content: ContentConfig, problem: Problem) -> None:
    for folder in content.linked_folders:
        if not folder.strip() or "\x00" in folder:
            problem(
                f"content.linked_folders has {folder!r}, which is not a folder's path",
                "content.linked_folders",
                'write folders like linked_folders = ["../wire-desk", "/srv/photos"]',
            )
    if content.slugs not in SLUG_STYLES:
        problem(
            f"content.slugs must be 'ascii' or 'unicode', not '{content.slugs}'",
            "content.slugs",
            "'ascii' transliterates headlines, 'unicode' keeps their own script",
        )


def check_markdown(options: MarkdownConfig, problem: Problem) -> None:
    """Each extension named must load now, not fail on the first article."""
    for name in options.extensions:
        import markdown  # only then: a build with nothing to convert needs none

        try:
            markdown.Markdown(extensions=[name])
        except Exception as exc:  # noqa: BLE001 - an import or a bad extension: say which
            problem(
                f"Markdown extension '{name}' cannot be used ({type(exc).__name__}: {exc})",
                "markdown.extensions",
                "use a Python-Markdown extension's name (admonition, abbr, def_list, "
                "md_in_html, wikilinks...) or install the package that has it",
            )
    if options.heading_links and not options.heading_link_symbol.strip():
        problem(
            "markdown.heading_link_symbol is empty: the links would not show",
            "markdown.heading_link_symbol",
            'write e.g. heading_link_symbol = "#"',
        )


IMAGE_FORMATS = ("avif", "webp")


def check_images(images: ImagesConfig, problem: Problem) -> None:
    if not images.widths or any(w < 16 or w > 8192 for w in images.widths):
        problem(
            f"images.widths must be widths in pixels from 16 to 8192, not {list(images.widths)}",
            "images.widths",
            "write e.g. widths = [480, 800, 1200, 1600]",
        )
    elif list(images.widths) != sorted(set(images.widths)):
        problem(
            f"images.widths must go from narrowest to widest, each once: {list(images.widths)}",
            "images.widths",
            f"write widths = {sorted(set(images.widths))}",
        )
    for name in images.formats:
        if name not in IMAGE_FORMATS:
            problem(
                f"images.formats has '{name}', which is not one of {', '.join(IMAGE_FORMATS)}",
                "images.formats",
                'write e.g. formats = ["avif", "webp"] (the photo\'s own format is always '
                "written too)",
            )
    for key in ("quality", "avif_quality"):
        if not 1 <= getattr(images, key) <= 100:
            problem(f"images.{key} must be from 1 to 100", f"images.{key}")
    if images.max_pixels < 1:
        problem("images.max_pixels must be at least 1", "images.max_pixels")
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", images.icon_color):
        problem(
            f"images.icon_color must be a colour like '#a3121c', not '{images.icon_color}'",
            "images.icon_color",
        )
