"""The preview server is a local server, treated as one (issue 20).

It answers only to its own name (no DNS rebinding), takes a burst of tabs at once,
ends a HEAD of the event stream at once, turns any failed render into the error
page, clears every overlay when the error is fixed, and keeps aborted clients out
of the terminal. Servers run in this process on a free port against a copy of a
fixture site.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gazette.commands.serve import EVENTS, SCRIPT, LiveServer, host_allowed
from tests.conftest import copy_site

TIMEOUT = 120.0  # generous: the test machine is shared, and a page whose template recurses
# renders a thousand levels deep before its error page comes (over 30 s in a long run)
ARTICLE = "world/port-talks/"
CLIENTS = 50


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site("preview", tmp_path / "site")


@pytest.fixture
def server(site: Path) -> Iterator[LiveServer]:
    live = LiveServer(site / "config.toml", port=0, log=lambda _line: None).start()
    try:
        yield live
    finally:
        live.stop()


def port_of(server: LiveServer) -> int:
    return server.httpd.server_address[1]


def request(server: LiveServer, method: str, path: str, host: str) -> tuple[int, bytes]:
    """One request with exactly this Host header; a stream is cut after its first line."""
    connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=TIMEOUT)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        if response.getheader("Content-Type") == "text/event-stream":
            return response.status, response.readline()
        return response.status, response.read()
    finally:
        connection.close()


def raw(server: LiveServer, data: bytes) -> bytes:
    """Send bytes as they are and read until the server closes the connection (which
    it must do within TIMEOUT, keep-alives or not)."""
    deadline = time.monotonic() + TIMEOUT
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            assert time.monotonic() < deadline, b"".join(chunks)
    return b"".join(chunks)


def handler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def wait_until_handled() -> None:
    """Every request so far has been answered: no server thread is left working."""
    deadline = time.monotonic() + TIMEOUT
    while handler_threads():
        assert time.monotonic() < deadline, f"{len(handler_threads())} threads still busy"
        time.sleep(0.05)


class Stream:
    """A raw event-stream client: the messages it is sent, one `data:` line each."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        request = f"GET {EVENTS} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        self.sock.sendall(request.encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        assert b" 200 " in status, status
        while self.file.readline() not in (b"\r\n", b""):  # the headers
            pass

    def next(self) -> dict[str, Any]:
        """The next message (keep-alive comments skipped)."""
        return self.until(lambda _message: True)

    def until(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first message for which `wanted(message)` is true, within TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            line = self.file.readline()
            assert line, "the event stream ended"
            if line.startswith(b"data: "):
                message = json.loads(line[len(b"data: ") :])
                if wanted(message):
                    return message
            assert time.monotonic() < deadline, "no such message came"

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_only_the_servers_own_names_are_answered(server: LiveServer) -> None:
    port = port_of(server)
    foreign = [
        f"evil.example:{port}",
        "evil.example",
        f"localhost.evil.example:{port}",
        f"127.0.0.1.nip.io:{port}",
        f"127.0.0.1:{port + 1}",
        f"user@127.0.0.1:{port}",
    ]
    for path in ("/", "/" + ARTICLE, EVENTS, SCRIPT):
        for host in foreign:
            status, body = request(server, "GET", path, host)
            assert status == 421, (path, host)
            assert b"Port talks" not in body and b"EventSource" not in body
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
            status, body = request(server, "GET", path, host)
            assert status == 200, (path, host)
    # a request without Host: local for HTTP/1.0 (nothing else sends one), refused for 1.1
    assert raw(server, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200")
    assert b" 421 " in raw(server, b"GET / HTTP/1.1\r\n\r\n").split(b"\r\n")[0]


def test_which_host_names_a_server_answers_to() -> None:
    assert host_allowed("[::1]:8000", "127.0.0.1", 8000)
    assert host_allowed("localhost", "127.0.0.1", 80)  # port 80 is implied
    assert not host_allowed("localhost", "127.0.0.1", 8000)
    assert not host_allowed("192.168.1.5:8000", "127.0.0.1", 8000)
    assert not host_allowed("localhost:8000:8000", "127.0.0.1", 8000)
    assert not host_allowed("localhost:http", "127.0.0.1", 8000)
    # told an address: that address too
    assert host_allowed("192.168.1.5:8000", "192.168.1.5", 8000)
    assert not host_allowed("192.168.1.6:8000", "192.168.1.5", 8000)
    # every address: the network reaches it by any of the machine's addresses, never by
    # a name it was not told (an address cannot be rebound to another machine, a name can)
    assert host_allowed("192.168.1.5:8000", "0.0.0.0", 8000)
    assert host_allowed("[fe80::1]:8000", "0.0.0.0", 8000)
    assert not host_allowed("evil.example:8000", "0.0.0.0", 8000)
    assert host_allowed("newsroom-pc:8000", "newsroom-pc", 8000)


def test_fifty_event_streams_opened_at_once_all_get_the_reload(
    site: Path, server: LiveServer
) -> None:
    port = port_of(server)
    start = threading.Barrier(CLIENTS)
    opened = threading.Barrier(CLIENTS + 1, timeout=TIMEOUT)
    received: dict[int, dict[str, Any]] = {}
    failures: dict[int, str] = {}

    def tab(number: int) -> None:
        stream: Stream | None = None
        try:
            start.wait(TIMEOUT)
            stream = Stream(port)
            hello = stream.next()
            assert hello["type"] == "hello", hello
        except Exception as exc:  # noqa: BLE001 - reported below, with the others
            failures[number] = repr(exc)
        try:
            opened.wait()
            if stream is not None:
                received[number] = stream.until(lambda m: m["type"] == "build")
        except Exception as exc:  # noqa: BLE001
            failures.setdefault(number, repr(exc))
        finally:
            if stream is not None:
                stream.close()

    threads = [threading.Thread(target=tab, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    opened.wait()
    # the open streams are written by one thread: no server thread stays behind for each
    wait_until_handled()
    article = site / "content/world/port-talks.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Negotiators", "Harbour negotiators"), encoding="utf-8")
    server.rebuild({article})
    for thread in threads:
        thread.join(TIMEOUT)
    assert failures == {}
    assert len(received) == CLIENTS
    for message in received.values():
        assert message["error"] is None and ARTICLE in message["pages"]


def test_head_of_the_event_stream_ends_at_once(server: LiveServer) -> None:
    port = port_of(server)
    answer = raw(server, f"HEAD {EVENTS} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") and b"text/event-stream" in head
    assert body == b""


def article_template(site: Path) -> tuple[Path, str]:
    template = site / "templates/article.html"
    return template, template.read_text(encoding="utf-8")


def test_a_template_that_includes_itself_is_an_error_page_until_fixed(
    site: Path, server: LiveServer, capfd: pytest.CaptureFixture[str]
) -> None:
    template, good = article_template(site)
    template.write_text(
        good.replace("{% block main %}", "{% block main %}{% include 'article.html' %}"),
        encoding="utf-8",
    )
    update = server.rebuild({template})
    assert update.error is not None
    message = str(update.error)
    assert message.startswith("templates/") and "template recursion" in message
    status, body = request(server, "GET", "/" + ARTICLE, f"127.0.0.1:{port_of(server)}")
    assert status == 500 and b"template recursion" in body and b"templates/" in body
    stream = Stream(port_of(server))
    try:
        assert "template recursion" in stream.next()["error"]  # a tab opened now shows it
        template.write_text(good, encoding="utf-8")
        server.rebuild({template})
        fixed = stream.until(lambda m: m["error"] is None)
        assert fixed["type"] == "build" and fixed["pages"] is None  # every tab reloads
    finally:
        stream.close()
    status, body = request(server, "GET", "/" + ARTICLE, f"127.0.0.1:{port_of(server)}")
    assert status == 200 and b"Port talks reach a second day" in body
    assert "Traceback" not in capfd.readouterr().err  # the site's mistake, not Gazette's


def test_a_page_whose_render_recurses_gets_the_error_page(
    site: Path, server: LiveServer, capfd: pytest.CaptureFixture[str]
) -> None:
    template, good = article_template(site)
    loop = "{% if article.slug == 'port-talks' %}{% include 'article.html' %}{% endif %}"
    template.write_text(good.replace("{% block main %}", "{% block main %}" + loop), "utf-8")
    update = server.rebuild({template})
    assert update.error is None  # only that one page fails
    host = f"127.0.0.1:{port_of(server)}"
    status, body = request(server, "GET", "/" + ARTICLE, host)
    assert status == 500 and b"template recursion" in body and b"templates/" in body
    assert b'data-error=""' in body  # the script reloads it on the next good build
    assert request(server, "GET", "/world/ferry-resumes/", host)[0] == 200
    template.write_text(good, encoding="utf-8")
    assert server.rebuild({template}).error is None
    status, body = request(server, "GET", "/" + ARTICLE, host)
    assert status == 200 and b"Port talks reach a second day" in body
    assert "Traceback" not in capfd.readouterr().err


def fail_once(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> None:
    """The next call of `target.name` raises as a bug in Gazette would; later ones work."""
    real = getattr(target, name)
    calls: list[object] = []

    def broken(*args: Any, **kwargs: Any) -> Any:
        if not calls:
            calls.append(args)
            raise RuntimeError("simulated bug")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, broken)


def test_an_internal_error_overlay_is_cleared_by_the_next_good_rebuild(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = Stream(port_of(server))
    try:
        assert stream.next()["error"] is None
        fail_once(monkeypatch, server.preview, "rebuild")
        assert server.rebuild(None).error is not None
        shown = stream.until(lambda m: m["type"] == "build")
        assert "internal error in Gazette" in shown["error"] and "simulated bug" in shown["error"]
        later = Stream(port_of(server))  # a tab opened meanwhile shows it too
        try:
            assert "simulated bug" in later.next()["error"]
        finally:
            later.close()
        update = server.rebuild(None)  # nothing changed on disk, and yet the error is gone
        assert update.error is None
        cleared = stream.until(lambda m: m["type"] == "build")
        assert cleared["error"] is None and cleared["pages"] is None
    finally:
        stream.close()
    fresh = Stream(port_of(server))
    try:
        assert fresh.next()["error"] is None
    finally:
        fresh.close()


def test_a_failed_page_is_told_to_reload_by_the_next_good_rebuild(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_once(monkeypatch, server.preview, "resource")
    status, body = request(server, "GET", "/" + ARTICLE, f"127.0.0.1:{port_of(server)}")
    assert status == 500 and b"internal error in Gazette" in body
    stream = Stream(port_of(server))
    try:
        assert stream.next()["error"] is None  # the site built: no overlay for other tabs
        server.rebuild(None)  # nothing changed, but a page showed an error: a message goes
        message = stream.until(lambda m: m["type"] == "build")
        assert message["error"] is None
    finally:
        stream.close()


def abort(port: int, request: bytes) -> None:
    """A browser closing the tab mid-request: the connection is reset, not closed."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.sendall(request)
    sock.close()


def test_aborted_clients_leave_no_traceback(
    server: LiveServer, capfd: pytest.CaptureFixture[str]
) -> None:
    port = port_of(server)
    capfd.readouterr()
    for round_ in range(10):
        for path in ("/", "/" + ARTICLE, EVENTS, SCRIPT, "/static/style.css"):
            abort(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        abort(port, f"GET /{ARTICLE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        abort(port, b"GET /" + b"x" * round_ * 1000)
    wait_until_handled()
    assert request(server, "GET", "/", f"127.0.0.1:{port}")[0] == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err, err


def test_an_open_tab_clears_the_internal_error_overlay_and_an_error_page(
    server: LiveServer, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT * 1000)
    connected = "window.gazetteLive && window.gazetteLive.connected"
    try:
        page.goto(server.url + ARTICLE)
        page.wait_for_function(connected)
        fail_once(monkeypatch, server.preview, "rebuild")
        server.rebuild(None)
        page.locator("#gazette-error-overlay").wait_for(state="visible")
        assert "simulated bug" in page.locator("#gazette-error-overlay").inner_text()
        server.rebuild(None)
        page.wait_for_function("!document.getElementById('gazette-error-overlay')")
        page.wait_for_function(connected)

        fail_once(monkeypatch, server.preview, "resource")
        page.reload()
        page.wait_for_function("document.body.innerText.includes('internal error in Gazette')")
        page.wait_for_function(connected)
        server.rebuild(None)  # nothing changed: the page that failed loads again anyway
        page.wait_for_function("document.body.innerText.includes('Port talks reach')")
    finally:
        page.close()
