"""The preview survives every broken fixture site: it shows the error, keeps serving,
and recovers when the mistake is fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_broken_sites as broken

from gazette.commands.serve import LiveServer
from gazette.errors import GazetteError
from gazette.sinks.memory import MemorySink
from tests.test_serve import free_port, get

PREVIEW_CASES = [c for c in broken.CASES if broken.read_expected(c).output == "output"]


@pytest.mark.parametrize("case", PREVIEW_CASES)
def test_preview_reports_the_error_and_does_not_crash(case: str, tmp_path: Path) -> None:
    expected = broken.read_expected(case)
    site = broken.assemble(case, tmp_path)
    preview = MemorySink(site / "config.toml")
    update = preview.rebuild()
    assert isinstance(update.error, GazetteError), case
    assert expected.message in str(update.error)
    try:  # the server answers a page or shows this same error; nothing else escapes
        preview.resource("")
    except GazetteError as exc:
        assert expected.message in str(exc)
    assert not (site / "output").exists()


def test_server_keeps_serving_through_broken_edits_and_recovers(tmp_path: Path) -> None:
    site = broken.assemble("yaml-invalid", tmp_path)
    bad_article = site / "content/world/bad-yaml.md"
    bad_article.unlink()  # start from a good site
    server = LiveServer(site / "config.toml", port=free_port(), log=lambda _line: None).start()
    try:
        assert get(server, "/")[0] == 200
        edits = {
            bad_article: (broken.BROKEN / "yaml-invalid/content/world/bad-yaml.md").read_bytes(),
            site / "content/world/latin1.md": (
                broken.BROKEN / "not-utf8/content/world/latin1.md"
            ).read_bytes(),
            site / "templates/article.html": (
                broken.BROKEN / "template-syntax-error/templates/article.html"
            ).read_bytes(),
            site / "config.toml": (broken.BROKEN / "toml-invalid/config.toml").read_bytes(),
        }
        originals = {path: path.read_bytes() for path in edits if path.exists()}
        for path, data in edits.items():
            path.write_bytes(data)
            update = server.rebuild({path})
            assert update.error is not None, path
            status, body = get(server, "/")
            assert status in (200, 500) and b"Traceback" not in body
            assert get(server, "/world/")[0] in (200, 404, 500)
        for path in edits:
            if path in originals:
                path.write_bytes(originals[path])
            else:
                path.unlink()
        update = server.rebuild(set(edits))
        assert update.error is None
        status, body = get(server, "/world/a-sound-article-that-builds-on-its-own/")
        assert status == 200 and b"A sound article that builds on its own" in body
    finally:
        server.stop()


def test_preview_sanitizes_untrusted_content_too(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup
    from sitekit import article, dangerous, make_site

    make_site(
        tmp_path,
        {"content/world/wire.md": article("Wire", '<img src=x onerror="alert(1)">\n\nText.')},
        "\n[content]\nuntrusted = true\n",
    )
    preview = MemorySink(tmp_path / "config.toml")
    assert preview.rebuild().error is None
    page = preview.resource("world/wire/")
    assert page is not None
    story = BeautifulSoup(page.data, "html.parser").select_one(".story-body")
    assert "Text." in story.get_text() and dangerous(story) == []
