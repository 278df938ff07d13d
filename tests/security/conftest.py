"""The site app over the fixture store, served by waitress on a free loopback port, shared by the
security tests of one module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.security.site_helpers import LiveServer, make_app, served


@pytest.fixture(scope="module")
def site_app(store_spec: str, fixture_release_dir: Path) -> Flask:
    return make_app(store_spec, str(fixture_release_dir))


@pytest.fixture(scope="module")
def server(site_app: Flask) -> Iterator[LiveServer]:
    with served(site_app) as live:
        yield live
