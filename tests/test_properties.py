"""Property-based tests (hypothesis): whatever a writer types, Gazette builds or says why.

Sites are rendered in memory (the same files a build would write, no disk), so
each example is quick; example counts stay modest to keep the suite fast.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitekit import dangerous, make_site

from gazette.errors import GazetteError
from gazette.paths import is_safe_relative
from gazette.stages.assets import Assets, collect_assets
from gazette.stages.config import Config
from gazette.stages.content import parse_article
from gazette.stages.fields import KNOWN_KEYS
from gazette.stages.frontmatter import SourceFile
from gazette.stages.markup import render_articles
from gazette.stages.site import build_site
from tests.cleanbuild import output_files

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    # CI must give the same verdict on every run of the same commit; locally, explore.
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
HOSTILE_BITS = [
    "<script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "<!--",
    "]]>",
    "&amp;&lt;",
    "{{ config }}",
    "{% raw %}",
    "\u2028\u2029",
    "\x00\x01\x1b",
    "\ufeff",
    "بوتين",
    "🎉",
]
text_with_attacks = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE_BITS)), min_size=1, max_size=4
).map("".join)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Config, Assets]]:
    """Two sites (ascii and unicode slugs) whose content is given per example."""
    found = {}
    for style in ("ascii", "unicode"):
        folder = tmp_path_factory.mktemp(style)
        config = make_site(
            folder,
            {"content/world/photo.jpg": b"\xff\xd8jpeg"},
            f'\n[content]\nslugs = "{style}"\n',
        )
        found[style] = (config, collect_assets(config.static_dirs, config.content_dir))
    return found


def render(config: Config, assets: Assets, sources: list[tuple[str, str]]) -> dict[str, bytes]:
    """Everything a build of these sources would write, rendered in memory."""
    articles = [
        parse_article(SourceFile(path, text), config, f"content/{path}") for path, text in sources
    ]
    site = build_site(render_articles(articles, sanitize=config.content.untrusted), config)
    return {file.path: file.data for file in output_files(site, config, assets)}


def front_matter(meta: dict[str, Any], body: str = "") -> str:
    # Escaped, not raw: YAML folds a raw NEL or line separator inside a plain or
    # single-quoted scalar into a space, so raw output would not read back as written.
    return "---\n" + yaml.safe_dump(meta, allow_unicode=False) + "---\n" + body


yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=6))])),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
mappings = st.dictionaries(
    st.sampled_from(sorted(KNOWN_KEYS)) | st.text(max_size=10), yaml_values, max_size=8
)
mostly_valid = st.fixed_dictionaries(
    {"title": st.text(min_size=1, max_size=40), "date": st.dates() | st.datetimes()}
)
mixed = st.tuples(mostly_valid, mappings).map(lambda pair: {**pair[1], **pair[0]})
in_range = st.dates(dt.date(1930, 1, 1), dt.date(2070, 12, 31))
words = st.text(max_size=30)
valid = st.fixed_dictionaries(  # right types throughout, so most examples render a site
    {"title": st.text(min_size=1, max_size=40).filter(str.strip), "date": in_range},
    optional={
        "summary": words,
        "author": words,
        "source": words,
        "dateline": words,
        "caption": words,
        "slug": words,
        "tags": st.lists(words, max_size=5),
        "weather": words
        | st.fixed_dictionaries(
            {"condition": words}, optional={"high": st.integers(-60, 60), "low": st.floats(-60, 60)}
        ),
        "draft": st.booleans(),
        "updated": in_range,
        "hijri": st.sampled_from(["1445-03-07", "1300-01-01", "1445-13-01", "x"]),
        "unknown_extra": yaml_values,
    },
)


@EXAMPLES
@given(meta=st.one_of(valid, mappings, mixed), body=st.text(max_size=300))
def test_any_front_matter_builds_or_gives_the_one_error(
    sites: dict[str, tuple[Config, Assets]], meta: dict[str, Any], body: str
) -> None:
    config, assets = sites["ascii"]
    try:
        files = render(config, assets, [("world/story.md", front_matter(meta, body))])
    except GazetteError as exc:
        assert exc.message and exc.file == "content/world/story.md"
        return
    assert "index.html" in files


@EXAMPLES
@given(raw=st.text(max_size=200), body=st.text(max_size=100))
def test_any_front_matter_text_builds_or_gives_the_one_error(
    sites: dict[str, tuple[Config, Assets]], raw: str, body: str
) -> None:
    config, assets = sites["ascii"]
    try:
        render(config, assets, [("world/x.md", f"---\ntitle: T\ndate: 2023-09-23\n{raw}\n---\n")])
        render(config, assets, [("world/y.md", f"---\n{raw}\n---\n{body}")])
    except GazetteError as exc:
        assert exc.message


@EXAMPLES
@given(
    titles=st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=8),
    style=st.sampled_from(["ascii", "unicode"]),
)
def test_any_titles_give_unique_path_safe_slugs(
    sites: dict[str, tuple[Config, Assets]], titles: list[str], style: str
) -> None:
    config, _assets = sites[style]
    articles = [
        parse_article(
            SourceFile(f"world/{n}.md", front_matter({"title": t, "date": dt.date(2023, 9, 1)})),
            config,
            f"content/world/{n}.md",
        )
        for n, t in enumerate(titles)
    ]
    site = build_site(articles, config)
    urls = [a.url for a in site.articles]
    assert len(set(urls)) == len(urls)
    for article in site.articles:
        assert article.slug and article.slug.strip("-") == article.slug
        assert not set(article.slug) & set("/\\\x00.?#%")
        assert is_safe_relative(article.url + "index.html")
        assert all(0 < len(part.encode()) < 255 for part in article.url.strip("/").split("/"))


def _pages(files: dict[str, bytes]) -> Iterator[tuple[str, BeautifulSoup]]:
    for path, data in files.items():
        if path.endswith(".html"):
            yield path, BeautifulSoup(data.decode("utf-8"), "html.parser")


@settings(EXAMPLES, max_examples=20)  # each example parses every page: keep it short
@given(
    values=st.fixed_dictionaries(
        {
            key: text_with_attacks
            for key in ("title", "summary", "author", "source", "dateline", "caption", "image_alt")
        }
    ),
    tag=text_with_attacks,
    condition=text_with_attacks,
)
def test_any_strings_in_every_field_render_inert(
    sites: dict[str, tuple[Config, Assets]],
    values: dict[str, str],
    tag: str,
    condition: str,
) -> None:
    config, assets = sites["ascii"]
    meta: dict[str, Any] = {**values, "date": dt.datetime(2023, 9, 23, 10, 0)}
    meta.update(image="photo.jpg", tags=[tag], weather={"condition": condition, "high": 30})
    try:
        files = render(config, assets, [("world/story.md", front_matter(meta, "Plain body."))])
    except GazetteError as exc:  # e.g. a title of only spaces: still a located message
        assert exc.file == "content/world/story.md"
        return
    article_page = None
    for path, page in _pages(files):
        for script in page.find_all("script", type="application/ld+json"):
            data = json.loads(script.string)  # valid JSON whatever the strings hold
            if data.get("@type") == "NewsArticle":
                assert data["headline"] == values["title"]
            script.decompose()
        assert dangerous(page, whole_page=True) == [], path
        if page.select_one("article.story"):
            article_page = page
    assert article_page is not None
    assert article_page.h1.get_text() == values["title"]
    alt = values["image_alt"] or values["title"]  # the template falls back to the headline
    assert article_page.select_one(".story-image img")["alt"] == alt
    for path, data in files.items():
        if path.endswith(".xml"):
            ET.fromstring(data)  # feeds and sitemaps stay well-formed


def test_property_tests_really_render(sites: dict[str, tuple[Config, Assets]]) -> None:
    config, assets = sites["ascii"]
    meta = {"title": "<b>x</b>", "date": dt.date(2023, 9, 23)}
    files = render(config, assets, [("world/a.md", front_matter(meta))])
    page = BeautifulSoup(files["world/b-x-b/index.html"].decode(), "html.parser")
    assert page.h1.get_text() == "<b>x</b>"
    assert page.h1.find("b") is None
