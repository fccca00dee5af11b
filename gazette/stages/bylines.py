"""The front matter keys that name a story's authors: `author:` and `authors:`.

Both take one name or a list and mean the same. Importers write the first author
as `author:` (what single-author generators read) and the whole list as `authors:`,
so when both are given `authors:` is the full list.
"""

from __future__ import annotations

from typing import Any

from gazette.stages.front import Front, kind_of

_HINT = "write 'author: Farhana Rahman' or 'authors: [Farhana Rahman, Tanvir Ahmed]'"


def authors(key: str, value: Any, front: Front) -> tuple[str, ...]:
    """Every byline, in order, each once; both keys are checked for their type."""
    found = {name: _names(name, front.meta.get(name), front) for name in ("authors", "author")}
    return found["authors"] or found["author"]


def first_author(key: str, value: Any, front: Front) -> str | None:
    """The first byline, for templates and code that show one author."""
    names: tuple[str, ...] = front.fields["authors"]
    return names[0] if names else None


def _names(key: str, value: Any, front: Front) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    seen: dict[str, None] = {}
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            what = kind_of(item) if item is not value else kind_of(value)
            raise front.fail(key, f"'{key}' must be a name or a list of names, not {what}", _HINT)
        name = " ".join(str(item).split())  # one line, single spaces: how pages show it
        if name:
            seen.setdefault(name, None)
    return tuple(seen)
