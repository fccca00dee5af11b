"""Stage 3: article bodies from Markdown to HTML, code highlighted by Pygments.

Highlighting uses CSS classes, not inline styles, so one generated stylesheet
themes all code and the page HTML stays small.
"""

from __future__ import annotations

import dataclasses
import functools
import html as entities
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from markupsafe import escape

from gazette.model import Article
from gazette.stages.config_tables import MarkdownConfig
from gazette.stages.live import UPDATES_OPENING, live_html

if TYPE_CHECKING:  # Python-Markdown is loaded when a text is first converted: a build
    import markdown  # with nothing to convert (most rebuilds) never needs it

CODE_CSS_CLASS = "highlight"
_FOOTNOTES = '<div class="footnote">'
EXTENSIONS = ["extra", "codehilite", "toc", "sane_lists"]


def stock_converter(
    options: MarkdownConfig, make: Callable[..., markdown.Markdown] | None = None
) -> markdown.Markdown:
    """Python-Markdown as configured, with none of markup_fast's shortcuts (`make`: how
    to make it from extension names and their settings; by default as Python-Markdown
    does, which the tests compare the shortcuts with)."""
    import markdown

    permalink = options.heading_link_symbol if options.heading_links else False
    configs = {
        "codehilite": {"css_class": CODE_CSS_CLASS, "guess_lang": options.guess_code_language},
        "toc": {"permalink": permalink},
    }
    extensions = [*EXTENSIONS, *(e for e in options.extensions if e not in EXTENSIONS)]
    if make is not None:
        return make(extensions, configs)
    return markdown.Markdown(extensions=extensions, extension_configs=configs)


class MarkdownRenderer:
    """A reusable Markdown converter; building one per article would be slow."""

    def __init__(self, options: MarkdownConfig | None = None) -> None:
        from gazette.stages.markup_fast import InlinePatterns, built_converter, speed_up_links

        options = options or MarkdownConfig()
        self._md = stock_converter(options, built_converter)
        speed_up_links(self._md)
        # An extension of the site's own may add text before the inline stage, so
        # the inline patterns are chosen per text only with the built-in ones.
        builtin = all(name in EXTENSIONS for name in options.extensions)
        self._inline = InlinePatterns(self._md) if builtin else None

    def convert(self, text: str) -> tuple[str, str]:
        """Return (body HTML, table-of-contents HTML)."""
        self._md.reset()
        if self._inline is not None:
            self._inline.use_for(text)
        html = self._md.convert(text)
        return html, getattr(self._md, "toc", "")


def with_dateline_and_credit(html: str, dateline: str | None, source: str | None) -> str:
    """Open the first paragraph with the dateline and close the last with the credit,
    as printed newspapers do ('MOSCOW: ...' and '... — AFP')."""
    if dateline:
        opening = f'<span class="dateline">{escape(dateline)}:</span> '
        html = (
            html.replace("<p>", "<p>" + opening, 1)
            if html.startswith("<p>")
            else (f"<p>{opening}</p>\n{html}")
        )
    if source:
        # The credit ends the story text, so it goes before any footnotes.
        story, marker, notes = html.partition(_FOOTNOTES)
        story = story.rstrip()
        credit = f'<span class="credit">— {escape(source)}</span>'
        if story.endswith("</p>"):
            story = f"{story[:-4]} {credit}</p>"
        else:
            story = f'{story}\n<p class="credit-line">{credit}</p>'
        html = f"{story}\n{marker}{notes}" if marker else story
    return html


# Inline (phrasing) elements sit inside a word as often as between words
# ('<code>IpAddr</code>s'), so they join text; every other tag -- blocks, <br>,
# <img>, comments, anything unknown -- separates words, as a browser lays them out.
INLINE_TAGS = frozenset(
    "a abbr acronym b bdi bdo big cite code data del dfn em font i ins kbd mark nobr q rb rp rt"
    " ruby s samp small span strike strong sub sup time tt u var wbr".split()
)


def _names_pattern(names: Iterable[str]) -> str:
    """Names grouped by first letter, lower and upper case: the regex tries a few
    branches per tag instead of all of them, and without re.IGNORECASE, which
    doubles its cost. A mixed-case '<Em>' separates words, as before."""
    groups: dict[str, list[str]] = {}
    for name in sorted({*names, *(name.upper() for name in names)}):
        groups.setdefault(name[0], []).append(re.escape(name[1:]))
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


_INLINE_TAG = re.compile(rf"</?(?:{_names_pattern(INLINE_TAGS)})(?=[\s/>])[^>]*>")
_TAG = re.compile(r"<[^>]+>")
EXCERPT_WORDS = 60
EXCERPT_SCAN = 4000  # characters of body HTML that hold the opening words of nearly any story


def opening_text(html: str) -> str:
    """The body's opening words as plain text: the excerpt of a story with no summary.
    Kept on the article, so lists and feeds need not hold its HTML. A live story's are
    its introduction's, when it has one, not its updates'."""
    intro, marker, _ = html.partition(UPDATES_OPENING)
    if marker and intro.strip():
        html = intro
    words = _words(html[:EXCERPT_SCAN], cut=len(html) > EXCERPT_SCAN)
    if len(words) <= EXCERPT_WORDS:  # a short body, or long markup: read it all
        words = _words(html, cut=False)
    text = " ".join(words[:EXCERPT_WORDS])
    return text + " …" if len(words) > EXCERPT_WORDS else text


def plain_text(html: str) -> str:
    """The whole text of a body, for the search index: words, not markup."""
    return " ".join(_words(html, cut=False))


def _words(markup: str, *, cut: bool) -> list[str]:
    """Words of the markup's text; when it is cut from a longer body, only words
    the rest cannot change: a half tag at the end goes, and the last word too,
    since the body may go on with more letters, an inline tag or an entity's end."""
    if cut and markup.rfind("<") > markup.rfind(">"):
        markup = markup[: markup.rfind("<")]
    words = entities.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", markup))).split()
    return words[:-1] if cut else words


def convert_article(
    renderer: MarkdownRenderer, article: Article, sanitize: bool = False
) -> tuple[str, str]:
    """An article's body as (HTML, table of contents), dateline and credit included;
    `sanitize` (config: content.untrusted) makes raw HTML inert."""
    clean = _unchanged
    if sanitize:
        from gazette.stages.sanitize import (
            sanitize_html as clean,  # loading nh3 takes 35 ms: only when needed
        )
    if article.live:  # each update converted on its own, in a section of its own
        dateline = functools.partial(
            with_dateline_and_credit, dateline=article.dateline, source=None
        )
        html = live_html(lambda text: clean(renderer.convert(text)[0]), article, dateline)
        return with_dateline_and_credit(html, None, article.source), ""
    html, toc = renderer.convert(article.body)
    html, toc = clean(html), clean(toc)
    return with_dateline_and_credit(html, article.dateline, article.source), toc


def _unchanged(html: str) -> str:
    return html


def render_articles(articles: Iterable[Article], *, sanitize: bool = False) -> list[Article]:
    """Bodies to HTML, kept on the articles."""
    renderer = MarkdownRenderer()
    result = []
    for article in articles:
        html, toc = convert_article(renderer, article, sanitize)
        result.append(dataclasses.replace(article, html=html, toc=toc, opening=opening_text(html)))
    return result


def code_stylesheet(style: str = "default") -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style).get_style_defs(f".{CODE_CSS_CLASS}") + "\n"
