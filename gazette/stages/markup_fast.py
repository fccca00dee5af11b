"""Python-Markdown driven with less work, for the same HTML byte for byte.

Two shortcuts, both checked by tests that convert texts both ways and compare:

- **Inline patterns a text cannot trigger are left out of its conversion**: no
  image patterns without a `![`, no entity pattern without a `&`. Every text the
  inline stage sees is cut from the source, so a pattern whose characters are not
  in the source matches nothing; leaving it out saves a search per text and
  pattern, and the registry's own lookups.
- **The closing bracket of a link's text.** Python-Markdown (3.11) finds the `]`
  that closes a link's `[` by walking every character of the paragraph in
  Python, once for each text a link pattern meets: a quarter of the conversion of
  a news story with a few links. The walk is there to keep unclosed brackets from
  being quadratic; this does the same walk over the brackets alone, found by a
  regular expression in C, with the same answer for every index. It is bound only
  to our converter's link patterns, and only when the installed Markdown has the
  walk it replaces.
"""

from __future__ import annotations

import re
import types
from bisect import bisect_left

import markdown
from markdown.inlinepatterns import InlineProcessor, LinkInlineProcessor

# What each built-in inline pattern needs in the source to match at all. A pattern
# not named here (an extension's, from [markdown]) is always kept.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[^",),
    "reference": ("[",),
    "link": ("[",),
    "short_reference": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_image_ref": ("![",),
    "autolink": ("<", ":"),
    "automail": ("<", "@"),
    "html": ("<",),
    "entity": ("&",),
}


class InlinePatterns:
    """The inline patterns of one converter, chosen per text."""

    def __init__(self, md: markdown.Markdown) -> None:
        self._inline = md.treeprocessors["inline"]
        registry = md.inlinePatterns
        names = {id(registry[name]): name for name in TRIGGERS if name in registry}
        # (what the pattern needs, the pattern), in the registry's order
        self._patterns = [(TRIGGERS.get(names.get(id(p), ""), ()), p) for p in registry]
        self._chosen: dict[tuple[bool, ...], list[InlineProcessor]] = {}

    def use_for(self, text: str) -> None:
        """Give the inline stage the patterns `text` can trigger, in their order."""
        present = tuple(all(part in text for part in needs) for needs, _ in self._patterns)
        chosen = self._chosen.get(present)
        if chosen is None:
            chosen = [
                pattern for (_, pattern), keep in zip(self._patterns, present, strict=True) if keep
            ]
            self._chosen[present] = chosen
        self._inline.inlinePatterns = chosen


_BRACKET = re.compile(r"[\[\]]")


def bracket_ends(data: str) -> tuple[list[int], list[int | None]]:
    """The brackets' places in `data`, and for each the place just past the `]` that
    closes a bracket opened before it (None: never closed). Between two brackets the
    depth does not move, so any index has the answer of the next bracket."""
    places = [match.start() for match in _BRACKET.finditer(data)]
    ends: list[int | None] = [None] * len(places)
    depth = 0
    waiting: list[tuple[int, int]] = []  # (bracket number, depth before it), depths rising
    for number, place in enumerate(places):
        waiting.append((number, depth))
        depth += 1 if data[place] == "[" else -1
        while waiting and depth < waiting[-1][1]:
            ends[waiting.pop()[0]] = place + 1
    return places, ends


def _get_text(self: LinkInlineProcessor, data: str, index: int) -> tuple[str, int, bool]:
    """LinkInlineProcessor.getText's contract: the text from `index` to its closing
    bracket, the index past that bracket, and whether there was one."""
    if getattr(self, "_gazette_data", None) is not data:
        self._gazette_data = data
        self._gazette_ends = bracket_ends(data)
    places, ends = self._gazette_ends
    number = bisect_left(places, index)
    end = ends[number] if number < len(places) else None
    if end is None:
        return data[index:], len(data), False
    return data[index : end - 1], end, True


def speed_up_links(md: markdown.Markdown) -> None:
    """Give `md`'s link and image patterns the bracket search above, if the
    installed Markdown finds brackets the way it replaces (else leave them be)."""
    if not hasattr(LinkInlineProcessor, "_findBracketEnds"):
        return
    for pattern in md.inlinePatterns:
        if isinstance(pattern, LinkInlineProcessor):
            pattern.getText = types.MethodType(_get_text, pattern)  # type: ignore[method-assign]


def built_converter(
    extensions: list[str], configs: dict[str, dict[str, object]]
) -> markdown.Markdown:
    """`markdown.Markdown(extensions=..., extension_configs=...)` with Python-Markdown's
    own extensions given as objects, not names: for each name it looks through every
    installed package's entry points first (a tenth of the time it takes to start).
    'extra' is the seven it registers, in its order, as it registers them."""
    from markdown.extensions import extra

    objects: list[markdown.extensions.Extension | str] = []
    for name in extensions:
        if name == "extra":
            objects += [_extension(part, {}) for part in extra.extensions]
        elif name in _OWN:
            objects.append(_extension(name, configs.get(name, {})))
        else:  # a site's own: found the usual way
            objects.append(name)
    return markdown.Markdown(extensions=objects, extension_configs=configs)


_OWN = {"codehilite", "toc", "sane_lists", "abbr", "attr_list", "def_list", "fenced_code"}
_OWN |= {"footnotes", "md_in_html", "tables", "nl2br", "smarty", "admonition", "meta"}


def _extension(name: str, config: dict[str, object]) -> markdown.extensions.Extension:
    import importlib

    module = importlib.import_module(f"markdown.extensions.{name}")
    return module.makeExtension(**config)
