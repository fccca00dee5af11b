"""Every interface word of the default theme in the edition's language: a paper whose
editions are Bengali and Arabic shows no English word of the English catalogue on its
pages (their text, the aria-labels, titles, alts, placeholders and meta description),
whatever kind of story a page is: live, breaking, corrected, opinion, sponsored,
analysis, a series' part, listings with several pages, the search and 404 pages."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from gazette.stages.strings import STRINGS, missing_words
from tests.cleanbuild import build
from tests.sitekit import article, make_site, soup

NOW = dt.datetime(2024, 5, 27, 6, 0, tzinfo=dt.UTC)
ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")

# Each edition's content, in its own language and script: names and text are content.
TEXT = {
    "bn": {
        "section": "বিশ্ব",
        "author": "ফারহানা রহমান",
        "other": "নাদিয়া ইসলাম",
        "tag": "ঘূর্ণিঝড়",
        "series": "রোহিঙ্গা সংকট",
        "title": "শিরোনাম",
        "body": "উপকূলে সতর্কসংকেত।",
        "note": "আগের সংস্করণে ভুল সংখ্যা ছিল।",
    },
    "ar": {
        "section": "العالم",
        "author": "فرحانة رحمن",
        "other": "نادية إسلام",
        "tag": "إعصار",
        "series": "أزمة الروهينغا",
        "title": "عنوان",
        "body": "تحذير على الساحل.",
        "note": "ذكرت نسخة سابقة رقما خاطئا.",
    },
}


def _stories(code: str, folder: str) -> dict[str, str]:
    t = TEXT[code]
    people = f"[{t['author']}, {t['other']}]"
    live_body = f"{t['body']}\n\n## 08:10\n\n{t['body']}\n\n## 09:30\n\n{t['body']}\n"
    past_midnight = f"{live_body}\n## 2024-05-27 00:30\n\n{t['body']}\n"
    notices = (
        f"\ncorrections:\n  - date: 2024-05-26 11:00\n    text: {t['note']}"
        f"\n  - date: 2024-05-26 12:00\n    text: {t['note']}"
        f"\nupdates:\n  - date: 2024-05-26 13:00\n    text: {t['note']}"
    )
    stories = {
        "live": article(
            t["title"] + " ১",
            past_midnight,
            date="2024-05-26 08:00",
            live="true",
            live_until="2024-05-28 12:00",
            author=people,
            tags=f"[{t['tag']}]",
        ),
        "ended": article(
            t["title"] + " ২",
            live_body,
            date="2024-05-26 07:00",
            live="true",
            live_until="2024-05-26 12:00",
        ),
        "breaking": article(t["title"] + " ৩", t["body"], date="2024-05-26 06:00", breaking="true"),
        "corrected": article(
            t["title"] + " ৪",
            t["body"],
            date="2024-05-26 05:00" + notices,
        ),
        "opinion": article(t["title"] + " ৫", t["body"], date="2024-05-26 04:00", type="opinion"),
        "sponsored": article(
            t["title"] + " ৬", t["body"], date="2024-05-26 03:00", type="sponsored"
        ),
        "analysis": article(t["title"] + " ৭", t["body"], date="2024-05-26 02:00", type="analysis"),
    }
    for part in (1, 2, 3):
        stories[f"series-{part}"] = article(
            f"{t['title']} {part}", t["body"], date=f"2024-05-2{part} 01:00",
            series=t["series"], author=t["author"], tags=f"[{t['tag']}]",
        )  # fmt: skip
    return {f"content/{folder}world/{name}.md": text for name, text in stories.items()}


def _config(first: str, second: str) -> str:
    return (
        'per_page = 4\n\n[sections]\nworld = "World"\n\n'
        f'[editions.{first}]\ntitle = "{TEXT[first]["title"]}"\n'
        f'[editions.{first}.sections]\nworld = "{TEXT[first]["section"]}"\n\n'
        f'[editions.{second}]\ntitle = "{TEXT[second]["title"]}"\n'
        f'[editions.{second}.sections]\nworld = "{TEXT[second]["section"]}"\n'
    )


@pytest.fixture(scope="module", params=[("bn", "ar"), ("ar", "bn")], ids=["bn-first", "ar-first"])
def paper(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A paper of two editions (the first's 404 page is the site's), with small pages
    so that listings have a second page."""
    first, second = request.param
    folder = tmp_path_factory.mktemp(f"paper-{first}")
    files = {**_stories(first, ""), **_stories(second, f"{second}/")}
    config = make_site(folder, files, _config(first, second))
    build(config, folder / "output", now=NOW)
    return folder / "output"


def _english_words() -> set[str]:
    """Every word of the English catalogue's texts, placeholders left out."""
    data = tomllib.loads((STRINGS / "en.toml").read_text(encoding="utf-8"))
    found: set[str] = set()
    for text in data["words"].values():
        found |= set(re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", " ", text)))
    return found


def _shown(page: BeautifulSoup) -> str:
    """What a reader meets of a page: its text, the words of its attributes (labels,
    titles, alts, placeholders) and its meta description."""
    for tag in page(["script", "style"]):
        tag.decompose()
    parts = [page.get_text(" ")]
    for tag in page.find_all(True):
        parts += [str(tag[name]) for name in ATTRIBUTES if tag.has_attr(name)]
    description = page.find("meta", attrs={"name": "description"})
    if description is not None:
        parts.append(str(description["content"]))
    return "\n".join(parts)


def _pages(output: Path, code: str, first: bool) -> list[Path]:
    """Every page of the edition: front page, section, stories, listings and their
    second pages, archives, corrections, search; and the 404 page of the first."""
    if not first:
        return sorted(p for p in (output / code).rglob("*.html") if "pagefind" not in p.parts)
    others = [p for p in output.iterdir() if p.is_dir() and p.name in TEXT]
    return sorted(
        p
        for p in output.rglob("*.html")
        if "pagefind" not in p.parts and not any(p.is_relative_to(o) for o in others)
    )


def _is_first(output: Path, code: str) -> bool:
    """Whether `code` is the paper's first edition, whose pages are at the root."""
    return f'<html lang="{code}"' in (output / "404.html").read_text(encoding="utf-8")


def test_the_english_catalogue_words_are_collected() -> None:
    assert {"Related", "Home", "Page"} <= _english_words()


@pytest.mark.parametrize("code", ["bn", "ar"])
def test_no_english_interface_word_on_an_editions_pages(paper: Path, code: str) -> None:
    first = _is_first(paper, code)
    english = _english_words()
    pages = _pages(paper, code, first)
    assert len(pages) > 20 and any(p.parts[-3:-1] == ("page", "2") for p in pages)
    leaks = {}
    for path in pages:
        assert path.is_file(), path
        words = set(re.findall(r"[A-Za-z]+", _shown(soup(path)))) & english
        if words:
            leaks[str(path.relative_to(paper))] = sorted(words)
    assert not leaks, leaks


def test_the_stories_of_each_kind_are_there(paper: Path) -> None:
    """The pages the check above reads have what it is about: a Live badge, a
    Breaking banner, type labels, the notices, the set-apart notes, a series' parts,
    a finished live story and a second page of a listing."""
    shown = "".join(p.read_text(encoding="utf-8") for p in paper.rglob("*.html"))
    for css in (
        "badge-live", "breaking-label", "story-type", "notices-heading", "set-apart-note",
        "series-nav", "series-part", "live-status", 'rel="next"', "not-found", "byline",
    ):  # fmt: skip
        assert css in shown, css


def test_numbers_in_the_words_are_in_the_editions_digits(paper: Path) -> None:
    """Bengali's counts, parts and times in Bengali digits (০১২), as dates are."""
    root = paper if _is_first(paper, "bn") else paper / "bn"
    shown = [soup(p) for p in sorted((root / "world").glob("*/index.html"))]
    status = " ".join(
        s.select_one(".live-status").get_text() for s in shown if s.select_one(".live-status")
    )
    parts = " ".join(
        s.select_one(".series-nav p").get_text() for s in shown if s.select_one(".series-nav")
    )
    times = " ".join(t.get_text() for s in shown for t in s.select(".live-time"))
    assert "২টি" in status and "১২:০০" in status and "৩ পর্বের" in parts
    assert "০৮:১০" in times and "২৭ মে, ০০:৩০" in times  # an update past the story's day
    assert not re.search(r"[0-9A-Za-z]", status + parts + times)


def test_check_lists_the_new_words_for_a_language_without_them() -> None:
    """Urdu's file has its Hijri names only: `check` names every word, the new ones too."""
    untranslated = missing_words("ur")
    assert {"Breaking", "Live", "Live coverage ended.", "{n} updates.", "Opinion"} <= set(
        untranslated
    )
    assert missing_words("bn") == [] and missing_words("ar") == []
