"""Untrusted content: every XSS vector below is removed; trusted content keeps raw HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sitekit import article, article_pages, build_site_into, dangerous, soup

from gazette.stages.markup import MarkdownRenderer
from gazette.stages.sanitize import sanitize_html

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;&#97;vascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<svg onload=alert(1)></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><a href="javascript:alert(1)">x</a></math>',
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    '<style>body { background: url("javascript:alert(1)") }</style>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<img src="x.jpg" srcset="javascript:alert(1) 1x">',
    "<video><source onerror=alert(1)></video>",
    "<body onload=alert(1)>",
    "[click me](javascript:alert(1))",
    "![picture](javascript:alert(1))",
    '<a href="x" onmouseover="alert(1)">hover</a>',
]


def markdown_html(body: str) -> str:
    return MarkdownRenderer().convert(body)[0]


def test_there_are_at_least_twenty_vectors() -> None:
    assert len(set(XSS_VECTORS)) >= 20


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_vector_is_live_without_the_sanitizer_and_gone_with_it(vector: str) -> None:
    raw = markdown_html(vector)
    assert dangerous(BeautifulSoup(raw, "html.parser")), f"not a live vector: {raw}"
    clean = sanitize_html(raw)
    assert dangerous(BeautifulSoup(clean, "html.parser")) == [], clean


def test_sanitizer_keeps_what_markdown_makes() -> None:
    body = (
        "## Results [^1]\n\n| Team | Goals |\n|---|---|\n| Abahani | 3 |\n\n"
        "```python\nprint('goal')\n```\n\n[Report](https://example.com/r) and "
        "[archive](../older/) and ![Stadium](stadium.jpg)\n\n[^1]: From the league.\n"
    )
    raw = markdown_html(body)
    clean = BeautifulSoup(sanitize_html(raw), "html.parser")
    assert clean.find("table") and clean.find("td", string="Abahani")
    assert clean.select_one("div.highlight pre")
    assert clean.find("h2", id="results")
    assert clean.find("a", href="https://example.com/r")
    assert clean.find("a", href="../older/")
    assert clean.find("img", src="stadium.jpg", alt="Stadium")
    assert clean.select_one("div.footnote")


def test_untrusted_site_pages_carry_no_vector(tmp_path: Path) -> None:
    body = "Wire copy follows.\n\n" + "\n\n".join(XSS_VECTORS) + "\n\nEnd of copy.\n"
    out = build_site_into(
        tmp_path,
        {"content/world/wire.md": article("Wire story", body)},
        "\n[content]\nuntrusted = true\n",
    )
    [page] = article_pages(out)
    story = soup(page).select_one(".story-body")
    assert "Wire copy follows." in story.get_text() and "End of copy." in story.get_text()
    assert dangerous(story) == []


def test_trusted_site_keeps_raw_html_embeds(tmp_path: Path) -> None:
    embed = '<iframe src="https://www.youtube.com/embed/x" title="Video"></iframe>'
    out = build_site_into(tmp_path, {"content/world/video.md": article("Video", embed)})
    [page] = article_pages(out)
    assert soup(page).select_one(".story-body iframe")["src"] == "https://www.youtube.com/embed/x"


def test_switching_to_untrusted_rebuilds_bodies_from_the_cache(tmp_path: Path) -> None:
    from gazette.stages.config import load_config
    from tests.cleanbuild import build

    files = {"content/world/x.md": article("Switch", "<script>alert(1)</script>\n\nText.")}
    out = build_site_into(tmp_path, files)
    [page] = article_pages(out)
    assert soup(page).select_one(".story-body script") is not None  # trusted: kept
    with (tmp_path / "config.toml").open("a", encoding="utf-8") as config:
        config.write("\n[content]\nuntrusted = true\n")
    build(load_config(tmp_path / "config.toml"), out)
    assert dangerous(soup(page).select_one(".story-body")) == []
    assert "Text." in soup(page).select_one(".story-body").get_text()
