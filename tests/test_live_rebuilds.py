"""Live coverage under edits and under the clock: a live story gaining updates, a banner
ending, a story expiring. A build kept alive, one restarted from its cache and the
preview all equal a clean build, byte for byte (the incremental and parity contracts),
and an edit rewrites only the pages that show the story."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import tree_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_incremental import differences
from test_serve import free_port

from gazette.commands.serve import LiveServer, build_message
from gazette.sinks.disk import DiskSink
from gazette.sinks.memory import MemorySink
from gazette.stages.config import load_config
from tests.cleanbuild import build
from tests.sitekit import article, make_site, soup

UTC = dt.UTC
NOW = dt.datetime(2023, 9, 24, 12, 0, tzinfo=UTC)
STORY = "world/floods-live/"
OTHERS = {
    "content/world/older.md": article("An older story", date="2023-09-20 08:00", slug="older"),
    "content/sport/match.md": article("A match report", date="2023-09-22 18:00", slug="match"),
    "content/world/tagged.md": article(
        "Another flood story", date="2023-09-21 08:00", tags="[floods]", slug="tagged"
    ),
}


def _live(updates: list[tuple[int, str]]) -> str:
    """The live story with `updates` (minutes after 10:00, text), written oldest first."""
    body = "Rivers are rising across the north.\n"
    for minutes, words in updates:
        when = dt.datetime(2023, 9, 23, 10, 0) + dt.timedelta(minutes=minutes)
        heading = f"{when:%H:%M}" if when.day == 23 else f"{when:%Y-%m-%d %H:%M}"
        body += f"\n## {heading} {words}\n\nWhat happened at {heading}.\n"
    return article(
        "Floods live",
        body,
        date="2023-09-23 10:00",
        live="true",
        tags="[floods]",
        slug="floods-live",
    )


def _site(root: Path, updates: list[tuple[int, str]]) -> Path:
    make_site(root, {**OTHERS, "content/world/floods-live.md": _live(updates)})
    return root


def _clean(root: Path, folder: Path, now: dt.datetime = NOW) -> dict[str, bytes]:
    build(load_config(root / "config.toml"), folder, now=now)
    return tree_bytes(folder)


UPDATE = st.tuples(st.integers(0, 24 * 60 - 1), st.sampled_from(["Rain", "Dams open", ""]))


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(UPDATE, min_size=1, max_size=4))
def test_a_live_story_gaining_updates_builds_as_a_clean_build(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[int, str]]
) -> None:
    folder = tmp_path_factory.mktemp("gaining")
    root = _site(folder / "site", [])
    source = root / "content/world/floods-live.md"
    kept = DiskSink(load_config(root / "config.toml"), folder / "kept", now=NOW, jobs=1)
    kept.build()
    written: list[tuple[int, str]] = []
    for number, update in enumerate(steps):
        written.append(update)  # appended at the bottom, in any order of time
        source.write_text(_live(written), encoding="utf-8")
        result = kept.build({source})
        expected = _clean(root, folder / f"clean-{number}")
        assert differences(tree_bytes(folder / "kept"), expected) == []
        # only the pages that show the story (its own, its listings) are rewritten
        for path in (p for p in result.changed if p.endswith(".html")):
            text = expected[path].decode()
            assert path == f"{STORY}index.html" or "floods-live/" in text, path
        assert f"{STORY}updates.xml" in result.changed
        assert "sport/match/index.html" not in result.changed
        assert "world/older/index.html" not in result.changed


def test_the_preview_shows_a_new_update_on_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    root = _site(tmp_path / "site", [(5, "First")])
    source = root / "content/world/floods-live.md"
    preview = MemorySink(root / "config.toml")
    preview.rebuild()
    before = preview.resource(STORY)
    assert before is not None and b"update-2023-09-23-1005" in before.data
    source.write_text(_live([(5, "First"), (50, "Second")]), encoding="utf-8")
    update = preview.rebuild({source})
    message = build_message(update, 1)
    assert message["error"] is None
    assert STORY in message["pages"]  # the open tab on the story reloads
    assert "sport/match/" not in message["pages"]
    page = soup_of(preview.resource(STORY).data)
    ids = [s["id"] for s in page.select("section.live-update")]
    assert ids == ["update-2023-09-23-1050", "update-2023-09-23-1005"]
    feed = preview.resource(f"{STORY}updates.xml")
    assert feed is not None and b"update-2023-09-23-1050" in feed.data
    expected = _clean(root, tmp_path / "clean")
    for path, data in expected.items():
        served = preview.resource(path.removesuffix("index.html"))
        assert served is not None and served.data == data, path


def soup_of(data: bytes) -> BeautifulSoup:
    return BeautifulSoup(data.decode("utf-8"), "html.parser")


@pytest.mark.parametrize("cache", [False, True], ids=["kept", "from-cache"])
def test_a_banner_and_a_live_badge_that_end_rebuild_as_a_clean_build(
    tmp_path: Path, cache: bool
) -> None:
    root = _site(tmp_path / "site", [(5, "First")])
    story = root / "content/world/floods-live.md"
    text = story.read_text().replace(
        "live: true\n",
        "live: true\nlive_until: 2023-09-24 14:00\nbreaking: true\n"
        "breaking_until: 2023-09-24 13:00\n",
    )
    story.write_text(text, encoding="utf-8")
    expiring = root / "content/world/older.md"
    expiring.write_text(
        article("An older story", date="2023-09-20 08:00", expires="2023-09-24 15:00")
    )
    config = load_config(root / "config.toml")
    times = [
        NOW,
        NOW.replace(hour=13, minute=30),
        NOW.replace(hour=14, minute=30),
        NOW.replace(hour=16),
    ]
    kept = DiskSink(config, tmp_path / "out", now=times[0], jobs=1, cache=cache)
    kept.build()
    for number, now in enumerate(times[1:]):
        if cache:  # a later run of `build.py` (cron), from the cache the first left
            kept = DiskSink(config, tmp_path / "out", now=now, jobs=1, cache=True)
        else:
            kept.engine.now = now
        result = kept.build()
        expected = _clean(root, tmp_path / f"clean-{number}", now)
        assert differences(tree_bytes(tmp_path / "out"), expected) == [], now
        assert result.changed, now
    out = tmp_path / "out"
    assert soup(out / "index.html").select(".breaking, .badge-live") == []
    assert not (out / "world/older/index.html").exists()


def test_serve_rebuilds_by_itself_when_the_next_thing_falls_due(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    now = dt.datetime.now(UTC).replace(microsecond=0)
    soon = now + dt.timedelta(seconds=3)
    files = {
        "content/world/offer.md": article(
            "Shelter list", date=f"{now - dt.timedelta(hours=1):%Y-%m-%d %H:%M:%S}",
            expires=f"{soon:%Y-%m-%d %H:%M:%S}", slug="offer",
        ),
        "content/world/stays.md": article(
            "Stays", date=f"{now - dt.timedelta(hours=2):%Y-%m-%d %H:%M:%S}", slug="stays"
        ),
    }  # fmt: skip
    make_site(tmp_path, files)
    lines: list[str] = []
    server = LiveServer(tmp_path / "config.toml", port=free_port(), log=lines.append).start()
    try:
        assert server.preview.next_due() == soon
        assert server.preview.resource("world/offer/") is not None
        deadline = time.monotonic() + 60  # no timing asserted: only that it comes
        while server.preview.resource("world/offer/") is not None:
            assert time.monotonic() < deadline, "the expired story is still served"
            time.sleep(0.1)
        assert server.preview.resource("world/stays/") is not None
        assert server.preview.next_due() is None
    finally:
        server.stop()
