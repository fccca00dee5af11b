"""NewsArticle JSON-LD, Open Graph, Twitter and canonical links, read back with extruct."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import extruct
import pytest
from conftest import REPO, BuiltSite, build_site, parse_html

from gazette.errors import GazetteError
from gazette.machine.structured import script_json

BASE = "https://example.org/news/"
KIM_URL = "world/kim-looks-over-russian-bombers-and-a-warship-in-vladivostok/"
QUAKE_URL = "world/relief-convoys-reach-villages-cut-off-by-the-earthquake/"
HOSTILE = '"</script><script>alert(1)</script>'


def _extract(path: Path) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    data = extruct.extract(
        path.read_text(encoding="utf-8"),
        base_url=BASE,
        syntaxes=["json-ld", "opengraph"],
        uniform=False,
    )
    og: dict[str, list[str]] = {}
    for block in data["opengraph"]:
        for key, value in block["properties"]:
            og.setdefault(key, []).append(value)
    return data["json-ld"], og


def _page(output: Path, url: str) -> Path:
    return output / url / "index.html"


def test_article_json_ld_has_every_field(basic_site: BuiltSite) -> None:
    json_ld, _ = _extract(_page(basic_site.output, KIM_URL))
    assert len(json_ld) == 1
    item = json_ld[0]
    assert item["@context"] == "https://schema.org"
    assert item["@type"] == "NewsArticle"
    assert item["headline"] == "Kim looks over Russian bombers and a warship in Vladivostok"
    assert item["datePublished"] == "2023-09-23T18:00:00+06:00"
    assert item["dateModified"] == "2023-09-23T18:00:00+06:00"
    assert item["author"] == [
        {
            "@type": "Person",
            "name": "Staff Correspondent",
            "url": BASE + "author/staff-correspondent/",
        }
    ]
    assert item["publisher"]["@type"] == "Organization"
    assert item["publisher"]["name"] == "The Test Ledger"
    assert item["mainEntityOfPage"] == {"@type": "WebPage", "@id": BASE + KIM_URL}
    assert item["articleSection"] == "World"
    assert item["keywords"] == ["russia", "north-korea", "defence"]
    assert "image" not in item  # this story has no image: no placeholder either


def test_author_url_is_the_author_page(basic_site: BuiltSite) -> None:
    json_ld, _ = _extract(_page(basic_site.output, KIM_URL))
    author_url = json_ld[0]["author"][0]["url"]
    assert (basic_site.output / author_url.removeprefix(BASE) / "index.html").is_file()


def test_article_with_image(basic_site: BuiltSite) -> None:
    json_ld, og = _extract(_page(basic_site.output, QUAKE_URL))
    # a photo in content/ is shared as its 1200x630 card (gazette.images)
    card = BASE + "world/quake.card.jpg"
    [image] = json_ld[0]["image"]
    assert image["@type"] == "ImageObject" and image["url"] == card
    assert (image["width"], image["height"]) == (1200, 630)
    assert (basic_site.output / "world" / "quake.png").is_file()
    assert (basic_site.output / "world" / "quake.card.jpg").is_file()
    assert og["og:image"] == [card]
    assert (og["og:image:width"], og["og:image:height"]) == (["1200"], ["630"])
    assert og["og:image:alt"] == ["Trucks on a mountain road"]
    soup = parse_html(_page(basic_site.output, QUAKE_URL))
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    assert soup.find("meta", attrs={"name": "twitter:image"})["content"] == card


def test_open_graph_and_twitter_of_an_article(basic_site: BuiltSite) -> None:
    _, og = _extract(_page(basic_site.output, KIM_URL))
    assert og["og:type"] == ["article"]
    assert og["og:url"] == [BASE + KIM_URL]
    assert og["og:title"] == ["Kim looks over Russian bombers and a warship in Vladivostok"]
    assert og["article:published_time"] == ["2023-09-23T18:00:00+06:00"]
    assert og["article:section"] == ["World"]
    assert og["article:tag"] == ["russia", "north-korea", "defence"]
    assert "og:image" not in og
    soup = parse_html(_page(basic_site.output, KIM_URL))
    twitter = {
        tag["name"]: tag["content"]
        for tag in soup.find_all("meta")
        if tag.get("name", "").startswith("twitter:")
    }
    assert twitter["twitter:card"] == "summary"
    assert twitter["twitter:title"] == og["og:title"][0]
    assert "twitter:image" not in twitter


def test_canonical_links(basic_site: BuiltSite) -> None:
    def canonical(url: str) -> list[str]:
        return [link["href"] for link in basic_site.page(url).find_all("link", rel="canonical")]

    assert canonical(KIM_URL) == [BASE + KIM_URL]
    assert canonical("") == [BASE]
    assert canonical("world/page/2/") == [BASE + "world/page/2/"]
    assert canonical("404.html") == []  # a 404 is no page of its own
    json_ld, og = _extract(basic_site.output / "index.html")
    assert json_ld == [] and og["og:type"] == ["website"]


def _add_article(root: Path, name: str, front: str) -> None:
    (root / "content" / "world" / name).write_text(
        f"---\n{front}\ndate: 2023-09-24 09:00\nauthor: Desk\n---\n\nBody text.\n",
        encoding="utf-8",
    )


def test_hostile_title_stays_inert_text(site_root: Path) -> None:
    _add_article(site_root, "hostile.md", f"title: '{HOSTILE}'\nslug: hostile")
    build_site(site_root)
    page = _page(site_root / "output", "world/hostile/")
    soup = parse_html(page)
    scripts = soup.find_all("script")
    # The only script is the JSON-LD; the title opened no element of its own.
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert json.loads(scripts[0].string)["headline"] == HOSTILE
    assert soup.find("h1").get_text() == HOSTILE
    assert soup.find("meta", property="og:title")["content"] == HOSTILE
    json_ld, _ = _extract(page)
    assert json_ld[0]["headline"] == HOSTILE


def test_arabic_and_quotes_survive(site_root: Path) -> None:
    title = 'قمة "الرياض" & <ميثاق> \u2028 تبدأ'
    _add_article(site_root, "arabic.md", f"title: {json.dumps(title)}\nslug: arabic")
    build_site(site_root)
    json_ld, og = _extract(_page(site_root / "output", "world/arabic/"))
    assert json_ld[0]["headline"] == title
    assert og["og:title"] == [title]


def test_script_json_escapes_only_inside_strings() -> None:
    text = str(script_json({"a": "</script><!-- & \u2028", "b": [1, 2]}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028", "b": [1, 2]}


def test_publisher_logo_from_static(site_root: Path) -> None:
    (site_root / "static" / "logo.svg").write_bytes((REPO / "static" / "logo.svg").read_bytes())
    config = site_root / "config.toml"
    config.write_text(
        config.read_text() + '\n[publisher]\nname = "Ledger Ltd"\nlogo = "logo.svg"\n'
    )
    build_site(site_root)
    json_ld, _ = _extract(_page(site_root / "output", KIM_URL))
    publisher = json_ld[0]["publisher"]
    assert publisher["name"] == "Ledger Ltd"
    assert publisher["logo"] == {"@type": "ImageObject", "url": BASE + "static/logo.svg"}
    assert (site_root / "output" / "static" / "logo.svg").is_file()


def test_missing_logo_is_a_located_error(site_root: Path) -> None:
    config = site_root / "config.toml"
    text = config.read_text() + '\n[publisher]\nlogo = "missing.png"\n'
    config.write_text(text)
    with pytest.raises(GazetteError) as caught:
        build_site(site_root)
    error = caught.value
    assert "missing.png" in error.message
    assert error.file is not None and error.file.endswith("config.toml")
    assert error.line == text.splitlines().index('logo = "missing.png"') + 1
    assert error.hint and "static/" in error.hint
    assert not (site_root / "output").exists()  # nothing was published
