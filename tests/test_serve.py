"""`build.py serve` as a writer uses it: a real server, a real Chromium, real file saves.

The server runs in this process on a free port against a copy of a fixture site;
edits are saved atomically (temporary file, then rename) as editors do.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from gazette.commands.serve import LiveServer
from gazette.errors import GazetteError
from tests.conftest import (
    REPO,
    build_site,
    copy_site,
    tree_bytes,
)
from tests.sitekit import as_at_a_terminal

TIMEOUT_MS = 20_000  # generous: the test machine is shared
ARTICLE = "world/port-talks/"


def save(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    save(path, text.replace(old, new))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(server: LiveServer, path: str) -> tuple[int, bytes]:
    """A raw request: the path is sent exactly as written (browsers would normalise `..`)."""
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = copy_site("preview", tmp_path / "site")
    build_site(root)  # a published output/ the preview must leave alone
    return root


@pytest.fixture
def server(site: Path) -> Iterator[LiveServer]:
    live = LiveServer(site / "config.toml", port=free_port(), log=lambda _line: None).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def tab(browser: Any, server: LiveServer) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.url + ARTICLE)
    try:
        yield page
    finally:
        context.close()


def wait_connected(page: Any) -> None:
    """The live-reload connection is open (otherwise an edit could come before it)."""
    page.wait_for_function("window.gazetteLive && window.gazetteLive.connected")


def test_body_and_stylesheet_edits_reach_the_open_tab(site: Path, tab: Any) -> None:
    wait_connected(tab)
    tab.evaluate("window.__marker = 'kept'")
    replace_in(site / "content/world/port-talks.md", "berth fees", "berth fees and tug charges")
    tab.wait_for_function("document.body.innerText.includes('tug charges')")

    # a CSS edit restyles the page in place: no reload, so the marker survives
    tab.evaluate("window.__marker = 'kept'")
    wait_connected(tab)
    css = site / "static/style.css"
    save(css, css.read_text(encoding="utf-8") + "\nbody { background-color: rgb(1, 2, 3); }\n")
    tab.wait_for_function("getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'")
    assert tab.evaluate("window.__marker") == "kept"


def test_reload_keeps_the_scroll_position(site: Path, tab: Any) -> None:
    wait_connected(tab)
    tab.set_viewport_size({"width": 800, "height": 300})
    tab.evaluate("window.scrollTo(0, 250)")
    tab.wait_for_function("window.scrollY > 100")
    before = tab.evaluate("window.scrollY")
    tab.evaluate("window.__marker = 'old page'")
    replace_in(site / "content/world/port-talks.md", "Negotiators", "Port negotiators")
    tab.wait_for_function("document.body.innerText.includes('Port negotiators')")
    assert tab.evaluate("window.__marker") is None  # it was a reload
    tab.wait_for_function(f"window.scrollY === {before}")


def test_build_error_overlay_appears_and_clears(site: Path, server: LiveServer, tab: Any) -> None:
    wait_connected(tab)
    article = site / "content/world/port-talks.md"
    good = article.read_text(encoding="utf-8")
    save(article, good.replace("date: 2023-09-21 10:00", "date: [broken"))
    overlay = tab.locator("#gazette-error-overlay")
    overlay.wait_for(state="visible")
    terminal = str(server.preview.error)  # what the terminal printed after "error: "
    assert terminal.startswith("content/world/port-talks.md:")
    assert terminal in overlay.inner_text()

    # a second tab opened meanwhile shows the same error
    other = tab.context.new_page()
    other.set_default_timeout(TIMEOUT_MS)
    other.goto(tab.url.rsplit("/world/", 1)[0] + "/")
    other.locator("#gazette-error-overlay").wait_for(state="visible")
    assert terminal in other.locator("#gazette-error-overlay").inner_text()

    save(article, good.replace("berth fees", "berth fees, now settled"))
    tab.wait_for_function("document.body.innerText.includes('now settled')")
    assert tab.locator("#gazette-error-overlay").count() == 0
    other.wait_for_function("!document.getElementById('gazette-error-overlay')")


def test_new_article_appears_on_home_and_goes_when_deleted(
    site: Path, server: LiveServer, browser: Any
) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(server.url)
        wait_connected(page)
        new = site / "content/world/bridge-opens.md"
        save(
            new,
            "---\nslug: bridge-opens\ntitle: Bridge over the estuary opens\n"
            "date: 2023-09-24 08:00\n---\n\nThe first lorries crossed at dawn.\n",
        )
        page.wait_for_function("document.body.innerText.includes('Bridge over the estuary')")
        wait_connected(page)
        new.unlink()
        page.wait_for_function("!document.body.innerText.includes('Bridge over the estuary')")
    finally:
        page.close()


def test_output_is_untouched_and_never_carries_the_script(site: Path, server: LiveServer) -> None:
    before = tree_bytes(site / "output")
    status, body = get(server, "/" + ARTICLE)
    assert status == 200 and b"/__gazette/live.js" in body
    replace_in(site / "content/world/port-talks.md", "berth fees", "harbour dues")
    deadline = time.monotonic() + 20
    while b"harbour dues" not in get(server, "/" + ARTICLE)[1]:
        assert time.monotonic() < deadline, "the edit never reached the preview"
        time.sleep(0.05)
    assert tree_bytes(site / "output") == before
    for path, data in before.items():
        assert b"__gazette" not in data and b"livereload" not in data, path


def test_paths_outside_the_site_are_refused(site: Path, server: LiveServer, tmp_path: Path) -> None:
    for path in ("/../config.toml", "/%2e%2e/config.toml", "/world/..%2f..%2fconfig.toml"):
        status, body = get(server, path)
        assert status in (403, 404), path
        assert b"[site]" not in body
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web", encoding="utf-8")
    (site / "content/world/leak.txt").symlink_to(secret)
    deadline = time.monotonic() + 20
    while server.preview.error is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until the watcher has seen the new link
    assert "leads out of the site folder" in str(server.preview.error)
    status, body = get(server, "/world/leak.txt")
    assert status == 404 and b"not for the web" not in body


def test_unknown_paths_get_the_sites_404_page(server: LiveServer) -> None:
    status, body = get(server, "/no/such/page/")
    assert status == 404
    soup = BeautifulSoup(body, "html.parser")
    assert soup.h1 is not None and soup.h1.text == "Page not found"


def test_the_404_page_works_when_base_url_has_a_sub_path(site: Path) -> None:
    replace_in(
        site / "config.toml",
        'base_url = "https://example.com/"',
        'base_url = "https://example.com/news/"',
    )
    live = LiveServer(site / "config.toml", port=free_port(), log=lambda _line: None).start()
    try:
        status, body = get(live, "/no/such/page/")
        assert status == 404
        soup = BeautifulSoup(body, "html.parser")
        links = [a["href"] for a in soup.select("a[href^='/']")]
        links += [css["href"] for css in soup.select("link[rel=stylesheet]")]
        assert any(link.startswith("/news/") for link in links)
        for link in links:
            assert get(live, link)[0] == 200, link
    finally:
        live.stop()


def test_a_port_in_use_is_a_clear_error(site: Path, server: LiveServer) -> None:
    port = server.httpd.server_address[1]
    with pytest.raises(GazetteError) as caught:
        LiveServer(site / "config.toml", port=port, log=lambda _line: None)
    assert f"port {port} is already in use" in str(caught.value)
    assert "--port" in str(caught.value)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_ctrl_c_stops_within_a_second_and_leaves_nothing(
    site: Path, tmp_path: Path, stop: signal.Signals
) -> None:
    port = free_port()
    before = sorted(p.name for p in site.iterdir())
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--port", str(port), "--host", "0.0.0.0"],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_at_a_terminal,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        while "Serving" not in line:
            assert line, process.stderr.read() if process.stderr else ""
            line = process.stdout.readline()
        assert f":{port}/" in line
        started = time.monotonic()
        process.send_signal(stop)
        process.wait(timeout=10)
        assert time.monotonic() - started < 1.0
    finally:
        if process.poll() is None:
            process.kill()
    _out, err = process.communicate()
    assert process.returncode == 0, err
    assert "visible to other machines" in err  # --host 0.0.0.0 warns
    assert "Traceback" not in err
    assert sorted(p.name for p in site.iterdir()) == before


def wait_for(server: LiveServer, path: str, text: bytes) -> None:
    deadline = time.monotonic() + 20
    while text not in get(server, path)[1]:
        assert time.monotonic() < deadline, f"{text!r} never reached {path}"
        time.sleep(0.05)


def test_polling_watcher_sees_saves(site: Path) -> None:
    live = LiveServer(
        site / "config.toml", port=free_port(), poll=True, log=lambda _line: None
    ).start()
    try:
        replace_in(site / "content/world/port-talks.md", "berth fees", "anchorage fees")
        wait_for(live, "/" + ARTICLE, b"anchorage fees")
    finally:
        live.stop()


@pytest.mark.parametrize("poll", [False, True])
def test_a_site_without_templates_sees_its_first_override(site: Path, poll: bool) -> None:
    """A site on the packaged theme has no templates/ to watch when the preview starts."""
    shutil.rmtree(site / "templates")
    live = LiveServer(site / "config.toml", port=free_port(), poll=poll, log=lambda _line: None)
    live.start()
    try:
        (site / "templates").mkdir()
        save(site / "templates/footer.html", "<footer><p>Our own footer</p></footer>\n")
        wait_for(live, "/", b"Our own footer")
    finally:
        live.stop()


def test_events_stream_names_the_changed_pages(site: Path, server: LiveServer) -> None:
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=20)
    try:
        connection.request("GET", "/__gazette/events")
        response = connection.getresponse()
        assert response.getheader("Content-Type") == "text/event-stream"
        hello = json.loads(response.readline().decode().removeprefix("data: "))
        assert hello["type"] == "hello" and hello["error"] is None
        response.readline()
        replace_in(site / "content/world/port-talks.md", "Negotiators", "Harbour negotiators")
        line = response.readline().decode()
        message = json.loads(line.removeprefix("data: "))
    finally:
        connection.close()
    assert message["type"] == "build" and message["error"] is None
    assert ARTICLE in message["pages"] and "" in message["pages"]
    assert "business/" not in message["pages"]
