"""The Hugo side of the benchmark (bench/hugo_site.py, bench/hugo/) builds the same
stories as Gazette, so the cold builds it times are comparable and the layout
cannot rot. No timing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import REPO, SAMPLE_NOW, build_site, parse_html, require_tool, text

sys.path.insert(0, str(REPO / "bench"))
try:
    import corpus
    import hugo_site
finally:
    sys.path.remove(str(REPO / "bench"))

ARTICLES = 30


def _stories(output: Path) -> dict[str, BeautifulSoup]:
    """Article pages by URL path: the pages with a headline."""
    found = {}
    for path in output.rglob("index.html"):
        page = parse_html(path)
        if page.select_one("h1.headline") is not None:
            found[path.parent.relative_to(output).as_posix()] = page
    return found


def _body(page: BeautifulSoup) -> tuple[list[str], list[str], int]:
    """What the Markdown made: subheadings, code blocks' text, list items."""
    body = page.select_one(".story-body")
    assert body is not None
    headings = [text(h) for h in body.find_all("h2")]
    code = [pre.get_text() for pre in body.select(".highlight pre")]
    return headings, code, len(body.find_all("li"))


def test_hugo_builds_the_same_stories_as_gazette(tmp_path: Path) -> None:
    require_tool("hugo")
    site = corpus.generate(tmp_path / "site", ARTICLES, seed=3)
    build_site(site, tmp_path / "gazette", now=SAMPLE_NOW)
    hugo = hugo_site.write_site(site, tmp_path / "hugo-site")
    assert hugo_site.build(hugo, tmp_path / "hugo").seconds > 0

    ours, theirs = _stories(tmp_path / "gazette"), _stories(tmp_path / "hugo")
    assert len(ours) == ARTICLES
    assert sorted(ours) == sorted(theirs)  # the same URLs
    highlighted = 0
    for url, page in ours.items():
        other = theirs[url]
        assert text(page.select_one("h1.headline")) == text(other.select_one("h1.headline"))
        headings, code, items = _body(page)
        assert _body(other) == (headings, [c.rstrip("\n") + "\n" for c in code], items)
        highlighted += bool(code) and other.select_one(".highlight pre span.k") is not None
    assert highlighted >= ARTICLES // 5 - 1  # one in five has a code block, coloured

    for section in corpus.SECTIONS:  # the same first page of each section (10 a page)
        if (tmp_path / "gazette" / section / "index.html").exists():
            pages = [parse_html(tmp_path / out / section / "index.html")
                     for out in ("gazette", "hugo")]  # fmt: skip
            ours_list, theirs_list = ([text(a) for a in p.select(".card-title a")] for p in pages)
            assert ours_list == theirs_list and 0 < len(ours_list) <= 10

    pages, files = hugo_site.count(tmp_path / "hugo")
    our_pages, _ = hugo_site.count(tmp_path / "gazette")
    assert abs(pages - our_pages) <= 10, (pages, our_pages)
