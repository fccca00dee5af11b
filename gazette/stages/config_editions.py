"""`[editions]`: the languages a site is published in, read and checked.

Each `[editions.<code>]` table names a language; the first one listed is the
default edition (at `/`, from the rest of `content/`, the `x-default` of
translations), every other one lives under its prefix (`/bn/`) and reads its
stories from its own folder (`content/bn/`). A language Babel (CLDR) does not
know is an error here, so a typo never reaches a page.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gazette.stages.config_checks import Problem
from gazette.stages.config_tables import EditionConfig

DIGIT_SYSTEMS = ("latn", "arab", "arabext", "beng", "deva", "thai", "mymr", "tamldec")


def read_editions(
    raw: Any, problem: Problem, build: Any, sections: dict[str, str]
) -> tuple[EditionConfig, ...]:
    """The editions in the order config lists them; `build` reads one table's keys as
    every other table's are read (unknown keys and wrong types reported)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        problem("'editions' must hold a table per language, e.g. [editions.en]", "editions")
        return ()
    editions: list[EditionConfig] = []
    for number, (code, table) in enumerate(raw.items()):
        where = f"editions.{code}"
        if not isinstance(table, dict):
            problem(f"'{where}' must be a table ([{where}])", where)
            continue
        if "code" in table:
            problem(f"'code' is the table's own name in [{where}]", f"{where}.code")
            continue
        edition = build(EditionConfig, table, where, problem)
        edition = _with_defaults(dataclasses.replace(edition, code=str(code)), number == 0)
        _check_edition(edition, where, problem, sections, first=number == 0)
        editions.append(edition)
    _check_unique(editions, problem)
    return tuple(editions)


def _with_defaults(edition: EditionConfig, first: bool) -> EditionConfig:
    prefix = edition.prefix or ("/" if first else f"/{edition.code}/")
    folder = edition.folder.strip("/") if edition.folder or first else edition.code
    return dataclasses.replace(edition, prefix=prefix, folder=folder)


def _check_edition(
    edition: EditionConfig, where: str, problem: Problem, sections: dict[str, str], first: bool
) -> None:
    from babel import Locale, UnknownLocaleError  # loaded only by a site with editions

    try:
        Locale.parse(edition.code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        problem(
            f"unknown language '{edition.code}' in [{where}]",
            where,
            "name the table by a language tag CLDR knows: en, bn, ar, ur, fa, hi...",
        )
    prefix = edition.prefix
    if not (prefix.startswith("/") and prefix.endswith("/")) or "//" in prefix or ".." in prefix:
        problem(
            f"'{where}.prefix' must start and end with '/', not '{prefix}'",
            f"{where}.prefix",
            f'write it like prefix = "/{edition.code}/"',
        )
    elif first and prefix != "/":
        problem(
            f"the first edition ([{where}]) is the default one, at '/', not '{prefix}'",
            f"{where}.prefix",
            "list the edition at '/' first, or remove its prefix",
        )
    elif not first and prefix == "/":
        problem(
            f"only the first edition is at '/'; [{where}] needs a prefix of its own",
            f"{where}.prefix",
            f'write prefix = "/{edition.code}/"',
        )
    if not first and (not edition.folder or "/" in edition.folder or ".." in edition.folder):
        problem(
            f"'{where}.folder' must be one folder name in content/, not '{edition.folder}'",
            f"{where}.folder",
            f'write folder = "{edition.code}"',
        )
    if edition.timezone:
        try:
            ZoneInfo(edition.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problem(
                f"unknown timezone '{edition.timezone}' in [{where}]",
                f"{where}.timezone",
                'use an IANA name such as "Asia/Dhaka"',
            )
    if edition.digits and edition.digits not in DIGIT_SYSTEMS:
        problem(
            f"'{where}.digits' must be one of {', '.join(DIGIT_SYSTEMS)}, not '{edition.digits}'",
            f"{where}.digits",
        )
    if edition.hijri_month_names and len(edition.hijri_month_names) != 12:
        problem(f"'{where}.hijri_month_names' must list 12 names", f"{where}.hijri_month_names")
    for slug in edition.sections:
        if sections and slug not in sections:
            problem(
                f"section '{slug}' in [{where}.sections] is not in [sections]",
                f"{where}.sections.{slug}",
                "name a section of [sections]",
            )
    for key, text in (("date_format", edition.date_format), ("hijri_format", edition.hijri_format)):
        try:
            text.format(weekday="", month="", month_name="", day=1, year=1)
        except (KeyError, IndexError, ValueError) as exc:
            problem(f"'{where}.{key}' is not valid ({exc})", f"{where}.{key}")


def _check_unique(editions: list[EditionConfig], problem: Problem) -> None:
    seen: dict[str, str] = {}
    for edition in editions:
        for what, value in (("prefix", edition.prefix), ("folder", edition.folder)):
            if not value or value == "/":
                continue
            other = seen.setdefault(f"{what}:{value}", edition.code)
            if other != edition.code:
                problem(
                    f"editions '{other}' and '{edition.code}' have the same {what} '{value}'",
                    f"editions.{edition.code}.{what}",
                )


def edition_of(path: str, editions: tuple[EditionConfig, ...]) -> tuple[str, str]:
    """The edition a file of content/ belongs to by its folder, and its path within that
    edition's folder: "bn/world/x.md" -> ("bn", "world/x.md"); ("", path) without editions."""
    if not editions:
        return "", path
    top, _, rest = path.partition("/")
    for edition in editions[1:]:
        if rest and top == edition.folder:
            return edition.code, rest
    return editions[0].code, path
