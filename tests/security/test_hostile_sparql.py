"""Hostile requests to /sparql (tests/security/hostile-sparql.yaml), sent as raw HTTP to the real app
served by waitress on a loopback port: each gets its expected status and a readable answer without
a traceback, and a listener on 127.0.0.1 receives no connection, whatever the request named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.security.sparql_helpers import ALWAYS_ABSENT, Case, Listener, load_cases, send
from tests.webui.conftest import LiveServer
from webui import create_app
from webui.sparql import close_executor

CASES = load_cases()
TIME_LIMIT = 2.0  # seconds: short, so the expensive cases end quickly (503)


@pytest.fixture(scope="module")
def hostile_app(store_spec: str, fixture_release_dir: Path) -> Iterator[Flask]:  # noqa: ANN001
    app = create_app({
        "TESTING": True, "STORE": store_spec, "RELEASE_DIR": str(fixture_release_dir),
        "QUERY_TIMEOUT": TIME_LIMIT, "QUERY_WORKERS": 2, "RATE_LIMIT": 0,
    })
    yield app
    close_executor(app)


@pytest.fixture(scope="module")
def server(hostile_app: Flask) -> Iterator[LiveServer]:
    with LiveServer(hostile_app) as live:
        yield live


@pytest.fixture(scope="module")
def sink() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


def test_the_file_has_the_agreed_shape() -> None:
    assert len(CASES) >= 30
    assert sum(c.no_outbound for c in CASES) >= 20
    assert all(c.path.startswith("/") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_request(server: LiveServer, sink: Listener, case: Case) -> None:
    answer = send(server.url, case, sink.port)
    text = answer.text
    assert answer.status in case.status, (case.name, answer.status, text[:500])
    for word in (*ALWAYS_ABSENT, *case.body_not_contains):
        assert word not in text, (case.name, word, text[:500])
    if answer.status >= 400:
        media = answer.headers.get("content-type", "")
        assert media.startswith(("text/plain", "text/html")), (case.name, media)  # the router's 405 is a page
        assert 0 < len(text.strip()) < 4000, (case.name, text[:500])  # a message, not an echo of the query
    if answer.status == 503:
        assert answer.headers.get("retry-after"), case.name
    if case.no_outbound:
        assert sink.hits == [], (case.name, sink.hits)


def test_the_listener_was_never_called(server: LiveServer, sink: Listener) -> None:
    """After every case (this test runs last in the module): no connection at all."""
    for case in CASES:
        if case.no_outbound:
            send(server.url, case, sink.port)
    assert sink.hits == []


def test_a_huge_limit_is_cut_at_the_row_cap_and_says_so(server: LiveServer, sink: Listener) -> None:
    # five copies of every triple: more rows than the cap on any graph this suite loads
    query = "SELECT ?s WHERE { VALUES ?copy { 1 2 3 4 5 } ?s ?p ?o } LIMIT 100000000"
    case = Case(name="row cap", method="GET", path="/sparql", status=[200], params={"query": query, "format": "json"})
    answer = send(server.url, case, sink.port)
    assert answer.status == 200, answer.text[:300]
    assert answer.headers["sparql-row-limit"] == "10000"
    assert answer.headers["sparql-results-truncated"] == "true"
    assert answer.text.count('"s"') == 10000 + 1  # the head's variable and one binding per row


def test_utf8_and_charset_checks() -> None:
    """The endpoint's byte checks on their own: percent-escaped or raw bytes that are not UTF-8."""
    from kg.query.endpoint import ProtocolError, check_charset, require_utf8

    require_utf8(b"query=ASK%20%7B%7D", "query string", percent_encoded=True)
    require_utf8(b"query=%C3%A9", "query string", percent_encoded=True)
    require_utf8("ASK { ?s ?p \"é\" }".encode(), "request body", percent_encoded=False)
    check_charset("UTF-8")
    check_charset(None)
    for raw, encoded in ((b"query=%FF", True), (b"query=%C3", True), (b"ASK \xff", False)):
        with pytest.raises(ProtocolError) as info:
            require_utf8(raw, "request body", percent_encoded=encoded)
        assert info.value.status == 400 and "UTF-8" in info.value.message
    with pytest.raises(ProtocolError) as info:
        check_charset("latin-1")
    assert info.value.status == 415
