"""Hostile content in the graph itself: a label, a definition and mapping IRIs written to attack
the pages that show them. Escaped everywhere (HTML pages, the JSON embedded in pages, the API,
search suggestions), and `javascript:` / `data:` IRIs never become links."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.security.site_helpers import LiveServer, assert_no_traceback, make_app, request, served

LBP = "https://w3id.org/lbp-kg/"
LABEL = "</script><script>alert('xss')</script><img src=x onerror=alert(1)> probe"
DEFINITION = "<b onmouseover=alert(2)>bold</b> & \"quoted\""
DEFINITION_NT = DEFINITION.replace('"', '\\"')
HOSTILE = f"""
<{LBP}XssProbe> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2002/07/owl#Class> .
<{LBP}XssProbe> <http://www.w3.org/2000/01/rdf-schema#label> "{LABEL}"@en .
<{LBP}XssProbe> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{LBP}Sciatica> .
<{LBP}XssProbe> <http://purl.obolibrary.org/obo/IAO_0000115> "{DEFINITION_NT}"@en .
<{LBP}XssProbe> <http://www.w3.org/2004/02/skos/core#exactMatch> <javascript:alert(3)> .
<{LBP}XssProbe> <http://www.w3.org/2004/02/skos/core#closeMatch> <data:text/html,hi> .
<{LBP}XssProbe> <http://www.w3.org/2004/02/skos/core#relatedMatch> <https://example.org/fine> .
<{LBP}Sciatica> <http://www.w3.org/2004/02/skos/core#exactMatch> <javascript:alert(4)> .
"""
# Raw markup that must never reach an HTML page unescaped.
RAW = ("<script>alert(", "<img src=x", "<b onmouseover", 'href="javascript:', 'href="data:',
       "href='javascript:")


@pytest.fixture(scope="module")
def hostile_app(fixture_release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Flask:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("hostile") / "release"
    shutil.copytree(fixture_release_dir, folder)
    with open(Path(folder) / "lbp-kg.nt", "a", encoding="utf-8") as f:
        f.write(HOSTILE)
    return make_app(f"rdflib:{folder}", str(folder))


@pytest.fixture(scope="module")
def server(hostile_app: Flask) -> Iterator[LiveServer]:
    with served(hostile_app) as live:
        yield live


def _html(server: LiveServer, path: str, **params: str) -> str:
    answer = request(server, "GET", path, params=params or None)
    assert answer.status == 200, (path, answer.status)
    assert answer.media_type == "text/html"
    assert_no_traceback(answer, path)
    for raw in RAW:
        assert raw not in answer.text, f"{path}: unescaped {raw!r}"
    return answer.text


def test_term_page_escapes_label_and_definition(server: LiveServer) -> None:
    page = _html(server, "/term/XssProbe")
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;xss&#39;)" in page
    assert "&lt;b onmouseover=alert(2)&gt;bold&lt;/b&gt; &amp; &#34;quoted&#34;" in page


def test_javascript_and_data_iris_are_text_not_links(server: LiveServer) -> None:
    page = _html(server, "/term/XssProbe")
    assert "javascript:alert(3)" in page and "data:text/html,hi" in page   # shown
    assert 'href="https://example.org/fine"' in page                      # an http mapping still links
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert not [h for h in hrefs if re.match(r"\s*(javascript|data|vbscript):", h, re.I)]
    sciatica = _html(server, "/term/Sciatica")
    assert "javascript:alert(4)" in sciatica
    assert 'href="http://purl.obolibrary.org/obo/HP_' in sciatica or "href=\"https://" in sciatica


def test_pages_that_list_the_label_escape_it(server: LiveServer) -> None:
    _html(server, "/term/Sciatica")          # a child of Sciatica
    _html(server, "/search", q="probe")
    _html(server, "/az")
    _html(server, "/learn/relate", x="XssProbe", y="Sciatica")


def test_graph_page_embeds_json_safely(server: LiveServer) -> None:
    page = _html(server, "/graph/XssProbe")
    blocks = re.findall(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S)
    assert len(blocks) == 1 and "\\u003c/script\\u003e" in blocks[0]


def test_json_answers_are_json_with_nosniff(server: LiveServer) -> None:
    for path, params in (("/search/suggest", {"q": "probe"}), ("/api/search", {"q": "probe"}),
                         ("/api/terms/XssProbe", None), ("/graph/XssProbe.json", None)):
        answer = request(server, "GET", path, params=params)
        assert answer.status == 200 and answer.media_type == "application/json", path
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "probe" in answer.text
    hits = request(server, "GET", "/search/suggest", params={"q": "probe"}).text
    assert "XssProbe" in hits


def test_search_echo_is_escaped(server: LiveServer) -> None:
    probe = "\"><script>alert(5)</script>"
    page = _html(server, "/search", q=probe)
    assert "&#34;&gt;&lt;script&gt;alert(5)" in page
    err = request(server, "GET", "/learn/relate", params={"x": probe, "y": "disc"})
    assert err.status in (200, 404) and "<script>alert(5)" not in err.text  # fuzzy search may find the probe
