"""`lbpkg query` and `lbpkg queries`: thin commands, one-line errors, non-zero exits."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph

from kg.cli import main
from kg.store import create_oxigraph_store

LBP = "https://w3id.org/lbp-kg/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
ASSERTED = f"""<{LBP}Sciatica> <{RDFS}subClassOf> <{LBP}RadicularPain> .
<{LBP}Sciatica> <{RDFS}label> "sciatica"@en .
<{LBP}RadicularPain> <{RDFS}label> "radicular pain"@en .
<{LBP}LowBackPain> <{RDFS}label> "low back pain"@en .
"""
INFERRED = f"<{LBP}Sciatica> <{RDFS}subClassOf> <{LBP}LowBackPain> .\n"

PARENTS = """#+ title: Parents of a class
#+ description: Superclasses, asserted or inferred.
#+ audience: [researcher, educator]
#+ tags: [hierarchy]
#+ params:
#+   - name: child
#+     default: lbp:Sciatica
#+     description: the class
PREFIX lbp: <https://w3id.org/lbp-kg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?parent ?label WHERE { ?child rdfs:subClassOf ?parent . ?parent rdfs:label ?label } ORDER BY ?label
"""
LABELS = """#+ title: All labels as a graph
#+ description: A CONSTRUCT, for the graph formats.
#+ audience: developer
#+ tags: [labels]
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A store made from a tiny release, and a tiny query library beside it."""
    root = tmp_path_factory.mktemp("cli")
    release = root / "release"
    release.mkdir()
    (release / "lbp-kg.nt").write_text(ASSERTED, encoding="utf-8")
    (release / "lbp-kg-inferred.nt").write_text(INFERRED, encoding="utf-8")
    create_oxigraph_store(release, root / "store")
    library = root / "queries"
    (library / "hierarchy").mkdir(parents=True)
    (library / "hierarchy" / "parents.rq").write_text(PARENTS, encoding="utf-8")
    (library / "labels.rq").write_text(LABELS, encoding="utf-8")
    return {"store": f"oxigraph:{root / 'store'}", "queries": str(library), "root": str(root),
            "release": str(release)}


def run(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    """Invoke the real click group; `query` runs against the fixture store and library."""
    argv = list(args)
    if argv and argv[0] == "query":
        argv += ["--store", env["store"], "--queries", env["queries"]]
    return CliRunner().invoke(main, argv, input=input)


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# -- running queries ------------------------------------------------------------------------------


def test_library_query_with_default_param(env: dict[str, str]) -> None:
    result = run(env, "query", "hierarchy/parents")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["parent", "label"]
    assert "lbp:LowBackPain" in result.stdout and "lbp:RadicularPain" in result.stdout  # asserted + inferred
    assert lines[-1] == "(2 rows)"


def test_param_binds_a_value(env: dict[str, str]) -> None:
    result = run(env, "query", "hierarchy/parents", "-p", "child=lbp:LowBackPain", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["parent,label"]  # header only: LowBackPain has no parent


@pytest.mark.parametrize("fmt, check", [
    ("json", lambda out: json.loads(out)["results"]["bindings"][0]["parent"]["value"] == LBP + "LowBackPain"),
    ("xml", lambda out: out.startswith("<?xml") and "<uri>https://w3id.org/lbp-kg/LowBackPain</uri>" in out),
    ("tsv", lambda out: out.splitlines()[1] == f'<{LBP}LowBackPain>\t"low back pain"@en'),
    ("csv", lambda out: out.splitlines()[1] == f"{LBP}LowBackPain,low back pain"),
])
def test_select_formats(env: dict[str, str], fmt: str, check) -> None:  # type: ignore[no-untyped-def]
    result = run(env, "query", "hierarchy/parents", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert check(result.stdout)


@pytest.mark.parametrize("fmt, rdflib_format", [(None, "turtle"), ("turtle", "turtle"), ("ntriples", "nt"),
                                                ("jsonld", "json-ld"), ("xml", "xml")])
def test_graph_formats(env: dict[str, str], fmt: str | None, rdflib_format: str) -> None:
    result = run(env, "query", "labels", *(["--format", fmt] if fmt else []))
    assert result.exit_code == 0, result.stderr
    assert len(Graph().parse(data=result.stdout, format=rdflib_format)) == 3


def test_format_that_does_not_fit(env: dict[str, str]) -> None:
    assert "does not fit a GRAPH result" in one_error_line(run(env, "query", "labels", "--format", "csv"))


def test_inline_sparql_and_ask(env: dict[str, str]) -> None:
    result = run(env, "query", f"ASK {{ <{LBP}Sciatica> ?p ?o }}")
    assert (result.exit_code, result.stdout) == (0, "true\n")
    result = run(env, "query", "SELECT ?s WHERE { ?s ?p ?label }", "-p", 'label="sciatica"@en', "--format", "csv")
    assert result.stdout.splitlines() == ["s", LBP + "Sciatica"]


def test_file_with_header_and_stdin(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "parents.rq"
    path.write_text(PARENTS, encoding="utf-8")
    result = run(env, "query", "--file", str(path), "-p", "child=lbp:Sciatica", "--format", "csv")
    assert result.stdout.count("\n") == 3
    result = run(env, "query", "--file", "-", "--format", "csv", input="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.stdout.splitlines() == ["n", "5"]


def test_timeout_option(env: dict[str, str]) -> None:
    assert run(env, "query", "hierarchy/parents", "--timeout", "30").exit_code == 0


# -- failing clearly ------------------------------------------------------------------------------


def test_syntax_error_is_one_line(env: dict[str, str]) -> None:
    line = one_error_line(run(env, "query", "SELECT ?s\nWHERE { ?s ?p }"))
    assert line.startswith("error: SPARQL syntax error at line 2, column ")


def test_unreachable_endpoint_is_one_line(env: dict[str, str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sparql"
    result = CliRunner().invoke(main, ["query", "ASK {}", "--store", f"sparql:{url}"])
    line = one_error_line(result)
    assert url in line and "cannot connect" in line


@pytest.mark.parametrize("args, message", [
    (["query", "hierarchy/nope"], "no query named 'hierarchy/nope'"),
    (["query", "hierarchy/parents", "-p", "colour=red"], "unknown parameter colour"),
    (["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"], "--allow-service"),
])
def test_other_errors(env: dict[str, str], args: list[str], message: str) -> None:
    assert message in one_error_line(run(env, *args))


def test_missing_store(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["query", "ASK {}", "--store", f"oxigraph:{env['root']}/nothing"])
    assert "lbpkg build" in one_error_line(result)


def test_usage_errors_exit_2(env: dict[str, str]) -> None:
    assert run(env, "query").exit_code == 2
    assert run(env, "query", "hierarchy/parents", "-p", "novalue").exit_code == 2


def test_real_process_exit_code(env: dict[str, str]) -> None:
    proc = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "query", "SELECT {",
                           "--store", env["store"]], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: SPARQL syntax error at line 1") and proc.stderr.count("\n") == 1


# -- listing --------------------------------------------------------------------------------------


def test_queries_lists_the_library(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["queries", "--queries", env["queries"]])
    assert result.exit_code == 0
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["hierarchy/parents", "researcher,educator"], ["labels", "developer"]]
    result = CliRunner().invoke(main, ["queries", "--queries", env["queries"], "--tag", "labels"])
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["labels"]
    result = CliRunner().invoke(main, ["queries", "--queries", env["queries"], "--audience", "educator"])
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["hierarchy/parents"]


def test_queries_reports_broken_files_and_lists_the_rest(tmp_path: Path) -> None:
    (tmp_path / "good.rq").write_text(LABELS, encoding="utf-8")
    (tmp_path / "bad.rq").write_text("#+ title: x\n#+ description: a: b\n#+ audience: developer\nASK {}\n")
    result = CliRunner().invoke(main, ["queries", "--queries", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.split()[0] == "good"
    assert f"{tmp_path / 'bad.rq'}:2:" in result.stderr
