"""Markdown to HTML: extensions on, Pygments classes, dateline and credit placement."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup

from gazette.hijri import HijriDate
from gazette.model import Article
from gazette.stages.markup import (
    CODE_CSS_CLASS,
    MarkdownRenderer,
    code_stylesheet,
    render_articles,
    with_dateline_and_credit,
)


def html_of(text: str) -> BeautifulSoup:
    html, _toc = MarkdownRenderer().convert(text)
    return BeautifulSoup(html, "html.parser")


def test_tables() -> None:
    soup = html_of("| a | b |\n|---|--:|\n| 1 | 2 |\n")
    table = soup.find("table")
    assert table is not None
    assert [th.get_text() for th in table.find_all("th")] == ["a", "b"]
    assert [td.get_text() for td in table.find_all("td")] == ["1", "2"]


def test_footnotes() -> None:
    soup = html_of("Claim.[^1]\n\n[^1]: The source.\n")
    ref = soup.find("a", class_="footnote-ref")
    assert ref is not None
    target = soup.find(id=ref["href"].lstrip("#"))
    assert target is not None and "The source." in target.get_text()


def test_fenced_code_is_highlighted_with_css_classes_not_inline_styles() -> None:
    soup = html_of("```python\ndef f():\n    return 1\n```\n")
    block = soup.find("div", class_=CODE_CSS_CLASS)
    assert block is not None
    keyword = block.find("span", class_="k")
    assert keyword is not None and keyword.get_text() == "def"
    assert not soup.find(style=True)


def test_code_stylesheet_targets_the_same_class() -> None:
    css = code_stylesheet()
    assert f".{CODE_CSS_CLASS} .k " in css


def test_headings_get_ids_and_a_toc() -> None:
    html, toc = MarkdownRenderer().convert("## What changed\n\ntext\n\n## How to upgrade\n")
    soup = BeautifulSoup(html, "html.parser")
    assert [h["id"] for h in soup.find_all("h2")] == ["what-changed", "how-to-upgrade"]
    toc_links = [a["href"] for a in BeautifulSoup(toc, "html.parser").find_all("a")]
    assert toc_links == ["#what-changed", "#how-to-upgrade"]


def test_renderer_is_reset_between_documents() -> None:
    renderer = MarkdownRenderer()
    renderer.convert("Claim.[^1]\n\n[^1]: First.\n")
    html, _ = renderer.convert("Plain.\n")
    assert "footnote" not in html


def test_dateline_opens_the_first_paragraph_and_credit_closes_the_last() -> None:
    html = with_dateline_and_credit("<p>First.</p>\n<p>Last.</p>", "MOSCOW", "AFP")
    soup = BeautifulSoup(html, "html.parser")
    paragraphs = soup.find_all("p")
    assert paragraphs[0].get_text() == "MOSCOW: First."
    assert paragraphs[0].contents[0]["class"] == ["dateline"]
    assert paragraphs[-1].get_text() == "Last. — AFP"
    assert paragraphs[-1].find("span", class_="credit").get_text() == "— AFP"


def test_dateline_and_credit_are_escaped() -> None:
    html = with_dateline_and_credit("<p>x</p>", "<b>A&B</b>", "<i>R</i>")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("b") is None and soup.find("i") is None
    assert soup.get_text() == "<b>A&B</b>: x — <i>R</i>"


def test_body_not_starting_with_a_paragraph_gets_its_own_dateline_paragraph() -> None:
    html = with_dateline_and_credit('<h2 id="a">A</h2>\n<p>x</p>', "DHAKA", None)
    soup = BeautifulSoup(html, "html.parser")
    first = next(iter(soup.find_all(True)))
    assert first.name == "p" and first.get_text().strip() == "DHAKA:"


def test_credit_comes_before_footnotes() -> None:
    body = "Claim.[^1]\n\nLast paragraph.\n\n[^1]: The source.\n"
    html, _ = MarkdownRenderer().convert(body)
    soup = BeautifulSoup(with_dateline_and_credit(html, None, "AFP"), "html.parser")
    credit = soup.find("span", class_="credit")
    assert credit is not None
    assert credit.find_parent("div", class_="footnote") is None
    assert credit.parent.get_text().startswith("Last paragraph.")


def test_render_articles_fills_html_and_toc() -> None:
    article = Article(
        path="world/a.md",
        title="T",
        date=dt.datetime(2023, 9, 23, tzinfo=ZoneInfo("UTC")),
        hijri=HijriDate(1445, 3, 7),
        section="world",
        slug="t",
        body="## Head\n\nText.\n",
        source="AFP",
    )
    [done] = render_articles([article])
    assert done.html.startswith('<h2 id="head">')
    assert "— AFP" in BeautifulSoup(done.html, "html.parser").get_text()
    assert article.html == ""  # the input is not modified
