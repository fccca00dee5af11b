"""The preview site of `serve`: which pages a change affects, errors, drafts, safety."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from gazette.commands.watch import Debouncer, is_editor_litter
from gazette.sinks.memory import MemorySink
from tests.conftest import copy_site

PORT_TALKS = "world/port-talks/"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_site("preview", tmp_path / "site")


@pytest.fixture
def preview(root: Path) -> MemorySink:
    site = MemorySink(root / "config.toml")
    first = site.rebuild()
    assert first.error is None, first.error
    return site


def page(preview: MemorySink, url: str) -> BeautifulSoup:
    resource = preview.resource(url)
    assert resource is not None, url
    return BeautifulSoup(resource.data, "html.parser")


def save(path: Path, text: str) -> Path:
    """Save as editors do: a temporary file renamed over the real one."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
    return path


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    return save(path, text.replace(old, new))


def test_article_edit_affects_its_page_and_the_pages_that_list_or_link_it(
    root: Path, preview: MemorySink
) -> None:
    article = edit(root / "content/world/port-talks.md", "berth fees", "berth and pilot fees")
    update = preview.rebuild({article})
    assert update.error is None and update.pages is not None
    # its page, home, its section's first page, tags, author, archives, neighbours, related
    for url in (
        PORT_TALKS,
        "",
        "world/",
        "tag/trade/",
        "tag/transport/",
        "author/imran-hossain/",
        "archive/2023/page/2/",  # five articles, two a page: third and fourth newest
        "archive/2023/09/page/2/",
        "world/ferry-resumes/",  # older neighbour in World: its "next" link
        "world/river-levels/",  # newer neighbour
        "business/rice-prices/",  # related through 'trade'
    ):
        assert url in update.pages, url
    # ...and nothing that neither lists nor links it
    for url in (
        "business/",
        "world/page/2/",
        "tag/weather/",
        "tag/food/",
        "author/nadia-rahman/",
        "archive/",
        "archive/2023/",
        "404.html",
    ):
        assert url not in update.pages, url
    assert "berth and pilot fees" in page(preview, PORT_TALKS).select_one(".story-body").text


def test_saving_without_a_change_affects_nothing(root: Path, preview: MemorySink) -> None:
    article = root / "content/world/port-talks.md"
    update = preview.rebuild({save(article, article.read_text(encoding="utf-8"))})
    assert update.pages == frozenset()


def test_template_edit_affects_exactly_the_pages_using_it(root: Path, preview: MemorySink) -> None:
    tag_template = edit(root / "templates/tag.html", "{% block main %}", "{% block main %}<!--x-->")
    update = preview.rebuild({tag_template})
    assert update.pages is not None
    assert update.pages and all(url.startswith("tag/") for url in update.pages)
    assert set(update.pages) == {u for u in preview.page_urls() if u.startswith("tag/")}

    base = edit(root / "templates/base.html", "<main", "<!-- base --><main")
    assert preview.rebuild({base}).pages is None  # every page: each one uses base.html


def test_stylesheet_edit_swaps_the_stylesheet_and_reloads_no_page(
    root: Path, preview: MemorySink
) -> None:
    old_link = page(preview, PORT_TALKS).select_one('link[rel="stylesheet"]')["href"]
    css = root / "static/style.css"
    save(css, css.read_text(encoding="utf-8") + "\nbody { color: rgb(1, 2, 3); }\n")
    update = preview.rebuild({css})
    assert update.pages == frozenset()
    ((old, new),) = update.stylesheets.items()
    assert old.startswith("static/style.") and new.startswith("static/style.") and old != new
    assert old_link.endswith(old)
    served = preview.resource(new)
    assert served is not None and b"rgb(1, 2, 3)" in served.data
    # pages rendered from now on link the new file
    assert page(preview, PORT_TALKS).select_one('link[rel="stylesheet"]')["href"].endswith(new)


def test_config_edit_affects_every_page(root: Path, preview: MemorySink) -> None:
    config = edit(root / "config.toml", "Preview Test Gazette", "Preview Test Ledger")
    update = preview.rebuild({config})
    assert update.pages is None
    assert "Preview Test Ledger" in page(preview, "").title.text


def test_new_and_deleted_articles(root: Path, preview: MemorySink) -> None:
    new = save(
        root / "content/world/bridge-opens.md",
        "---\nslug: bridge-opens\ntitle: New bridge opens to traffic\n"
        "date: 2023-09-24 09:00\n---\n\nCars crossed.\n",
    )
    update = preview.rebuild({new})
    assert update.pages is None  # the newest article heads every page's masthead
    assert "New bridge opens to traffic" in page(preview, "").text
    assert preview.resource("world/bridge-opens/") is not None

    new.unlink()
    update = preview.rebuild({new})
    assert update.pages is None
    assert "New bridge opens to traffic" not in page(preview, "").text
    assert preview.resource("world/bridge-opens/") is None

    older = root / "content/world/ferry-resumes.md"
    older.rename(root / "content/world/ferry-back.md")  # renamed, slug and all
    edit(root / "content/world/ferry-back.md", "slug: ferry-resumes", "slug: ferry-back")
    update = preview.rebuild({older, root / "content/world/ferry-back.md"})
    assert update.pages is not None
    assert {"world/ferry-resumes/", "world/ferry-back/", "world/page/2/"} <= update.pages
    assert preview.resource("world/ferry-resumes/") is None


def test_front_matter_error_is_located_and_kept_until_fixed(
    root: Path, preview: MemorySink
) -> None:
    article = root / "content/world/port-talks.md"
    good = article.read_text(encoding="utf-8")
    save(article, good.replace("date: 2023-09-21 10:00", "date: [not, a, date]"))
    update = preview.rebuild({article})
    assert update.error is not None
    assert "content/world/port-talks.md:4" in str(update.error)
    # another file changing does not hide the error
    other = edit(root / "content/world/river-levels.md", "half a metre", "forty centimetres")
    assert preview.rebuild({other}).error is not None
    # the last good site is still served meanwhile
    assert "berth fees" in page(preview, PORT_TALKS).text

    update = preview.rebuild({save(article, good)})
    assert update.error is None and update.pages is None  # recovered: every tab reloads
    assert "forty centimetres" in page(preview, "world/river-levels/").text


def test_template_error_names_the_template(root: Path, preview: MemorySink) -> None:
    broken = edit(root / "templates/article.html", "{% endblock %}", "{% endblok %}")
    update = preview.rebuild({broken})
    assert update.error is not None and "templates/article.html" in str(update.error)
    # saving an article meanwhile does not hide the broken template
    other = edit(root / "content/world/river-levels.md", "half a metre", "a metre")
    assert preview.rebuild({other}).error is not None
    edit(broken, "{% endblok %}", "{% endblock %}")
    update = preview.rebuild({broken})
    assert update.error is None and update.pages is None
    assert "a metre" in page(preview, "world/river-levels/").text


def test_drafts_only_with_drafts_and_badged(root: Path, preview: MemorySink) -> None:
    assert preview.resource("business/budget-draft/") is None
    with_drafts = MemorySink(root / "config.toml", include_drafts=True)
    assert with_drafts.rebuild().error is None
    badge = page(with_drafts, "business/budget-draft/").select_one(".badge-draft")
    assert badge is not None and badge.text == "Draft"


def test_files_reached_through_a_symlink_outside_the_site_are_refused(
    root: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    (root / "content/world/notes.txt").symlink_to(secret)
    preview = MemorySink(root / "config.toml")
    error = preview.rebuild().error
    assert error is not None and "content/world/notes.txt" in str(error)
    assert "leads out of the site folder" in str(error)
    assert preview.resource("world/notes.txt") is None


def test_feeds_are_served_in_the_preview(preview: MemorySink) -> None:
    robots = preview.resource("robots.txt")
    assert robots is not None and b"Sitemap" in robots.data


def test_editor_litter_is_ignored() -> None:
    for name in (".#story.md", "story.md~", ".story.md.swp", "#story.md#"):
        assert is_editor_litter(Path("content/world") / name)
    assert not is_editor_litter(Path("content/world/story.md"))


def test_debouncer_gives_one_call_per_burst_and_one_more_for_changes_during_it() -> None:
    calls: list[set[Path]] = []
    started = threading.Event()
    release = threading.Event()

    def rebuild(paths: set[Path]) -> None:
        calls.append(paths)
        started.set()
        if len(calls) == 1:
            release.wait(5)

    debouncer = Debouncer(rebuild, quiet=0.05)
    debouncer.start()
    try:
        for n in range(20):  # a burst: temp file, rename, several writes
            debouncer.add(Path(f"a{n % 3}.md"))
        assert started.wait(5)
        for n in range(10):  # arrives during the first rebuild
            debouncer.add(Path(f"b{n}.md"))
        release.set()
        deadline = time.monotonic() + 5
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # room for a wrong third call
    finally:
        debouncer.stop()
    assert calls == [
        {Path("a0.md"), Path("a1.md"), Path("a2.md")},
        {Path(f"b{n}.md") for n in range(10)},
    ]


def test_a_new_date_moves_the_article_in_every_list(root: Path, preview: MemorySink) -> None:
    # port-talks was the third newest of five; dated earliest, it moves to the end
    article = edit(root / "content/world/port-talks.md", "2023-09-21 10:00", "2023-09-01 10:00")
    update = preview.rebuild({article})
    assert update.error is None and update.pages is not None
    # the pages it left and the pages it moved into, the neighbours on both sides
    for url in (
        PORT_TALKS,
        "archive/2023/page/2/",
        "archive/2023/page/3/",
        "world/",
        "world/page/2/",
        "world/ferry-resumes/",
        "world/river-levels/",
    ):
        assert url in update.pages, url
    assert "business/" not in update.pages
    world = [a.text for a in page(preview, "world/page/2/").select("h2 a, h3 a")]
    assert any("Port talks" in title for title in world)


def test_title_edit_reaches_the_lists_showing_it(root: Path, preview: MemorySink) -> None:
    article = edit(root / "content/world/port-talks.md", "reach a second day", "end in a deal")
    update = preview.rebuild({article})
    assert update.pages is not None and "tag/trade/" in update.pages
    assert "Port talks end in a deal" in page(preview, "tag/trade/").text
    assert "Port talks end in a deal" in page(preview, "world/ferry-resumes/").text  # its "next"
