"""Rendering: relative links that work at any mount point, located template errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

from gazette.errors import GazetteError
from gazette.model import Page, Term
from gazette.stages.config import Config, parse_config
from gazette.stages.render import gregorian, make_environment, relative_root, render_page


def site_with_templates(tmp_path: Path, **templates: str) -> Config:
    (tmp_path / "templates").mkdir()
    for name, text in templates.items():
        (tmp_path / "templates" / f"{name}.html").write_text(text, encoding="utf-8")
    return parse_config({}, path=tmp_path / "config.toml")


def render(config: Config, page: Page, **shared: object) -> str:
    env = make_environment(config)
    return render_page(
        env, page, {"assets": {"style.css": "static/style.1.css"}, **shared}, config
    ).decode()


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("", "./"),
        ("404.html", "./"),
        ("world/", "../"),
        ("world/kim/", "../../"),
        ("tag/a/page/2/", "../../../../"),
    ],
)
def test_relative_root(url: str, root: str) -> None:
    assert relative_root(url) == root


def test_link_and_asset_are_relative_to_the_page(tmp_path: Path) -> None:
    config = site_with_templates(
        tmp_path,
        t='<a id="home" href="{{ link(\'\') }}">h</a><a id="w" href="{{ link(\'world/\') }}">w</a>'
        "<link href=\"{{ asset('style.css') }}\">",
    )
    soup = BeautifulSoup(
        render(config, Page(url="world/kim/", template="t.html", title="x")), "html.parser"
    )
    assert soup.find(id="home")["href"] == "../../"
    assert soup.find(id="w")["href"] == "../../world/"
    assert soup.find("link")["href"] == "../../static/style.1.css"
    home = BeautifulSoup(render(config, Page(url="", template="t.html", title="x")), "html.parser")
    assert home.find(id="w")["href"] == "./world/"


def test_link_takes_built_paths_model_objects_and_full_urls(tmp_path: Path) -> None:
    """A path joined with `~` from a safe value is Markup: link() takes it as the text
    it is, as it does a term and a full URL."""
    config = site_with_templates(
        tmp_path,
        t="<a id=\"built\" href=\"{{ link('tags/' ~ slug ~ '/') }}\">b</a>"
        '<a id="term" href="{{ link(term) }}">t</a>'
        '<img id="far" src="{{ link(image) }}">',
    )
    term = Term(kind="tag", slug="defence", name="Defence", url="tags/defence/")
    context = {"slug": Markup("russia"), "term": term, "image": "https://cdn.example.org/a.jpg"}
    page = Page(url="world/kim/", template="t.html", title="x", context=context)
    soup = BeautifulSoup(render(config, page), "html.parser")
    assert soup.find(id="built")["href"] == "../../tags/russia/"
    assert soup.find(id="term")["href"] == "../../tags/defence/"
    assert soup.find(id="far")["src"] == "https://cdn.example.org/a.jpg"


def test_autoescape_is_on(tmp_path: Path) -> None:
    config = site_with_templates(tmp_path, t="<p>{{ text }}</p>")
    html = render(config, Page(url="", template="t.html", title="x", context={"text": "<b>x</b>"}))
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_printed_values_are_escaped_exactly_as_jinja_does(tmp_path: Path) -> None:
    """Gazette prints `{{ }}` values through its own escaping: every kind of value must
    come out as stock Jinja with autoescape prints it, Markup and macros not twice."""
    text = (
        "{% macro card(t) %}<b>{{ t }}</b>{% endmacro %}"
        "{{ plain }}|{{ safe }}|{{ number }}|{{ none }}|{{ card(plain) }}|{{ plain ~ safe }}"
        "|{% set caught %}<i>{{ plain }}</i>{% endset %}{{ caught }}|{{ plain | upper }}"
        "|{% autoescape false %}{{ plain }}{% endautoescape %}"
    )
    config = site_with_templates(tmp_path, t=text)
    values = {"plain": 'Tom & Jerry\'s "<show>"', "safe": Markup("<em>ok</em>"), "number": 3.5}
    values["none"] = None
    ours = render(config, Page(url="", template="t.html", title="x", context=values))
    stock = jinja2.Environment(autoescape=True).from_string(text)
    assert ours == stock.render(**values)
    assert "Tom &amp; Jerry&#39;s &#34;&lt;show&gt;&#34;" in ours


def test_undefined_variable_names_template_file_and_line(tmp_path: Path) -> None:
    config = site_with_templates(tmp_path, t="<p>ok</p>\n<p>{{ headlien }}</p>\n")
    with pytest.raises(GazetteError) as info:
        render(config, Page(url="", template="t.html", title="x"))
    err = info.value
    assert "headlien" in err.message and "undefined" in err.message
    assert (err.file, err.line) == ("templates/t.html", 2)
    assert err.hint


def test_undefined_variable_in_an_included_template_names_that_template(tmp_path: Path) -> None:
    config = site_with_templates(
        tmp_path,
        base="<html>\n{% block main %}{% endblock %}\n</html>\n",
        t='{% extends "base.html" %}\n{% block main %}\n\n{{ nope.attr }}\n{% endblock %}\n',
    )
    with pytest.raises(GazetteError) as info:
        render(config, Page(url="", template="t.html", title="x"))
    assert (info.value.file, info.value.line) == ("templates/t.html", 4)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    config = site_with_templates(
        tmp_path, t="<p>a</p>\n<p>b</p>\n{% if x %}\n<p>never closed</p>\n"
    )
    with pytest.raises(GazetteError) as info:
        render(config, Page(url="", template="t.html", title="x"))
    assert info.value.file == "templates/t.html"
    assert info.value.line == 4
    assert "syntax" in info.value.message


def test_missing_template(tmp_path: Path) -> None:
    config = site_with_templates(tmp_path, t="x")
    with pytest.raises(GazetteError, match="template 'gone.html' not found"):
        render(config, Page(url="", template="gone.html", title="x"))


def test_unknown_asset_is_located(tmp_path: Path) -> None:
    config = site_with_templates(tmp_path, t="\n\n{{ asset('missing.css') }}\n")
    with pytest.raises(GazetteError, match="missing.css") as info:
        render(config, Page(url="", template="t.html", title="x"))
    assert (info.value.file, info.value.line) == ("templates/t.html", 3)


def test_gregorian_is_locale_independent() -> None:
    assert (
        gregorian(dt.date(2023, 9, 23), "{weekday}, {month} {day}, {year}")
        == "Saturday, September 23, 2023"
    )


@pytest.mark.parametrize(
    ("base_url", "root"),
    [
        ("https://example.com/", "/"),
        ("https://example.com/news/", "/news/"),
        ("https://h.example/a", "/a/"),
    ],
)
def test_404_page_links_start_from_the_base_url_path(
    tmp_path: Path, base_url: str, root: str
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "404.html").write_text("<a href=\"{{ link('world/') }}\">w</a>")
    config = parse_config({"site": {"base_url": base_url}}, path=tmp_path / "config.toml")
    html = render(config, Page(url="404.html", template="404.html", title="x"))
    assert BeautifulSoup(html, "html.parser").find("a")["href"] == root + "world/"
