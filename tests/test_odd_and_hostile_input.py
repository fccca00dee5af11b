"""Input a newsroom really produces must just work; hostile front matter must stay text."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image
from sitekit import (
    article,
    article_pages,
    build_site_into,
    dangerous,
    make_site,
    soup,
    tiny_photo,
)

HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>&amp;</title>{{ 7*7 }}"


def test_windows_line_endings_and_byte_order_mark(tmp_path: Path) -> None:
    crlf = article("Rain in Dhaka", "First paragraph.\n\nSecond paragraph.").replace("\n", "\r\n")
    out = build_site_into(
        tmp_path,
        {
            "content/world/crlf.md": crlf.encode("utf-8"),
            "content/world/bom.md": b"\xef\xbb\xbf" + article("Marked file").encode("utf-8"),
        },
    )
    page = soup(out / "world/rain-in-dhaka/index.html")
    assert page.h1.get_text() == "Rain in Dhaka"
    assert [p.get_text() for p in page.select(".story-body p")][:2] == [
        "First paragraph.",
        "Second paragraph.",
    ]
    assert soup(out / "world/marked-file/index.html").h1.get_text() == "Marked file"


def test_tabs_in_front_matter_and_body(tmp_path: Path) -> None:
    text = (
        "---\ntitle:\tTabbed headline\ndate:\t2023-09-23\nweather:\n\tcondition: rain\n"
        "\thigh: 30\n\tlow: 25\ntags:\n\t- floods\n---\n\nIntro.\n\n\tcode = 1\n"
    )
    out = build_site_into(tmp_path, {"content/world/tabs.md": text})
    page = soup(out / "world/tabbed-headline/index.html")
    assert page.h1.get_text() == "Tabbed headline"
    assert page.select_one(".story-weather .temps").get_text() == "30°C / 25°C"
    assert page.select_one(".story-body pre").get_text().strip() == "code = 1"
    assert (out / "tag/floods/index.html").is_file()


def test_empty_body_and_very_long_title(tmp_path: Path) -> None:
    long_title = "Floods " * 400
    out = build_site_into(
        tmp_path,
        {
            "content/world/empty.md": "---\ntitle: Nothing yet\ndate: 2023-09-23\n---\n",
            "content/world/long.md": article(long_title.strip()),
        },
    )
    assert soup(out / "world/nothing-yet/index.html").h1.get_text() == "Nothing yet"
    [long_page] = [p for p in article_pages(out) if "nothing-yet" not in str(p)]
    assert soup(long_page).h1.get_text() == long_title.strip()
    assert all(len(part.encode()) < 255 for part in long_page.relative_to(out).parts)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("بوتين يستقبل كيم في فلاديفوستوك", "زار الزعيم الكوري الشمالي المدينة يوم السبت."),
        ("کراچی میں شدید بارش", "شہر کے کئی علاقوں میں پانی جمع ہو گیا۔"),
        ("גשם כבד בתל אביב", "הרחובות הוצפו בשעות הבוקר."),
    ],
)
def test_right_to_left_titles_and_bodies(tmp_path: Path, title: str, body: str) -> None:
    out = build_site_into(tmp_path, {"content/world/rtl.md": article(title, body)})
    [page] = article_pages(out)
    html = soup(page)
    assert html.h1.get_text() == title
    assert body in html.select_one(".story-body").get_text()
    for element in (html.h1, html.select_one(".story-body")):
        holder = element.find_parent(attrs={"dir": True})
        assert holder is not None and holder["dir"] in ("auto", "rtl")
    card = soup(out / "index.html").find(string=title)
    assert card is not None and card.find_parent(attrs={"dir": True})["dir"] in ("auto", "rtl")


def test_emoji_spaces_in_file_names_and_many_tags(tmp_path: Path) -> None:
    tags = "[" + ", ".join(f"topic {n}" for n in range(1500)) + "]"
    out = build_site_into(
        tmp_path,
        {
            "content/world/my story 🎉.md": article("Festival opens 🎉🎊", "Crowds 😀 arrive."),
            "content/world/tagged.md": article("Everything tagged", tags=tags),
        },
    )
    page = soup(out / "world/festival-opens/index.html")
    assert page.h1.get_text() == "Festival opens 🎉🎊"
    assert "Crowds 😀 arrive." in page.select_one(".story-body").get_text()
    tagged = soup(out / "world/everything-tagged/index.html")
    assert len(tagged.select(".story-tags li")) == 1500
    assert (out / "tag/topic-1499/index.html").is_file()


def test_five_megabyte_article(tmp_path: Path) -> None:
    paragraph = "The committee met again today to discuss the budget in detail. " * 20
    body = "\n\n".join(f"{paragraph} ({n})" for n in range(4000))
    assert len(body.encode()) > 5_000_000
    out = build_site_into(tmp_path, {"content/world/huge.md": article("A long report", body)})
    page = out / "world/a-long-report/index.html"
    assert page.stat().st_size > 5_000_000
    assert "(3999)" in page.read_text(encoding="utf-8")


def test_symlinked_content_folder(tmp_path: Path) -> None:
    wire = tmp_path / "wire-desk"
    (wire / "afp").mkdir(parents=True)
    (wire / "afp" / "story.md").write_text(article("From the wire"), encoding="utf-8")
    (wire / "afp" / "photo.jpg").write_bytes(tiny_photo("JPEG"))
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    os.symlink(wire / "afp", site / "content" / "world")
    out = build_site_into(site, {}, '[content]\nlinked_folders = ["../wire-desk"]\n')
    assert soup(out / "world/from-the-wire/index.html").h1.get_text() == "From the wire"
    with Image.open(out / "world/photo.jpg") as photo:  # written (stripped), not copied
        assert photo.size == (8, 6)


def test_hostile_slugs_cannot_leave_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    out = build_site_into(
        site,
        {
            "content/world/a.md": article("One", slug="../../../etc/passwd"),
            "content/world/b.md": article("Two", slug="/absolute/path"),
            "content/world/c.md": article("Three", slug="'..'"),
            "content/world/d.md": article("Four", section="../../x"),
        },
    )
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    ours = (
        "site/output/",
        "site/content/",
        "site/templates/",
        "site/static/",
        "site/.gazette-cache/",
    )
    assert all(p.startswith(ours) or p == "site/config.toml" for p in written), written
    assert (out / "world/etc-passwd/index.html").is_file()
    assert (out / "world/absolute-path/index.html").is_file()
    assert (out / "x/four/index.html").is_file()


def _front(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML strings


def test_hostile_front_matter_is_text_everywhere(tmp_path: Path) -> None:
    fields = {
        key: _front(HOSTILE)
        for key in ("summary", "author", "source", "dateline", "caption", "image_alt")
    }
    out = build_site_into(
        tmp_path,
        {
            "content/world/photo.jpg": tiny_photo("JPEG"),
            "content/world/evil.md": article(
                _front(HOSTILE),
                "Plain body.",
                image="photo.jpg",
                tags=f"[{_front(HOSTILE)}]",
                weather="{condition: " + _front(HOSTILE) + ", high: 30, low: 25}",
                **fields,
            ),
        },
    )
    [page_path] = article_pages(out)
    page = soup(page_path)
    assert page.h1.get_text() == HOSTILE
    assert HOSTILE in page.title.get_text()
    assert page.select_one(".story-image img")["alt"] == HOSTILE
    assert page.select_one(".story-image figcaption").get_text() == HOSTILE
    assert page.select_one(".story-weather .condition").get_text() == HOSTILE
    for html_file in out.rglob("*.html"):
        document = soup(html_file)
        for script in document.find_all("script", type="application/ld+json"):
            json.loads(script.string)  # valid JSON, whatever the title holds
            script.decompose()
        assert dangerous(document, whole_page=True) == [], html_file
        assert "49" not in document.get_text()  # {{ 7*7 }} was not evaluated
    ld = json.loads(page.find("script", type="application/ld+json").string)
    assert ld["headline"] == HOSTILE
    assert ld["keywords"] == [HOSTILE]
    feed_titles = []
    for feed in out.rglob("*.xml"):
        tree = ET.parse(feed)  # well-formed whatever the strings hold
        feed_titles += [e.text for e in tree.iter() if e.tag.split("}")[-1] == "title"]
    assert HOSTILE in feed_titles


@pytest.mark.parametrize(
    ("language", "direction"), [("ar", "rtl"), ("ur-PK", "rtl"), ("en", "auto")]
)
def test_right_to_left_edition_sets_the_page_direction(
    tmp_path: Path, language: str, direction: str
) -> None:
    out = build_site_into(
        tmp_path,
        {"content/world/a.md": article("أمطار غزيرة في دكا")},
        f'language = "{language}"\n',  # BASE_CONFIG ends inside [site]
    )
    for page in (out / "index.html", *article_pages(out)):
        assert soup(page).html["dir"] == direction


def test_config_with_byte_order_mark_and_windows_line_endings(tmp_path: Path) -> None:
    from gazette.stages.config import load_config

    make_site(tmp_path, {"content/world/a.md": article("Config from Notepad")})
    config_path = tmp_path / "config.toml"
    text = config_path.read_text(encoding="utf-8") + 'tagline = "Edited on Windows"\n'
    config_path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    config = load_config(config_path)
    assert config.site.title == "Test Gazette" and config.site.tagline == "Edited on Windows"
