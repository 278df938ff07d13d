"""The pieces under the store backends: terms, result formats, VALUES binding, chunked loading,
spec strings, errors, timeouts and the atomic oxigraph store. No server needed."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.compare import isomorphic

from kg.results import XSD_STRING, QueryResult, Term
from kg.serialize import FORMATS, FormatError, find_format, negotiate, serialize
from kg.store import (
    EndpointError,
    OxigraphStore,
    QuerySyntaxError,
    QueryTimeout,
    RdflibStore,
    SparqlStore,
    StoreError,
    create_oxigraph_store,
    open_store,
)
from kg.store.base import run_with_deadline
from kg.store.oxigraph_store import STORE_MARKER, bulk_load
from kg.store.sparql_store import chunk_triples, insert_data
from kg.store.sparqltext import inject_values, inspect_query, substitute_terms

LBP = "https://w3id.org/lbp-kg/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TRICKY = 'a "quoted" \\ back\nslash\t{ } # \u00fc \U0001f600'


def write_release(folder: Path, asserted: str, inferred: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lbp-kg.nt").write_text(asserted, encoding="utf-8")
    (folder / "lbp-kg-inferred.nt").write_text(inferred, encoding="utf-8")
    (folder / "manifest.json").write_text('{"version": "unit"}', encoding="utf-8")
    return folder


SMALL_NT = "".join(f'<{LBP}c{i}> <http://www.w3.org/2000/01/rdf-schema#label> "c{i}" .\n' for i in range(100))


# -- terms ----------------------------------------------------------------------------------------


def test_term_normalises_strings_and_languages() -> None:
    assert Term.literal("x", XSD_STRING) == Term.literal("x")
    assert Term.literal("x", lang="EN-GB") == Term.literal("x", lang="en-gb")
    assert Term.from_rdflib(RdfLiteral("x", lang="de")) == Term.from_oxigraph(ox.Literal("x", language="de"))
    assert Term.from_rdflib(RdfLiteral("x")) == Term.from_oxigraph(ox.Literal("x"))
    assert Term.from_json({"type": "typed-literal", "value": "3", "datatype": XSD + "integer"}) == Term.literal(
        "3", XSD + "integer"
    )
    with pytest.raises(ValueError):
        Term("uri", "x", datatype=XSD_STRING)


@pytest.mark.parametrize("term", [
    Term.uri(LBP + "Sciatica"),
    Term.literal(TRICKY),
    Term.literal(TRICKY, lang="de"),
    Term.literal("3", XSD + "integer"),
])
@pytest.mark.parametrize("ascii_only", [False, True])
def test_n3_round_trips_through_a_parser(term: Term, ascii_only: bool) -> None:
    text = f"<{LBP}s> <{LBP}p> {term.n3(ascii_only)} ."
    if ascii_only:
        assert text.isascii()
    (quad,) = list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    assert Term.from_oxigraph(quad.object) == term


def test_conversions_round_trip() -> None:
    for term in (Term.uri(LBP + "x"), Term.bnode("b1"), Term.literal("y", lang="en"), Term.literal("1", XSD + "int")):
        assert Term.from_rdflib(term.to_rdflib()) == term
        assert Term.from_oxigraph(term.to_oxigraph()) == term
        assert Term.from_json(term.to_json()) == term


def test_coerce_refuses_plain_strings() -> None:
    assert Term.coerce(URIRef(LBP + "x")) == Term.uri(LBP + "x")
    with pytest.raises(TypeError):
        Term.coerce("lbp:x")


# -- result formats -------------------------------------------------------------------------------

RESULT = QueryResult.select(
    ["s", "label", "n"],
    [
        {"s": Term.uri(LBP + "Sciatica"), "label": Term.literal(TRICKY, lang="en"),
         "n": Term.literal("3", XSD + "integer")},
        {"s": Term.bnode("b0")},
    ],
)


def test_json_is_sparql_results_json() -> None:
    data = json.loads(serialize(RESULT, "json"))
    assert data["head"]["vars"] == ["s", "label", "n"]
    assert QueryResult.from_sparql_json(data) == RESULT
    assert json.loads(serialize(QueryResult.ask(True), "json")) == {"head": {}, "boolean": True}


def test_xml_is_sparql_results_xml() -> None:
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(serialize(RESULT, "xml"))
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "label", "n"]
    literal = root.find("r:results/r:result/r:binding[@name='label']/r:literal", ns)
    assert literal is not None and literal.text == TRICKY.replace("\r", "")
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    ask = ET.fromstring(serialize(QueryResult.ask(False), "xml"))
    assert ask.find("r:boolean", ns).text == "false"  # type: ignore[union-attr]


def test_csv_and_tsv() -> None:
    text = serialize(RESULT, "csv")
    assert text.startswith("s,label,n\r\n")
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[1] == [LBP + "Sciatica", TRICKY, "3"]
    assert parsed[2] == ["_:b0", "", ""]
    tsv = serialize(RESULT, "tsv").splitlines()
    assert tsv[0] == "?s\t?label\t?n"
    assert tsv[1].split("\t")[2] == f'"3"^^<{XSD}integer>'
    assert len(tsv) == 3  # the newline inside the literal is escaped


def test_table_is_for_people() -> None:
    text = serialize(RESULT)
    assert "lbp:Sciatica" in text and "(2 rows)" in text
    assert serialize(QueryResult.ask(True)) == "true\n"


@pytest.mark.parametrize("name, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"),
                                                 ("rdfxml", "xml"), ("json", "json-ld"), ("xml", "xml")])
def test_graph_formats_parse_back(name: str, rdflib_format: str) -> None:
    graph = Graph()
    graph.add((URIRef(LBP + "Sciatica"), URIRef(LBP + "p"), RdfLiteral(TRICKY, lang="en")))
    graph.add((URIRef(LBP + "Sciatica"), URIRef(LBP + "q"), BNode()))
    text = serialize(QueryResult.graph(graph), name)
    assert isomorphic(Graph().parse(data=text, format=rdflib_format), graph)


def test_format_table_errors_and_negotiation() -> None:
    assert find_format(None, "graph").name == "turtle"
    assert find_format("xml", "graph").name == "rdfxml"
    with pytest.raises(FormatError, match="does not fit a SELECT"):
        find_format("turtle", "select")
    with pytest.raises(FormatError):
        find_format("nope", "select")
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", "select").name == "xml"
    assert negotiate("application/json", "graph").name == "jsonld"
    assert negotiate("*/*", "select").name == "json"
    assert negotiate("text/html, text/turtle;q=0.1", "graph").name == "turtle"
    assert all(f.media_type for f in FORMATS.values())


# -- binding by VALUES (remote backend, and oxigraph's non-projected variables) -------------------

BIND_DATA = f"""<{LBP}a> <{LBP}p> "x" .
<{LBP}b> <{LBP}p> "y" .
<{LBP}a> <{LBP}q> <{LBP}b> .
"""

INJECT_CASES = [
    f"SELECT ?o WHERE {{ ?s <{LBP}p> ?o }}",
    f"SELECT * {{ ?s <{LBP}p> ?o }}",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?s = ?s) }",
    f"# a comment with {{ braces\nPREFIX x: <{LBP}>\nSELECT ?o WHERE {{ ?s x:p ?o FILTER(?o != \"}}\") }}",
    f"ASK {{ ?s <{LBP}p> \"x\" }}",
    f"CONSTRUCT {{ ?s <{LBP}r> ?o }} WHERE {{ ?s <{LBP}p> ?o }}",
    f"CONSTRUCT WHERE {{ ?s <{LBP}p> ?o }}",
    f"SELECT ?o WHERE {{ {{ SELECT ?s ?o WHERE {{ ?s <{LBP}p> ?o }} }} }}",
    f"SELECT ?o WHERE {{ ?s <{LBP}p> ?o }} ORDER BY ?o LIMIT 5",
]


@pytest.mark.parametrize("query", INJECT_CASES, ids=range(len(INJECT_CASES)))
def test_values_injection_matches_engine_binding(query: str, tmp_path: Path) -> None:
    store = RdflibStore()
    store.dataset.graph(URIRef("urn:g")).parse(data=BIND_DATA, format="nt")
    bindings = {"s": Term.uri(LBP + "a")}
    injected = inject_values(query, bindings)
    inspect_query(injected)  # still valid SPARQL
    assert "VALUES (?s)" in injected
    by_text, by_engine = store.query(injected), store.query(query, bindings)
    if by_text.kind == "graph":
        assert isomorphic(by_text.triples, by_engine.triples)  # type: ignore[arg-type]
    else:
        assert (by_text.boolean, by_text.rows) == (by_engine.boolean, by_engine.rows)


SUBSTITUTE_CASES = [  # (query, variables left to bind otherwise)
    (f"SELECT ?o WHERE {{ ?s <{LBP}p> ?o }}", set()),
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?s = ?s) }", set()),
    (f"ASK {{ ?s <{LBP}p> \"x\" }}", set()),
    (f"CONSTRUCT {{ ?s <{LBP}r> ?o }} WHERE {{ ?s <{LBP}p> ?o }}", set()),
    (f"SELECT * {{ ?s <{LBP}p> ?o }}", {"s"}),  # SELECT * would lose the column
    (f"SELECT ?s ?o WHERE {{ ?s <{LBP}p> ?o }}", {"s"}),  # projected
    (f"SELECT ?o WHERE {{ ?s <{LBP}p> ?o }} ORDER BY ?s", {"s"}),
    (f"SELECT ?o WHERE {{ ?s <{LBP}p> ?o }} GROUP BY ?o ?s", {"s"}),  # a solution modifier
    (f"SELECT ?o WHERE {{ ?s <{LBP}p> ?o }} ORDER BY DESC(?o) ?s", {"s"}),
    (f"CONSTRUCT WHERE {{ ?s <{LBP}p> ?o }}", set()),
    (f"DESCRIBE ?s WHERE {{ ?s <{LBP}p> ?o }}", {"s"}),
    (f"SELECT ?o WHERE {{ ?s <{LBP}p> ?o FILTER(BOUND(?s)) }}", {"s"}),
    (f"SELECT ?o WHERE {{ VALUES ?s {{ <{LBP}a> <{LBP}b> }} ?s <{LBP}p> ?o }}", {"s"}),
    (f"SELECT ?o WHERE {{ {{ SELECT ?s ?o WHERE {{ ?s <{LBP}p> ?o }} }} }}", {"s"}),  # own scope
    (f"SELECT ?o WHERE {{ ?s <{LBP}p> ?o OPTIONAL {{ ?s <{LBP}q> ?b }} }}", set()),
]


@pytest.mark.parametrize("query, kept", SUBSTITUTE_CASES, ids=range(len(SUBSTITUTE_CASES)))
def test_substituted_constants_give_the_values_answer(query: str, kept: set[str]) -> None:
    """Constants written into the text answer as a VALUES block does; what cannot take a constant
    is left to be bound otherwise."""
    store = ox.Store()
    store.load(BIND_DATA.encode(), ox.RdfFormat.N_TRIPLES)
    bindings = {"s": Term.uri(LBP + "a")}
    text, rest = substitute_terms(query, bindings)
    assert set(rest) == kept
    assert (text == query) == bool(kept)

    def answer(sparql: str) -> object:
        result = store.query(sparql)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return sorted(tuple(str(row[n]) for n in names) for row in result)
        return sorted(str(t) for t in result)

    assert answer(inject_values(text, rest)) == answer(inject_values(query, bindings))


def test_values_block_escapes_and_refuses() -> None:
    text = inject_values("SELECT * WHERE { ?s ?p ?o }", {"o": Term.literal('"} DROP ALL #')})
    assert '"\\"} DROP ALL #"' in text and inspect_query(text).kind == "select"
    with pytest.raises(StoreError, match="blank node"):
        inject_values("SELECT * WHERE { ?s ?p ?o }", {"o": Term.bnode("b")})
    assert inject_values(f"DESCRIBE <{LBP}a>", {"s": Term.uri(LBP + "a")}) == f"DESCRIBE <{LBP}a>"


def test_inspect_query() -> None:
    assert inspect_query("ASK {}").kind == "ask"
    assert inspect_query("CONSTRUCT WHERE { ?s ?p ?o }").kind == "graph"
    assert inspect_query("SELECT * FROM <urn:g> { ?s ?p ?o }").has_dataset
    assert not inspect_query("SELECT * { ?s ?p ?o }").has_dataset
    with pytest.raises(QuerySyntaxError) as info:
        inspect_query("SELECT *\n{ ?s ?p ?o\n")
    assert info.value.line is not None


# -- chunked loading ------------------------------------------------------------------------------


def test_chunks_never_split_blank_node_groups() -> None:
    p, b1, b2, b3 = Term.uri(LBP + "p"), Term.bnode("1"), Term.bnode("2"), Term.bnode("3")
    triples = [(Term.uri(LBP + f"s{i}"), p, Term.uri(LBP + "o")) for i in range(5)]
    triples += [(Term.uri(LBP + "x"), p, b1), (b1, p, b2), (b2, p, Term.literal("v")), (b3, p, Term.literal("w"))]
    chunks = chunk_triples(triples, 2)
    assert sorted(map(tuple, (sorted(map(str, t)) for c in chunks for t in c))) == sorted(
        map(tuple, (sorted(map(str, t)) for t in triples))
    )
    group = next(c for c in chunks if any(b1 in t for t in c))
    assert sum(1 for t in group if b1 in t or b2 in t) == 3  # the b1-b2 group is whole
    assert all(len(c) <= 3 for c in chunks)
    assert insert_data("urn:g", group).startswith("INSERT {")  # Virtuoso refuses bnodes in INSERT DATA
    assert insert_data("urn:g", triples[:2]).startswith("INSERT DATA")


# -- specs and errors -----------------------------------------------------------------------------


def test_specs() -> None:
    assert isinstance(open_store("oxigraph:"), OxigraphStore)
    assert isinstance(open_store("rdflib:"), RdflibStore)
    remote = open_store("sparql:http://127.0.0.1:9/sparql|http://127.0.0.1:9/update|dataset=native")
    assert isinstance(remote, SparqlStore)
    assert (remote.query_url, remote.update_url, remote.dataset) == (
        "http://127.0.0.1:9/sparql", "http://127.0.0.1:9/update", "native")
    for bad in ["nope:x", "build/store", "sparql:", "sparql:ftp://x", "sparql:http://x|colour=red"]:
        with pytest.raises(StoreError):
            open_store(bad)


def test_missing_oxigraph_store_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="lbpkg build"):
        open_store(f"oxigraph:{tmp_path / 'none'}").query("ASK {}")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_endpoint_names_the_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/sparql"
    store = open_store(f"sparql:{url}")
    with pytest.raises(EndpointError) as info:
        store.query("ASK {}", timeout=5)
    assert info.value.url == url and url in str(info.value) and "cannot connect" in str(info.value)


def test_load_into_read_only_endpoint_is_refused(tmp_path: Path) -> None:
    store = open_store(f"sparql:http://127.0.0.1:{_closed_port()}/sparql")
    with pytest.raises(StoreError, match="no update URL"):
        store.load_release(write_release(tmp_path / "r", SMALL_NT))


# -- timeouts -------------------------------------------------------------------------------------


def test_run_with_deadline() -> None:
    assert run_with_deadline(lambda d: 42, 1.0) == 42
    with pytest.raises(ValueError):
        run_with_deadline(lambda d: (_ for _ in ()).throw(ValueError("x")), 1.0)
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        run_with_deadline(lambda d: time.sleep(20.0), 0.1)
    assert time.monotonic() - start < 10  # control came back long before the work would end


@pytest.mark.parametrize("spec", ["oxigraph", "rdflib"])
def test_streaming_query_stops_at_the_timeout(spec: str, tmp_path: Path) -> None:
    release = write_release(tmp_path / "r", SMALL_NT)
    store = open_store(f"{spec}:") if spec == "oxigraph" else open_store(f"rdflib:{release}")
    store.load_release(release)
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match="0.2 s"):  # 10^12 rows: it cannot finish
        store.query("SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h . ?i ?t ?j . ?k ?u ?l }", timeout=0.2)
    assert time.monotonic() - start < 10


# -- the oxigraph store on disk -------------------------------------------------------------------


def test_oxigraph_store_is_created_atomically(tmp_path: Path) -> None:
    good = write_release(tmp_path / "good", SMALL_NT)
    target = tmp_path / "store"
    create_oxigraph_store(good, target)
    assert (target / STORE_MARKER).is_file()
    broken = write_release(tmp_path / "broken", SMALL_NT + "<not a triple\n")
    with pytest.raises(StoreError, match="not valid N-Triples"):
        create_oxigraph_store(broken, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "good", "store"]  # no temp dir left
    assert open_store(f"oxigraph:{target}").triple_count() == 100


def test_a_built_store_opens_and_answers(tmp_path: Path) -> None:
    """How fast it opens is measured by bench/run.py, not asserted here."""
    create_oxigraph_store(write_release(tmp_path / "r", SMALL_NT), tmp_path / "store")
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    assert store.query("ASK { ?s ?p ?o }").boolean is True
    store.close()


def test_small_stores_are_served_from_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small store is copied into oxigraph's memory engine at open; a large one, or one opened
    with in_memory=False, is queried on disk; the answers are the same."""
    create_oxigraph_store(write_release(tmp_path / "r", SMALL_NT), tmp_path / "store")
    copied, on_disk = OxigraphStore(tmp_path / "store"), OxigraphStore(tmp_path / "store", in_memory=False)
    query = "SELECT ?s ?l WHERE { ?s ?p ?l } ORDER BY ?s"
    assert copied.query(query).rows == on_disk.query(query).rows
    assert copied.served_from_memory and not on_disk.served_from_memory
    monkeypatch.setattr(OxigraphStore, "MEMORY_COPY_BYTES", 0)
    large = OxigraphStore(tmp_path / "store")
    assert large.triple_count() == 100 and not large.served_from_memory


def test_bulk_load_takes_files_in_parallel(tmp_path: Path) -> None:
    """Each file is its own document: the same blank node label in two files names two nodes."""
    files = []
    for i in range(4):
        path = tmp_path / f"part-{i}.nt"
        path.write_text(f'_:b <{LBP}p> "{i}" .\n_:b <{LBP}q> <{LBP}c{i}> .\n', encoding="utf-8")
        files.append((path, f"{LBP}graph/g{i % 2}"))
    store = ox.Store()
    bulk_load(store, files, threads=2)
    assert len(store) == 8
    pairs = store.query(f"SELECT DISTINCT ?b WHERE {{ GRAPH ?g {{ ?b <{LBP}p> ?v ; <{LBP}q> ?c }} }}")
    assert len(list(pairs)) == 4
    (tmp_path / "bad.nt").write_text("<x> <y> .\n", encoding="utf-8")
    with pytest.raises(StoreError, match="bad.nt: not valid N-Triples"):
        bulk_load(ox.Store(), files + [(tmp_path / "bad.nt", f"{LBP}graph/g0")], threads=2)


def test_read_only_stores_can_be_open_twice(tmp_path: Path) -> None:
    create_oxigraph_store(write_release(tmp_path / "r", SMALL_NT), tmp_path / "store")
    a, b = open_store(f"oxigraph:{tmp_path / 'store'}"), open_store(f"oxigraph:{tmp_path / 'store'}")
    assert a.triple_count() == b.triple_count() == 100
    a.close()
    b.close()


def test_rdflib_store_reports_bad_files(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not valid N-Triples"):
        RdflibStore(write_release(tmp_path / "r", "<x> <y> .\n"))
