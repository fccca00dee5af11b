"""Markdown to HTML: extensions on, Pygments classes, dateline and credit placement,
and the plain-text opening words that feeds and listings show."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from gazette.hijri import HijriDate
from gazette.model import Article
from gazette.stages.markup import (
    CODE_CSS_CLASS,
    EXCERPT_SCAN,
    EXCERPT_WORDS,
    INLINE_TAGS,
    MarkdownRenderer,
    code_stylesheet,
    opening_text,
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


def test_opening_text_joins_a_link_to_the_punctuation_after_it() -> None:
    html = (
        '<p>Read this issue of <a href="https://this-week-in-rust.org">This Week in Rust</a>!</p>'
    )
    assert opening_text(html) == "Read this issue of This Week in Rust!"


def test_opening_text_joins_code_to_the_letters_after_it() -> None:
    assert opening_text("<p>Two <code>IpAddr</code>s compare.</p>") == "Two IpAddrs compare."


def test_opening_text_of_markdown_output() -> None:
    body = "See [*the* `IpAddr`](https://x.org)s, H~2~O; or **not**.\n\n## Next\n\n- one\n- two\n"
    html, _ = MarkdownRenderer().convert(body)
    assert opening_text(html) == "See the IpAddrs, H~2~O; or not. Next one two"


@pytest.mark.parametrize("tag", sorted(INLINE_TAGS))
def test_inline_tags_join_the_text_around_them(tag: str) -> None:
    assert opening_text(f'<p>x<{tag} class="c">y</{tag}>z</p>') == "xyz"
    assert opening_text(f"<P>x<{tag.upper()}>y</{tag.upper()}>z</P>") == "xyz"


@pytest.mark.parametrize(
    "tag",
    "p li ul ol h1 h2 h3 h4 h5 h6 div blockquote pre table tr td th figure figcaption"
    " section dl dt dd details summary".split(),
)
def test_block_tags_separate_words(tag: str) -> None:
    assert opening_text(f'x<{tag} class="c">y</{tag}>z') == "x y z"


def test_paragraphs_are_separate_words() -> None:
    assert opening_text("<p>one</p><p>two</p>") == "one two"


@pytest.mark.parametrize("br", ["<br>", "<br/>", "<br />", "<BR>", "<hr>", "<img src='x.png'>"])
def test_line_breaks_rules_and_images_separate_words(br: str) -> None:
    assert opening_text(f"<p>one{br}two</p>") == "one two"


def test_unknown_tags_and_comments_separate_words() -> None:
    assert opening_text("<p>one<x-widget>two</x-widget><!-- note -->three</p>") == "one two three"


def test_entities_are_decoded_after_tags_are_gone() -> None:
    html = "<p>Q&amp;A: &lt;b&gt; is <em>caf&eacute;</em>&#x2019;s&nbsp;tag &#8212; ok</p>"
    assert opening_text(html) == "Q&A: <b> is café’s tag — ok"


def _words(count: int) -> str:
    return " ".join(f"w{n}" for n in range(count))


@pytest.mark.parametrize("count", [EXCERPT_WORDS - 1, EXCERPT_WORDS])
def test_a_short_body_is_whole(count: int) -> None:
    assert opening_text(f"<p>{_words(count)}</p>") == _words(count)


def test_a_long_body_is_cut_to_its_opening_words() -> None:
    text = opening_text(f"<p>{_words(EXCERPT_WORDS + 1)}</p>")
    assert text == _words(EXCERPT_WORDS) + " …"
    assert opening_text(f"<p>{_words(1000)}</p>") == text


def _cut_at_the_scan(before: str, after: str) -> str:
    """A body whose scanned part ends just after `before`: a long attribute fills the rest."""
    start, end = '<p><span title="', '"></span>'
    fill = EXCERPT_SCAN - len(start) - len(end) - len(before)
    html = f"{start}{'x' * fill}{end}{before}{after}"
    assert html[:EXCERPT_SCAN].endswith(before)
    return html


def test_a_tag_cut_by_the_scan_gives_no_words() -> None:
    html = _cut_at_the_scan(f'{_words(59)} <a href="x" title="a b', ' c">link</a> more</p>')
    assert opening_text(html) == f"{_words(59)} link …"


def test_an_entity_cut_by_the_scan_is_not_a_word() -> None:
    html = _cut_at_the_scan(f"{_words(EXCERPT_WORDS)} &nbs", "p;</p>")
    assert opening_text(html) == _words(EXCERPT_WORDS)


def test_a_word_cut_by_the_scan_is_read_whole() -> None:
    html = _cut_at_the_scan(f"{_words(58)} <code>IpAddr</code>", "s compare more</p>")
    assert opening_text(html) == f"{_words(58)} IpAddrs compare …"


def test_a_body_as_long_as_the_scan_is_not_cut() -> None:
    html = _cut_at_the_scan(f"{_words(EXCERPT_WORDS)} last", "")
    assert len(html) == EXCERPT_SCAN
    assert opening_text(html) == _words(EXCERPT_WORDS) + " …"


def test_a_body_of_spaces_and_a_long_tag_has_no_words() -> None:
    assert opening_text(f'\n<img alt="{"x" * EXCERPT_SCAN}">') == ""
