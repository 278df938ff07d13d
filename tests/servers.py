"""Real servers for the tests, on free loopback ports: the app under waitress (as `lbpkg serve`
runs it) and a listener that records any connection, to prove that nothing was fetched."""

from __future__ import annotations

import socket
import threading
from typing import Any

from flask import Flask
from waitress.server import create_server

HOST = "127.0.0.1"


class LiveServer:
    """A waitress server in a background thread; `url` is its base address. Bodies over the app's
    MAX_CONTENT_LENGTH are refused at the door, as `lbpkg serve` does."""

    def __init__(self, app: Flask, threads: int = 6):
        self.app = app
        limit = app.config.get("MAX_CONTENT_LENGTH")
        extra = {"max_request_body_size": int(limit)} if limit else {}
        self.server = create_server(app, host=HOST, port=0, threads=threads, **extra)
        self.port = int(self.server.effective_port)
        self.url = f"http://{HOST}:{self.port}"
        self.thread = threading.Thread(target=self.server.run, name="waitress", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        self.thread.join(5)


class Listener:
    """A TCP listener on a free loopback port that records every connection it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind((HOST, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}/sparql"
        self.hits: list[Any] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.hits.append(addr)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.sock.close()
