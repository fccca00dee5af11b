"""`build.py serve`: the live preview server.

Pages come from the memory sink (never `output/`); the live-reload script is added
to HTML responses here, at serve time, so no built file ever carries it. Each
rebuild (on a save, or when the next thing falls due: `due`) is announced to every
open tab over one Server-Sent Events connection per tab, written by one thread.

It is a local server, treated as one: it answers only requests addressed to its
own name and port, so a web page open in the writer's browser cannot read the
preview (drafts included) through a DNS name rebound to 127.0.0.1; any failed
render is an error page, and a tab closing early prints nothing.
"""

from __future__ import annotations

import errno
import html
import ipaddress
import signal
import socket
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

from gazette.commands.due import DueTimer
from gazette.commands.events import EventStreams
from gazette.commands.watch import Watcher
from gazette.errors import GazetteError
from gazette.model import page_url
from gazette.sinks.memory import MemorySink, Update
from gazette.stages.authors_data import data_files

PREFIX = "/__gazette/"
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "live.js"
TICK_SECONDS = 0.25  # how often the server thread looks up to see whether it stops
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
EVERY_ADDRESS = frozenset({"", "0.0.0.0", "::"})


def build_message(update: Update, seq: int, *, every_page: bool = False) -> dict[str, Any]:
    """What the tabs are told of one rebuild. `every_page` after an error: every tab
    that showed it reloads, whatever this rebuild changed."""
    return {
        "type": "build",
        "seq": seq,
        "number": update.number,
        "error": str(update.error) if update.error else None,
        "pages": None if every_page or update.pages is None else sorted(update.pages),
        "swap": update.stylesheets or None,
    }


def inject(page: bytes, url: str, number: int, *, failed: bool = False) -> bytes:
    """Add the live-reload script to one HTML response (`failed`: an error page, which
    the script reloads on the next good build, whatever pages it changed)."""
    mark = ' data-error=""' if failed else ""
    tag = (
        f'<script src="{SCRIPT}" data-page="{html.escape(url)}" data-build="{number}"{mark}>'
        "</script>\n"
    ).encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


def error_page(message: str, url: str, number: int) -> bytes:
    body = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Build error</title></head>\n"
        f"<body><h1>The site did not build</h1><pre>{html.escape(message)}</pre></body></html>\n"
    )
    return inject(body.encode(), url, number, failed=True)


def unexpected(exc: Exception) -> GazetteError:
    """What escaped the memory sink (a bug in Gazette: the stages report the site's own
    mistakes), as an error to show; its traceback goes to the terminal for the report."""
    traceback.print_exception(exc)
    return GazetteError(f"internal error in Gazette: {exc!r}", hint="please report it")


def host_allowed(header: str, host: str, port: int) -> bool:
    """Whether a Host header names a server told to listen on `host`: a loopback name
    or `host` itself, with its port. Listening on every address, any IP address is
    its own too (the network reaches it by the machine's addresses), but a name it
    was not told never is: a page's own DNS name can be rebound to this machine."""
    if "@" in header:
        return False
    try:
        parts = urlsplit("//" + header)
        name, given = parts.hostname, parts.port
    except ValueError:  # not a number for a port
        return False
    if not name or parts.netloc != header or (given or 80) != port:
        return False
    if name in LOOPBACK or name == host.lower().strip("[]"):
        return True
    if host not in EVERY_ADDRESS:
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


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
    request_queue_size = 128  # a browser restoring a session opens many tabs at once

    def __init__(self, preview: MemorySink, events: EventStreams, host: str, port: int) -> None:
        self.preview = preview
        self.events = events
        self.host = host
        self.failures = 0  # pages answered with an error page: a count only ever growing
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
        self.misdirected = f"421 Misdirected Request: the preview is at {self.url}\n".encode()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = "127.0.0.1" if host in EVERY_ADDRESS else host
        return f"http://{shown}:{port}/"

    def addressed(self, hosts: list[str], version: str) -> bool:
        """Whether a request's Host header names this server, as told or as bound (a
        name told resolves to an address). Only HTTP/1.0 clients, scripts, send none."""
        if not hosts:
            return version == "HTTP/1.0"
        port, told = self.server_address[1], (self.host, self.server_address[0])
        return len(hosts) == 1 and any(host_allowed(hosts[0].strip(), h, port) for h in told)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A tab closed or reset mid-request is the browser's business, not a traceback."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


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
        if not self.server.addressed(self.headers.get_all("Host") or [], self.request_version):
            misdirected = self.server.misdirected
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain", misdirected, head)
            return
        if self.path == EVENTS:
            self._events(head)
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
        except GazetteError as exc:
            self._failed(exc, path, number, head)
            return
        except Exception as exc:  # noqa: BLE001 - a bug in Gazette: shown, and serving goes on
            self._failed(unexpected(exc), path, number, head)
            return
        if resource is None:
            self._not_found(path, number, head)
            return
        data = resource.data
        if resource.is_page:
            data = inject(data, page_url(path), number)
        self._send(HTTPStatus.OK, resource.content_type, data, head, immutable=resource.immutable)

    def _failed(self, error: GazetteError, path: str, number: int, head: bool) -> None:
        self.server.failures += 1  # racing threads may lose a count, never the change
        page = error_page(str(error), page_url(path), number)
        self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", page, head)

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
        # fingerprinted files are cached (their name changes with them), all else never
        caching = "max-age=31536000, immutable" if immutable else "no-store"
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", caching)
            self.end_headers()
            if not head:
                self.wfile.write(data)
        except ConnectionError:  # the tab closed before its answer was written
            self.close_connection = True

    def _events(self, head: bool) -> None:
        """The headers of an event stream; the stream itself is then written by the one
        thread of `events`, so no thread waits here for each open tab."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        if not head:
            # detached, the socket is no longer this request's: the shutdown and close
            # that socketserver does after handle() leave the connection open
            self.server.events.open(socket.socket(fileno=self.connection.detach()))


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
        self.log = log
        self._seq = 0
        self._failures = 0  # the server's count of error pages when tabs were last told
        self._lock = threading.Lock()  # one rebuild at a time, told in the order they ran
        self.due = DueTimer(self.preview.next_due, lambda: self.rebuild(set(), by_clock=True))
        first = self._rebuilt(None)
        if self.preview.config is None:  # config.toml itself is broken: nothing to watch
            assert first.error is not None
            raise first.error
        self.error = first.error  # what the tabs show over the page, until a good rebuild
        log(
            f"error: {first.error}"
            if first.error
            else f"Preview built in {first.seconds:.2f} s ({len(self.preview.page_urls())} pages)"
        )
        self.events = EventStreams(self._hello)
        self.httpd = PreviewServer(self.preview, self.events, host, port)
        config = self.preview.config
        folders = [config.content_dir, config.templates_dir, config.static_dir]
        folders.append(data_files(config)[0].parent)  # data/: the authors data file
        self.watcher = Watcher(folders, [self.preview.config_path], self.rebuild, poll=poll)
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": TICK_SECONDS},
            name="gazette-http",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return self.httpd.url

    def rebuild(self, paths: set[Path] | None, *, by_clock: bool = False) -> Update:
        """Rebuild and tell the tabs: of an error, of what changed, and of the first good
        build after an error or an error page, even when it changed nothing (`by_clock`:
        something fell due, logged only when it changed a page)."""
        with self._lock:
            seen, self._failures = self._failures, self.httpd.failures
            update = self._rebuilt(paths)
            changed = update.pages is None or update.pages or update.stylesheets
            if changed or update.error or not by_clock:
                self.log(update.summary())
            recovered = update.error is None and self.error is not None
            self.error = update.error
            if update.error or recovered or seen != self._failures or changed:
                self._seq += 1
                self.events.publish(build_message(update, self._seq, every_page=recovered))
        self.due.arm()
        return update

    def _rebuilt(self, paths: set[Path] | None) -> Update:
        try:
            return self.preview.rebuild(paths)
        except Exception as exc:  # noqa: BLE001 - shown in the tabs; the server keeps serving
            return Update(self.preview.number, 0.0, error=unexpected(exc))

    def _hello(self) -> dict[str, Any]:
        """Each event stream's first message: the build a tab should show, and its error."""
        error = self.error
        return {"type": "hello", "number": self.preview.number, "error": error and str(error)}

    def start(self) -> LiveServer:
        self.events.start()
        self._thread.start()
        self.watcher.start()
        self.due.arm()
        return self

    def stop(self) -> None:
        self.due.stop()
        self.watcher.stop()
        self.events.close()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


def run(config_path: Path, *, host: str, port: int, include_drafts: bool, poll: bool) -> int:
    """Serve until Ctrl-C."""
    if host not in LOOPBACK:
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
