"""The one error type for mistakes a user can make.

Every stage raises `GazetteError` for bad content, config or templates, so the
CLI can print a clean `file:line: message` with a hint instead of a traceback.
Anything else escaping the pipeline is a bug in Gazette, not in the site.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


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
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.hint = hint
        self.problems: list[GazetteError] = list(problems)
        super().__init__(str(self))

    @classmethod
    def collect(cls, errors: list[GazetteError], cap: int = 50) -> GazetteError:
        """Fold several problems into one error, so a build reports them together."""
        if len(errors) == 1:
            return errors[0]
        shown = errors[:cap]
        more = len(errors) - len(shown)
        message = f"{len(errors)} problems found"
        if more:
            message += f" ({more} more not shown)"
        return cls(message, problems=shown)

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
        return "\n".join([self.message + ":"] + [p.one_line() for p in self.problems])

    def all_problems(self) -> list[GazetteError]:
        return self.problems or [self]
