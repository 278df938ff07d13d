"""Web UI fixtures beyond the session app: the app served by waitress on a free port (a real
server with several threads, as `lbpkg serve` runs it) and an app with a short query time limit."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from waitress.server import create_server

from webui import create_app
from webui.sparql import close_executor


class LiveServer:
    """A waitress server in a background thread; `url` is its base address."""

    def __init__(self, app: Flask, threads: int = 6):
        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, name="waitress", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        self.thread.join(5)


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The session app served by waitress on a free loopback port."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def short_timeout_app(store_spec: str, release) -> Iterator[Flask]:  # noqa: ANN001
    """An app whose queries stop after 1.5 s, with two query workers."""
    app = create_app({
        "TESTING": True,
        "STORE": store_spec,
        "RELEASE_DIR": str(release.release_dir),
        "QUERY_TIMEOUT": 1.5,
        "QUERY_WORKERS": 2,
    })
    yield app
    close_executor(app)
