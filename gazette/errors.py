"""The one error type for mistakes a user can make.

Every stage raises `GazetteError` for bad content, config or templates, so the
CLI can print a clean `file:line: message` with a hint instead of a traceback.
Anything else escaping the pipeline is a bug in Gazette, not in the site.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePath


class GazetteError(Exception):
    """A user-caused problem, located in a file (and line, where known)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        problems: Iterable[GazetteError] = (),
        lines: Iterable[str] | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.hint = hint
        self.problems: list[GazetteError] = list(problems)
        # What str() lists under the message: one line per problem unless collect() grouped them.
        self.lines = list(lines) if lines is not None else [p.one_line() for p in self.problems]
        super().__init__(str(self))

    @classmethod
    def collect(cls, errors: list[GazetteError], cap: int = 50) -> GazetteError:
        """Fold several problems into one error, so a build reports them together.

        Problems of one cause in one folder show as one line (a folder missing from
        [sections] gives one error per file); `cap` counts those lines, and
        `all_problems()` still gives every problem.
        """
        if len(errors) == 1:
            return errors[0]
        problems = [problem for error in errors for problem in error.all_problems()]
        lines = _report_lines(problems)
        hidden = sum(count for _, count in lines[cap:])
        message = f"{len(problems)} problems found"
        if hidden:
            message += f" ({hidden} more not shown)"
        return cls(message, problems=problems, lines=[line for line, _ in lines[:cap]])

    @property
    def location(self) -> str:
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def one_line(self) -> str:
        where = self.location
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def __str__(self) -> str:
        if not self.problems:
            return self.one_line()
        return "\n".join([self.message + ":", *self.lines])

    def all_problems(self) -> list[GazetteError]:
        """Every problem on its own, for code that sorts or counts them (check, serve)."""
        return self.problems or [self]


def _report_lines(problems: list[GazetteError]) -> list[tuple[str, int]]:
    """One line per problem, except that problems with the same message and hint in
    two or more files of one folder share a line; each line with how many it stands for."""
    keys = [_group_key(problem) for problem in problems]
    groups: dict[tuple[str, str, str | None], list[GazetteError]] = {}
    for key, problem in zip(keys, problems, strict=True):
        if key is not None:
            groups.setdefault(key, []).append(problem)
    files = {key: len({member.file for member in group}) for key, group in groups.items()}
    lines: list[tuple[str, int]] = []
    for key, problem in zip(keys, problems, strict=True):
        if key is None or files[key] < 2:
            lines.append((problem.one_line(), 1))
        elif problem is groups[key][0]:
            lines.append((_folded_line(key[0], groups[key], files[key]), len(groups[key])))
    return lines


def _group_key(problem: GazetteError) -> tuple[str, str, str | None] | None:
    """Problems alike but for their file: same folder, message and hint."""
    if problem.file is None:
        return None
    folder = str(PurePath(problem.file).parent).replace("\\", "/").rstrip("/") + "/"
    return folder, problem.message, problem.hint


def _folded_line(folder: str, group: list[GazetteError], files: int) -> str:
    first = group[0]
    counts = f"{files} files" + (f", {len(group)} problems" if len(group) > files else "")
    text = f"{folder} ({counts}, e.g. {first.location}): {first.message}"
    if first.hint:
        text += f" (hint: {first.hint})"
    return text
