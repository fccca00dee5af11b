"""A build with nothing to do (gazette.sinks.unchanged): found from the last build's
note without loading the engine or the cache; and any change at all, to any file
a build reads or writes, or the clock passing a story's time, still builds."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import REPO, tree_bytes

from gazette.engine.cache import cache_dir_for
from gazette.sinks import unchanged
from gazette.sinks.disk import DiskSink
from gazette.stages.config import load_config
from tests.cleanbuild import build
from tests.sitekit import article, make_site, tiny_photo

NOW = dt.datetime(2023, 10, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
SCHEDULED = dt.datetime(2023, 10, 2, 9, 0, tzinfo=ZoneInfo("UTC"))

FILES: dict[str, str | bytes] = {
    "content/world/summit.md": article("Leaders meet at the summit", tags="[diplomacy]"),
    "content/world/floods.md": article("Rivers rise in the north", date="2023-09-24 08:00"),
    "content/business/rice.md": article("Rice prices ease", date="2023-09-25 08:00"),
    "content/business/later.md": article("A story for tomorrow", date="2023-10-02 09:00"),
}
SECTIONS = '[sections]\nworld = "World"\nbusiness = "Business"\n'


def _sink(root: Path, now: dt.datetime = NOW, drafts: bool = False) -> DiskSink:
    config = load_config(root / "config.toml")
    return DiskSink(config, root / "output", cache=True, jobs=1, now=now, include_drafts=drafts)


def _clean(root: Path, tmp: Path, now: dt.datetime = NOW, drafts: bool = False) -> dict:
    build(load_config(root / "config.toml"), tmp, now=now, include_drafts=drafts)
    return tree_bytes(tmp)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    make_site(root, FILES, SECTIONS)
    _sink(root).build()
    return root


def test_a_build_with_nothing_to_do_loads_nothing(site: Path) -> None:
    first = tree_bytes(site / "output")
    again = _sink(site)
    result = again.build()
    assert again.engine.state is None  # the cache was not even loaded
    assert (result.articles, result.report.written, result.report.removed) == (3, 0, 0)
    assert result.report.unchanged == len(first)
    assert tree_bytes(site / "output") == first


def _append(path: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        with (root / path).open("a", encoding="utf-8") as file:
            file.write(text)

    return edit


def _write(path: str, data: str | bytes) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            (root / path).write_bytes(data)
        else:
            (root / path).write_text(data, encoding="utf-8")

    return edit


def _icon(colour: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (512, 512), colour).save(out, "PNG")
    return out.getvalue()


def _deface(root: Path) -> None:
    (root / "output" / "index.html").write_text("defaced", encoding="utf-8")


def _delete_page(root: Path) -> None:
    next((root / "output" / "world").rglob("index.html")).unlink()


def _touch_cache(root: Path) -> None:
    stamp = cache_dir_for(root / "output") / "stamp.json"
    stamp.write_text(stamp.read_text().replace('"code": "', '"code": "0'))


CHANGES = {
    "a story's body": _append("content/world/summit.md", "\nA late paragraph.\n"),
    "a new story": _write("content/world/new.md", article("A fresh report")),
    "a template": lambda root: _write(
        "templates/article.html",
        (root / "templates/article.html")
        .read_text(encoding="utf-8")
        .replace("{% block main %}", "{% block main %}<!-- revised -->"),
    )(root),
    "a static file": _append("static/style.css", "\n/* revised */\n"),
    "a photo in content": _write("content/world/photo.jpg", tiny_photo()),
    "the authors data file": _write("data/authors.toml", '["The Desk"]\nrole = "Night desk"\n'),
    "config.toml": _append("config.toml", "\n[feeds]\nentries = 2\n"),
    "the icon beside config.toml": lambda root: _write("icon.png", _icon((200, 40, 40)))(root),
    "a page in output/ edited by hand": _deface,
    "a page deleted from output/": _delete_page,
    "the cache": _touch_cache,
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_any_change_builds_as_a_clean_build_would(site: Path, tmp_path: Path, change: str) -> None:
    if change == "the icon beside config.toml":
        _write("icon.png", _icon((30, 90, 160)))(site)
        _append("config.toml", '\n[images]\nicon = "icon.png"\n')(site)
        _sink(site).build()
    CHANGES[change](site)
    result = _sink(site).build()
    if "output/" not in change and change != "the cache":
        assert result.report.written or result.report.removed, change
    assert tree_bytes(site / "output") == _clean(site, tmp_path / "clean")
    settled = _sink(site)
    settled.build()
    assert settled.engine.state is None, "the build after it has nothing to do"


def test_the_clock_passing_a_scheduled_story_builds(site: Path, tmp_path: Path) -> None:
    before = _sink(site, NOW + dt.timedelta(hours=20))
    before.build()
    assert before.engine.state is None  # nothing falls due before the story's time
    after = _sink(site, SCHEDULED + dt.timedelta(minutes=1))
    assert after.build().report.written
    assert "A story for tomorrow" in (site / "output" / "index.html").read_text()
    expected = _clean(site, tmp_path / "clean", SCHEDULED + dt.timedelta(minutes=1))
    assert tree_bytes(site / "output") == expected


def test_drafts_and_the_pinned_clock_are_part_of_the_note(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_drafts = _sink(site, drafts=True)
    with_drafts.build()
    assert with_drafts.engine.state is not None
    assert tree_bytes(site / "output") == _clean(site, tmp_path / "drafts", drafts=True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    pinned = _sink(site, drafts=True)
    pinned.build()
    assert pinned.engine.state is not None


def test_a_note_that_does_not_check_out_is_ignored(site: Path) -> None:
    note = cache_dir_for(site / "output") / unchanged.NOTE
    data = bytearray(note.read_bytes())
    data[-1] ^= 0xFF
    note.write_bytes(bytes(data))
    assert unchanged.load(note.parent) is None
    looked = _sink(site)
    looked.build()
    assert looked.engine.state is not None  # the slow way, which writes a good note
    assert unchanged.load(note.parent) is not None


def _cli_build_with(config: Path, modules: list[str]) -> subprocess.CompletedProcess:
    """A command-line build in a process of its own, which then prints which of
    `modules` it imported (with the real clock: not the fixture's)."""
    script = (
        "import sys; from gazette.commands.cli import main; code = main(['--config', "
        f"{str(config)!r}]); print([m for m in {modules!r} if m in sys.modules]); sys.exit(code)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)


def test_the_command_line_finds_nothing_to_do_without_importing_the_engine(site: Path) -> None:
    config = site / "config.toml"
    first = _cli_build_with(config, [])
    assert first.returncode == 0, first.stderr
    second = _cli_build_with(config, ["gazette.engine.core"])
    assert second.returncode == 0, second.stderr
    assert "0 written" in second.stdout and "0 removed" in second.stdout
    assert second.stdout.strip().endswith("[]")


def test_a_rebuild_after_an_edit_loads_neither_markdown_nor_pygments(site: Path) -> None:
    """The edited story is converted in a second process while the cache loads, and
    the code stylesheet Pygments makes is kept in the cache."""
    config = site / "config.toml"
    assert _cli_build_with(config, []).returncode == 0
    story = next((site / "content" / "world").glob("*.md"))
    story.write_text(story.read_text() + "\nA sentence added after the first build.\n")
    again = _cli_build_with(config, ["gazette.engine.core", "markdown", "pygments"])
    assert again.returncode == 0, again.stderr
    assert " 0 written" not in again.stdout, again.stdout  # it built
    assert again.stdout.strip().endswith("['gazette.engine.core']")


def test_compiled_code_written_beside_gazette_does_not_void_the_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing Gazette writes `__pycache__` folders into its package, which moves
    their parents' times: that must not make every second build a slow one."""
    code = tmp_path / "gazette"
    (code / "sinks").mkdir(parents=True)
    (code / "sinks" / "disk.py").write_text("# a module\n")
    monkeypatch.setattr(unchanged, "CODE", str(code))
    os.utime(code / "sinks", (1_000_000_000, 1_000_000_000))  # long ago: any change shows
    before: dict = {}
    assert unchanged._walk(str(code), before)
    (code / "sinks" / "__pycache__").mkdir()
    (code / "sinks" / "__pycache__" / "disk.cpython-311.pyc").write_bytes(b"compiled")
    after: dict = {}
    assert unchanged._walk(str(code), after)
    assert after == before
    (code / "sinks" / "disk.py").write_text("# a module, edited\n")
    edited: dict = {}
    assert unchanged._walk(str(code), edited)
    assert edited != before  # an edit to the code itself still counts


def test_a_mistyped_config_path_is_an_error_that_leaves_nothing_behind(tmp_path: Path) -> None:
    """The quick look takes the build lock in a cache folder beside the site: a config
    that is not there must be reported before any folder is made."""
    missing = tmp_path / "no-such-site" / "config.toml"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--config", str(missing)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1 and "config file not found" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "no-such-site").exists()
