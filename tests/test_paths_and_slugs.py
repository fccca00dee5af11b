"""Unit tests: safe walks (symlinks, loops), safe output paths, slugs in any script."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sitekit import article, make_site, soup

from gazette.errors import GazetteError
from gazette.paths import is_safe_relative, walk_files
from gazette.sinks.output_dir import check_output_dir
from gazette.slugs import MAX_BYTES, make_slug
from gazette.stages.assets import OutputFile
from tests.cleanbuild import build, publish


def test_walk_follows_symlinked_folders(tmp_path: Path) -> None:
    shared = tmp_path / "wire"
    (shared / "afp").mkdir(parents=True)
    (shared / "afp" / "story.md").write_text("x")
    content = tmp_path / "content"
    content.mkdir()
    (content / "world").symlink_to(shared)
    assert walk_files(content) == [content / "world" / "afp" / "story.md"]


def test_walk_reports_a_symlink_loop_instead_of_hanging(tmp_path: Path) -> None:
    deep = tmp_path / "content" / "world" / "a"
    deep.mkdir(parents=True)
    (deep / "back").symlink_to(tmp_path / "content")
    with pytest.raises(GazetteError) as caught:
        walk_files(tmp_path / "content")
    assert caught.value.file == "content/world/a/back"
    assert "symlink loop" in caught.value.message


def test_two_links_to_one_folder_are_not_a_loop(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"jpg")
    content = tmp_path / "content"
    content.mkdir()
    (content / "one").symlink_to(tmp_path / "photos")
    (content / "two").symlink_to(tmp_path / "photos")
    assert [p.relative_to(content).as_posix() for p in walk_files(content)] == [
        "one/a.jpg",
        "two/a.jpg",
    ]


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("world/x/index.html", True),
        ("static/style.abc.css", True),
        ("world/café/index.html", True),
        ("../etc/passwd", False),
        ("world/../../x", False),
        ("/etc/passwd", False),
        ("", False),
        ("a\\..\\b", False),
        ("a\x00b", False),
    ],
)
def test_safe_relative_paths(path: str, safe: bool) -> None:
    assert is_safe_relative(path) is safe


def test_publish_refuses_a_path_outside_output(tmp_path: Path) -> None:
    with pytest.raises(GazetteError, match="outside the output folder"):
        publish(tmp_path / "output", [OutputFile("../escaped.html", b"x")])
    assert not (tmp_path / "escaped.html").exists()
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    ("title", "style", "slug"),
    [
        ("Kim tours Russian bombers", "ascii", "kim-tours-russian-bombers"),
        ("بوتين يلتقي كيم", "ascii", "bwtyn-yltqy-kym"),
        ("بوتين يلتقي كيم", "unicode", "بوتين-يلتقي-كيم"),
        ("ঢাকায় বৃষ্টি", "unicode", "ঢাকায়-বৃষ্টি"),  # vowel signs kept
        ("پاکستان میں بارش", "unicode", "پاکستان-میں-بارش"),
        ("Москва: новости", "unicode", "москва-новости"),
        ("../../etc/x", "ascii", "etc-x"),
        ("../../etc/x", "unicode", "etc-x"),
        ("🎉🎉", "ascii", ""),
        ("🎉🎉", "unicode", ""),
        ("Ｆｕｌｌ／ｗｉｄｔｈ", "unicode", "full-width"),
    ],
)
def test_make_slug(title: str, style: str, slug: str) -> None:
    assert make_slug(title, style) == slug


@pytest.mark.parametrize("style", ["ascii", "unicode"])
def test_long_titles_give_short_slugs(style: str) -> None:
    slug = make_slug("বৃষ্টি " * 500 if style == "unicode" else "headline " * 500, style)
    assert 0 < len(slug.encode("utf-8")) <= MAX_BYTES
    assert not slug.endswith("-")


def test_same_headline_twice_gives_two_urls_older_keeps_plain(tmp_path: Path) -> None:
    config = make_site(
        tmp_path,
        {
            "content/world/first.md": article("Floods in Sylhet", date="2023-09-20"),
            "content/world/second.md": article("Floods in Sylhet", date="2023-09-23"),
            "content/world/emoji.md": article("'🎉'"),
        },
    )
    out = tmp_path / "out"
    build(config, out)
    assert (out / "world/floods-in-sylhet/index.html").is_file()
    assert (out / "world/floods-in-sylhet-2/index.html").is_file()
    assert (out / "world/emoji/index.html").is_file()  # no letters: the file name is used


def test_unicode_slug_style_from_config(tmp_path: Path) -> None:
    config = make_site(
        tmp_path,
        {"content/world/a.md": article("বন্যায় সিলেট")},
        '\n[content]\nslugs = "unicode"\n',
    )
    build(config, tmp_path / "out")
    assert (tmp_path / "out/world/বন্যায়-সিলেট/index.html").is_file()


def test_unicode_slug_style_applies_to_tags_and_authors(tmp_path: Path) -> None:
    config = make_site(
        tmp_path,
        {
            "content/world/a.md": article("Rain", tags="[বন্যা, Flood]", author="রহিম"),
            "content/world/b.md": article("More rain", tags="[বন্যা, flood]"),
        },
        '\n[content]\nslugs = "unicode"\n',
    )
    out = tmp_path / "out"
    build(config, out)
    tag_page = soup(out / "tag/বন্যা/index.html")
    assert len(tag_page.select("article.card")) == 2
    assert len(soup(out / "tag/flood/index.html").select("article.card")) == 2  # one term
    assert (out / "author/রহিম/index.html").is_file()
    story = soup(out / "world/rain/index.html")
    hrefs = [a["href"] for a in story.select(".story-tags a")]
    assert hrefs == ["../../tag/বন্যা/", "../../tag/flood/"]


def test_bad_slug_style_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteError, match="content.slugs must be 'ascii' or 'unicode'"):
        make_site(tmp_path, {}, '\n[content]\nslugs = "latin"\n')


@pytest.mark.parametrize("name", ["site", "content", "templates", "static", "home", "root"])
def test_output_dir_that_is_or_contains_sources_is_refused(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    site = home / "site"
    config = make_site(site, {"content/world/a.md": article()})
    monkeypatch.setenv("HOME", str(home))
    target = {
        "site": site,
        "content": site / "content",
        "templates": site / "templates",
        "static": site / "static",
        "home": home,
        "root": Path("/"),
    }[name]
    with pytest.raises(GazetteError, match="refusing to use"):
        check_output_dir(target, config)
    with pytest.raises(GazetteError, match="refusing to use"):
        check_output_dir(Path(os.path.relpath(target)), config)  # however it is spelled


def test_output_dir_beside_sources_is_fine(tmp_path: Path) -> None:
    config = make_site(tmp_path, {})
    check_output_dir(tmp_path / "output", config)
    check_output_dir(tmp_path / "public" / "site", config)


def test_stage_refuses_a_path_outside_output_before_making_folders(tmp_path: Path) -> None:
    from gazette.sinks.output_dir import Stage

    stage = Stage(tmp_path / "output")
    for path in ("../escaped/index.html", "a/../../escaped.html", "/etc/x"):
        with pytest.raises(GazetteError, match="outside the output folder"):
            stage.put(path, b"x", "digest")
    stage.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
