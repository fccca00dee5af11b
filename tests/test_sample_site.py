"""The repository's own sample site, as a new user first sees it."""

from __future__ import annotations

from collections import Counter

import yaml
from conftest import REPO, BuiltSite, assert_reference_page, parse_html

from gazette.stages.config import load_config
from gazette.stages.content import load_articles


def test_sample_content_covers_what_the_issue_asks() -> None:
    articles = load_articles(load_config(REPO / "config.toml"))
    sections = Counter(a.section for a in articles)
    assert len(articles) >= 12
    assert len(sections) >= 4
    assert any(a.image for a in articles)
    assert any("```" in a.body for a in articles)
    assert any(a.draft for a in articles)


def test_reference_story_shows_the_local_hijri_date_without_an_override(
    sample_site: BuiltSite,
) -> None:
    source = REPO / "content" / "world" / "kim-vladivostok-bombers.md"
    meta = yaml.safe_load(source.read_text(encoding="utf-8").split("---\n")[1])
    assert "hijri" not in meta  # computed from the config's month-start table
    [url] = [
        p.parent.relative_to(sample_site.output).as_posix() + "/"
        for p in sample_site.output.rglob("index.html")
        if "vladivostok" in p.parent.name
        and p.relative_to(sample_site.output).parts[0] not in ("bn", "ar")  # the English one
    ]
    page = parse_html(sample_site.output / url / "index.html")
    assert_reference_page(page, meta["title"], home="../../")


def test_sample_draft_is_not_published(sample_site: BuiltSite) -> None:
    drafts = [a for a in load_articles(load_config(REPO / "config.toml")) if a.draft]
    for draft in drafts:
        folder = sample_site.output / draft.section
        titles = [parse_html(p).find("h1").get_text(strip=True) for p in folder.rglob("index.html")]
        assert draft.title not in titles
