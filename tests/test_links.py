"""Every link on every page resolves, with output/ served at a root and under a sub-path.

A real HTTP server serves the built folder; every href/src of every generated
page is fetched through it. Links are relative, so the same output must work
at https://host/ and at https://host/news/ without a rebuild.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import BuiltSite, build_site, html_pages, serve_folder

from gazette.stages.config import load_config

LINK_ATTRIBUTES = (
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
)


def page_url(base: str, output: Path, path: Path) -> str:
    relative = path.relative_to(output).as_posix()
    if relative.endswith("index.html"):
        relative = relative[: -len("index.html")]
    return base + relative


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def links_of(html: bytes) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag, attribute in LINK_ATTRIBUTES:
        for element in soup.find_all(tag):
            value = element.get(attribute)
            if value:
                found.append(value)
    for element in soup.find_all(srcset=True):
        found += [part.strip().split()[0] for part in element["srcset"].split(",") if part.strip()]
    return found


def ids_of(html: bytes) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    return {e["id"] for e in soup.find_all(id=True)} | {
        e["name"] for e in soup.find_all("a", attrs={"name": True})
    }


def base_path(site: BuiltSite) -> str:
    return urlsplit(load_config(site.root / "config.toml").site.base_url).path


def check_site(site: BuiltSite, prefix: str) -> int:
    """Fetch every page and every target it links to; return how many links were followed.

    The 404 page is checked where a host shows it: at a missing URL deep in the
    site (its links start from base_url's path), so only when `prefix` is that path.
    """
    broken: list[str] = []
    followed = 0
    with serve_folder(site.output, prefix) as base:
        host = urlsplit(base).netloc
        cache: dict[str, tuple[int, bytes]] = {}

        def get(url: str) -> tuple[int, bytes]:
            if url not in cache:
                cache[url] = fetch(url)
            return cache[url]

        for path in html_pages(site.output):
            url = page_url(base, site.output, path)
            status, html = get(url)
            assert status == 200, f"{url}: {status}"
            if path == site.output / "404.html":
                if prefix != base_path(site):
                    continue
                url = base + "no/such/section/or/page/"  # what a host does with 404.html
            for link in links_of(html):
                if link.startswith(("mailto:", "tel:", "data:", "javascript:")):
                    continue
                if link.startswith("#"):  # same page
                    followed += 1
                    if link[1:] not in ids_of(html):
                        broken.append(f"{url}: {link} -> no such id")
                    continue
                target = urljoin(url, link)
                if urlsplit(target).netloc != host:
                    continue  # external
                address, fragment = urldefrag(target)
                followed += 1
                if not urlsplit(target).path.startswith(urlsplit(base).path):
                    broken.append(f"{url}: {link} leaves {prefix}")
                    continue
                status, body = get(address)
                if status != 200:
                    broken.append(f"{url}: {link} -> {status}")
                elif fragment and address.endswith(("/", ".html")):
                    if fragment not in ids_of(body):
                        broken.append(f"{url}: {link} -> no id '{fragment}'")
    assert broken == []
    return followed


# /news/ is the fixture's base_url path, so its 404 page is checked there.
@pytest.mark.parametrize("prefix", ["/", "/news/", "/deep/er/path/"])
def test_every_link_resolves_on_the_fixture_site(basic_site: BuiltSite, prefix: str) -> None:
    assert check_site(basic_site, prefix) > 200


@pytest.mark.parametrize("prefix", ["/", "/news/"])
def test_every_link_resolves_on_the_sample_site(sample_site: BuiltSite, prefix: str) -> None:
    assert check_site(sample_site, prefix) > 200


def test_the_checker_notices_a_broken_link(basic_site: BuiltSite, tmp_path: Path) -> None:
    """Guard against a checker that passes everything: break one link, expect a failure."""
    copy = tmp_path / "output"
    shutil.copytree(basic_site.output, copy)
    page = copy / "world" / "index.html"
    page.write_text(page.read_text().replace('href="../"', 'href="../nowhere/"', 1))
    broken = BuiltSite(root=basic_site.root, output=copy, result=basic_site.result)
    with pytest.raises(AssertionError, match="nowhere"):
        check_site(broken, "/news/")


def test_build_check_reads_rooted_404_links_from_the_base_path() -> None:
    from gazette.commands.check import resolve

    assert resolve("404.html", "/news/static/style.css", "/news/") == "static/style.css"
    assert resolve("404.html", "/news/", "/news/") == "index.html"
    assert resolve("world/index.html", "../tag/a/", "/news/") == "tag/a/index.html"


@pytest.mark.parametrize("permalink", ["/{year}/{month}/{day}/{slug}/", "/{section}/{slug}.html"])
def test_links_resolve_with_other_permalink_patterns(site_root: Path, permalink: str) -> None:
    config = site_root / "config.toml"
    config.write_text(
        config.read_text().replace('permalink = "/{section}/{slug}/"', f'permalink = "{permalink}"')
    )
    result = build_site(site_root)
    site = BuiltSite(root=site_root, output=site_root / "output", result=result)
    expected = "2023/09/23/kim-looks-over-russian-bombers-and-a-warship-in-vladivostok/index.html"
    if permalink.endswith(".html"):
        expected = "world/kim-looks-over-russian-bombers-and-a-warship-in-vladivostok.html"
    assert (site.output / expected).is_file()
    assert check_site(site, "/news/") > 200
