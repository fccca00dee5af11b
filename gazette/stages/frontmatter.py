"""One Markdown file as text, split into its front matter (read as YAML) and body.

Kept apart from the checks of the keys (`fields`): what can go wrong here is
the file itself (not UTF-8, no '---' fence, YAML that does not parse), and the
benchmarks time this part alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gazette.errors import GazetteError

try:  # libyaml is ten times faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as YamlLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as YamlLoader  # type: ignore[assignment]


class _FrontMatterLoader(YamlLoader):  # type: ignore[misc,valid-type]
    """Safe YAML loader that keeps an impossible date (2023-02-30) as text, so
    validation reports it with its key and line instead of crashing in PyYAML."""


def _lenient_timestamp(loader: Any, node: Any) -> Any:
    try:
        return YamlLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file's text and where it came from."""

    path: str  # relative to content/, POSIX separators
    text: str


@dataclass(frozen=True)
class FrontMatter:
    """A file's front matter read as YAML, with the text the checks locate keys in."""

    meta: dict[Any, Any]
    text: str  # the YAML between the fences
    body: str
    body_line: int  # where the body starts in the file


def read_source(path: Path, content_dir: Path, relative: str | None = None) -> SourceFile:
    """Read `path` as UTF-8; `relative` (to content_dir) saves a big site a relative_to()."""
    if relative is None:
        relative = path.relative_to(content_dir).as_posix()
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise GazetteError(
            f"file is not UTF-8 text (byte 0x{bad:02x} at offset {exc.start})",
            file=(content_dir / relative).as_posix(),
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


def read_front_matter(source: SourceFile, shown: str) -> FrontMatter:
    """Split the file and read its front matter as a YAML mapping, or say where it is not."""
    front, body, body_line = split_front_matter(source, shown)
    try:
        _refuse_aliases(front, shown)
        if _nesting(front) > MAX_NESTING:
            raise RecursionError  # the YAML reader in C would overflow its stack
        meta = _load_yaml(front)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, shown) from None
    except RecursionError:
        raise GazetteError(
            "front matter is nested too deeply to read",
            file=shown,
            line=2,
            hint="front matter holds plain values, lists and small mappings",
        ) from None
    if not isinstance(meta, dict):
        raise GazetteError(
            "front matter must be a set of 'key: value' lines",
            file=shown,
            line=2,
            hint="write e.g. 'title: Headline' and 'date: 2023-09-23'",
        )
    return FrontMatter(meta, front, body, body_line)


MAX_NESTING = 100
_BLOCK_PREFIX = re.compile(r"^[ \t-]*", re.MULTILINE)


def _nesting(front: str) -> int:
    """How deeply the front matter could nest, at most: brackets open at once, or the
    longest run of indentation and '- ' list marks. Only a long text can nest deeply
    enough to matter, so a short one is not looked at."""
    if len(front) < 4 * MAX_NESTING:
        return 0
    depth = deepest = 0
    if front.count("[") + front.count("{") > MAX_NESTING:  # else they cannot nest deeper
        for char in front:
            if char in "[{":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "]}":
                depth = max(0, depth - 1)
    prefix = max((len(m) for m in _BLOCK_PREFIX.findall(front)), default=0)
    return max(deepest, prefix // 2)


def _refuse_aliases(front: str, shown: str) -> None:
    """YAML anchors and aliases (`&a`, `*a`) let a few lines stand for billions of
    values ("billion laughs"), which a template printing them would expand into all of
    memory. Front matter has no use for them, so they are refused; the events are only
    looked at when the text could hold one."""
    if "&" not in front and "*" not in front:
        return
    for event in yaml.parse(front, Loader=YamlLoader):
        alias = isinstance(event, yaml.AliasEvent)
        if alias or getattr(event, "anchor", None) is not None:
            raise GazetteError(
                f"front matter uses a YAML {'alias' if alias else 'anchor'} "
                f"('{'*' if alias else '&'}{event.anchor}')",
                file=shown,
                line=event.start_mark.line + 2,
                hint="write each value out in full; quote a value that starts with & or *",
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


def _yaml_error(exc: yaml.YAMLError, shown: str) -> GazetteError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    hint = "quote values that contain ': ' or start with a special character"
    start = getattr(exc, "context_mark", None)
    unclosed = _UNCLOSED.get(getattr(exc, "context", None) or "")
    if unclosed and start is not None:
        # PyYAML reports where it gave up; the mistake is where the value opened.
        mark, (problem, hint) = start, unclosed
    return GazetteError(
        f"front matter is not valid YAML: {problem}",
        file=shown,
        line=mark.line + 2 if mark is not None else None,
        hint=hint,
    )
