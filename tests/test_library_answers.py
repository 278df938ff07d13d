"""The query library on the real graph: every query meets its header's `expect:` on oxigraph, rdflib
and Virtuoso alike; checks stay silent on the KG and fire on a graph made to break them; answers
marked `needs_inferred` are incomplete without the reasoner's edges."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from kg.build import BuildResult
from kg.querylib import LibraryQuery, check_expect, load_queries, render, turtle_graph
from kg.reason import java_available
from kg.results import QueryResult
from kg.store import Store, open_store
from kg.store.virtuoso_local import local_virtuoso, missing_message
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not java_available(), reason="the release is built with HermiT, which needs Java")

LIBRARY = load_queries(REPO / "queries")
RUNNABLE = sorted(name for name, q in LIBRARY.items()
                  if not q.federated and not name.startswith("examples/") and "graph/external" not in q.sparql)
QUESTIONS = [n for n in RUNNABLE if not LIBRARY[n].check]
# Queries Virtuoso 7.2.5 (Debian's virtuoso-opensource) answers wrongly or refuses, by engine bugs.
# They are checked to still diverge, so this list cannot silently rot when Virtuoso is fixed.
VIRTUOSO_DIVERGES = {
    "checks/duplicate-label-violation": "SP031 'Alias ?key is defined twice' for GROUP BY (expr AS ?key)",
    "mechanisms/conditions-by-mechanism": "SQ156 internal optimizer error on UNION of property paths",
    "interventions/benefits-of-intervention": "a VALUES binding is not applied through rdfs:subClassOf*",
    "interventions/risks-of-intervention": "a VALUES binding is not applied through rdfs:subClassOf*",
    "interventions/treatments-for-condition": "a VALUES binding is not applied through rdfs:subClassOf*",
}
CHECKS = [n for n in RUNNABLE if LIBRARY[n].check]


def run(store: Store, query: LibraryQuery) -> QueryResult:
    rendered = render(query)
    return store.query(rendered.sparql, bindings=rendered.bindings)


def _value(text: str) -> str:
    """GROUP_CONCAT order is engine-defined: compare concatenated parts as a sorted list."""
    for sep in (" | ", ", "):
        if sep in text:
            return sep.join(sorted(text.split(sep)))
    return text


def rowset(result: QueryResult) -> set[tuple]:
    return {tuple(sorted((k, v.type, _value(v.value), v.datatype, v.lang) for k, v in row.items()))
            for row in result.rows}


@pytest.fixture(scope="module")
def oxigraph(store_spec: str) -> Iterator[Store]:
    with open_store(store_spec) as store:
        yield store


@pytest.fixture(scope="module")
def rdflib_store(release: BuildResult) -> Iterator[Store]:
    with open_store(f"rdflib:{release.release_dir}") as store:
        yield store


@pytest.fixture(scope="module")
def virtuoso_store(release: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    message = missing_message()
    if message:
        if "CI" in os.environ:
            pytest.fail(message)
        pytest.skip(message)
    with local_virtuoso(tmp_path_factory.mktemp("virtuoso-library")) as server:
        store = server.store()
        store.load_release(release.release_dir)
        yield store


@pytest.fixture(scope="module")
def asserted_only(release: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store with the same release but an empty inferred graph: what SPARQL sees without HermiT
    and the relation graph."""
    folder = tmp_path_factory.mktemp("asserted-only")
    for name in ("lbp-kg.nt", "lbp-kg-imports.nt", "manifest.json"):
        if (release.release_dir / name).exists():
            shutil.copy(release.release_dir / name, folder / name)
    (folder / "lbp-kg-inferred.nt").write_text("", encoding="utf-8")
    with open_store(f"rdflib:{folder}") as store:
        yield store


def test_library_size_and_audiences() -> None:
    assert len(QUESTIONS) >= 40
    audiences = {a for n in QUESTIONS for a in LIBRARY[n].audience}
    assert {"researcher", "educator", "developer"} <= audiences


@pytest.mark.parametrize("name", QUESTIONS)
def test_question_meets_expectation_on_oxigraph(oxigraph: Store, name: str) -> None:
    query = LIBRARY[name]
    result = run(oxigraph, query)
    assert check_expect(query, result) == []
    assert len(result) > 0 or result.kind == "ask", "every competency question has an answer on the KG"


@pytest.mark.parametrize("name", RUNNABLE)
def test_rdflib_gives_the_same_answer(oxigraph: Store, rdflib_store: Store, name: str) -> None:
    query = LIBRARY[name]
    assert rowset(run(rdflib_store, query)) == rowset(run(oxigraph, query))


@pytest.mark.remote
@pytest.mark.parametrize("name", [n for n in RUNNABLE if n not in VIRTUOSO_DIVERGES])
def test_virtuoso_gives_the_same_answer(oxigraph: Store, virtuoso_store: Store, name: str) -> None:
    query = LIBRARY[name]
    assert rowset(run(virtuoso_store, query)) == rowset(run(oxigraph, query))


@pytest.mark.remote
@pytest.mark.parametrize("name", sorted(VIRTUOSO_DIVERGES))
def test_known_virtuoso_divergences_still_diverge(oxigraph: Store, virtuoso_store: Store, name: str) -> None:
    from kg.store import StoreError

    query = LIBRARY[name]
    try:
        answer = rowset(run(virtuoso_store, query))
    except StoreError:
        return
    assert answer != rowset(run(oxigraph, query)), f"Virtuoso now agrees on {name}: drop it from VIRTUOSO_DIVERGES"


@pytest.mark.parametrize("name", [n for n in QUESTIONS if LIBRARY[n].expect.needs_inferred])
def test_inferred_edges_are_needed(oxigraph: Store, asserted_only: Store, name: str) -> None:
    query = LIBRARY[name]
    full, bare = run(oxigraph, query), run(asserted_only, query)
    assert len(bare) < len(full)
    assert check_expect(query, bare) != []


def test_some_answers_need_the_reasoner() -> None:
    assert len([n for n in QUESTIONS if LIBRARY[n].expect.needs_inferred]) >= 3


@pytest.mark.parametrize("name", CHECKS)
def test_check_is_silent_on_the_kg_and_fires_on_a_broken_graph(oxigraph: Store, release: BuildResult,
                                                               tmp_path: Path, name: str) -> None:
    query = LIBRARY[name]
    assert len(run(oxigraph, query)) == 0
    assert query.breaks_with
    broken = Graph().parse(release.release_dir / "lbp-kg.nt", format="nt")
    broken += turtle_graph(query.breaks_with)
    folder = tmp_path / "broken"
    folder.mkdir()
    broken.serialize(folder / "lbp-kg.nt", format="nt", encoding="utf-8")
    shutil.copy(release.release_dir / "lbp-kg-inferred.nt", folder / "lbp-kg-inferred.nt")
    with open_store(f"rdflib:{folder}") as store:
        assert len(run(store, query)) >= 1
