"""Shared pieces of the site's security tests: the real app under waitress on a free loopback
port, raw HTTP requests to it (bytes a client library would refuse to send), and the checks every
answer must pass. Loopback only; every request has a time limit."""

from __future__ import annotations

import http.client
import select
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask

from tests.servers import HOST, LiveServer
from webui import create_app
from webui.sparql import close_executor

TIMEOUT = 30.0
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/')


def make_app(store_spec: str, release_dir: str, **config: Any) -> Flask:
    """A fresh app over the session's store with the given config on top."""
    return create_app({"TESTING": True, "STORE": store_spec, "RELEASE_DIR": release_dir, **config})


@contextmanager
def served(app: Flask, threads: int = 4) -> Iterator[LiveServer]:
    with LiveServer(app, threads) as server:
        try:
            yield server
        finally:
            close_executor(app)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    reason: str = ""
    raw_headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


def send_body(conn: http.client.HTTPConnection, body: bytes, piece: int = 65536) -> None:
    """Send a body in pieces, stopping as soon as the server answers (a 413 comes before the end
    of a large body; writing on would make the kernel reset the connection and lose the answer)."""
    sock = conn.sock
    for start in range(0, len(body), piece):
        if select.select([sock], [], [], 0)[0]:
            return
        try:
            sock.sendall(body[start:start + piece])
        except (BrokenPipeError, ConnectionResetError):
            return


def send_request(conn: http.client.HTTPConnection, method: str, target: str, headers: Mapping[str, str],
                 body: bytes | None) -> http.client.HTTPResponse:
    """Headers as given (a Host header replaces the default), then the body in pieces: a server
    that refuses a large body at the door answers before reading it all, and the answer is read."""
    skip_host = any(key.lower() == "host" for key in headers)
    conn.putrequest(method, target, skip_host=skip_host, skip_accept_encoding=True)
    for key, value in headers.items():
        conn.putheader(key, value)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    send_body(conn, body or b"")
    return conn.getresponse()


def request(server: LiveServer, method: str, path: str, params: Mapping[str, Any] | None = None,
            data: str | bytes | None = None, headers: Mapping[str, str] | None = None,
            source: str | None = None) -> Answer:
    """One request by http.client; `params` are percent-encoded as UTF-8 and appended to `path`;
    `source` is another loopback address to send from (127.0.0.2: a second client)."""
    target = path
    if params:
        target += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
    body = data.encode("utf-8") if isinstance(data, str) else data
    conn = http.client.HTTPConnection(HOST, server.port, timeout=TIMEOUT,
                                      source_address=(source, 0) if source else None)
    try:
        resp = send_request(conn, method, target, headers or {}, body)
        payload = resp.read()
        pairs = resp.getheaders()
        return Answer(resp.status, {k.lower(): v for k, v in pairs}, payload, resp.reason, pairs)
    finally:
        conn.close()


def raw_request(server: LiveServer, target: bytes, method: bytes = b"GET",
                headers: Mapping[str, str] | None = None) -> Answer:
    """A request line sent as bytes, as is (invalid UTF-8, raw control bytes)."""
    lines = [method + b" " + target + b" HTTP/1.1", f"Host: {HOST}:{server.port}".encode(), b"Connection: close"]
    lines += [f"{k}: {v}".encode() for k, v in (headers or {}).items()]
    with socket.create_connection((HOST, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n")
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    pairs = [tuple(x.strip() for x in line.split(":", 1)) for line in header_lines if ":" in line]
    return Answer(status, {k.lower(): v for k, v in pairs}, body, status_line, pairs)  # type: ignore[misc]


def assert_no_traceback(answer: Answer, where: str) -> None:
    for marker in TRACEBACK_MARKERS:
        assert marker not in answer.text, f"{where}: the answer shows a traceback ({marker!r})"


def assert_alive(server: LiveServer) -> None:
    """The server still answers a plain page after whatever came before."""
    answer = request(server, "GET", "/downloads")
    assert answer.status == 200, f"the server stopped answering: {answer.status}"
