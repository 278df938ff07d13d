"""The endpoint against the W3C SPARQL 1.1 Protocol test manifest (query side passes; update side is
refused with 4xx), the dataset the protocol and FROM name, a base IRI for relative IRIs, and rdflib's
SPARQLStore as a client of a named graph."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from tests.webui.conftest import LiveServer
from webui import create_app
from webui.sparql import close_executor

W3C = Path(__file__).parent / "w3c_protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
TABULAR = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"}
LBP = Namespace("https://w3id.org/lbp-kg/")


def _manifest() -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(W3C / "manifest.ttl", format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = list(graph.items(graph.value(manifest, MF.entries)))
    return graph, entries  # type: ignore[return-value]


MANIFEST, ENTRIES = _manifest()


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory: pytest.TempPathFactory, store_spec: str,
               fixture_release_dir: Path) -> Iterator[LiveServer]:
    """The app over a store holding the KG and the suite's data files, each in the named graph the
    manifest's ut:graphData gives it (data0.rdf, which some tests name, is absent: an empty graph)."""
    path = tmp_path_factory.mktemp("w3c") / "store"
    store = ox.Store(str(path))
    store.bulk_extend(ox.Store.read_only(store_spec.split(":", 1)[1]))
    for name in ("data1", "data2", "data3"):
        graph = ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/{name}.rdf")
        store.load(path=str(W3C / f"{name}.nt"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    store.flush()
    del store
    app = create_app({"TESTING": True, "STORE": f"oxigraph:{path}", "RELEASE_DIR": str(fixture_release_dir)})
    with LiveServer(app) as server:
        yield server
    close_executor(app)


def _send(base: str, request_node: URIRef) -> tuple[int, str, bytes]:
    g = MANIFEST
    path = str(g.value(request_node, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    method = str(g.value(request_node, HT.methodName))
    headers = {}
    header_list = g.value(request_node, HT.headers)
    if header_list is not None:
        for header in g.items(header_list):
            headers[str(g.value(header, HT.fieldName))] = str(g.value(header, HT.fieldValue))
    data = None
    body = g.value(request_node, HT.body)
    if body is not None:
        encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
        data = str(g.value(body, CNT.chars)).encode(encoding)
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    if data is not None and "content-type" not in {k.lower() for k in headers}:
        # the suite's "missing type" tests send none (urllib would add a form type)
        req.add_unredirected_header("Content-Type", "")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback test server
            return resp.status, resp.headers.get_content_type(), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read()


def _boolean(media: str, body: bytes) -> bool:
    if media == "application/sparql-results+json":
        return json.loads(body)["boolean"]
    node = ET.fromstring(body).find(f"{RESULTS_NS}boolean")
    return node is not None and node.text == "true"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: str(e).rsplit("#", 1)[-1])
def test_w3c_protocol_manifest(w3c_server: LiveServer, entry: URIRef) -> None:
    g = MANIFEST
    name = str(entry).rsplit("#", 1)[-1]
    requests = list(g.items(g.value(g.value(entry, MF.action), HT.requests)))
    for request_node in requests:
        status, media, body = _send(w3c_server.url, request_node)
        assert b"Traceback" not in body
        if name.startswith("update_") or name.startswith("bad_update"):
            # read-only: every update is refused (and the follow-up ASKs would test its effect)
            assert 400 <= status < 500, (name, status, body)
            return
        response = g.value(request_node, HT.resp)
        expected = set(g.objects(response, MF.expectedStatus))
        if HTS.StatusCode4xx in expected:
            assert 400 <= status < 500, (name, status, body)
            continue
        assert 200 <= status < 400, (name, status, body)
        fmt = str(g.value(response, MF.expectedFormat) or "")
        if fmt == "boolean":
            assert media in {"application/sparql-results+json", "application/sparql-results+xml"}, media
        elif fmt == "tabular":
            assert media in TABULAR, media
        elif fmt == "RDF":
            assert media in RDF_TYPES, media
            Graph().parse(data=body, format={"text/turtle": "turtle"}.get(media, "turtle"))
        expected_boolean = g.value(response, MF.expectedBoolean)
        if expected_boolean is not None:
            assert _boolean(media, body) is bool(expected_boolean.toPython()), (name, body)


def test_every_manifest_entry_is_run() -> None:
    assert len(ENTRIES) == 34 and len({str(e) for e in ENTRIES}) == 34


# -- the dataset, on the KG itself -------------------------------------------------------------


def _ask(client, query: str, **params: str) -> bool:  # noqa: ANN001
    resp = client.get("/sparql", query_string={"query": query, "format": "json", **params})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return json.loads(resp.data)["boolean"]


def _count(client, query: str, **params: object) -> int:  # noqa: ANN001
    resp = client.get("/sparql", query_string={"query": query, "format": "json", **params})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return int(json.loads(resp.data)["results"]["bindings"][0]["n"]["value"])


def test_from_an_unknown_graph_is_an_empty_graph(client) -> None:  # noqa: ANN001
    assert _ask(client, "ASK { ?s ?p ?o }") is True
    assert _ask(client, "ASK FROM <http://nowhere.example/g> { ?s ?p ?o }") is False
    assert _ask(client, "ASK { ?s ?p ?o }", **{"default-graph-uri": "http://nowhere.example/g"}) is False


def test_from_counts_only_its_graph(client) -> None:  # noqa: ANN001
    inferred = _count(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")
    union = _count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert 0 < inferred < union
    assert _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED_GRAPH}> WHERE {{?s ?p ?o}}") == inferred
    assert _count(client, "SELECT (COUNT(*) AS ?n) WHERE {?s ?p ?o}", **{"default-graph-uri": str(INFERRED_GRAPH)}) \
        == inferred
    # the protocol's dataset wins over the query's own
    assert _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED_GRAPH}> WHERE {{?s ?p ?o}}",
                  **{"default-graph-uri": str(INFERRED_GRAPH)}) == inferred


def test_from_named_limits_graph(client) -> None:  # noqa: ANN001
    query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert _count(client, query) >= 2
    assert _count(client, query, **{"named-graph-uri": str(INFERRED_GRAPH)}) == 1
    assert _count(client, f"SELECT (COUNT(DISTINCT ?g) AS ?n) FROM NAMED <{ASSERTED_GRAPH}> "
                          "WHERE { GRAPH ?g { ?s ?p ?o } }") == 1


def test_relative_iris_resolve_against_the_base(client) -> None:  # noqa: ANN001
    resp = client.post("/sparql", data=b"CONSTRUCT { <s> <p> 1 } WHERE {}", content_type="application/sparql-query",
                       headers={"Accept": "application/n-triples"})
    assert resp.status_code == 200
    graph = Graph().parse(data=resp.get_data(as_text=True), format="nt")
    assert (LBP.s, LBP.p, Literal(1)) in graph


# -- rdflib's SPARQLStore as a client ----------------------------------------------------------


def test_rdflib_sparqlstore_on_a_named_graph(live_server: LiveServer) -> None:
    store = SPARQLStore(f"{live_server.url}/sparql", returnFormat="json")
    graph = Graph(store, identifier=ASSERTED_GRAPH)
    triples = list(graph.triples((LBP.DiscHerniation, LBP.mayCause, None)))
    assert (LBP.DiscHerniation, LBP.mayCause, LBP.Sciatica) in triples
    everything = Graph(SPARQLStore(f"{live_server.url}/sparql", returnFormat="json"))
    inferred = Graph(SPARQLStore(f"{live_server.url}/sparql", returnFormat="json"), identifier=INFERRED_GRAPH)
    assert (LBP.DiscHerniation, LBP.mayCause, LBP.Sciatica) not in inferred
    assert 0 < len(inferred) < len(graph) < len(everything)
    rows = list(graph.query("SELECT ?c WHERE { ?c <https://w3id.org/lbp-kg/mayCause> "
                            "<https://w3id.org/lbp-kg/Sciatica> }"))
    assert LBP.DiscHerniation in [r[0] for r in rows]


def test_row_cap_is_reported(make_app) -> None:  # noqa: ANN001
    client = make_app(RESULT_ROW_LIMIT=5).test_client()
    for fmt, count in (("json", lambda d: len(json.loads(d)["results"]["bindings"])),
                       ("csv", lambda d: len(d.decode().splitlines()) - 1),
                       ("tsv", lambda d: len(d.decode().splitlines()) - 1),
                       ("xml", lambda d: d.count(b"<result>"))):
        resp = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }", "format": fmt})
        assert resp.status_code == 200
        assert count(resp.data) == 5
        assert resp.headers["SPARQL-Row-Limit"] == "5" and resp.headers["SPARQL-Results-Truncated"] == "true"
    small = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "format": "json"})
    assert len(json.loads(small.data)["results"]["bindings"]) == 3
    assert "SPARQL-Results-Truncated" not in small.headers
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "ntriples"})
    assert len(graph.get_data(as_text=True).splitlines()) == 5 and graph.headers["SPARQL-Results-Truncated"] == "true"


def test_malformed_query_gets_line_column_and_a_readable_message(client) -> None:  # noqa: ANN001
    cases = {
        "SELECT ?x WHERE {\n  ?x a nope:Thing }": ("line 2", "nope"),
        "SELECT ?x WHERE { ?x ?y }": ("line 1", ""),
        "SELECT ?x WHERE { ?x ?y ?z ": ("line 1", ""),
    }
    for query, (where, word) in cases.items():
        resp = client.get("/sparql", query_string={"query": query})
        text = resp.get_data(as_text=True)
        assert resp.status_code == 400 and where in text and word in text, text
        assert "\\u{" not in text and "..=" not in text and "Traceback" not in text and len(text) < 400, text
