"""Property-based fuzzing (hypothesis) of the search, autocomplete, term, API and graph routes
through Flask's test client: whatever the text or bytes, never a 5xx, never a traceback, always
the route's own content type. Bounded: a fixed number of examples per route, no deadline (the
machine may be busy), no example database written to disk."""

from __future__ import annotations

import os
from urllib.parse import quote, quote_from_bytes

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.site_helpers import TRACEBACK_MARKERS

# LBPKG_FUZZ_EXAMPLES raises the bound for a deeper run by hand; the suite keeps it small.
EXAMPLES = int(os.environ.get("LBPKG_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Any text: controls, bidi marks, markup, SPARQL and regex punctuation, astral characters.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
HOSTILE_BITS = st.sampled_from(["<script>", "\"'", "}", "#", "\\", "%", "%00", "\x00", "\r\n", "\u202e", "lbp:",
                                "https://w3id.org/lbp-kg/", "..", "/", "?", "&", "=", "*", "(", "+", "\ufffd"])
MIXED = st.lists(st.one_of(TEXT, HOSTILE_BITS), max_size=6).map("".join)
# A path segment: text percent-encoded, or raw bytes (invalid UTF-8 included) percent-encoded.
SEGMENT = st.one_of(MIXED.map(lambda t: quote(t, safe="")),
                    st.binary(max_size=60).map(lambda b: quote_from_bytes(b, safe="")))
JSON = {"application/json"}
HTML = {"text/html"}
TERM_TYPES = HTML | {"text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"}


def check(app: Flask, url: str, allowed: set[str], **kwargs: object) -> None:
    resp = app.test_client().get(url, **kwargs)
    body = resp.get_data(as_text=True)
    assert resp.status_code < 500, (url, kwargs, resp.status_code, body[:300])
    for marker in TRACEBACK_MARKERS:
        assert marker not in body, (url, kwargs)
    if resp.status_code < 300:
        assert resp.mimetype in allowed, (url, kwargs, resp.status_code, resp.mimetype)
    elif resp.status_code >= 400:  # an error page, or JSON for the API and for clients preferring JSON
        assert resp.mimetype in (JSON if url.startswith("/api/") or url.endswith(".json") else HTML | JSON), \
            (url, kwargs, resp.status_code, resp.mimetype)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@FUZZ
@given(q=MIXED, limit=st.one_of(st.none(), TEXT, st.integers().map(str)))
def test_search_page(app: Flask, q: str, limit: str | None) -> None:
    params = {"q": q} if limit is None else {"q": q, "limit": limit}
    check(app, "/search", HTML, query_string=params)


@FUZZ
@given(q=MIXED)
def test_autocomplete(app: Flask, q: str) -> None:
    check(app, "/search/suggest", JSON | HTML, query_string={"q": q})
    check(app, "/api/search", JSON, query_string={"q": q})


@FUZZ
@given(local=SEGMENT, accept=st.one_of(st.none(), st.sampled_from(["text/turtle", "application/json", "*/*",
                                                                       "image/png", "text/html;q=0", ";;"])))
def test_term_pages(app: Flask, local: str, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    check(app, f"/term/{local}", TERM_TYPES, headers=headers)


@FUZZ
@given(local=SEGMENT, depth=st.one_of(st.none(), TEXT, st.integers(-5, 10).map(str)))
def test_api_and_graph(app: Flask, local: str, depth: str | None) -> None:
    params = {} if depth is None else {"depth": depth}
    check(app, f"/api/terms/{local}", JSON)
    check(app, f"/api/terms/{local}/neighbourhood", JSON, query_string=params)
    check(app, f"/graph/{local}.json", JSON, query_string=params)
    check(app, f"/graph/{local}", HTML | JSON, query_string=params)


@FUZZ
@given(x=MIXED, y=MIXED, k=st.one_of(st.none(), TEXT))
def test_paths_relate_tour_compare(app: Flask, x: str, y: str, k: str | None) -> None:
    check(app, "/api/paths", JSON, query_string={"from": x, "to": y} | ({"k": k} if k is not None else {}))
    check(app, "/graph", HTML, query_string={"term": x})
    check(app, "/learn/relate", HTML, query_string={"x": x, "y": y})
    check(app, "/learn/tour", HTML, query_string={"cause": x})
    check(app, "/learn/compare", HTML, query_string={"i": [x, y]})


GET_ROUTES = ["/", "/az", "/tree", "/area/causes", "/search", "/search/suggest", "/term/Sciatica", "/graph",
              "/graph/Sciatica", "/graph/Sciatica.json", "/api/terms", "/api/terms/Sciatica",
              "/api/terms/Sciatica/neighbourhood", "/api/search", "/api/paths", "/api/compare", "/learn/",
              "/learn/relate", "/learn/compare", "/learn/tour", "/editor", "/downloads", "/api/"]
PARAM_NAMES = st.sampled_from(["q", "limit", "offset", "area", "depth", "format", "term", "x", "y", "i", "id",
                               "cause", "example", "query", "go", "k", "from", "to"])


@settings(max_examples=EXAMPLES * 2, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(GET_ROUTES),
       params=st.dictionaries(PARAM_NAMES, st.one_of(MIXED, st.lists(MIXED, min_size=2, max_size=5)), max_size=4))
def test_any_route_any_parameters(app: Flask, path: str, params: dict[str, object]) -> None:
    """Every browsing, API, learning and editor route with any of the site's parameter names."""
    api_data = path.startswith("/api/") and path != "/api/"   # /api/ itself is the docs page
    allowed = JSON if api_data or path.endswith(".json") else HTML | TERM_TYPES | JSON
    check(app, path, allowed, query_string=params)


@pytest.mark.parametrize("path", ["/term/Sciatica", "/api/terms/Sciatica", "/search?q=disc", "/graph/Sciatica.json"])
def test_still_serving_after_the_fuzzing(app: Flask, path: str) -> None:
    assert app.test_client().get(path).status_code == 200
