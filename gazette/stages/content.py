"""Stage 2: discover Markdown files, read their front matter, validate it.

Produces `Article` records with the body still in Markdown. Every problem in
every file is collected, so a writer sees all mistakes in one run.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import reprlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gazette.errors import GazetteError
from gazette.hijri import HijriDate, HijriRangeError, check_override, parse_hijri, to_hijri
from gazette.model import Article, Weather
from gazette.paths import walk
from gazette.slugs import make_slug
from gazette.stages.config import Config

try:  # libyaml is ten times faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as YamlLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as YamlLoader  # type: ignore[assignment]

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
    "image",
    "image_alt",
    "caption",
    "summary",
    "slug",
    "draft",
    "updated",
}


class _FrontMatterLoader(YamlLoader):  # type: ignore[misc,valid-type]
    """Safe YAML loader that keeps an impossible date (2023-02-30) as text, so
    validation reports it with its key and line instead of crashing in PyYAML."""


def _lenient_timestamp(loader: Any, node: Any) -> Any:
    try:
        return YamlLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)

_STRING_KEYS = ("source", "dateline", "author", "image", "image_alt", "caption", "summary")
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file's text and where it came from."""

    path: str  # relative to content/, POSIX separators
    text: str


def discover(content_dir: Path) -> list[Path]:
    """Every Markdown file under content/, in a stable order."""
    return [Path(p) for p in markdown_files(content_dir)]


def markdown_files(content_dir: Path) -> list[str]:
    """`discover` as plain strings, which a site of 100,000 files needs for speed."""
    if not content_dir.is_dir():
        raise GazetteError(
            "content folder not found",
            file=content_dir,
            hint="create it and put articles in section folders, e.g. content/world/",
        )
    return [p for p in walk(content_dir) if p.endswith(".md")]


def read_source(path: Path, content_dir: Path) -> SourceFile:
    return _read_source(path, path.relative_to(content_dir).as_posix(), content_dir)


def _read_source(path: Path, relative: str, content_dir: Path) -> SourceFile:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise GazetteError(
            f"file is not UTF-8 text (byte 0x{bad:02x} at offset {exc.start})",
            file=_shown(content_dir, relative),
            line=data.count(b"\n", 0, exc.start) + 1,
            hint="save it as UTF-8 in your editor",
        ) from None
    return SourceFile(relative, text.replace("\r\n", "\n").replace("\r", "\n"))


def split_front_matter(source: SourceFile, shown: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, line number where the body starts)."""
    lines = source.text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        raise GazetteError(
            "file has no front matter",
            file=shown,
            line=1,
            hint="start the file with a '---' line, then title: and date:, then '---'",
        )
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise GazetteError(
        "front matter is not closed",
        file=shown,
        line=1,
        hint="add a '---' line after the last front matter key",
    )


def _load_yaml(front: str) -> Any:
    """YAML forbids tabs where editors happily put them (after 'key:', as indentation);
    a front matter that fails only because of tabs is read again with them as spaces."""
    if not front.strip():
        return {}
    try:
        return yaml.load(front, Loader=_FrontMatterLoader)
    except yaml.YAMLError:
        if "\t" not in front:
            raise
    return yaml.load(front.expandtabs(4), Loader=_FrontMatterLoader)


_UNCLOSED = {
    "while scanning a quoted scalar": (
        "a quoted value is never closed",
        "end the value with the same quote mark it starts with",
    ),
    "while parsing a flow sequence": (
        "a list opened with '[' is not closed",
        "close it with ']' on the same line, e.g. tags: [russia, defence]",
    ),
    "while parsing a flow mapping": (
        "a mapping opened with '{' is not closed",
        "close it with '}', e.g. weather: {condition: rain, high: 30, low: 25}",
    ),
}


def parse_article(source: SourceFile, config: Config, shown: str) -> Article:
    """Validate one file's front matter into an Article (body still Markdown)."""
    front, body, body_line = split_front_matter(source, shown)
    try:
        meta = _load_yaml(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        hint = "quote values that contain ': ' or start with a special character"
        start = getattr(exc, "context_mark", None)
        unclosed = _UNCLOSED.get(getattr(exc, "context", None) or "")
        if unclosed and start is not None:
            # PyYAML reports where it gave up; the mistake is where the value opened.
            mark, (problem, hint) = start, unclosed
        raise GazetteError(
            f"front matter is not valid YAML: {problem}",
            file=shown,
            line=mark.line + 2 if mark is not None else None,
            hint=hint,
        ) from None
    if not isinstance(meta, dict):
        raise GazetteError(
            "front matter must be a set of 'key: value' lines",
            file=shown,
            line=2,
            hint="write e.g. 'title: Headline' and 'date: 2023-09-23'",
        )
    return _validate(meta, front, body, body_line, source.path, shown, config)


def _validate(
    meta: dict[Any, Any],
    front: str,
    body: str,
    body_line: int,
    path: str,
    shown: str,
    config: Config,
) -> Article:
    def fail(key: str, message: str, hint: str | None = None) -> GazetteError:
        return GazetteError(message, file=shown, line=_key_line(front, key), hint=hint)

    meta = {str(k): v for k, v in meta.items()}
    for key in ("title", "date"):
        if meta.get(key) in (None, ""):
            raise GazetteError(
                f"front matter is missing '{key}'",
                file=shown,
                line=_key_line(front, key) or 1,
                hint=f"add a line like {_EXAMPLES[key]!r} between the '---' lines",
            )
    title = meta["title"]
    if isinstance(title, (int, float)) and not isinstance(title, bool):
        title = str(title)
    if not isinstance(title, str):
        raise fail("title", "'title' must be text", "write the headline on one line")

    tz = config.tz
    date = _to_datetime(meta["date"], tz)
    if date is None:
        raise fail("date", f"'date' is not a date: {_short(meta['date'])}", _DATE_HINT)
    updated = None
    if meta.get("updated") is not None:
        updated = _to_datetime(meta["updated"], tz)
        if updated is None:
            raise fail("updated", f"'updated' is not a date: {_short(meta['updated'])}", _DATE_HINT)

    hijri = _hijri(meta.get("hijri"), date.date(), config, fail)
    weather = _weather(meta.get("weather"), config.site.weather_unit, fail)

    strings: dict[str, str | None] = {}
    for key in _STRING_KEYS:
        value = meta.get(key)
        if value is not None and not isinstance(value, (str, int, float)):
            raise fail(
                key,
                f"'{key}' must be text, not {_kind(value)}",
                f"write it on one line after '{key}:', in quotes if it has special characters",
            )
        strings[key] = None if value is None else str(value)

    tags = _tags(meta.get("tags"), fail)
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise fail(
            "draft", "'draft' must be true or false", "write 'draft: true' or remove the line"
        )

    section = meta.get("section")
    if section is None:
        folder = path.split("/")[0] if "/" in path else None
        if folder is None:
            raise GazetteError(
                "article has no section",
                file=shown,
                line=1,
                hint="move it into a section folder (content/world/...) or add 'section:'",
            )
        section = folder
    if not isinstance(section, str):
        raise fail("section", "'section' must be text", "write e.g. 'section: world'")
    style = config.content.slugs
    section = _section_slug(section, style)
    if not section:
        raise fail(
            "section",
            "'section' has no letters or digits to make a URL from",
            "write e.g. 'section: world'",
        )
    if config.sections and section not in config.sections:
        known = ", ".join(config.sections)
        if "section" in meta:
            raise fail(
                "section",
                f"unknown section '{section}'",
                f"use one of {known} or add it to [sections] in config.toml",
            )
        raise GazetteError(
            f"unknown section '{section}' (from the folder content/{section}/)",
            file=shown,
            hint=f"move the file into one of the folders {known}, add 'section:', "
            "or add it to [sections] in config.toml",
        )

    raw_slug = meta.get("slug")
    if raw_slug is not None and not isinstance(raw_slug, (str, int)):
        raise fail("slug", "'slug' must be text", "write e.g. 'slug: kim-visits-vladivostok'")
    slug = make_slug(str(raw_slug if raw_slug is not None else title), style)
    if not slug:
        slug = make_slug(Path(path).stem, style) or "article"

    image = strings["image"] or None  # an empty 'image:' line means no image
    if image is not None:
        scheme = re.match(r"^([a-z][a-z0-9+.-]*):", image, re.IGNORECASE)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            raise fail(
                "image",
                "'image' must be a file in content/ or an http(s) URL, "
                f"not a {scheme.group(1)}: URL",
                "write e.g. 'image: harbour.jpg' (beside the article) or 'image: https://...'",
            )
        image = _image_url(image, path)

    extra = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
    return Article(
        path=path,
        title=title,
        date=date,
        hijri=hijri,
        section=section,
        slug=slug,
        body=body,
        body_line=body_line,
        updated=updated,
        weather=weather,
        source=strings["source"],
        dateline=strings["dateline"],
        tags=tags,
        author=strings["author"],
        image=image,
        image_alt=strings["image_alt"],
        caption=strings["caption"],
        summary=strings["summary"],
        draft=draft,
        extra=extra,
        slug_given=raw_slug is not None,
    )


# A site has a handful of sections and thousands of articles; make_slug is pure.
_section_slug = functools.lru_cache(maxsize=1024)(make_slug)

_EXAMPLES = {"title": "title: Kim inspects weapons in Vladivostok", "date": "date: 2023-09-23"}
_WEATHER_HINT = "write 'weather: {condition: scattered clouds, high: 30, low: 30}'"
_DATE_HINT = "write it as 2023-09-23 or 2023-09-23 14:30 or 2023-09-23T14:30:00+06:00"


def _to_datetime(value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
    return None


def _hijri(value: Any, day: dt.date, config: Config, fail: Any) -> HijriDate:
    if value is None:
        try:
            return to_hijri(day, config.hijri)
        except HijriRangeError as exc:
            raise fail(
                "date",
                f"the Hijri date of {day.isoformat()} cannot be computed: {exc}",
                "give the date yourself with 'hijri: YEAR-MONTH-DAY'",
            ) from None
    if isinstance(value, dt.date):  # YAML reads 1445-03-07 as a (Gregorian) date
        value = f"{value.year}-{value.month}-{value.day}"
    try:
        override = parse_hijri(str(value))
        check_override(override, config.hijri)
        return override
    except ValueError as exc:
        raise fail(
            "hijri", f"'hijri' is not a valid Hijri date: {exc}", "write it like 1445-03-07"
        ) from None


def _weather(value: Any, unit: str, fail: Any) -> Weather | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Weather(condition=value, unit=unit)
    if not isinstance(value, dict):
        raise fail(
            "weather",
            f"'weather' must be text or a mapping, not {_kind(value)}",
            _WEATHER_HINT,
        )
    unknown = set(map(str, value)) - {"condition", "high", "low"}
    if unknown:
        raise fail(
            "weather",
            f"'weather' has unknown key(s) {sorted(unknown)}",
            "use condition, high and low",
        )
    condition = value.get("condition", "")
    if not isinstance(condition, str):
        raise fail("weather", "weather 'condition' must be text", _WEATHER_HINT)
    figures = {}
    for key in ("high", "low"):
        figure = value.get(key)
        if figure is not None and (
            isinstance(figure, bool) or not isinstance(figure, (int, float))
        ):
            raise fail(
                "weather", f"weather '{key}' must be a number, not {_short(figure)}", _WEATHER_HINT
            )
        figures[key] = figure
    if not condition.strip() and figures["high"] is None and figures["low"] is None:
        return None  # the blank mapping `build.py new` writes: no weather yet
    return Weather(condition=condition, high=figures["high"], low=figures["low"], unit=unit)


def _tags(value: Any, fail: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in (p.strip() for p in value.split(",")) if part]
    if not isinstance(value, list) or not all(
        isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in value
    ):
        raise fail("tags", "'tags' must be a list of words", "write 'tags: [russia, defence]'")
    seen: dict[str, None] = {}
    for tag in value:
        seen.setdefault(str(tag).strip(), None)
    return tuple(t for t in seen if t)


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


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60


def _short(value: Any) -> str:
    """A value as a message can show it: YAML aliases can make a 'list' of millions."""
    return _REPR.repr(value)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)


def _key_line(front: str, key: str) -> int | None:
    """Line number (in the whole file) of a top-level front matter key."""
    pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?\s*:")
    for index, line in enumerate(front.split("\n")):
        if pattern.match(line):
            return index + 2
    return None


def _shown(content_dir: Path, relative: str) -> str:
    return (content_dir / relative).as_posix()


def load_articles(config: Config, paths: Iterable[Path] | None = None) -> list[Article]:
    """Read and validate every article; raise one error listing all problems."""
    articles, errors = read_articles(config, paths)
    if errors:
        raise GazetteError.collect(errors)
    return articles


def read_articles(
    config: Config, paths: Iterable[Path] | None = None
) -> tuple[list[Article], list[GazetteError]]:
    """The articles that are valid, and one error for each file that is not."""
    content_dir = config.content_dir
    files = discover(content_dir) if paths is None else list(paths)
    articles: list[Article] = []
    errors: list[GazetteError] = []
    # Paths as text: pathlib's relative_to() three times a file cost as much as the YAML.
    prefix = os.path.join(str(content_dir), "")
    shown_prefix = os.path.join(_display_path(config, content_dir), "").replace(os.sep, "/")
    for file in files:
        name = str(file)
        if name.startswith(prefix) and shown_prefix != "./":
            relative = name[len(prefix) :].replace(os.sep, "/")
            shown = shown_prefix + relative
        else:
            relative = file.relative_to(content_dir).as_posix()
            shown = _display_path(config, content_dir / relative)
        try:
            source = _read_source(file, relative, content_dir)
            articles.append(parse_article(source, config, shown))
        except GazetteError as exc:
            if exc.file and not exc.problems:
                exc.file = shown
            errors.append(exc)
    return articles, errors


def _display_path(config: Config, path: Path) -> str:
    """A path as the user would type it: relative to the site folder when possible."""
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()
