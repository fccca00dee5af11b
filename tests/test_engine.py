"""The engine as a user meets it through build, serve and check: a broken site is
reported before any Markdown is converted, what a failed build converted is kept for
the next run, and serve and check start from the build's cache without converting
again or changing it."""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gazette.commands.check import check_site
from gazette.engine import sources
from gazette.engine.cache import TEXTS, TextStore, cache_dir_for
from gazette.errors import GazetteError
from gazette.sinks.disk import DiskSink
from gazette.sinks.memory import MemorySink
from gazette.stages.config import Config, load_config
from tests.cleanbuild import build
from tests.conftest import tree_bytes
from tests.sitekit import article, make_site

BAD = "content/world/bad.md"


def story(n: int, **front: str) -> str:
    """Article number `n`: its own headline, minute and words."""
    date = f"2023-09-{1 + n % 28:02d} {n // 28 % 24:02d}:{n % 60:02d}"
    body = f"Paragraph {n} of the *report*, with [a link](https://example.org/{n})."
    return article(f"Story number {n}", body, **{"date": date, **front})


def stories(count: int, folder: str = "world") -> dict[str, str | bytes]:
    return {f"content/{folder}/story-{n:03d}.md": story(n) for n in range(count)}


def draft_files(count: int) -> dict[str, str | bytes]:
    """Drafts headlined "Draft number N"."""
    return {
        f"content/world/draft-{n}.md": story(100 + n, draft="true").replace(
            f"Story number {100 + n}", f"Draft number {n}"
        )
        for n in range(count)
    }


def site(root: Path, files: dict[str, str | bytes]) -> Config:
    return make_site(root, files)


def reload(config: Config) -> Config:
    """The config as a new command-line run reads it."""
    assert config.path is not None
    return load_config(config.path)


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The path of every article whose Markdown is converted in this process."""
    calls: list[str] = []
    real = sources.convert_article

    def counting(renderer: Any, article: Any, sanitize: bool) -> tuple[str, str]:
        calls.append(article.path)
        return real(renderer, article, sanitize)

    monkeypatch.setattr(sources, "convert_article", counting)
    return calls


def logged_conversions(monkeypatch: pytest.MonkeyPatch, log: Path) -> Callable[[], list[str]]:
    """Like `conversions`, for forked workers too: each call appends a line to `log`."""
    real = sources.convert_article

    def logging(renderer: Any, article: Any, sanitize: bool) -> tuple[str, str]:
        with log.open("a", encoding="utf-8") as file:
            file.write(article.path + "\n")
        return real(renderer, article, sanitize)

    monkeypatch.setattr(sources, "convert_article", logging)
    return lambda: log.read_text(encoding="utf-8").split() if log.exists() else []


def built(config: Config, **options: Any) -> DiskSink:
    """A build with the cache, as `python build.py build` runs it, and its process gone."""
    sink = DiskSink(config, config.root / "output", cache=True, **options)
    try:
        sink.build()
    finally:
        sink.engine.store.close()  # as the end of the command's process would
    return sink


def failed_build(config: Config, **options: Any) -> GazetteError:
    sink = DiskSink(config, config.root / "output", cache=True, **options)
    try:
        with pytest.raises(GazetteError) as caught:
            sink.build()
    finally:
        sink.engine.store.close()
    return caught.value


def clean_tree(config: Config, folder: Path, **options: Any) -> dict[str, bytes]:
    """Every file a build with no cache writes for this site."""
    build(reload(config), folder, **options)
    return tree_bytes(folder)


def file_hashes(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Each file's digest, inode and time: a file written again, even with the same
    bytes, or renamed over, shows."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            data = hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.relative_to(folder).as_posix()] = (data, st.st_ino, st.st_mtime_ns)
    return found


def served(sink: MemorySink, output: Path) -> dict[str, bytes]:
    """What serve answers at the URL of every file the build wrote."""
    answers = {}
    for path in tree_bytes(output):
        url = path.removesuffix("index.html")
        resource = sink.resource(url)
        assert resource is not None, f"serve has nothing at /{url}"
        answers[path] = resource.data
    return answers


# -- a broken site is reported before any Markdown is converted --------------------------


@pytest.mark.parametrize(
    ("count", "jobs"), [(30, 1), (120, 2)], ids=["in-process", "forked-workers"]
)
def test_a_bad_front_matter_is_reported_before_any_markdown_is_converted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, jobs: int
) -> None:
    """The build stops naming the one bad file, and no article's Markdown was converted
    meanwhile (an editor of a big site hears of a typo in seconds, not minutes)."""
    config = site(tmp_path, {**stories(count), BAD: story(count, date="soon")})
    converted = logged_conversions(monkeypatch, tmp_path / "conversions.log")
    error = failed_build(config, jobs=jobs)
    assert [problem.file for problem in error.all_problems()] == [BAD]
    assert BAD in str(error)
    assert converted() == []
    assert TextStore(cache_dir_for(config.root / "output") / TEXTS).empty()
    assert not (config.root / "output").exists()


def test_the_fixed_site_then_builds_like_a_clean_build(
    tmp_path: Path, conversions: list[str]
) -> None:
    """After that failure, fixing the file gives the site a clean build gives."""
    config = site(tmp_path, {**stories(30), BAD: story(30, date="soon")})
    failed_build(config, jobs=1)
    (tmp_path / BAD).write_text(story(30), encoding="utf-8")
    built(reload(config), jobs=1)
    everything = [BAD, *stories(30)]
    assert sorted(conversions) == sorted(path.removeprefix("content/") for path in everything)
    assert tree_bytes(tmp_path / "output") == clean_tree(config, tmp_path / "clean")


# -- a failed build keeps what it converted -----------------------------------------------

BROKEN_TEMPLATES = {
    "undefined variable": ("{% block main %}", "{% block main %}{{ undefined_thing.x }}"),
    "syntax error": ("{% block main %}", "{% block main %}{% if %}"),
}


@pytest.mark.parametrize(
    ("mistake", "count", "jobs"),
    [
        ("undefined variable", 30, 1),
        ("syntax error", 30, 1),
        ("undefined variable", 120, 2),
    ],
    ids=["undefined-variable", "syntax-error", "forked-workers"],
)
def test_a_failed_template_keeps_the_converted_markdown_for_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mistake: str, count: int, jobs: int
) -> None:
    """A first build that fails in a template has converted every article; once the
    template is fixed, the next run converts none again and writes a clean build's site."""
    config = site(tmp_path, stories(count))
    converted = logged_conversions(monkeypatch, tmp_path / "conversions.log")
    template = tmp_path / "templates" / "article.html"
    good = template.read_text(encoding="utf-8")
    old, new = BROKEN_TEMPLATES[mistake]
    assert old in good
    template.write_text(good.replace(old, new), encoding="utf-8")
    error = failed_build(config, jobs=jobs)
    assert "article.html" in str(error)
    assert len(converted()) == count
    template.write_text(good, encoding="utf-8")
    (tmp_path / "conversions.log").unlink()
    built(reload(config), jobs=jobs)
    assert converted() == []
    assert tree_bytes(tmp_path / "output") == clean_tree(config, tmp_path / "clean")


# -- a content error, then its fix --------------------------------------------------------


@pytest.mark.parametrize(
    ("fix", "converted"),
    [("a new text", 1), ("the old text", 0)],
    ids=["edited-while-fixing", "put-back-as-it-was"],
)
def test_breaking_then_fixing_an_article_converts_only_that_article(
    tmp_path: Path, conversions: list[str], fix: str, converted: int
) -> None:
    """Build; break one article (the build fails, naming it); fix it: the next build
    converts that article alone (none, when it is put back as it was) and its output
    is a clean build's."""
    config = site(tmp_path, stories(30))
    built(config, jobs=1)
    assert len(conversions) == 30
    path = tmp_path / "content/world/story-007.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("date: 2023-09-08", "date: soon"), encoding="utf-8")
    conversions.clear()
    error = failed_build(reload(config), jobs=1)
    assert [problem.file for problem in error.all_problems()] == ["content/world/story-007.md"]
    assert conversions == []
    fixed = original if fix == "the old text" else original.replace("Paragraph 7", "Para 7")
    path.write_text(fixed, encoding="utf-8")
    built(reload(config), jobs=1)
    assert conversions == ["world/story-007.md"] * converted
    assert tree_bytes(tmp_path / "output") == clean_tree(config, tmp_path / "clean")


def test_an_edited_story_is_converted_in_a_second_process_while_the_cache_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild after an edit converts the story in a forked process, so this one,
    meanwhile loading the cache, finds its text stored and converts nothing."""
    config = site(tmp_path, stories(30))
    built(config, jobs=1)
    log, real = tmp_path / "converted.log", sources.convert_article

    def logging(renderer: Any, article: Any, sanitize: bool) -> tuple[str, str]:
        with log.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {article.path}\n")
        return real(renderer, article, sanitize)

    monkeypatch.setattr(sources, "convert_article", logging)
    path = tmp_path / "content/world/story-007.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA line added later.\n")
    built(reload(config), jobs=1)
    pid, converted = log.read_text(encoding="utf-8").split()
    assert converted == "world/story-007.md" and int(pid) != os.getpid()
    assert tree_bytes(tmp_path / "output") == clean_tree(config, tmp_path / "clean")


# -- serve and check start from the build's cache -----------------------------------------


def test_serve_starts_from_the_build_and_serves_its_bytes(
    tmp_path: Path, conversions: list[str]
) -> None:
    """serve after build converts no Markdown, answers every URL with the bytes the
    build wrote there, and leaves the build's cache exactly as it was."""
    config = site(tmp_path, {**stories(40), **stories(5, "sport")})
    built(config)
    cache = cache_dir_for(tmp_path / "output")
    before = file_hashes(cache)
    assert TEXTS in before
    conversions.clear()
    preview = MemorySink(tmp_path / "config.toml")
    update = preview.rebuild()
    assert update.error is None, update.error
    written = tree_bytes(tmp_path / "output")
    answers = served(preview, tmp_path / "output")
    assert conversions == []
    assert [path for path in written if answers[path] != written[path]] == []
    assert preview.engine is not None
    preview.engine.store.close()  # serve stopped
    assert file_hashes(cache) == before


def test_serve_adds_only_sqlite_companions_while_it_runs(tmp_path: Path) -> None:
    """While serve runs, every file the build left in its cache is as the build left it;
    the only extras are SQLite's -shm index and an empty -wal (serve wrote nothing),
    and both are gone once serve stops."""
    config = site(tmp_path, stories(10))
    built(config)
    cache = cache_dir_for(tmp_path / "output")
    before = file_hashes(cache)
    preview = MemorySink(tmp_path / "config.toml")
    assert preview.rebuild().error is None
    assert served(preview, tmp_path / "output")
    assert preview.engine is not None
    try:
        running = file_hashes(cache)
        assert {path: running[path] for path in before} == before
        assert sorted(running.keys() - before.keys()) == [f"{TEXTS}-shm", f"{TEXTS}-wal"]
        assert (cache / f"{TEXTS}-wal").stat().st_size == 0
    finally:
        preview.engine.store.close()
    assert file_hashes(cache) == before


def test_serve_of_a_site_broken_since_its_build_leaves_the_cache_alone(
    tmp_path: Path, conversions: list[str]
) -> None:
    """An article broken after the build: serve shows the error naming it, converts
    nothing, and the build's cache stays as the build left it (the next build's own)."""
    config = site(tmp_path, stories(20))
    built(config)
    cache = cache_dir_for(tmp_path / "output")
    before = file_hashes(cache)
    path = tmp_path / "content/world/story-002.md"
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2023-09-03", "date: soon"))
    (tmp_path / "content/world/new.md").write_text(story(50), encoding="utf-8")
    conversions.clear()
    preview = MemorySink(tmp_path / "config.toml")
    update = preview.rebuild()
    assert update.error is not None
    assert [p.file for p in update.error.all_problems()] == ["content/world/story-002.md"]
    assert conversions == []
    assert preview.engine is not None
    preview.engine.store.close()
    assert file_hashes(cache) == before


def test_a_build_after_editing_in_serve_equals_a_clean_build(
    tmp_path: Path, conversions: list[str]
) -> None:
    """Edit an article while serve shows it, stop serve, build: the site on disk is the
    clean build's, with the edit (serve's conversion of the edit may be reused)."""
    config = site(tmp_path, stories(20))
    built(config, jobs=1)
    preview = MemorySink(tmp_path / "config.toml")
    assert preview.rebuild().error is None
    path = tmp_path / "content/world/story-004.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Paragraph 4", "Changed 4"))
    assert preview.rebuild({path}).error is None
    page = preview.resource("world/story-number-4/")
    assert page is not None and b"Changed 4" in page.data
    assert preview.engine is not None
    preview.engine.store.close()
    conversions.clear()
    built(reload(config), jobs=1)
    assert set(conversions) <= {"world/story-004.md"}
    written = tree_bytes(tmp_path / "output")
    assert b"Changed 4" in written["world/story-number-4/index.html"]
    assert written == clean_tree(config, tmp_path / "clean")


@pytest.mark.parametrize("drafts", [False, True], ids=["check", "check-drafts"])
def test_check_after_a_build_converts_nothing_and_changes_nothing(
    tmp_path: Path, conversions: list[str], drafts: bool
) -> None:
    """check (with --drafts or not) on a site built without drafts converts no Markdown,
    finds no problem, and leaves the build's cache as it was."""
    config = site(tmp_path, {**stories(30), **draft_files(2)})
    built(config)
    cache = cache_dir_for(tmp_path / "output")
    before = file_hashes(cache)
    conversions.clear()
    report = check_site(reload(config), include_drafts=drafts)
    assert [str(problem) for problem in report.problems] == []
    assert report.articles == (32 if drafts else 30) and report.links > 0
    assert conversions == []
    gc.collect()  # check's engine, with its store's connection, goes as its process would
    assert file_hashes(cache) == before


def test_check_without_a_cache_converts_every_article(
    tmp_path: Path, conversions: list[str]
) -> None:
    """The counterpart: with no build before it, check has to convert them all (so the
    test above does show the cache at work)."""
    config = site(tmp_path, stories(12))
    assert check_site(config).problems == []
    assert len(conversions) == 12
    assert not cache_dir_for(tmp_path / "output").exists()


# -- drafts: the build parses them, so serve --drafts need not ----------------------------


@pytest.mark.parametrize(
    ("build_drafts", "serve_drafts"), [(False, True), (True, False)], ids=["on", "off"]
)
def test_toggling_drafts_between_build_and_serve_converts_nothing(
    tmp_path: Path, conversions: list[str], build_drafts: bool, serve_drafts: bool
) -> None:
    """A build with or without --drafts converts every article, drafts too; serve with
    the other setting then converts none, and shows the drafts exactly when asked."""
    config = site(tmp_path, {**stories(20), **draft_files(3)})
    built(config, include_drafts=build_drafts)
    assert len(conversions) == 23
    conversions.clear()
    preview = MemorySink(tmp_path / "config.toml", include_drafts=serve_drafts)
    update = preview.rebuild()
    assert update.error is None, update.error
    home = preview.resource("")
    assert home is not None
    assert (b"Draft number 1" in home.data) is serve_drafts
    for url in preview.page_urls():
        assert preview.resource(url) is not None
    assert conversions == []
    assert preview.engine is not None
    preview.engine.store.close()


# -- one cache, however the config's path is spelled --------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = sources._read

    def counting(items: list[tuple[str, Path]]) -> list:
        seen.extend(relative for relative, _ in items)
        return real(items)

    monkeypatch.setattr(sources, "_read", counting)
    return seen


def _site_of_twenty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"content/world/s{n}.md": article(f"Story {n}") for n in range(20)}
    make_site(tmp_path, files)  # type: ignore[arg-type]
    monkeypatch.chdir(tmp_path)


def cli_build(config_path: Path) -> int:
    config = load_config(config_path)  # as run_build does with args.config
    sink = DiskSink(config, config.root / "output", cache=True, jobs=1)
    result = sink.build()
    sink.engine.store.close()
    return result.rendered


def test_serve_after_a_plain_build_reads_no_front_matter_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]
) -> None:
    """`build.py build` (config.toml, relative) then `build.py serve`: one cache, valid."""
    _site_of_twenty(tmp_path, monkeypatch)
    cli_build(Path("config.toml"))  # `python build.py build`
    reads.clear()
    preview = MemorySink(Path("config.toml"))  # `python build.py serve`
    assert preview.rebuild().error is None
    assert reads == []


def test_a_build_with_the_config_spelled_otherwise_renders_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]
) -> None:
    """--config config.toml, then --config /the/same/config.toml: nothing to do."""
    _site_of_twenty(tmp_path, monkeypatch)
    cli_build(Path("config.toml"))
    reads.clear()
    assert cli_build(tmp_path / "config.toml") == 0
    assert reads == []
