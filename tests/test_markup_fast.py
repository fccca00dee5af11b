"""Python-Markdown driven with less work gives the HTML of the stock converter, byte
for byte: the benchmark's corpus, link-heavy newsletter text, every Markdown file in
the repository, and random texts made of Markdown's special characters."""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import LinkInlineProcessor

from gazette.stages.config_tables import MarkdownConfig
from gazette.stages.markup import MarkdownRenderer, stock_converter
from gazette.stages.markup_fast import bracket_ends

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402

OPTIONS = [MarkdownConfig(), MarkdownConfig(heading_links=True, guess_code_language=True)]


def both_ways(text: str, options: MarkdownConfig) -> tuple[tuple[str, str], tuple[str, str]]:
    stock = stock_converter(options)
    expected = (stock.convert(text), getattr(stock, "toc", ""))
    return expected, MarkdownRenderer(options).convert(text)


def newsletter(rng: random.Random, issue: int) -> str:
    """An issue of a weekly link digest, as This Week in Rust writes them: lists of
    links, nested and unclosed brackets, references, images, autolinks, entities."""
    words = "crate async borrow trait macro release compiler Rust cargo tokio serde".split()
    lines = [f"# Issue {issue}", "", f"Hello and welcome to issue {issue}!", ""]
    for section in range(rng.randint(2, 5)):
        lines += [f"## Section {section} &amp; more", ""]
        for item in range(rng.randint(3, 12)):
            title = " ".join(rng.sample(words, 3))
            url = f"https://example.org/{issue}/{section}/{item}?a=1&b=2"
            shape = rng.randrange(9)
            if shape == 0:
                lines.append(f"* [{title} [v{item}]]({url})")
            elif shape == 1:
                lines.append(f'* [{title}]({url} "a title") and [unclosed {title}')
            elif shape == 2:
                lines.append(f"* [{title}][ref{item}] with `[code]` and \\[escaped]")
                lines.append(f"\n[ref{item}]: {url}\n")
            elif shape == 3:
                lines.append(f"* ![{title}](/img/{item}.png) <{url}> <editor{item}@example.org>")
            elif shape == 4:
                lines.append(f"* **{title}**: [a]({url}) [b]({url}) [c]({url})[^n{item}]")
                lines.append(f"\n[^n{item}]: A note with [a link]({url}).\n")
            elif shape == 5:
                lines.append(f"* <span>{title}</span> &copy; [x](<{url}>) [y]()")
            elif shape == 6:
                lines.append(f"* [{title}](https://example.org/(paren)/{item}) ]] [[ ]")
            elif shape == 7:
                lines.append(f"* [![{title}](/i.png)]({url}) _{title}_  ")
            else:
                lines.append(f"* [{title}]\n\n[{title}]: {url}")
        lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("options", OPTIONS)
def test_the_benchmark_corpus_converts_to_the_same_html(options: MarkdownConfig) -> None:
    rng = random.Random(7)
    start = dt.datetime(2024, 6, 30, 18, 0)
    for number in range(150):
        body = corpus.article_text(rng, number, start)[1].split("---", 2)[2]
        expected, got = both_ways(body, options)
        assert got == expected, f"article {number}"


@pytest.mark.parametrize("options", OPTIONS)
def test_link_heavy_newsletters_convert_to_the_same_html(options: MarkdownConfig) -> None:
    rng = random.Random(11)
    for issue in range(60):
        text = newsletter(rng, issue)
        expected, got = both_ways(text, options)
        assert got == expected, text


def test_every_markdown_file_in_the_repository_converts_to_the_same_html() -> None:
    files = [
        path
        for folder in ("content", "tests", "gazette")
        for path in sorted((ROOT / folder).rglob("*.md"))
    ]
    assert len(files) > 50
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # a broken fixture that is not UTF-8 on purpose
        front_matter = text.startswith("---") and text.count("---") >= 2
        body = text.split("---", 2)[2] if front_matter else text
        for options in OPTIONS:
            expected, got = both_ways(body, options)
            assert got == expected, path


SPECIAL = "[]()!<>&;*_`\\^:@#|-=~/\"' \n\tab1x"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=SPECIAL, max_size=120))
def test_random_markdown_converts_to_the_same_html(text: str) -> None:
    expected, got = both_ways(text, OPTIONS[0])
    assert got == expected


@pytest.mark.skipif(
    not hasattr(LinkInlineProcessor, "_findBracketEnds"),
    reason="this Markdown finds brackets another way, and keeps its own search",
)
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]ab!", max_size=60))
def test_closing_brackets_are_found_where_python_markdown_finds_them(data: str) -> None:
    expected = LinkInlineProcessor._findBracketEnds(data)
    places, ends = bracket_ends(data)
    for index in range(len(data) + 1):
        following = [number for number, place in enumerate(places) if place >= index]
        got = ends[following[0]] if following else None
        assert got == expected[index], index


def test_a_site_extension_keeps_every_inline_pattern() -> None:
    """An extension of the site's own may put text in before the inline stage, so a
    converter with one chooses nothing away."""
    renderer = MarkdownRenderer(MarkdownConfig(extensions=("nl2br",)))
    expected, got = both_ways("a *b*\nc [d](e) &amp;", MarkdownConfig(extensions=("nl2br",)))
    assert got == expected
    assert "<br />" in got[0]
    assert renderer.convert("x")[0] == "<p>x</p>"
