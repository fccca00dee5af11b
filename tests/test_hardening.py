"""Generated hostile input: config, front matter, templates, file names, dates and
permalinks of any shape give a working build or a GazetteError, never another
exception, and a failed build leaves output/ as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sitekit import article, make_site

from gazette.engine.clock import build_now
from gazette.errors import GazetteError
from gazette.paths import is_safe_relative
from gazette.sinks.disk import DiskSink
from gazette.stages.config import load_config
from gazette.stages.content import read_articles

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small site built once; each example changes it and builds again."""
    folder = tmp_path_factory.mktemp("hostile") / "site"
    make_site(folder, {"content/world/story.md": article("A story", "Some *text*.")})
    DiskSink(load_config(folder / "config.toml"), folder / "output", jobs=1).build()
    return folder


# The last-resort messages for a failure no check foresaw: generated input must not
# reach them (they exist so that a user never sees a traceback, not to pass tests).
UNFORESEEN = ("cannot read this file (", "config has a value Gazette cannot use")


def build_or_refuse(site: Path) -> None:
    """Build; a GazetteError must leave output/ exactly as it was."""
    output = site / "output"
    before = tree(output)
    try:
        DiskSink(load_config(site / "config.toml"), output, jobs=1).build()
    except GazetteError as exc:
        assert not any(text in str(exc) for text in UNFORESEEN), str(exc)
        assert tree(output) == before
        assert not list(output.rglob("*.gazette-new"))


TOML_PIECES = st.sampled_from(
    ["[site]", "[content]", "[hijri]", "[hijri.month_starts]", "[sections]", "[build]",
     'title = "x"', "per_page = -1", "timeout = 0", 'permalink = "/{slug}"',
     '"1445-03" = 0001-01-01', "a = [[[[1]]]]", "x = 1979-05-27T07:32:00Z", 'base_url = ""',
     'timezone = "Mars/Olympus"', "untrusted = 3", "linked_folders = [1]", "= =", "[[site]]",
     'world = { a = 1 }', "slugs = []", "date_format = '{nope}'"]
)  # fmt: skip


@SETTINGS
@given(st.lists(st.one_of(TOML_PIECES, st.text(max_size=30)), max_size=8))
def test_any_config_text_is_read_or_refused_with_a_gazette_error(
    tmp_path: Path, lines: list[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        load_config(path)
    except GazetteError as exc:
        assert not any(text in str(exc) for text in UNFORESEEN), str(exc)


def test_a_linked_folder_with_a_nul_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[content]\nlinked_folders = ["wire\\u0000desk"]\n', encoding="utf-8")
    with pytest.raises(GazetteError, match="content.linked_folders has"):
        load_config(path)


def test_deeply_nested_front_matter_is_a_located_error(site: Path) -> None:
    path = site / "content/world/deep.md"
    deep = "[" * 50_000 + "]" * 50_000
    path.write_text(f"---\ntitle: Deep\ndate: 2023-09-23\ntags: {deep}\n---\n", "utf-8")
    try:
        _, errors = read_articles(load_config(site / "config.toml"), [path])
    finally:
        path.unlink()
    assert len(errors) == 1 and "nested too deeply" in errors[0].message


def test_deeply_nested_config_is_a_gazette_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[site]\ntitle = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(GazetteError, match="nested too deeply"):
        load_config(path)


YAML_PIECES = st.sampled_from(
    ["title: x", "date: 2023-09-23", "date: 0001-01-01T00:00:00+14:00", "updated: 9999-12-31",
     "tags: [a, [b]]", "a: &x [1, 2]", "b: *x", "weather: {high: .inf}", "hijri: 1445-13-40",
     "author: [A, B]", "slug: ../../etc", "image: /etc/passwd", "draft: maybe", "? [a]",
     "section: {x: 1}", "- a", "title: !!python/object:os.system x", "date: 2023-02-30"]
)  # fmt: skip


@SETTINGS
@given(st.lists(st.one_of(YAML_PIECES, st.text(max_size=40)), max_size=8), st.text(max_size=80))
def test_any_front_matter_gives_an_article_or_a_located_error(
    site: Path, lines: list[str], body: str
) -> None:
    path = site / "content/world/generated.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    config = load_config(site / "config.toml")
    articles, errors = read_articles(config, [path])
    assert len(articles) + len(errors) == 1
    assert all(isinstance(e, GazetteError) and e.file for e in errors)
    assert not any(text in str(e) for e in errors for text in UNFORESEEN), errors
    path.unlink()


def test_a_yaml_alias_bomb_is_refused(site: Path) -> None:
    laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 10):
        previous = chr(ord("a") + n - 1)
        laughs.append(
            f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [{', '.join(['*' + previous] * 9)}]"
        )
    path = site / "content/world/bomb.md"
    path.write_text("---\ntitle: Laughs\ndate: 2023-09-23\n" + "\n".join(laughs) + "\n---\n")
    try:
        _, errors = read_articles(load_config(site / "config.toml"), [path])
    finally:
        path.unlink()
    assert len(errors) == 1 and "YAML anchor ('&a')" in errors[0].message
    assert errors[0].line == 4


TEMPLATE_PIECES = st.sampled_from(
    ["{{ page.title }}", "{% for a in range(10**10) %}{% endfor %}", "{{ 1 / 0 }}",
     "{% extends 'article.html' %}", "{% include 'nope.html' %}", "{{ undefined_name }}",
     "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{{ page.context.x.y }}", "{% if %}",
     "{{ link(1) }}", "{{ asset('nope.css') }}", "{{ 'a' * 10 }}", "{% set x = [] %}{{ x[3] }}",
     "{{ ''.__class__ }}", "{{ page.title | date_line }}", "{% block main %}{% endblock %}"]
)  # fmt: skip


@SETTINGS
@given(st.lists(st.one_of(TEMPLATE_PIECES, st.text(max_size=30)), min_size=1, max_size=5))
def test_any_template_text_renders_or_gives_a_gazette_error(site: Path, pieces: list[str]) -> None:
    template = site / "templates/article.html"
    original = template.read_bytes()
    template.write_text("".join(pieces), encoding="utf-8")
    try:
        build_or_refuse(site)
    finally:
        template.write_bytes(original)


NAME_BYTES = st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b)


@SETTINGS
@given(NAME_BYTES, st.sampled_from([b".md", b".jpg", b"", b".css"]), st.booleans())
def test_any_file_name_builds_or_gives_a_gazette_error(
    site: Path, name: bytes, suffix: bytes, in_static: bool
) -> None:
    if name in (b".", b".."):
        return
    folder = os.fsencode(site / ("static" if in_static else "content/world"))
    path = folder + b"/" + name + suffix
    with open(path, "wb") as file:
        file.write(article("A file with an odd name").encode() if suffix == b".md" else b"x")
    try:
        build_or_refuse(site)
    finally:
        os.unlink(path)
        shutil.rmtree(site / ".gazette-cache", ignore_errors=True)


DATES = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59)
) | st.dates().map(lambda d: dt.datetime(d.year, d.month, d.day))
OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60)


@SETTINGS
@given(DATES, OFFSETS, st.one_of(st.none(), DATES))
@example(dt.datetime(1, 1, 1), 14 * 60, None)  # the calendar's ends, with an offset
@example(dt.datetime(2023, 9, 23), 0, dt.datetime(9999, 12, 31, 23, 59))
@example(dt.datetime(9999, 12, 31, 23, 59), -14 * 60, None)
def test_any_date_and_update_build_or_give_a_located_error(
    site: Path, date: dt.datetime, offset: int, updated: dt.datetime | None
) -> None:
    zone = dt.timezone(dt.timedelta(minutes=offset))
    front = {"date": date.replace(tzinfo=zone).isoformat()}
    if updated is not None:
        front["updated"] = updated.isoformat()
    path = site / "content/world/dated.md"
    path.write_text(article("Dated", "Text.", hijri="1445-03-07", **front), encoding="utf-8")
    try:
        build_or_refuse(site)
    finally:
        path.unlink()


@SETTINGS
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_any_source_date_epoch_is_a_time_or_a_gazette_error(
    monkeypatch: pytest.MonkeyPatch, seconds: int
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(seconds))
    try:
        build_now(dt.timezone(dt.timedelta(hours=14)))
    except GazetteError as exc:
        assert "SOURCE_DATE_EPOCH" in exc.message


@SETTINGS
@given(st.text(alphabet="/{}.slugectiyarmhd-_x\\", max_size=24))
def test_any_permalink_is_refused_or_keeps_pages_inside_output(site: Path, pattern: str) -> None:
    config = site / "config.toml"
    original = config.read_text(encoding="utf-8")
    escaped = pattern.replace("\\", "\\\\")
    config.write_text(original.replace("[site]", f'[site]\npermalink = "{escaped}"', 1), "utf-8")
    try:
        try:
            loaded = load_config(config)
        except GazetteError:
            return
        build_or_refuse(site)
        for page in (site / "output").rglob("*.html"):
            assert is_safe_relative(page.relative_to(site / "output").as_posix())
        assert loaded.site.permalink == pattern
    finally:
        config.write_text(original, encoding="utf-8")
        shutil.rmtree(site / "output")
        DiskSink(load_config(config), site / "output", jobs=1).build()
