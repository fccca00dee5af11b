"""The authors data file: who the people in bylines are.

`data/authors.toml` (or `data/authors.yaml`) beside config.toml holds one table
per person, under the name as bylines spell it:

    ["Farhana Rahman"]
    role = "Staff Correspondent, Dhaka"
    bio = "Covers climate and the delta."
    photo = "images/farhana-rahman.jpg"   # in content/ or static/, or an https:// URL
    site = "https://farhana.example"
    email = "farhana@example.com"
    social = ["https://mastodon.social/@farhana"]

The file is optional, and so is every person in it: a byline without a profile
is a name with an author page. It is read as an input like a template (its
digest is part of what decides pages), never as part of an article's record.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gazette.digest import bytes_digest
from gazette.errors import GazetteError
from gazette.model import Profile
from gazette.slugs import make_slug
from gazette.stages.config import Config

FILES = ("authors.toml", "authors.yaml")
_TEXT_KEYS = ("slug", "role", "bio", "photo", "site", "email")
_KEYS = (*_TEXT_KEYS, "social")
_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


@dataclass(frozen=True)
class AuthorData:
    """The profiles by name as the file spells them, and where each one's keys are."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    digest: str = ""  # of the file's bytes: "" when there is no file
    file: str = ""  # as messages show it
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (name, key) -> line


def data_files(config: Config) -> list[Path]:
    """Where the file may be: the preview watches these too."""
    return [config.root / "data" / name for name in FILES]


def load_authors(config: Config, known: AuthorData | None = None) -> AuthorData:
    """Read the file, or give `known` back when its bytes are the same."""
    found = [path for path in data_files(config) if path.is_file()]
    if not found:
        return AuthorData()
    if len(found) > 1:
        raise GazetteError(
            "there are two authors data files",
            file=found[1],
            hint=f"keep one of {found[0]} and {found[1]}",
        )
    path = found[0]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GazetteError(
            f"the authors data file cannot be read: {exc.strerror}",
            file=path,
            hint="check the file's permissions",
        ) from None
    digest = bytes_digest(data)
    if known is not None and known.digest == digest:
        return known
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GazetteError(
            f"the authors data file is not UTF-8 (bad byte at offset {exc.start})",
            file=path,
            line=data.count(b"\n", 0, exc.start) + 1,
            hint="save it as UTF-8",
        ) from None
    read = _read_toml if path.suffix == ".toml" else _read_yaml
    people, lines = read(text, path)
    profiles = _profiles(people, lines, path)
    return AuthorData(profiles, digest, str(path), lines)


def _read_toml(text: str, path: Path) -> tuple[Any, dict[tuple[str, str], int]]:
    try:
        people = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise GazetteError(
            f"the authors data file is not valid TOML: {exc}",
            file=path,
            line=int(match.group(1)) if match else None,
            hint='each person is a table: ["Farhana Rahman"] then role = "..." lines',
        ) from None
    return people, _toml_lines(text)


def _toml_lines(text: str) -> dict[tuple[str, str], int]:
    """(name, "") -> a person's table header line, (name, key) -> each key's line."""
    lines: dict[tuple[str, str], int] = {}
    current = ""
    header = re.compile(r"""^\s*\[\s*(?:"([^"]*)"|'([^']*)'|([^\]]*?))\s*\]""")
    key = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
    for number, line in enumerate(text.splitlines(), start=1):
        if found := header.match(line):
            current = next(g for g in found.groups() if g is not None).strip()
            lines.setdefault((current, ""), number)
        elif found := key.match(line):
            name = next(g for g in found.groups() if g is not None)
            lines.setdefault((current, name) if current else (name, ""), number)
    return lines


def _read_yaml(text: str, path: Path) -> tuple[Any, dict[tuple[str, str], int]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        people = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise GazetteError(
            f"the authors data file is not valid YAML: {getattr(exc, 'problem', exc)}",
            file=path,
            line=mark.line + 1 if mark is not None else None,
            hint="each person is a mapping: 'Farhana Rahman:' then indented 'role: ...' lines",
        ) from None
    lines: dict[tuple[str, str], int] = {}
    if isinstance(root, yaml.MappingNode):
        for name_node, value in root.value:
            name = str(name_node.value)
            lines[(name, "")] = name_node.start_mark.line + 1
            if isinstance(value, yaml.MappingNode):
                for key_node, _ in value.value:
                    lines[(name, str(key_node.value))] = key_node.start_mark.line + 1
    return people, lines


def _profiles(people: Any, lines: dict[tuple[str, str], int], path: Path) -> dict[str, Profile]:
    if people is None:  # an empty YAML file
        return {}
    if not isinstance(people, dict):
        raise GazetteError(
            "the authors data file must map each name to its details",
            file=path,
            line=1,
            hint="start each person with their name as bylines write it",
        )
    profiles: dict[str, Profile] = {}
    owners: dict[str, str] = {}
    for name, entry in people.items():
        profile = _profile(" ".join(str(name).split()), entry, lines, path, str(name))
        slug = profile.slug or make_slug(profile.name) or "untitled"
        if slug in owners:
            raise GazetteError(
                f"'{owners[slug]}' and '{profile.name}' would share the author page '{slug}'",
                file=path,
                line=lines.get((str(name), "slug")) or lines.get((str(name), "")),
                hint="give one of them a 'slug' of their own",
            )
        owners[slug] = profile.name
        profiles[profile.name] = profile
    return profiles


def _profile(
    name: str, entry: Any, lines: dict[tuple[str, str], int], path: Path, spelled: str
) -> Profile:
    def fail(message: str, key: str = "", hint: str | None = None) -> GazetteError:
        line = lines.get((spelled, key)) or lines.get((spelled, ""))
        return GazetteError(f"author '{name}': {message}", file=path, line=line, hint=hint)

    if not isinstance(entry, dict):
        raise fail("must be a table of role, bio, photo, site, email and social")
    values: dict[str, Any] = {}
    for key, value in entry.items():
        key = str(key)
        if key not in _KEYS:
            raise fail(f"unknown key '{key}'", key, "known keys: " + ", ".join(_KEYS))
        if key == "social":
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail("'social' must be a list of URLs", key)
            value = tuple(v.strip() for v in value if v.strip())
            bad = [v for v in value if not _URL.match(v)]
            if bad:
                raise fail(f"'social' has {bad[0]!r}, not an http(s) URL", key)
        elif not isinstance(value, str):
            raise fail(f"'{key}' must be text, not {type(value).__name__}", key)
        else:
            value = " ".join(value.split())
        values[key] = value
    _check_values(values, fail)
    return Profile(name=name, **values)


def _check_values(values: dict[str, Any], fail: Any) -> None:
    slug = values.get("slug", "")
    if slug and make_slug(slug) != slug:
        raise fail(f"'slug' {slug!r} is not a URL slug", "slug", "write e.g. slug = 'f-rahman'")
    site = values.get("site", "")
    if site and not _URL.match(site):
        raise fail("'site' must be an http(s) URL", "site")
    email = values.get("email", "")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        raise fail(f"'email' {email!r} is not an e-mail address", "email")
    photo = values.get("photo", "")
    if photo and re.match(r"^[a-z][a-z0-9+.-]*:", photo, re.IGNORECASE) and not _URL.match(photo):
        raise fail("'photo' must be a file in content/ or static/, or an http(s) URL", "photo")


def resolve_photos(
    authors: AuthorData, content_files: set[str], static_urls: dict[str, str]
) -> tuple[AuthorData, list[GazetteError]]:
    """Photos as site URLs (a static file's fingerprinted one); an error for each missing."""
    errors: list[GazetteError] = []
    profiles = dict(authors.profiles)
    for name, profile in authors.profiles.items():
        photo = profile.photo
        if not photo or _URL.match(photo):
            continue
        wanted = photo.lstrip("/")
        url = static_urls.get(wanted.removeprefix("static/"))
        if url is None and wanted in content_files:
            url = wanted
        if url is None:
            errors.append(
                GazetteError(
                    f"author '{name}': photo '{photo}' does not exist",
                    file=authors.file,
                    line=authors.lines.get((name, "photo")),
                    hint="put the image in content/ (e.g. content/images/) or static/ "
                    "and write its path from there",
                )
            )
            continue
        profiles[name] = dataclasses.replace(profile, photo=url)
    return AuthorData(profiles, authors.digest, authors.file, authors.lines), errors


def authors_for_build(
    config: Config, known: AuthorData | None, content_files: set[str], static_urls: dict[str, str]
) -> tuple[AuthorData, AuthorData, list[GazetteError]]:
    """The file as read (to give back as `known` next time), with photos resolved, and
    its problems: a broken file is reported with the content's, not raised alone."""
    try:
        read = load_authors(config, known)
    except GazetteError as exc:
        return AuthorData(), AuthorData(), [exc]
    resolved, errors = resolve_photos(read, content_files, static_urls)
    return read, resolved, errors
