"""Reading a WordPress export (WXR) safely: an RSS file with WordPress's namespaces.

The file is first run through expat on its own, which refuses any DTD or
entity declaration (a "billion laughs" file would otherwise expand in memory)
and finds where a cut-short or broken export goes wrong, with its line; only
then does ElementTree build the tree. Export versions 1.0 to 1.2 differ only in
their namespace URIs, so names are read by prefix (`wp:post_id`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from gazette.errors import GazetteError

_PREFIXES = (
    ("http://purl.org/rss/1.0/modules/content/", "content"),
    ("http://purl.org/dc/elements/1.1/", "dc"),
    ("http://wordpress.org/export/", "wp"),  # .../1.2/ and .../1.2/excerpt/
)
_HINT = "export the site again (Tools > Export in WordPress) and give the .xml file it saves"


_CUT_SHORT = {
    expat.errors.codes[name]
    for name in (
        expat.errors.XML_ERROR_NO_ELEMENTS,
        expat.errors.XML_ERROR_UNCLOSED_TOKEN,
        expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
        expat.errors.XML_ERROR_PARTIAL_CHAR,
    )
}


class _Refused(Exception):
    """A declaration the importer will not expand."""


@dataclass(frozen=True)
class Node:
    """An element with its children by prefixed name, for short lookups."""

    element: ET.Element

    def text(self, name: str) -> str:
        found = self.first(name)
        return (found.element.text or "").strip() if found else ""

    def raw(self, name: str) -> str:
        """Text as written (a body's own whitespace matters)."""
        found = self.first(name)
        return (found.element.text or "") if found else ""

    def first(self, name: str) -> Node | None:
        return next(iter(self.all(name)), None)

    def all(self, name: str) -> list[Node]:
        return [Node(child) for child in self.element if local_name(child.tag) == name]


def local_name(tag: str) -> str:
    """`{http://wordpress.org/export/1.2/}post_id` as `wp:post_id`."""
    if not tag.startswith("{"):
        return tag
    uri, _, name = tag[1:].partition("}")
    for start, prefix in _PREFIXES:
        if uri.startswith(start):
            if prefix == "wp" and uri.rstrip("/").endswith("excerpt"):
                return f"excerpt:{name}"
            return f"{prefix}:{name}"
    return name


def read_wxr(path: Path) -> tuple[Node, list[int]]:
    """The export's <channel>, and the line of each <item> in it, in order."""
    if not path.is_file():
        raise GazetteError(
            "WordPress export not found",
            file=path,
            hint="give the path of the .xml file WordPress's Tools > Export saved",
        )
    data = path.read_bytes()
    lines = _check(data, path)
    root = ET.fromstring(data)
    channel = root.find("channel")
    children = list(channel) if channel is not None else []
    is_wxr = any(local_name(child.tag).startswith("wp:") for child in children)
    if root.tag != "rss" or channel is None or not is_wxr:
        raise GazetteError(
            "this XML file is not a WordPress export (no <rss><channel> with wp: elements)",
            file=path,
            hint=_HINT,
        )
    return Node(channel), lines


def _check(data: bytes, path: Path) -> list[int]:
    """Parse once with expat: refuse declarations, locate errors, note item lines."""
    parser = expat.ParserCreate()
    lines: list[int] = []
    depth = [0]

    def refuse(*_: object) -> None:
        raise _Refused

    def start(name: str, _attributes: dict[str, str]) -> None:
        depth[0] += 1
        if name == "item" and depth[0] == 3:
            lines.append(parser.CurrentLineNumber)

    def end(_name: str) -> None:
        depth[0] -= 1

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused:
        raise GazetteError(
            "the export declares a DTD or entities, which a WordPress export never has",
            file=path,
            line=parser.CurrentLineNumber,
            hint="this file did not come from WordPress as it is; " + _HINT,
        ) from None
    except expat.ExpatError as exc:
        raise _xml_error(exc, data, path) from None
    return lines


def _xml_error(exc: expat.ExpatError, data: bytes, path: Path) -> GazetteError:
    reason = expat.ErrorString(exc.code)
    if not data.lstrip().startswith(b"<"):
        return GazetteError(
            "this file is not XML, so not a WordPress export", file=path, line=1, hint=_HINT
        )
    at_end = exc.lineno >= data.rstrip().count(b"\n") + 1
    if at_end and exc.code in _CUT_SHORT:
        return GazetteError(
            f"the export ends too early ({reason}); it was cut short",
            file=path,
            line=exc.lineno,
            hint="the download or copy did not finish; " + _HINT,
        )
    return GazetteError(
        f"the export is not valid XML: {reason}",
        file=path,
        line=exc.lineno,
        column=exc.offset + 1,
        hint="a plugin may have written stray text into the export; " + _HINT,
    )
