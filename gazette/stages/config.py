"""Stage 1: `config.toml` into typed, validated settings.

All problems in the file are reported at once, and an unknown key names the
closest known one, because a typo in config is the most common setup error.
Here are the settings and the reading of the file; `config_checks` holds the
checks on values that their types do not catch.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gazette import themes
from gazette.errors import GazetteError
from gazette.paths import Links
from gazette.stages.config_checks import (
    Problem,
    check_content,
    check_hijri,
    check_images,
    check_markdown,
    check_site,
    check_syndication,
    check_urls,
)
from gazette.stages.config_editions import read_editions
from gazette.stages.config_tables import (  # noqa: F401 - the settings' home for callers
    ENGLISH_HIJRI_MONTHS,
    BuildConfig,
    ContentConfig,
    EditionConfig,
    FeedsConfig,
    HijriConfig,
    ImagesConfig,
    MarkdownConfig,
    PublisherConfig,
    SearchConfig,
    SiteConfig,
    ThemeConfig,
    UrlsConfig,
)


@dataclass(frozen=True)
class Config:
    site: SiteConfig = field(default_factory=SiteConfig)
    hijri: HijriConfig = field(default_factory=HijriConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    publisher: PublisherConfig = field(default_factory=PublisherConfig)
    # Section slug -> display name, in navigation order; empty means "from content/".
    sections: dict[str, str] = field(default_factory=dict)
    content: ContentConfig = field(default_factory=ContentConfig)
    build: BuildConfig = field(default_factory=BuildConfig)
    urls: UrlsConfig = field(default_factory=UrlsConfig)
    markdown: MarkdownConfig = field(default_factory=MarkdownConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    theme: ThemeConfig = field(default_factory=ThemeConfig)
    images: ImagesConfig = field(default_factory=ImagesConfig)
    # The site's languages, default first ([editions]); empty: one language, as [site] says.
    editions: tuple[EditionConfig, ...] = ()
    edition: str = ""  # the edition's code in the settings of one edition (see editions.py)
    root: Path = Path(".")
    path: Path | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Where templates are looked up, in order: the site's own, then the theme's."""
        return (self.templates_dir, themes.TEMPLATES)

    @property
    def static_dirs(self) -> tuple[Path, ...]:
        """Static folders in the order they are laid down: the theme's, then the site's,
        whose files replace the theme's of the same path."""
        return (themes.STATIC, self.static_dir)

    @property
    def links(self) -> Links:
        """The symlinks walks of content/ and static/ may follow: see `gazette.paths`."""
        shared = tuple(self.root / folder for folder in self.content.linked_folders)
        return Links(self.root, shared, follow=not self.content.untrusted)


_TABLES: dict[str, type] = {
    "site": SiteConfig,
    "hijri": HijriConfig,
    "feeds": FeedsConfig,
    "publisher": PublisherConfig,
    "content": ContentConfig,
    "build": BuildConfig,
    "urls": UrlsConfig,
    "markdown": MarkdownConfig,
    "search": SearchConfig,
    "theme": ThemeConfig,
    "images": ImagesConfig,
}
_TOP_KEYS = [*_TABLES, "sections", "editions"]


def load_config(path: Path) -> Config:
    """Read and validate `config.toml`; raise one GazetteError listing every problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad adds a byte-order mark
    except FileNotFoundError:
        raise GazetteError(
            "config file not found",
            file=path,
            hint="run from the site's folder or pass --config PATH",
        ) from None
    except UnicodeDecodeError as exc:
        raise GazetteError(
            f"config is not UTF-8 (bad byte at offset {exc.start})",
            file=path,
            hint="save the file as UTF-8",
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise GazetteError(
            f"config is not valid TOML: {exc}",
            file=path,
            line=line,
            hint="check quotes, brackets and '=' on that line",
        ) from None
    except RecursionError:  # tomllib reads nested arrays by recursion
        raise GazetteError(
            "config is nested too deeply to read",
            file=path,
            hint="config holds tables of plain values and short lists",
        ) from None
    try:
        return parse_config(data, path=path, text=text)
    except GazetteError:
        raise
    except Exception as exc:  # noqa: BLE001 - a value no check foresaw: name the file
        raise GazetteError(
            f"config has a value Gazette cannot use ({type(exc).__name__}: {exc})",
            file=path,
            hint="check it for unusual values; if it looks right, please report it",
        ) from None


def parse_config(data: dict[str, Any], *, path: Path | None = None, text: str = "") -> Config:
    errors: list[GazetteError] = []
    where = path if path is not None else "config.toml"

    def problem(message: str, key_path: str, hint: str | None = None) -> None:
        errors.append(GazetteError(message, file=where, line=key_line(text, key_path), hint=hint))

    for key in data:
        if key not in _TOP_KEYS:
            problem(f"unknown config table or key '{key}'", key, _suggest(key, _TOP_KEYS))

    values: dict[str, Any] = {}
    for table, cls in _TABLES.items():
        raw = data.get(table, {})
        if not isinstance(raw, dict):
            problem(f"'{table}' must be a table ([{table}])", table)
            continue
        values[table] = _build_dataclass(cls, raw, table, problem)

    sections: dict[str, str] = {}
    raw_sections = data.get("sections", {})
    if not isinstance(raw_sections, dict):
        problem("'sections' must be a table of slug = \"Display name\"", "sections")
    else:
        for slug, name in raw_sections.items():
            if not isinstance(name, str):
                problem(f"section '{slug}' must have a string display name", f"sections.{slug}")
            else:
                sections[str(slug)] = name

    site = values.get("site") or SiteConfig()
    hijri = values.get("hijri") or HijriConfig()
    content = values.get("content") or ContentConfig()
    check_site(site, problem)
    hijri = check_hijri(hijri, problem)
    feeds = values.get("feeds") or FeedsConfig()
    publisher = values.get("publisher") or PublisherConfig()
    check_syndication(feeds, publisher, news_language(site, publisher), problem)
    check_content(content, problem)
    urls = values.get("urls") or UrlsConfig()
    check_urls(urls, problem)
    markdown = values.get("markdown") or MarkdownConfig()
    check_markdown(markdown, problem)
    build = values.get("build") or BuildConfig()
    if build.timeout < 1:
        problem("build.timeout must be at least 1 (seconds)", "build.timeout")
    images = values.get("images") or ImagesConfig()
    check_images(images, problem)
    editions = read_editions(data.get("editions"), problem, _build_dataclass, sections)

    if errors:
        raise GazetteError.collect(errors)
    root = path.parent if path is not None else Path(".")
    return Config(
        site=site,
        hijri=hijri,
        feeds=feeds,
        publisher=publisher,
        sections=sections,
        content=content,
        build=build,
        urls=urls,
        markdown=markdown,
        search=values.get("search") or SearchConfig(),
        theme=values.get("theme") or ThemeConfig(),
        images=images,
        editions=editions,
        root=root,
        path=path,
    )


def _build_dataclass(cls: type, raw: dict[str, Any], table: str, problem: Problem) -> Any:
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        key_path = f"{table}.{key}"
        if key not in known:
            problem(f"unknown key '{key}' in [{table}]", key_path, _suggest(key, known))
            continue
        expected = hints[key]
        converted, ok = _coerce(value, expected)
        if not ok:
            problem(
                f"'{key}' in [{table}] must be {_type_name(expected)}, not {type(value).__name__}",
                key_path,
                _example(key, cls),
            )
            continue
        kwargs[key] = converted
    return cls(**kwargs)


def _example(key: str, cls: type) -> str | None:
    """'write it like per_page = 10', from the key's default."""
    default = next(f for f in dataclasses.fields(cls) if f.name == key).default
    if isinstance(default, bool):
        shown = "true" if default else "false"
    elif isinstance(default, (int, float)):
        shown = str(default)
    elif isinstance(default, str):
        shown = '"' + default.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        return None
    return f"write it like {key} = {shown}"


def _coerce(value: Any, expected: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(expected)
    if expected is str:
        return value, isinstance(value, str)
    if expected is int:
        return value, isinstance(value, int) and not isinstance(value, bool)
    if expected is bool:
        return value, isinstance(value, bool)
    if origin is tuple:
        item = typing.get_args(expected)[0]
        ok = isinstance(value, list) and all(_coerce(v, item)[1] for v in value)
        return (tuple(value) if ok else value), ok
    if origin is dict:
        return value, isinstance(value, dict)
    if origin in (types.UnionType, typing.Union):
        for option in typing.get_args(expected):
            converted, ok = _coerce(value, option)
            if ok:
                return converted, True
        return value, False
    return value, isinstance(value, expected)


def _type_name(expected: Any) -> str:
    names = {str: "a string", int: "a whole number", bool: "true or false"}
    if expected in names:
        return names[expected]
    origin = typing.get_origin(expected)
    if origin is tuple:
        item = typing.get_args(expected)[0]
        return "a list of whole numbers" if item is int else "a list of strings"
    if origin is dict:
        return "a table"
    return str(expected)


def news_language(site: SiteConfig, publisher: PublisherConfig) -> str:
    """The ISO 639 code Google News wants: 'en' from 'en-GB', but 'zh-cn' kept whole."""
    if publisher.language:
        return publisher.language
    code = site.language.lower().replace("_", "-")
    return code if code in ("zh-cn", "zh-tw") else code.split("-")[0]


def _suggest(key: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    if close:
        return f"did you mean '{close[0]}'?"
    return "known keys: " + ", ".join(known)


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def key_line(text: str, key_path: str) -> int | None:
    """Best-effort line of a dotted key in TOML text, for error messages."""
    if not text:
        return None
    *tables, key = key_path.split(".")
    table = ".".join(tables)
    current = ""
    key_re = re.compile(r'^\s*["\']?' + re.escape(key) + r'["\']?\s*=')
    table_re = re.compile(r"^\s*\[([^\]]+)\]")
    for number, line in enumerate(text.splitlines(), start=1):
        header = table_re.match(line)
        if header:
            current = header.group(1).strip()
            if current == key_path:  # a table itself: [site] or [editions.bn]
                return number
            continue
        if current == table and key_re.match(line):
            return number
    return None
