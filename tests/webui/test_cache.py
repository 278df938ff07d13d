"""The response cache (webui/cache.py): a cached answer is the rendered one byte for byte, the
Accept header picks its own entry (Vary: Accept), a client holding the ETag gets a 304, the cache
stays within its bounds, and errors, /sparql and POSTs are never kept. Over waitress: a real
client sees the same."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.webui.conftest import LiveServer
from webui.cache import Entry, ResponseCache, get_cache


def test_a_cached_page_is_the_rendered_page(make_app) -> None:  # noqa: ANN001
    client = make_app().test_client()
    first = client.get("/term/Sciatica")
    second = client.get("/term/Sciatica")
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.data == second.data and b"Sciatica" in second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Content-Type"] == second.headers["Content-Type"]
    assert "max-age=" in second.headers["Cache-Control"] and second.headers["Last-Modified"]
    api = [client.get("/api/terms/Sciatica") for _ in range(2)]
    assert api[0].get_json() == api[1].get_json() and api[1].headers["X-Cache"] == "hit"


def test_accept_picks_its_own_entry(make_app) -> None:  # noqa: ANN001
    client = make_app().test_client()
    html = client.get("/term/Sciatica", headers={"Accept": "text/html"})
    turtle = client.get("/term/Sciatica", headers={"Accept": "text/turtle"})
    again = [client.get("/term/Sciatica", headers={"Accept": a}) for a in ("text/html", "text/turtle")]
    assert html.mimetype == again[0].mimetype == "text/html"
    assert turtle.mimetype == again[1].mimetype == "text/turtle"
    assert again[0].data == html.data and again[1].data == turtle.data
    assert all(r.headers["X-Cache"] == "hit" for r in again)
    assert html.headers["ETag"] != turtle.headers["ETag"]
    assert "Accept" in again[1].headers["Vary"]


def test_if_none_match_gets_304(make_app) -> None:  # noqa: ANN001
    client = make_app().test_client()
    etag = client.get("/az").headers["ETag"]
    resp = client.get("/az", headers={"If-None-Match": etag})
    assert resp.status_code == 304 and resp.data == b"" and resp.headers["ETag"] == etag
    assert client.get("/az", headers={"If-None-Match": '"another"'}).status_code == 200
    fresh = make_app().test_client()  # the first request of a client that kept the page: 304 as well
    assert fresh.get("/az", headers={"If-None-Match": etag}).status_code == 304


def test_errors_sparql_and_posts_are_not_kept(make_app) -> None:  # noqa: ANN001
    app = make_app()
    client = app.test_client()
    for _ in range(2):
        assert client.get("/term/NoSuchTerm").status_code == 404
        resp = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "format": "json"})
        assert resp.status_code == 200 and "X-Cache" not in resp.headers
        resp = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }", "format": "json"})
        assert resp.status_code == 200 and "X-Cache" not in resp.headers
    cache = get_cache(app)
    assert cache is not None and len(cache) == 0


def test_the_cache_is_bounded(make_app) -> None:  # noqa: ANN001
    app = make_app(RESPONSE_CACHE_ENTRIES=3)
    client = app.test_client()
    for name in ("Sciatica", "LumbarDiscHerniation", "Spondylolisthesis", "DiscHerniation", "Sciatica"):
        assert client.get(f"/term/{name}").status_code == 200
    cache = get_cache(app)
    assert cache is not None and len(cache) == 3
    small = ResponseCache(max_entries=100, max_bytes=10)
    for n in range(5):
        small.put(("http", "h", f"/{n}", b"", ""), Entry(200, (), b"x" * 4, '"e"'))
    assert len(small) == 2 and small.size_bytes == 8
    small.put(("http", "h", "/big", b"", ""), Entry(200, (), b"x" * 11, '"e"'))  # larger than the whole cache
    assert small.get(("http", "h", "/big", b"", "")) is None and len(small) == 2


def test_off_when_configured(make_app) -> None:  # noqa: ANN001
    app = make_app(RESPONSE_CACHE_ENTRIES=0)
    resp = app.test_client().get("/term/Sciatica")
    assert resp.status_code == 200 and "X-Cache" not in resp.headers and get_cache(app) is None


def test_over_waitress(make_app) -> None:  # noqa: ANN001
    with LiveServer(make_app()) as server:
        url = f"{server.url}/term/Sciatica"
        bodies, etags = [], []
        for _ in range(2):
            with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - loopback test server
                bodies.append(resp.read())
                etags.append(resp.headers["ETag"])
        assert bodies[0] == bodies[1] and etags[0] == etags[1]
        req = urllib.request.Request(url, headers={"If-None-Match": etags[0]})
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(req, timeout=30)  # noqa: S310
        assert info.value.code == 304
