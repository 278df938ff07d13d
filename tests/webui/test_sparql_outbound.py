"""No outbound requests, ever: SERVICE in every spelling is refused before the engine sees it, the
query workers have no network even if a spelling got through, and FROM / default-graph-uri name
graphs of the store without fetching anything. A listener on 127.0.0.1 must receive no connection."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from kg.query.executor import QueryExecutor
from kg.store import QueryError
from kg.store.sparqltext import ServiceRefused, check_service, service_endpoints, unescape_codepoints
from tests.servers import Listener, LiveServer

ASK_TRUE = "PREFIX lbp: <https://w3id.org/lbp-kg/> ASK { lbp:DiscHerniation lbp:mayCause lbp:Sciatica }"


@pytest.fixture
def listener() -> Iterator[Listener]:
    sink = Listener()
    yield sink
    sink.close()


def spellings(port: int) -> dict[str, str]:
    """Ways to write a federated query to the listener (some are syntax errors to one parser or
    another: they must be refused all the same)."""
    url = f"http://127.0.0.1:{port}/sparql"
    escaped_iri = f"http://127.0.0.\\u0031:{port}/sparql"
    pattern = "{ ?s ?p ?o }"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {pattern} }}",
        "lower case": f"select * where {{ service <{url}> {pattern} }}",
        "mixed case": f"SELECT * WHERE {{ SeRvIcE <{url}> {pattern} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {pattern} }}",
        "comment ended by CR": f"SELECT * WHERE {{ # a comment\rSERVICE <{url}> {pattern} }}",
        "comment ended by CRLF": f"SELECT * WHERE {{ # a comment\r\nSERVICE <{url}> {pattern} }}",
        "escaped keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {pattern} }}",
        "long escape keyword": f"SELECT * WHERE {{ \\U00000053ERVICE <{url}> {pattern} }}",
        "escaped IRI": f"SELECT * WHERE {{ SERVICE <{escaped_iri}> {pattern} }}",
        "variable endpoint": f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {pattern} }}",
        "prefixed name": f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:sparql {pattern} }}",
        "relative IRI": f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {pattern} }}",
        "in a subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {pattern} }} }} }}",
        "in OPTIONAL": f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {pattern} }} }} LIMIT 1",
        "in UNION": f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{url}> {pattern} }} }} LIMIT 1",
        "in FILTER EXISTS": f"ASK {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{url}> {pattern} }} }}",
        "in MINUS": f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ SERVICE <{url}> {pattern} }} }} LIMIT 1",
        "in CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {pattern} }}",
        "in a GRAPH": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}> {pattern} }} }}",
        "tab and newline": f"SELECT * WHERE {{\tSERVICE\n<{url}>\n{pattern} }}",
    }


@pytest.mark.parametrize("name", list(spellings(0)))
def test_service_spellings_are_refused_without_a_connection(client, listener: Listener, name: str) -> None:  # noqa: ANN001
    query = spellings(listener.port)[name]
    for resp in (client.get("/sparql", query_string={"query": query}),
                 client.post("/sparql", data=query.encode(), content_type="application/sparql-query")):
        text = resp.get_data(as_text=True)
        assert resp.status_code == 400, (name, resp.status_code, text)
        assert "Traceback" not in text
    assert listener.hits == []


@pytest.mark.parametrize("query, params", [
    ("ASK FROM <{url}> {{ ?s ?p ?o }}", {}),
    ("SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
    ("ASK {{ ?s ?p ?o }}", {"default-graph-uri": "{url}"}),
    ("SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {"named-graph-uri": "{url}"}),
    ("DESCRIBE <{url}>", {}),
    ("SELECT * WHERE {{ BIND(IRI(\"{url}\") AS ?x) }}", {}),
])
def test_datasets_name_graphs_and_fetch_nothing(client, listener: Listener, query: str, params: dict) -> None:  # noqa: ANN001
    qs = {"query": query.format(url=listener.url), "format": "json",
          **{k: v.format(url=listener.url) for k, v in params.items()}}
    resp = client.get("/sparql", query_string=qs)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    answer = json.loads(resp.data)
    if isinstance(answer, list):  # DESCRIBE as JSON-LD: nothing is known about the listener's IRI
        assert answer == []
    elif "boolean" in answer:
        assert answer["boolean"] is False  # the named graph is empty
    else:  # GRAPH over an empty graph: no rows; BIND builds an IRI and no more
        assert len(answer["results"]["bindings"]) == (1 if "BIND" in query else 0)
    assert listener.hits == []


def test_over_a_real_server(live_server: LiveServer, listener: Listener) -> None:
    """The same through waitress and urllib, as a client on the network would send them."""
    for name, query in spellings(listener.port).items():
        url = f"{live_server.url}/sparql?" + urllib.parse.urlencode({"query": query})
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - loopback test server
                status = resp.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        assert status == 400, name
    assert listener.hits == []


# -- the check itself --------------------------------------------------------------------------


def test_service_endpoints_are_read_by_the_grammar() -> None:
    assert service_endpoints("SELECT * { ?s ?p ?o } # SERVICE in a comment") == ()
    assert service_endpoints('SELECT * { ?s ?p "SERVICE <http://x/>" }') == ()
    assert service_endpoints("SELECT * { <http://example.org/service> ?p ?o }") == ()
    assert service_endpoints("PREFIX e: <http://x/> SELECT * { SERVICE e:y { ?s ?p ?o } }") == ("http://x/y",)
    assert service_endpoints("SELECT * { SERVICE ?v { ?s ?p ?o } }") == (None,)
    assert service_endpoints("SELECT * { SERVICE <http://x/> { ?s ?p ") is None  # unreadable: refused
    assert unescape_codepoints("\\u0053ERVICE \\U0001F600 \\uD800") == "SERVICE \U0001F600 \\uD800"


def test_allowlist() -> None:
    query = "SELECT * { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }"
    check_service(query, ["http://allowed.example/sparql"])
    check_service(query, True)
    with pytest.raises(ServiceRefused):
        check_service(query, ["http://other.example/sparql"])
    with pytest.raises(ServiceRefused):
        check_service(query, False)
    with pytest.raises(ServiceRefused):
        check_service("SELECT * { SERVICE ?v { ?s ?p ?o } }", ["http://allowed.example/sparql"])
    assert issubclass(ServiceRefused, QueryError)


# -- defence in depth: the workers have no network ---------------------------------------------


def test_workers_have_no_network(store_spec: str) -> None:
    with QueryExecutor(store_spec, workers=2, timeout=30) as executor:
        for _ in range(4):
            assert executor.query(ASK_TRUE).boolean is True
        assert executor.sandboxes() and all(executor.sandboxes()), executor.sandboxes()


SANDBOXED_SERVICE = """
import sys
from kg.query.sandbox import isolate_network
method = isolate_network(tuple(sys.argv[2:]) or ("netns", "userns", "seccomp"))
print(method)
import pyoxigraph as ox
try:
    list(ox.Store().query("SELECT * WHERE { SERVICE <http://127.0.0.1:%s/sparql> { ?s ?p ?o } }" % sys.argv[1]))
    print("answered")
except OSError as exc:
    print("refused", exc)
"""


@pytest.mark.parametrize("methods", [(), ("seccomp",)], ids=["first-that-works", "seccomp"])
def test_the_engine_cannot_connect_once_isolated(listener: Listener, methods: tuple[str, ...]) -> None:
    """Skip the text check altogether: pyoxigraph's own SERVICE client, in an isolated process."""
    out = subprocess.run([sys.executable, "-c", SANDBOXED_SERVICE, str(listener.port), *methods],
                         capture_output=True, text=True, timeout=60, check=True).stdout.splitlines()
    assert out[0] in ("netns", "userns", "seccomp") and out[1].startswith("refused"), out
    assert listener.hits == []
