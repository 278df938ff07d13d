"""Web UI fixtures beyond the session app: the app served by waitress on a free port (a real
server with several threads, as `lbpkg serve` runs it) and an app with a short query time limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.servers import LiveServer
from webui import create_app
from webui.sparql import close_executor


@pytest.fixture
def make_app(store_spec: str, fixture_release_dir: Path) -> Iterator:
    """Make apps over the fixture store with extra config; their workers stop after the test."""
    made: list[Flask] = []

    def make(**config: object) -> Flask:
        app = create_app({"TESTING": True, "STORE": store_spec, "RELEASE_DIR": str(fixture_release_dir), **config})
        made.append(app)
        return app

    yield make
    for app in made:
        close_executor(app)


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The session app (over the fixture store) served by waitress on a free loopback port."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def short_timeout_app(store_spec: str, fixture_release_dir: Path) -> Iterator[Flask]:
    """An app whose queries stop after 1.5 s, with two query workers."""
    app = create_app({
        "TESTING": True,
        "STORE": store_spec,
        "RELEASE_DIR": str(fixture_release_dir),
        "QUERY_TIMEOUT": 1.5,
        "QUERY_WORKERS": 2,
    })
    yield app
    close_executor(app)
