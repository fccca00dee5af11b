"""The preview's event stream: one thread tells every open tab about each rebuild.

Each open tab keeps one Server-Sent Events connection. A server thread blocked per
connection made a burst of tabs (a browser restoring its session, a reload of
many) wait for threads and miss messages, so the request handler only writes the
response headers and hands its socket over here: one thread writes the hello,
every build message and the keep-alives to all of them, without ever waiting for
one tab, and drops those that closed or stopped reading.
"""

from __future__ import annotations

import json
import selectors
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

KEEPALIVE_SECONDS = 15.0  # a comment line now and then, so proxies and browsers keep it open
MAX_PENDING = 4 * 1024 * 1024  # a tab this far behind is not reading: it is dropped
READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE


def encode(message: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(message)}\n\n".encode()


class EventStreams:
    """The open event streams and the one thread writing to them.

    `hello()` gives the message a new stream starts with (the current build); it is
    called by that thread in turn with the messages published, so a tab sees every
    message after the state its hello describes.
    """

    def __init__(
        self, hello: Callable[[], dict[str, Any]], keepalive: float = KEEPALIVE_SECONDS
    ) -> None:
        self._hello = hello
        self._keepalive = keepalive
        self._lock = threading.Lock()
        self._inbox: list[socket.socket | bytes] = []  # new streams and messages, in order
        self._closed = False
        self._pending: dict[socket.socket, bytearray] = {}  # owned by the thread
        self._selector: selectors.BaseSelector | None = None
        self._wake_read: socket.socket | None = None
        self._wake_write: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._wake_read, self._wake_write = socket.socketpair()
        for end in (self._wake_read, self._wake_write):
            end.setblocking(False)
        self._selector.register(self._wake_read, READ)
        self._thread = threading.Thread(target=self._run, name="gazette-events", daemon=True)
        self._thread.start()

    def open(self, sock: socket.socket) -> None:
        """Take over a connection whose response headers are written."""
        if not self._post(sock):
            sock.close()

    def publish(self, message: dict[str, Any]) -> None:
        self._post(encode(message))

    def close(self) -> None:
        """Stop the thread and close every stream."""
        with self._lock:
            self._closed = True
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _post(self, item: socket.socket | bytes) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._inbox.append(item)
        self._wake()
        return True

    def _wake(self) -> None:
        if self._wake_write is not None:
            try:
                self._wake_write.send(b"\0")
            except OSError:  # its buffer is full (the thread is awake anyway) or it is closed
                pass

    def _run(self) -> None:
        assert self._selector is not None and self._wake_read is not None
        last = time.monotonic()
        try:
            while True:
                timeout = max(0.0, last + self._keepalive - time.monotonic())
                for key, mask in self._selector.select(timeout):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock is self._wake_read:
                        self._drain(sock)
                        continue
                    if sock not in self._pending:
                        continue  # dropped by an earlier event of this round
                    if mask & READ:
                        self._read(sock)
                    if mask & WRITE and sock in self._pending:
                        self._flush(sock)
                with self._lock:
                    items, self._inbox = self._inbox, []
                    closed = self._closed
                for item in items:
                    if isinstance(item, bytes):
                        self._send_all(item)
                        last = time.monotonic()
                    elif closed:
                        item.close()
                    else:
                        self._add(item)
                if closed:
                    return
                if time.monotonic() - last >= self._keepalive:
                    self._send_all(b": keep-alive\n\n")
                    last = time.monotonic()
        finally:
            for sock in list(self._pending):
                self._drop(sock)
            self._selector.close()
            for end in (self._wake_read, self._wake_write):
                if end is not None:
                    end.close()

    @staticmethod
    def _drain(sock: socket.socket) -> None:
        try:
            while sock.recv(4096):
                pass
        except OSError:  # nothing more to read
            pass

    def _add(self, sock: socket.socket) -> None:
        assert self._selector is not None
        sock.setblocking(False)
        self._pending[sock] = bytearray(encode(self._hello()))
        self._selector.register(sock, READ | WRITE)
        self._flush(sock)

    def _send_all(self, data: bytes) -> None:
        for sock in list(self._pending):
            self._pending[sock] += data
            self._flush(sock)

    def _flush(self, sock: socket.socket) -> None:
        """Write what the socket takes now; the rest waits until it is writable."""
        assert self._selector is not None
        buffer = self._pending[sock]
        try:
            sent = sock.send(buffer) if buffer else 0
        except BlockingIOError:
            sent = 0
        except OSError:  # the tab went away
            self._drop(sock)
            return
        del buffer[:sent]
        if len(buffer) > MAX_PENDING:
            self._drop(sock)
            return
        events = READ | WRITE if buffer else READ
        if self._selector.get_key(sock).events != events:
            self._selector.modify(sock, events)

    def _read(self, sock: socket.socket) -> None:
        """A tab sends nothing on its stream: an end of file is the tab closing."""
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        self._pending.pop(sock, None)
        if self._selector is not None:
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
        sock.close()
