"""The query library loader: `#+` headers, parameters bound as terms, expectations, and errors that
point at the file and line to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.query.library import (
    LibraryQuery,
    ParamError,
    QueryLibraryError,
    get_query,
    load_queries,
    parse_query_text,
    parse_value,
    render,
    scan_queries,
)
from kg.results import QueryResult, Term
from kg.store import RdflibStore, open_store
from tests.support.expect import check_expect

REPO = Path(__file__).resolve().parents[1]
LBP = "https://w3id.org/lbp-kg/"
XSD = "http://www.w3.org/2001/XMLSchema#"

GOOD = """#+ title: Treatments for a condition
#+ description: >
#+   Interventions used for a condition,
#+   with their evidence.
#+ audience: [researcher, educator]
#+ tags: [interventions, example]
#+ params:
#+   - name: condition
#+     default: lbp:Sciatica
#+     description: the condition treated
#+   - name: min_level
#+     default: 2
#+   - name: note
#+     type: string
#+ expect:
#+   min_rows: 1
#+   contains:
#+     - {treatment: lbp:EpiduralSteroidInjection, label: epidural steroid injection}
#+   needs_inferred: true
PREFIX lbp: <https://w3id.org/lbp-kg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?treatment ?label WHERE {
  ?treatment lbp:indicatedFor ?condition ; rdfs:label ?label .
  OPTIONAL { ?treatment lbp:level ?level FILTER(?level >= ?min_level) }
  OPTIONAL { ?treatment rdfs:comment ?note }
}
"""


def parse(text: str, name: str = "t/q") -> LibraryQuery:
    return parse_query_text(text, name, Path(f"queries/{name}.rq"))


def problems_of(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(QueryLibraryError) as info:
        parse(text)
    return [(p.line, p.message) for p in info.value.problems]


# -- headers --------------------------------------------------------------------------------------


def test_a_full_header() -> None:
    q = parse(GOOD)
    assert q.title == "Treatments for a condition"
    assert q.description == "Interventions used for a condition, with their evidence."
    assert q.audience == ("researcher", "educator")
    assert q.tags == ("interventions", "example")
    assert [(p.name, p.default, p.type) for p in q.params] == [
        ("condition", "lbp:Sciatica", "auto"), ("min_level", "2", "integer"), ("note", None, "string")]
    assert q.expect.min_rows == 1 and q.expect.needs_inferred
    assert q.expect.contains == ({"treatment": "lbp:EpiduralSteroidInjection", "label": "epidural steroid injection"},)
    assert q.sparql == GOOD  # the header stays in the text: it is only comments


def test_a_single_audience_and_a_check() -> None:
    text = """#+ title: Classes without a label
#+ description: Quality check.
#+ audience: developer
#+ tags: [checks]
#+ check: true
#+ breaks_with: |
#+   lbp:Nameless a owl:Class .
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?entity WHERE { ?entity a owl:Class }
"""
    q = parse(text)
    assert q.audience == ("developer",) and q.check and q.breaks_with.strip() == "lbp:Nameless a owl:Class ."  # type: ignore[union-attr]
    assert q.report, "a check reads the whole graph: it is a report without saying so"


def test_report_flag() -> None:
    head = "#+ title: x\n#+ description: y\n#+ audience: developer\n"
    body = "SELECT ?s WHERE { ?s ?p ?o }\n"
    assert parse(head + "#+ report: true\n" + body).report
    assert not parse(head + body).report
    assert any(ln == 4 and "report must be true or false" in m for ln, m in problems_of(head + "#+ report: 1\n" + body))


@pytest.mark.parametrize("header, line, message", [
    ("#+ title: x\n#+ description: Two steps: then more\n#+ audience: developer\n", 2, "not valid YAML"),
    ("#+ title: x\n#+ description: y\n#+ audience: developer\n#+ summary: z\n", 4, "unknown header key 'summary'"),
    ("#+ description: y\n#+ audience: developer\n", 1, "non-empty `title`"),
    ("#+ title: x\n#+ description: y\n#+ audience: [student]\n", 3, "audience must be"),
    ("#+ title: x\n#+ description: y\n#+ audience: developer\n#+ params:\n#+   - name: other\n", 5,
     "binds no variable"),
    ("#+ title: x\n#+ description: y\n#+ audience: developer\n#+ params:\n#+   - {name: s}\n#+   - default: 1\n", 6,
     "needs a `name`"),
    ("#+ title: x\n#+ description: y\n#+ audience: developer\n#+ params:\n"
     "#+   - {name: s, type: integer, default: a}\n", 5, "not a valid integer"),
    ("#+ title: x\n#+ description: y\n#+ audience: developer\n#+ expect:\n#+   min_rows: many\n", 4, "whole number"),
    ("#+ title: x\n#+ description: y\n#+ audience: developer\n#+ check: true\n", 4, "needs `breaks_with:`"),
    ("#+ title: x\n#+ description: y\n#+ audience: developer\n#+ check: true\n#+ breaks_with: 'lbp:A a'\n", 5,
     "not valid Turtle"),
])
def test_malformed_headers_give_the_line(header: str, line: int, message: str) -> None:
    found = problems_of(header + "SELECT ?s WHERE { ?s ?p ?o }\n")
    assert any(ln == line and message in msg for ln, msg in found), found


def test_no_header_and_no_body() -> None:
    assert problems_of("SELECT * { ?s ?p ?o }")[0][1].startswith("no `#+` header")
    assert any("no SPARQL" in m for _, m in problems_of("#+ title: x\n#+ description: y\n#+ audience: developer\n"))


def test_service_needs_federated() -> None:
    head = "#+ title: x\n#+ description: y\n#+ audience: developer\n"
    body = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n"
    assert any("federated: true" in m for _, m in problems_of(head + body))
    assert parse(head + "#+ federated: true\n" + body).federated
    assert not parse(head + "SELECT * { ?s <urn:service> 'SERVICE' }\n").federated


# -- the library on disk --------------------------------------------------------------------------


def write(root: Path, name: str, text: str) -> None:
    path = root / f"{name}.rq"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_load_scan_and_get(tmp_path: Path) -> None:
    write(tmp_path, "interventions/treatments", GOOD)
    write(tmp_path, "b/broken", "#+ title: [unclosed\nSELECT * {}\n")
    write(tmp_path, "c/also-broken", "SELECT * {}\n")
    queries, problems = scan_queries(tmp_path)
    assert list(queries) == ["interventions/treatments"]
    assert [(Path(p.file).name, p.line) for p in problems] == [("broken.rq", 1), ("also-broken.rq", 1)]
    with pytest.raises(QueryLibraryError) as info:
        load_queries(tmp_path)
    assert len(info.value.problems) == 2 and "broken.rq:1" in str(info.value)
    assert get_query("interventions/treatments", tmp_path).title == "Treatments for a condition"
    assert get_query("interventions/treatments.rq", tmp_path).name == "interventions/treatments"
    for bad in ["nope", "../interventions/treatments"]:
        with pytest.raises(QueryLibraryError, match="no query named"):
            get_query(bad, tmp_path)


def test_the_repository_examples_load() -> None:
    queries = load_queries(REPO / "queries" / "examples")
    assert set(queries) == {"is-a", "subclasses", "term-labels"}
    assert all(q.params for q in queries.values())


# -- parameters -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, type, term", [
    ("lbp:Sciatica", "auto", Term.uri(LBP + "Sciatica")),
    (f"<{LBP}Sciatica>", "auto", Term.uri(LBP + "Sciatica")),
    ("http://purl.obolibrary.org/obo/UBERON_0001062", "auto", Term.uri("http://purl.obolibrary.org/obo/UBERON_0001062")),
    ('"Ischias"@de', "auto", Term.literal("Ischias", lang="de")),
    ('"3"^^xsd:integer', "auto", Term.literal("3", XSD + "integer")),
    ('"a \\"quoted\\" word"', "auto", Term.literal('a "quoted" word')),
    ("low back pain", "auto", Term.literal("low back pain")),
    ("unknown:thing", "auto", Term.literal("unknown:thing")),
    ("lbp:Sciatica", "string", Term.literal("lbp:Sciatica")),
    ("7", "integer", Term.literal("7", XSD + "integer")),
    (True, "boolean", Term.literal("true", XSD + "boolean")),
])
def test_parse_value(text: str, type: str, term: Term) -> None:
    assert parse_value(text, type) == term


def test_parse_value_errors() -> None:
    for text, type in [("not an iri", "iri"), ("x", "integer"), ("2024-13-01", "date"), ('"x"^^nope:t', "auto")]:
        with pytest.raises(ParamError):
            parse_value(text, type)


def test_render_binds_defaults_and_given_values() -> None:
    q = parse(GOOD)
    rendered = render(q)
    assert rendered.sparql == q.sparql  # values never enter the text
    assert rendered.bindings == {"condition": Term.uri(LBP + "Sciatica"),
                                 "min_level": Term.literal("2", XSD + "integer")}
    rendered = render(q, {"condition": "lbp:LowBackPain", "?note": "} DROP ALL"})
    assert rendered.bindings["condition"] == Term.uri(LBP + "LowBackPain")
    assert rendered.bindings["note"] == Term.literal("} DROP ALL")
    with pytest.raises(ParamError, match="unknown parameter colour"):
        render(q, {"colour": "red"})
    with pytest.raises(ParamError, match="min_level"):
        render(q, {"min_level": "high"})


# -- expectations, checked against a real engine --------------------------------------------------

DATA = f"""<{LBP}EpiduralSteroidInjection> <{LBP}indicatedFor> <{LBP}Sciatica> .
<{LBP}EpiduralSteroidInjection> <http://www.w3.org/2000/01/rdf-schema#label> "epidural steroid injection" .
<{LBP}Physiotherapy> <{LBP}indicatedFor> <{LBP}LowBackPain> .
<{LBP}Physiotherapy> <http://www.w3.org/2000/01/rdf-schema#label> "physiotherapy" .
"""


@pytest.fixture(params=["oxigraph", "rdflib"])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "lbp-kg.nt").write_text(DATA, encoding="utf-8")
    (tmp_path / "lbp-kg-inferred.nt").write_text("", encoding="utf-8")
    s = open_store(f"{request.param}:" if request.param == "oxigraph" else f"rdflib:{tmp_path}")
    s.load_release(tmp_path)
    return s


def test_rendered_query_meets_its_expectations(store: RdflibStore) -> None:
    q = parse(GOOD)
    rendered = render(q)
    result = store.query(rendered.sparql, rendered.bindings)
    assert check_expect(q, result) == []
    other = render(q, {"condition": "lbp:LowBackPain"})
    failures = check_expect(q, store.query(other.sparql, other.bindings))
    assert failures == ["no row matches {'treatment': 'lbp:EpiduralSteroidInjection', "
                        "'label': 'epidural steroid injection'}"]


def test_check_expect_forms() -> None:
    base = parse(GOOD)
    rows = QueryResult.select(["x"], [{"x": Term.uri(LBP + "A")}, {"x": Term.literal("3", XSD + "integer")}])
    exact = parse(GOOD.replace("#+   min_rows: 1\n", "#+   equals_rows: [{x: lbp:A}, {x: 3}]\n#+   max_rows: 2\n")
                  .replace("#+   contains:\n#+     - {treatment: lbp:EpiduralSteroidInjection, label: epidural "
                           "steroid injection}\n", ""))
    assert check_expect(exact, rows) == []
    assert check_expect(exact, QueryResult.select(["x"], rows.rows[:1])) == ["no row matches {'x': '3'}"]
    assert "at least 1 rows" in check_expect(base, QueryResult.select(["x"], []))[0]
    ask = parse(GOOD.replace("#+   min_rows: 1\n", "#+   boolean: true\n").replace(
        "#+   contains:\n#+     - {treatment: lbp:EpiduralSteroidInjection, label: epidural steroid injection}\n", ""))
    assert check_expect(ask, QueryResult.ask(True)) == []
    assert check_expect(ask, QueryResult.ask(False)) == ["expected true, got false"]
