"""One file's front matter on its way to an Article, and what every key's check uses."""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass, field
from typing import Any

from gazette.errors import GazetteError
from gazette.stages.config import Config


@dataclass
class Front:
    """One file's front matter on its way to an Article."""

    meta: dict[str, Any]
    text: str  # the YAML, to find a key's line in
    path: str  # relative to content/
    shown: str  # as the user would type it
    config: Config
    fields: dict[str, Any] = field(default_factory=dict)
    body: str = ""  # the Markdown after the front matter: a live story's updates are in it
    body_line: int = 1  # the file's line the body starts at
    within: str = ""  # the path inside its edition's folder ("bn/world/x.md": "world/x.md")

    @property
    def is_page(self) -> bool:
        return self.fields.get("kind") == "page"

    def fail(self, key: str, message: str, hint: str | None = None) -> GazetteError:
        return GazetteError(message, file=self.shown, line=key_line(self.text, key), hint=hint)


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60


def short(value: Any) -> str:
    """A value as a message can show it: YAML aliases can make a 'list' of millions."""
    return _REPR.repr(value)


def kind_of(value: Any) -> str:
    return {dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)


def key_line(front: str, key: str) -> int | None:
    """Line number (in the whole file) of a top-level front matter key."""
    pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?\s*:")
    for index, line in enumerate(front.split("\n")):
        if pattern.match(line):
            return index + 2
    return None
