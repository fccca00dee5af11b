"""URL slugs from headlines in any script, always safe as one path segment.

Two styles, chosen in config (`[content] slugs`): "ascii" transliterates
(Bengali, Arabic, Cyrillic... become Latin letters, which every tool and
reader can type); "unicode" keeps each script's own letters, which Bengali or
Arabic editions often prefer. python-slugify's own Unicode mode drops the
vowel signs of Indic scripts (they are combining marks), so that style is done
here: letters, digits and marks kept, everything else a hyphen.
"""

from __future__ import annotations

import re
import unicodedata

from slugify import slugify

STYLES = ("ascii", "unicode")
MAX_CHARS = 80  # in characters; also capped in bytes below, for 255-byte file names
MAX_BYTES = 200
_HYPHENS = re.compile(r"-{2,}")
# Dropped, not turned into hyphens: "Kim's visit" is kims-visit, not kim-s-visit.
_APOSTROPHES = re.compile("['\u2018\u2019`]")


def make_slug(text: str, style: str = "ascii") -> str:
    """A slug of letters, digits, marks and single hyphens; '' when nothing is left."""
    text = _APOSTROPHES.sub("", text)
    if style == "unicode":
        slug = _unicode_slug(text)
    else:
        slug = slugify(text, max_length=MAX_CHARS, word_boundary=True)
    return _cap(slug)


def _unicode_slug(text: str) -> str:
    normal = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else "-" for c in normal)
    slug = _HYPHENS.sub("-", kept).strip("-")
    # A mark cannot start a name on its own (it would attach to the '/' before it).
    while slug and unicodedata.category(slug[0])[0] == "M":
        slug = slug[1:].lstrip("-")
    return slug


def _cap(slug: str) -> str:
    """Cut at a hyphen near the limit, so words stay whole and file names stay short."""
    if len(slug) > MAX_CHARS:
        cut = slug[:MAX_CHARS]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    while len(slug.encode("utf-8")) > MAX_BYTES:
        slug = slug[:-1]
    return slug.strip("-")
