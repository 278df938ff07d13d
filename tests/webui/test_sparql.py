"""The /sparql endpoint by the SPARQL 1.1 Protocol: the Flask client for every way of asking and
every format, SPARQLWrapper as a real client against waitress, and the time limit under load."""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.namespaces import ASSERTED_GRAPH, IMPORTS_GRAPH, INFERRED_GRAPH
from kg.query.endpoint import SD, W3C_FORMATS
from kg.query.executor import QueryBusy, QueryExecutor
from kg.store import QueryTimeout
from tests.webui.conftest import LiveServer

LBP = Namespace("https://w3id.org/lbp-kg/")
PREFIX = "PREFIX lbp: <https://w3id.org/lbp-kg/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
CAUSES = PREFIX + "SELECT ?cause WHERE { ?cause lbp:mayCause lbp:Sciatica }"
ASK_TRUE = PREFIX + "ASK { lbp:DiscHerniation lbp:mayCause lbp:Sciatica }"
ASK_FALSE = PREFIX + "ASK { lbp:Sciatica lbp:mayCause lbp:DiscHerniation }"
CONSTRUCT = PREFIX + "CONSTRUCT { ?c lbp:mayCause lbp:Sciatica } WHERE { ?c lbp:mayCause lbp:Sciatica }"
DESCRIBE = PREFIX + "DESCRIBE lbp:Sciatica"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HERNIATION = str(LBP.DiscHerniation)
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def _causes_from(media: str, text: str) -> list[str]:
    """The ?cause values of a SELECT answer in any of the four result formats."""
    if media == "application/sparql-results+json":
        return [b["cause"]["value"] for b in json.loads(text)["results"]["bindings"]]
    if media == "application/sparql-results+xml":
        root = ET.fromstring(text)
        return [u.text or "" for u in root.iter(f"{SPARQL_RESULTS}uri")]
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["cause"]
        return [r[0] for r in rows[1:]]
    lines = text.splitlines()
    assert lines[0] == "?cause"
    return [line.strip("<>") for line in lines[1:]]


SELECT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": ("text/turtle", "turtle"),
    "ntriples": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdfxml": ("application/rdf+xml", "xml"),
}


# -- the three ways of asking ----------------------------------------------------------------


@pytest.mark.parametrize("name,media", SELECT_FORMATS.items())
def test_select_by_accept_header(client, name: str, media: str) -> None:  # noqa: ANN001
    resp = client.get("/sparql", query_string={"query": CAUSES}, headers={"Accept": media})
    assert resp.status_code == 200 and resp.mimetype == media
    assert HERNIATION in _causes_from(media, resp.get_data(as_text=True))


@pytest.mark.parametrize("name,media", SELECT_FORMATS.items())
def test_select_by_format_parameter(client, name: str, media: str) -> None:  # noqa: ANN001
    # The parameter wins over an Accept header that asks for something else.
    resp = client.get("/sparql", query_string={"query": CAUSES, "format": name}, headers={"Accept": "text/csv"})
    assert resp.status_code == 200 and resp.mimetype == media
    assert HERNIATION in _causes_from(media, resp.get_data(as_text=True))


def test_format_parameter_takes_a_media_type(client) -> None:  # noqa: ANN001
    resp = client.get("/sparql", query_string={"query": CAUSES, "format": "application/sparql-results+xml"})
    assert resp.mimetype == "application/sparql-results+xml"
    assert HERNIATION in _causes_from(resp.mimetype, resp.get_data(as_text=True))


def test_post_form(client) -> None:  # noqa: ANN001
    resp = client.post("/sparql", data={"query": CAUSES}, headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200
    assert HERNIATION in _causes_from(resp.mimetype, resp.get_data(as_text=True))


def test_post_query_body(client) -> None:  # noqa: ANN001
    resp = client.post("/sparql", data=CAUSES.encode(), content_type="application/sparql-query; charset=utf-8",
                       query_string={"format": "csv"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert HERNIATION in _causes_from("text/csv", resp.get_data(as_text=True))


def test_post_with_another_body_type_is_415(client) -> None:  # noqa: ANN001
    resp = client.post("/sparql", data=json.dumps({"query": CAUSES}), content_type="application/json")
    assert resp.status_code == 415 and "application/sparql-query" in resp.get_data(as_text=True)


def test_unknown_parameters_are_tolerated(client) -> None:  # noqa: ANN001
    qs = {"query": CAUSES, "output": "json", "results": "json", "_": "1712345678", "timeout": "0", "debug": "on"}
    resp = client.get("/sparql", query_string=qs, headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200
    assert HERNIATION in _causes_from(resp.mimetype, resp.get_data(as_text=True))


def test_default_is_json_for_any_accept(client) -> None:  # noqa: ANN001
    resp = client.get("/sparql", query_string={"query": CAUSES}, headers={"Accept": "*/*"})
    assert resp.mimetype == "application/sparql-results+json"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name,media", [("json", "application/sparql-results+json"),
                                        ("xml", "application/sparql-results+xml")])
def test_ask(client, name: str, media: str) -> None:  # noqa: ANN001
    yes = client.get("/sparql", query_string={"query": ASK_TRUE, "format": name}).get_data(as_text=True)
    no = client.get("/sparql", query_string={"query": ASK_FALSE}, headers={"Accept": media}).get_data(as_text=True)
    if name == "json":
        assert json.loads(yes)["boolean"] is True and json.loads(no)["boolean"] is False
    else:
        assert ET.fromstring(yes).find(f"{SPARQL_RESULTS}boolean").text == "true"  # type: ignore[union-attr]
        assert ET.fromstring(no).find(f"{SPARQL_RESULTS}boolean").text == "false"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", GRAPH_FORMATS)
def test_construct_by_accept_and_by_format(client, name: str) -> None:  # noqa: ANN001
    media, rdflib_format = GRAPH_FORMATS[name]
    for kwargs in ({"headers": {"Accept": media}}, {"query_string": {"query": CONSTRUCT, "format": name}}):
        qs = kwargs.pop("query_string", {"query": CONSTRUCT})
        resp = client.get("/sparql", query_string=qs, **kwargs)
        assert resp.status_code == 200 and resp.mimetype == media
        graph = Graph().parse(data=resp.get_data(as_text=True), format=rdflib_format)
        assert (LBP.DiscHerniation, LBP.mayCause, LBP.Sciatica) in graph


def test_describe(client) -> None:  # noqa: ANN001
    resp = client.get("/sparql", query_string={"query": DESCRIBE}, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=resp.get_data(as_text=True), format="turtle")
    assert (LBP.Sciatica, RDFS.label, Literal("sciatica", lang="en")) in graph or \
        (LBP.Sciatica, RDFS.label, Literal("sciatica")) in graph


def test_format_that_does_not_fit_is_406(client) -> None:  # noqa: ANN001
    resp = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "csv"})
    assert resp.status_code == 406 and "turtle" in resp.get_data(as_text=True)
    resp = client.get("/sparql", query_string={"query": CAUSES, "format": "png"})
    assert resp.status_code == 400 and "unknown format" in resp.get_data(as_text=True)


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    {"method": "POST", "data": {"update": "DROP ALL"}},
    {"method": "POST", "data": b"DROP ALL", "content_type": "application/sparql-update"},
    {"method": "GET", "query_string": {"update": "CLEAR DEFAULT"}},
    {"method": "GET", "query_string": {"query": "PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }"}},
    {"method": "POST", "data": {"query": "# a comment\nDELETE WHERE { ?s ?p ?o }"}},
])
def test_updates_are_refused(client, kwargs: dict) -> None:  # noqa: ANN001
    resp = client.open("/sparql", **kwargs)
    assert resp.status_code == 403 and "read-only" in resp.get_data(as_text=True)
    # ...and nothing was deleted.
    check = client.get("/sparql", query_string={"query": ASK_TRUE, "format": "json"})
    assert json.loads(check.data)["boolean"] is True


@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request it gets (none is the right number)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    server.shutdown()


def test_service_is_refused_without_an_outbound_request(client, recording_server) -> None:  # noqa: ANN001
    url, hits = recording_server
    query = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 400 and "SERVICE" in resp.get_data(as_text=True)
    resp = client.post("/sparql", data=f"ASK {{ service <{url}> {{ ?s ?p ?o }} }}",
                       content_type="application/sparql-query")
    assert resp.status_code == 400
    assert hits == []


def test_syntax_error_is_400_with_position(client) -> None:  # noqa: ANN001
    resp = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "syntax error at line 1" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("query_string,status,words", [
    ({"query": [CAUSES, CAUSES]}, 400, "more than one"),
    ({"query": CAUSES, "default-graph-uri": "not an iri"}, 400, "default-graph-uri must be an absolute IRI"),
    ({"query": "   "}, 400, "empty"),
])
def test_bad_requests(client, query_string: dict, status: int, words: str) -> None:  # noqa: ANN001
    resp = client.get("/sparql", query_string=query_string)
    assert resp.status_code == status and words in resp.get_data(as_text=True)


def test_an_over_long_query_is_refused_by_length(client) -> None:  # noqa: ANN001
    """By POST the query's own cap answers (413); by GET the site's URL limit comes first (414)."""
    query = "ASK {}" + " " * 30000
    resp = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert resp.status_code == 413 and "at most 20000" in resp.get_data(as_text=True)
    assert client.get("/sparql", query_string={"query": query}).status_code == 414


def test_post_without_query_is_400(client) -> None:  # noqa: ANN001
    assert client.post("/sparql", data={"format": "json"}).status_code == 400


def test_other_methods_are_405(client) -> None:  # noqa: ANN001
    assert client.put("/sparql", data=CAUSES).status_code == 405
    assert client.delete("/sparql").status_code == 405


# -- the service description -----------------------------------------------------------------


def test_service_description_in_turtle(client) -> None:  # noqa: ANN001
    resp = client.get("/sparql")
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    graph = Graph().parse(data=resp.get_data(as_text=True), format="turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert {W3C_FORMATS.SPARQL_Results_JSON, W3C_FORMATS.SPARQL_Results_CSV, W3C_FORMATS.Turtle} <= formats
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert names == {str(ASSERTED_GRAPH), str(INFERRED_GRAPH), str(IMPORTS_GRAPH)}


def test_service_description_counts_match_the_store(client) -> None:  # noqa: ANN001
    graph = Graph().parse(data=client.get("/sparql").get_data(as_text=True), format="turtle")
    void_triples = URIRef("http://rdfs.org/ns/void#triples")
    counts = {}
    for named in graph.subjects(SD.name, None):
        inner = graph.value(named, SD.graph)
        counts[str(graph.value(named, SD.name))] = int(graph.value(inner, void_triples))
    answer = client.get("/sparql", query_string={
        "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ASSERTED_GRAPH}> {{ ?s ?p ?o }} }}", "format": "json"})
    assert counts[str(ASSERTED_GRAPH)] == int(json.loads(answer.data)["results"]["bindings"][0]["n"]["value"]) > 1000
    # the default graph's size is the union the queries see
    dataset = graph.value(URIRef("http://localhost/sparql"), SD.defaultDataset)
    default = graph.value(graph.value(dataset, SD.defaultGraph), void_triples)
    union = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "format": "json"})
    assert int(default) == int(json.loads(union.data)["results"]["bindings"][0]["n"]["value"])


def test_service_description_by_accept_and_as_html(client) -> None:  # noqa: ANN001
    resp = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert resp.mimetype == "application/ld+json"
    assert (None, RDF.type, SD.Service) in Graph().parse(data=resp.get_data(as_text=True), format="json-ld")
    page = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "a sd:Service" in text and "/editor" in text
    assert "For education, not medical advice." in text


# -- SPARQLWrapper against the app served by waitress ----------------------------------------


def _wrapper(url: str, query: str, fmt: str, method: str = "GET", direct: bool = False) -> SPARQLWrapper:
    sw = SPARQLWrapper(f"{url}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    if direct:
        sw.setRequestMethod(POSTDIRECTLY)
    return sw


@pytest.mark.parametrize("method,direct", [("GET", False), (POST, False), (POST, True)])
def test_sparqlwrapper_select_json(live_server: LiveServer, method: str, direct: bool) -> None:
    data = _wrapper(live_server.url, CAUSES, JSON, method, direct).queryAndConvert()
    assert HERNIATION in [b["cause"]["value"] for b in data["results"]["bindings"]]  # type: ignore[index]


def test_sparqlwrapper_select_xml_csv_tsv(live_server: LiveServer) -> None:
    doc = _wrapper(live_server.url, CAUSES, XML).queryAndConvert()
    assert HERNIATION in [u.firstChild.data for u in doc.getElementsByTagName("uri")]  # type: ignore[union-attr]
    text = _wrapper(live_server.url, CAUSES, CSV).queryAndConvert()
    assert HERNIATION in text.decode()  # type: ignore[union-attr]
    text = _wrapper(live_server.url, CAUSES, TSV).queryAndConvert()
    assert f"<{HERNIATION}>" in text.decode()  # type: ignore[union-attr]


def test_sparqlwrapper_ask(live_server: LiveServer) -> None:
    assert _wrapper(live_server.url, ASK_TRUE, JSON).queryAndConvert()["boolean"] is True  # type: ignore[index]
    assert _wrapper(live_server.url, ASK_FALSE, JSON, POST).queryAndConvert()["boolean"] is False  # type: ignore[index]


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct(live_server: LiveServer, fmt: str) -> None:
    result = _wrapper(live_server.url, CONSTRUCT, fmt).queryAndConvert()
    if isinstance(result, Graph):
        graph = result
    else:
        text = result.decode() if isinstance(result, bytes) else json.dumps(result)
        graph = Graph().parse(data=text, format={TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}[fmt])
    assert (LBP.DiscHerniation, LBP.mayCause, LBP.Sciatica) in graph


def test_sparqlwrapper_bad_query_and_update(live_server: LiveServer) -> None:
    with pytest.raises(QueryBadFormed):
        _wrapper(live_server.url, "SELECT ?x WHERE { ?x }", JSON).query()
    sw = SPARQLWrapper(f"{live_server.url}/sparql", updateEndpoint=f"{live_server.url}/sparql")
    sw.setQuery("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
    sw.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as info:
        sw.query()
    assert info.value.code == 403


# -- the time limit --------------------------------------------------------------------------


def _get(url: str, timeout: float = 30) -> tuple[int, str, float]:
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback test server
            return resp.status, resp.read().decode(), time.monotonic() - start
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), time.monotonic() - start


def _get_when_ready(url: str, wait: float = 60) -> tuple[int, str, float]:
    """GET until the worker pool answers: a worker (re)started on a loaded machine may need longer
    than the short time limit to open the store, which is not what these tests are about."""
    deadline = time.monotonic() + wait
    result = _get(url)
    while result[0] == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
        result = _get(url)
    return result


@pytest.mark.slow
def test_runaway_query_is_stopped_while_others_are_served(short_timeout_app) -> None:  # noqa: ANN001
    """A blocking aggregate over a cross product (hours of work) is killed at the 1.5 s limit with a
    503; meanwhile fast queries and pages answer, and afterwards the endpoint still works. (How fast
    they answer under load is bench/serve.py's measure; the bounds here are margins of seconds.)"""
    with LiveServer(short_timeout_app) as server:
        warm = _get_when_ready(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": ASK_TRUE, "format": "json"}))
        for _ in range(2):  # every worker has opened the store
            _get_when_ready(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": CAUSES, "format": "csv"}))
        assert warm[0] == 200
        runaway: dict[str, tuple[int, str, float]] = {}
        thread = threading.Thread(target=lambda: runaway.setdefault(
            "r", _get(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}))))
        thread.start()
        time.sleep(0.3)  # the runaway query now holds one worker
        fast = []
        for _ in range(5):
            fast.append(_get(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": CAUSES, "format": "csv"})))
        home = _get(f"{server.url}/")
        thread.join(20)
        status, text, took = runaway["r"]
        assert status == 503 and "timed out after 1.5 s" in text and "time limit" in text
        assert 1.2 < took < 15  # stopped at the limit, not run to its end
        assert all(s == 200 and HERNIATION in body and t < 5 for s, body, t in fast)
        assert home[0] == 200
        after = _get_when_ready(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": ASK_TRUE, "format": "json"}))
        assert after[0] == 200 and json.loads(after[1])["boolean"] is True
    from webui.sparql import get_executor

    with short_timeout_app.app_context():
        assert get_executor().kills >= 1


@pytest.mark.slow
def test_two_runaways_at_once_both_stop(short_timeout_app) -> None:  # noqa: ANN001
    with LiveServer(short_timeout_app) as server:
        _get_when_ready(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": ASK_TRUE, "format": "json"}))
        results: list[tuple[int, str, float]] = []
        url = f"{server.url}/sparql?" + urllib.parse.urlencode({"query": RUNAWAY})
        threads = [threading.Thread(target=lambda: results.append(_get(url))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert [r[0] for r in results] == [503, 503]
        ok = _get_when_ready(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": ASK_TRUE, "format": "json"}))
        assert ok[0] == 200


@pytest.mark.slow
def test_executor_busy_and_timeout(store_spec: str) -> None:
    """One worker: a second query waits for it at most its time limit, then hears 'busy'."""
    with QueryExecutor(store_spec, workers=1, timeout=1.0) as executor:
        assert executor.query(ASK_TRUE).boolean is True
        errors: list[Exception] = []

        def run() -> None:
            try:
                executor.query(RUNAWAY)
            except QueryTimeout as exc:
                errors.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.2)
        with pytest.raises(QueryBusy):
            executor.query(ASK_TRUE, timeout=0.3)
        thread.join(10)
        assert len(errors) == 1 and errors[0].timeout == 1.0
        assert executor.query(CAUSES).column("cause").count(HERNIATION) == 1
        assert executor.kills == 1
