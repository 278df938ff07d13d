"""The Store interface every backend implements, its errors, and the helpers they share.

Callers depend on this interface only; which engine answers is chosen by a spec string
(see kg.store.open_store), the way oaklib picks an implementation.
"""

from __future__ import annotations

import re
import threading
import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kg.errors import LbpError
from kg.release_files import store_graphs
from kg.results import QueryResult, ResultKind, Term

if TYPE_CHECKING:
    from kg.serialize import ResultFormat

T = TypeVar("T")
# Picks the format for a result kind once the engine knows it (kg.query.endpoint.choose_format with the
# request's format names and Accept header, or a fixed name); may raise to refuse the request.
FormatChooser = Callable[[ResultKind], "ResultFormat"]

# Release file -> named graph it is loaded into (kg.release_files, the contract with `lbpkg build`).
RELEASE_GRAPHS: dict[str, str] = store_graphs(required=True)
KG_GRAPHS: tuple[str, ...] = tuple(RELEASE_GRAPHS.values())
# Optional release files: external ontologies released beside the KG by `lbpkg build --with`.
OPTIONAL_RELEASE_GRAPHS: dict[str, str] = store_graphs(required=False)

VARNAME = re.compile(r"^[A-Za-z_0-9][A-Za-z_0-9\u00B7\u00C0-\uFFFF]*$")


class StoreError(LbpError):
    """A store could not be opened, loaded or asked."""


class QueryError(StoreError):
    """The engine refused or failed a query it could parse."""


class QuerySyntaxError(QueryError):
    """A malformed query, with the parser's message and (when the parser gives them) line/column."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.message = message
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"SPARQL syntax error{where}: {message}")


class QueryTimeout(QueryError):
    """The query ran longer than its timeout."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        super().__init__(f"query timed out after {timeout:g} s")


class EndpointError(StoreError):
    """A remote endpoint could not be reached or answered with an error."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"SPARQL endpoint {url}: {reason}")


@dataclass(frozen=True)
class QueryDataset:
    """An RDF dataset named by the caller (the protocol's default-graph-uri / named-graph-uri):
    the default graph is the merge of `default`, GRAPH sees only `named`. Graphs the store lacks are
    empty; nothing is ever fetched."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class SerializedResult:
    """A result already written in a format by the engine: what a server sends as it is.
    `truncated` says the row cap cut it (rows then equals the cap)."""

    kind: ResultKind
    media_type: str
    format: str
    data: bytes
    rows: int | None = None
    truncated: bool = False
    row_limit: int | None = None


class EndpointTimeout(QueryTimeout):
    """A remote endpoint did not answer within the query's timeout."""

    def __init__(self, url: str, timeout: float):
        self.url = url
        super().__init__(timeout)
        self.args = (f"SPARQL endpoint {url} did not answer within {timeout:g} s",)


class Deadline:
    """A point in time after which work should stop; None timeout means never."""

    def __init__(self, timeout: float | None):
        self.timeout = timeout
        self.at = None if timeout is None else time.monotonic() + timeout
        self.cancelled = threading.Event()

    def check(self) -> None:
        if self.cancelled.is_set() or (self.at is not None and time.monotonic() > self.at):
            raise QueryTimeout(self.timeout or 0.0)

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - time.monotonic())


def collect(items: Iterable[T], deadline: Deadline) -> Iterator[T]:
    """Iterate lazily-evaluated results, stopping at the deadline between items."""
    for item in items:
        deadline.check()
        yield item


def run_with_deadline(work: Callable[[Deadline], T], timeout: float | None) -> T:
    """Run work(deadline); with a timeout it runs in a worker thread so the caller gets control back
    on time even while the engine is inside native code. Streaming work stops at the next row; a
    blocking step (a sort, an aggregate) cannot be interrupted and finishes in the background."""
    deadline = Deadline(timeout)
    if timeout is None:
        return work(deadline)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work(deadline)
        except BaseException as exc:  # handed over to the caller's thread
            # Drop the frames' locals here: engine objects (pyoxigraph iterators) must die on the
            # thread that made them; file/line information stays in the traceback.
            traceback.clear_frames(exc.__traceback__)
            box["error"] = exc

    worker = threading.Thread(target=target, name="lbpkg-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        deadline.cancelled.set()
        raise QueryTimeout(timeout)
    if "error" in box:
        raise box["error"]
    return box["value"]


def check_bindings(bindings: Mapping[str, Any] | None) -> dict[str, Term]:
    """Validate names and convert values to Terms before any engine sees them."""
    out: dict[str, Term] = {}
    for name, value in (bindings or {}).items():
        name = name.lstrip("?$")
        if not VARNAME.match(name):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
        out[name] = Term.coerce(value)
    return out


def release_files(release_dir: Path) -> list[tuple[Path, str]]:
    """The (file, graph) pairs of a release folder; a clear error if the build has not run."""
    pairs = [(Path(release_dir) / name, graph) for name, graph in RELEASE_GRAPHS.items()]
    missing = [str(p) for p, _ in pairs if not p.is_file()]
    if missing:
        raise StoreError(f"release folder {release_dir} lacks {', '.join(missing)}: run `lbpkg build` first")
    optional = [(Path(release_dir) / name, graph) for name, graph in OPTIONAL_RELEASE_GRAPHS.items()]
    return pairs + [(p, g) for p, g in optional if p.is_file()]


def count_query(graph: str | None) -> str:
    graphs = [graph] if graph else list(KG_GRAPHS)
    values = " ".join(f"<{g}>" for g in graphs)
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"


class Store(ABC):
    """A queryable copy of the knowledge graph.

    The asserted and inferred graphs live in two named graphs (KG_GRAPHS); a query's default graph
    is their union, and GRAPH <...> still picks one.
    """

    spec: str = ""
    # Seconds a query may take when its caller names no limit (None: no limit). A server sets it
    # on a remote store, so a page waits a bounded time for a slow or silent endpoint.
    default_timeout: float | None = None

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        *,
        allow_service: bool | Collection[str] = False,
    ) -> QueryResult:
        """Run a query. `bindings` (variable name -> Term or rdflib/pyoxigraph term) are bound as
        terms (written in as constants of the query's syntax, SEP-0007 style, never spliced in as
        text); `timeout` is in seconds. SERVICE is refused
        unless allowed (True, or a collection of endpoint IRIs): a federated query makes the engine
        fetch URLs it is given (a public endpoint must not)."""
        terms, timeout = self._prepare(sparql, bindings, timeout, allow_service)
        return self._query(sparql, terms, timeout)

    def query_serialized(
        self,
        sparql: str,
        choose: FormatChooser,
        bindings: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        *,
        allow_service: bool | Collection[str] = False,
        dataset: QueryDataset | None = None,
        row_limit: int | None = None,
        base_iri: str | None = None,
    ) -> SerializedResult:
        """Run a query and write its answer in the format `choose` picks for its kind, as bytes
        ready to send: a server's path, where the results need never become Python objects.
        `row_limit` caps solutions (or triples) and says so in the answer's `truncated`."""
        terms, timeout = self._prepare(sparql, bindings, timeout, allow_service)
        if row_limit is not None and row_limit < 1:
            raise QueryError("row_limit must be positive")
        return self._query_serialized(sparql, terms, timeout, choose, dataset, row_limit, base_iri)

    def _prepare(
        self, sparql: str, bindings: Mapping[str, Any] | None, timeout: float | None,
        allow_service: bool | Collection[str],
    ) -> tuple[dict[str, Term], float | None]:
        """Validated bindings and the time limit that applies (the store's default when the caller
        names none); SERVICE checked against what is allowed."""
        from kg.store.sparqltext import check_service

        terms = check_bindings(bindings)
        if timeout is None:
            timeout = self.default_timeout
        if timeout is not None and timeout <= 0:
            raise QueryError("timeout must be positive")
        check_service(sparql, allow_service)
        return terms, timeout

    @abstractmethod
    def _query(self, sparql: str, bindings: dict[str, Term], timeout: float | None) -> QueryResult:
        """Backend part of query(): bindings are already validated Terms."""

    def _query_serialized(
        self, sparql: str, bindings: dict[str, Term], timeout: float | None, choose: FormatChooser,
        dataset: QueryDataset | None, row_limit: int | None, base_iri: str | None,
    ) -> SerializedResult:
        """Through QueryResult, for backends whose engine cannot write results itself."""
        if dataset is not None:
            raise QueryError(f"this store ({type(self).__name__}) cannot take a dataset from the request;"
                             " use FROM / FROM NAMED or GRAPH in the query")
        if base_iri is not None:  # a BASE the query does not override: its own comes later and wins
            sparql = f"BASE <{base_iri}> {sparql}"
        result = self._query(sparql, bindings, timeout)
        fmt = choose(result.kind)
        truncated = False
        rows: int | None = None
        if result.kind == "select":
            rows = len(result.rows)
            if row_limit is not None and rows > row_limit:
                result, rows, truncated = QueryResult.select(result.vars, result.rows[:row_limit]), row_limit, True
        elif result.kind == "graph" and result.triples is not None:
            rows = len(result.triples)
            if row_limit is not None and rows > row_limit:
                from rdflib import Graph

                kept = Graph()
                for i, triple in enumerate(result.triples):
                    if i >= row_limit:
                        break
                    kept.add(triple)
                result, rows, truncated = QueryResult.graph(kept), row_limit, True
        data = fmt.write(result).encode("utf-8")
        return SerializedResult(result.kind, fmt.media_type, fmt.name, data, rows, truncated, row_limit)

    @abstractmethod
    def load_release(self, release_dir: Path) -> None:
        """Replace the store's contents with a release folder's asserted and inferred graphs."""

    def triple_count(self, graph: str | None = None) -> int:
        """Triples in one KG graph, or in both counted per graph (graph=None)."""
        result = self.query(count_query(graph))
        return int(result.rows[0]["n"].value) if result.rows else 0

    def close(self) -> None:  # noqa: B027 - optional hook: most backends hold nothing to release
        """Release files, connections; the store is unusable afterwards."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"
