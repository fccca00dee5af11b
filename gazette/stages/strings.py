"""The default theme's interface words per language: one TOML file each in
`gazette/theme/strings/` (a strings file is simpler than gettext catalogues and
needs no compile step). English is the key and the fallback: a word a language's
file lacks is shown in English, and `check` lists it (`missing_words`).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field

from gazette.themes import THEME_DIR

STRINGS = THEME_DIR / "strings"


@dataclass(frozen=True)
class Catalogue:
    """One language's words (English text -> its translation) and Hijri calendar names."""

    language: str
    words: dict[str, str] = field(default_factory=dict)
    hijri_format: str = ""
    hijri_months: tuple[str, ...] = ()

    def word(self, english: str) -> str:
        return self.words.get(english) or english


@functools.lru_cache(maxsize=64)
def catalogue(language: str) -> Catalogue:
    """The language's file ("bn-BD" reads bn.toml), or an empty catalogue: all English."""
    primary = language.replace("_", "-").split("-")[0].lower()
    path = STRINGS / f"{primary}.toml"
    if not path.is_file():
        return Catalogue(primary)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    words = {str(k): str(v) for k, v in data.get("words", {}).items()}
    months = tuple(str(m) for m in data.get("hijri_months", ()))
    return Catalogue(primary, words, str(data.get("hijri_format", "")), months)


def word(language: str, english: str) -> str:
    """`english` in `language` ("": a site of one language, which stays English)."""
    return catalogue(language).word(english) if language else english


def missing_words(language: str) -> list[str]:
    """The English words a language's file does not translate, in the English file's order."""
    own = catalogue(language)
    return [word for word in catalogue("en").words if word not in own.words]
