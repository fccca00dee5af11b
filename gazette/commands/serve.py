"""`build.py serve`: the live preview server.

Pages come from the memory sink (never `output/`); the live-reload
script is added to HTML responses here, at serve time, so no built file ever
carries it. Each rebuild is announced to every open tab over one Server-Sent
Events connection per tab.
"""

from __future__ import annotations

import errno
import html
import json
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from gazette.commands.watch import Watcher
from gazette.errors import GazetteError
from gazette.model import page_url
from gazette.sinks.memory import MemorySink, Update

PREFIX = "/__gazette/"
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "live.js"
KEEPALIVE_SECONDS = 15.0
TICK_SECONDS = 0.25  # how often waiting threads look up to see whether the server stops


class Hub:
    """The latest build message, fanned out to every connected tab."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._messages: list[dict[str, Any]] = []
        self._closed = False

    def publish(self, message: dict[str, Any]) -> None:
        with self._cond:
            self._messages.append(message)
            del self._messages[:-100]
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def position(self) -> int:
        """The sequence number of the latest message (0 before the first)."""
        with self._cond:
            return self._messages[-1]["seq"] if self._messages else 0

    def wait(self, after: int, timeout: float) -> list[dict[str, Any]]:
        """Messages newer than sequence number `after` (empty on timeout or close)."""
        with self._cond:
            if not self._closed and not self._newer(after):
                self._cond.wait(timeout)
            return self._newer(after)

    def _newer(self, after: int) -> list[dict[str, Any]]:
        return [m for m in self._messages if m["seq"] > after]


def build_message(update: Update, seq: int) -> dict[str, Any]:
    return {
        "type": "build",
        "seq": seq,
        "number": update.number,
        "error": str(update.error) if update.error else None,
        "pages": None if update.pages is None else sorted(update.pages),
        "swap": update.stylesheets or None,
    }


def inject(page: bytes, url: str, number: int) -> bytes:
    """Add the live-reload script to one HTML response."""
    tag = (
        f'<script src="{SCRIPT}" data-page="{html.escape(url)}" data-build="{number}"></script>\n'
    ).encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


def error_page(message: str, url: str, number: int) -> bytes:
    body = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Build error</title></head>\n"
        f"<body><h1>The site did not build</h1><pre>{html.escape(message)}</pre></body></html>\n"
    )
    return inject(body.encode(), url, number)


def safe_path(raw: str) -> str | None:
    """The site path of a request ("world/story/"), or None for a path that tries to
    leave the site (`..`, encoded separators, NUL bytes)."""
    path = unquote(urlsplit(raw).path)
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = path.split("/")
    if any(part in ("..", ".") for part in parts):
        return None
    return path.lstrip("/")


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, preview: MemorySink, hub: Hub, host: str, port: int) -> None:
        self.preview = preview
        self.hub = hub
        self.script = resources.files("gazette.commands").joinpath("livereload.js").read_bytes()
        try:
            super().__init__((host, port), Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise GazetteError(
                    f"port {port} is already in use on {host}",
                    hint=f"stop the other server or choose another port, e.g. --port {port + 1}",
                ) from None
            raise GazetteError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                hint="check --host and --port (ports below 1024 need root)",
            ) from None


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "GazettePreview"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the terminal shows builds, not every request."""

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, *, head: bool) -> None:
        if self.path == EVENTS:
            self._events()
            return
        if self.path.split("?")[0] == SCRIPT:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", self.server.script, head)
            return
        path = safe_path(self.path)
        if path is None:
            self._send(HTTPStatus.FORBIDDEN, "text/plain", b"403 outside the site\n", head)
            return
        preview = self.server.preview
        number = preview.number
        try:
            resource = preview.resource(path)
            prefix = preview.base_path
            if resource is None and prefix and path.startswith(prefix):
                # The 404 page links from base_url's path; the preview is served at "/".
                path = path[len(prefix) :]
                resource = preview.resource(path)
            if resource is None and path and not path.endswith("/"):
                if preview.resource(path + "/") is not None:
                    self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                    self.send_header("Location", "/" + path + "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
        except PermissionError:
            self._send(HTTPStatus.FORBIDDEN, "text/plain", b"403 outside the site\n", head)
            return
        except GazetteError as exc:
            self._send(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "text/html; charset=utf-8",
                error_page(str(exc), path, number),
                head,
            )
            return
        if resource is None:
            self._not_found(path, number, head)
            return
        data = resource.data
        if resource.is_page:
            data = inject(data, page_url(path), number)
        self._send(HTTPStatus.OK, resource.content_type, data, head, immutable=resource.immutable)

    def _not_found(self, path: str, number: int, head: bool) -> None:
        preview = self.server.preview
        if preview.error is not None and not preview.page_urls():
            data = error_page(str(preview.error), page_url(path), number)
        else:
            try:
                page = preview.not_found_page()
            except GazetteError as exc:
                page = error_page(str(exc), page_url(path), number)
            if page is None:
                page = b"<!DOCTYPE html><title>Not found</title><h1>Page not found</h1>"
            data = inject(page, page_url(path), number)
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", data, head)

    def _send(
        self,
        status: HTTPStatus,
        content_type: str,
        data: bytes,
        head: bool,
        *,
        immutable: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        # fingerprinted files are cached (their name changes with them), all else never
        caching = "max-age=31536000, immutable" if immutable else "no-store"
        self.send_header("Cache-Control", caching)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self) -> None:
        hub = self.server.hub
        preview = self.server.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = hub.position()
        hello = {
            "type": "hello",
            "number": preview.number,
            "error": str(preview.error) if preview.error else None,
        }
        last_write = time.monotonic()
        try:
            self._write_event(hello)
            while not hub.closed:
                for message in hub.wait(seen, TICK_SECONDS):
                    seen = message["seq"]
                    self._write_event(message)
                    last_write = time.monotonic()
                if time.monotonic() - last_write > KEEPALIVE_SECONDS:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    last_write = time.monotonic()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            return

    def _write_event(self, message: dict[str, Any]) -> None:
        self.wfile.write(f"data: {json.dumps(message)}\n\n".encode())
        self.wfile.flush()


class LiveServer:
    """Preview + HTTP server + watcher, started and stopped together (tests use it too)."""

    def __init__(
        self,
        config_path: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        include_drafts: bool = False,
        poll: bool = False,
        log: Callable[[str], None] = lambda line: print(line, flush=True),
    ) -> None:
        self.preview = MemorySink(config_path, include_drafts=include_drafts)
        self.hub = Hub()
        self.log = log
        self._seq = 0
        self._seq_lock = threading.Lock()
        first = self.preview.rebuild()
        if self.preview.config is None:  # config.toml itself is broken: nothing to watch
            assert first.error is not None
            raise first.error
        log(
            f"error: {first.error}"
            if first.error
            else f"Preview built in {first.seconds:.2f} s ({len(self.preview.page_urls())} pages)"
        )
        self.httpd = PreviewServer(self.preview, self.hub, host, port)
        config = self.preview.config
        folders = [config.content_dir, config.templates_dir, config.static_dir]
        self.watcher = Watcher(folders, [self.preview.config_path], self.rebuild, poll=poll)
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": TICK_SECONDS},
            name="gazette-http",
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{shown}:{port}/"

    def rebuild(self, paths: set[Path] | None) -> Update:
        try:
            update = self.preview.rebuild(paths)
        except Exception as exc:  # a bug in Gazette: say so, and keep serving
            traceback.print_exc()
            error = GazetteError(f"internal error in Gazette: {exc!r}", hint="please report it")
            update = Update(self.preview.number, 0.0, error=error)
        self.log(update.summary())
        if update.error or update.pages is None or update.pages or update.stylesheets:
            with self._seq_lock:
                self._seq += 1
                self.hub.publish(build_message(update, self._seq))
        return update

    def start(self) -> LiveServer:
        self._thread.start()
        self.watcher.start()
        return self

    def stop(self) -> None:
        self.watcher.stop()
        self.hub.close()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


def run(config_path: Path, *, host: str, port: int, include_drafts: bool, poll: bool) -> int:
    """Serve until Ctrl-C."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: listening on {host}: the preview (drafts included, if asked for) "
            "is visible to other machines on the network",
            file=sys.stderr,
        )
    # `kill` (SIGTERM) stops it as cleanly as Ctrl-C does
    signal.signal(signal.SIGTERM, _interrupt)
    server = LiveServer(
        config_path, host=host, port=port, include_drafts=include_drafts, poll=poll
    ).start()
    try:
        print(f"Serving the preview at {server.url} (Ctrl-C to stop)", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nStopping.", file=sys.stderr)
    finally:
        server.stop()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
