"""The reference engine: an in-memory rdflib Dataset. Slow, but the engine the project's SPARQL is
checked against, and it needs nothing but the release folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from pyparsing import ParseBaseException
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.query import Result, ResultRow

from kg.results import QueryResult, Term
from kg.store.base import Deadline, QueryError, Store, StoreError, collect, release_files, run_with_deadline
from kg.store.sparqltext import syntax_error_from_rdflib


def _convert(result: Result, deadline: Deadline) -> QueryResult:
    if result.type == "ASK":
        return QueryResult.ask(bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph()
        for triple in collect(result.graph or (), deadline):
            graph.add(triple)
        return QueryResult.graph(graph)
    names = [str(v) for v in (result.vars or [])]
    rows = []
    # Iterating the Result (not .bindings) streams, and skips the empty solution rdflib produces
    # for a GROUP BY over no matches (SPARQL says: no rows, as oxigraph and Virtuoso answer).
    for solution in collect(cast(Iterable[ResultRow], result), deadline):
        rows.append({k: Term.from_rdflib(v) for k, v in solution.asdict().items() if k in names and v is not None})
    return QueryResult.select(names, rows)


class RdflibStore(Store):
    """`rdflib:RELEASE_DIR`: the release loaded into memory at open; `rdflib:` starts empty."""

    def __init__(self, release_dir: Path | str | None = None):
        self.spec = f"rdflib:{release_dir or ''}"
        self.dataset = Dataset(default_union=True)
        if release_dir:
            self.load_release(Path(release_dir))

    @classmethod
    def from_spec(cls, arg: str) -> RdflibStore:
        return cls(arg or None)

    def _query(self, sparql: str, bindings: dict[str, Term], timeout: float | None) -> QueryResult:
        init: dict[str, Any] = {Variable(k): v.to_rdflib() for k, v in bindings.items()}

        def work(deadline: Deadline) -> QueryResult:
            try:
                return _convert(self.dataset.query(sparql, initBindings=init), deadline)
            except ParseBaseException as exc:
                raise syntax_error_from_rdflib(exc) from None
            except QueryError:
                raise
            except Exception as exc:  # rdflib raises many kinds (unknown prefix, type errors...)
                raise QueryError(f"rdflib: {type(exc).__name__}: {exc}") from None

        return run_with_deadline(work, timeout)

    def load_release(self, release_dir: Path) -> None:
        dataset = Dataset(default_union=True)
        for path, graph in release_files(Path(release_dir)):
            try:
                dataset.graph(URIRef(graph)).parse(path, format="nt")
            except Exception as exc:
                raise StoreError(f"{path}: not valid N-Triples: {exc}") from None
        self.dataset = dataset

    def close(self) -> None:
        self.dataset = Dataset(default_union=True)
