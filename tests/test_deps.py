"""Page digests (gazette.engine.inputs): a page's digest moves exactly when something it can
show moves, which is what lets a rebuild skip every other page."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from conftest import make_article

from gazette.engine.inputs import PageInputs, template_digest
from gazette.model import Page, Pagination, Term


def _pages() -> tuple[Page, Page, Term]:
    story = make_article(title="Floods recede", url="world/floods-recede/")
    other = make_article(title="Port reopens", url="world/port-reopens/")
    world = Term("section", "world", "World", "world/", [story, other])
    article_page = Page(
        story.url, "article.html", story.title, {"article": story, "section": world}
    )
    listing = Page(
        "world/",
        "section.html",
        "World",
        {"term": world, "articles": [story, other], "pagination": Pagination(1, 1, ["world/"])},
    )
    return article_page, listing, world


def _digest(page: Page, identities: dict[str, str], shared: str = "s") -> str:
    return PageInputs(identities, shared).of(page, "template")


def test_digest_follows_the_articles_a_page_shows() -> None:
    article_page, listing, _ = _pages()
    ids = {"world/floods-recede.md": "v1", "world/port-reopens.md": "v1"}
    edited = {**ids, "world/port-reopens.md": "v2"}
    # the story's own page does not show the other story: an edit to it changes nothing
    assert _digest(article_page, ids) == _digest(article_page, edited)
    # the listing shows both
    assert _digest(listing, ids) != _digest(listing, edited)
    # and everything changes with the shared context (masthead, navigation, settings)
    assert _digest(article_page, ids) != _digest(article_page, ids, shared="other")


def test_a_term_counts_by_name_url_and_size_not_by_its_articles() -> None:
    article_page, _, world = _pages()
    ids = {"world/floods-recede.md": "v1", "world/port-reopens.md": "v1"}
    before = _digest(article_page, ids)
    world.name = "World news"
    renamed = _digest(article_page, ids)
    world.articles.append(make_article(title="Third story"))
    grown = _digest(article_page, ids)
    assert len({before, renamed, grown}) == 3


def test_the_articles_shown_are_collected_once_per_mention() -> None:
    _, listing, _ = _pages()
    shown: list[str] = []
    ids = {"world/floods-recede.md": "v1", "world/port-reopens.md": "v1"}
    PageInputs(ids, "s").of(listing, "template", shown)
    assert sorted(shown) == sorted(ids)


def test_an_unknown_object_in_a_context_is_refused_not_guessed() -> None:
    page = Page("x/", "x.html", "X", {"thing": object()})
    with pytest.raises(TypeError, match="no digest"):
        _digest(page, {})


def test_template_digest_covers_what_a_template_extends_and_includes(tmp_path: Path) -> None:
    (tmp_path / "base.html").write_text("<main>{% block main %}{% endblock %}</main>")
    (tmp_path / "bits.html").write_text("<p>bits</p>")
    (tmp_path / "page.html").write_text(
        '{% extends "base.html" %}{% block main %}{% include "bits.html" %}{% endblock %}'
    )
    (tmp_path / "other.html").write_text("<p>unrelated</p>")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
    first = template_digest(env, (tmp_path,), "page.html")
    (tmp_path / "other.html").write_text("<p>still unrelated</p>")
    assert template_digest(env, (tmp_path,), "page.html") == first
    (tmp_path / "bits.html").write_text("<p>new bits</p>")
    assert template_digest(env, (tmp_path,), "page.html") != first
