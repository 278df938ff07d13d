"""The default backend: a pyoxigraph (RocksDB) store on disk, opened read-only in milliseconds, so
the CLI and the web UI start instantly; or in memory when no path is given."""

from __future__ import annotations

import csv
import gc
import io
import itertools
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from rdflib import Graph

from kg.atomic import atomic_dir
from kg.formats import FORMATS, rdf_formats
from kg.namespaces import PREFIXES
from kg.release_files import MANIFEST
from kg.results import QueryResult, ResultKind, Term
from kg.store.base import (
    Deadline,
    FormatChooser,
    QueryDataset,
    QueryError,
    QuerySyntaxError,
    SerializedResult,
    Store,
    StoreError,
    collect,
    release_files,
    run_with_deadline,
)
from kg.store.sparqltext import inject_values, limit_solutions, names_dataset, substitute_terms

STORE_MARKER = "release-manifest.json"  # copy of the release's manifest: which release is inside
_OX_SYNTAX = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
# one item of oxigraph's "expected one of ..." list: a quoted literal, a character class, or a word
_EXPECTED_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,]+')
_PNAME_BEFORE = re.compile(r"([A-Za-z][\w.-]*)?:[\w.%-]*$")
_FOUND = re.compile(r"""<[^>\s]*>?|"[^"\n]{0,20}|'[^'\n]{0,20}|[?$]?[\w:.-]+|\S""")


def _expected(listing: str) -> list[str]:
    """The readable items of oxigraph's list: words and punctuation, not character classes."""
    items = []
    for raw in _EXPECTED_ITEM.findall(listing.removeprefix("one of ")):
        item = raw.strip()
        if not item or item.startswith("["):
            continue
        items.append(item)
    return items


def _syntax_error(exc: SyntaxError, sparql: str = "") -> QuerySyntaxError:
    """oxigraph says 'error at L:C: expected one of ...' with the grammar's character classes; say
    instead what was found there, and what was expected when that is a short list of words."""
    text = str(exc)
    m = _OX_SYNTAX.match(text)
    if not m:
        return QuerySyntaxError(" ".join(text.split())[:300])
    line, column, detail = int(m.group(1)), int(m.group(2)), " ".join(m.group(3).split())
    lines = sparql.splitlines() or [""]
    row = lines[line - 1] if 0 < line <= len(lines) else ""
    before, rest = row[: max(0, column - 1)], row[max(0, column - 1):]
    if "Prefix not found" in detail:
        pname = _PNAME_BEFORE.search(before)
        prefix = (pname.group(1) or "") if pname else ""
        return QuerySyntaxError(f"unknown prefix '{prefix}:'; declare it first: PREFIX {prefix}: <...>", line, column)
    if "IRI parsing failed" in detail:
        return QuerySyntaxError("not a valid IRI (an IRI in <...> must be absolute or resolve against the base,"
                                " with no spaces)", line, column)
    later = rest.lstrip() or "\n".join(lines[line:]).lstrip()
    found = _FOUND.match(later)
    what = f"'{found.group()}'" if found else "end of query"
    expected = _expected(detail.removeprefix("expected "))
    message = f"unexpected {what}"
    if expected and len(expected) <= 8 and all(len(e) <= 12 for e in expected):
        message += f" (expected {', '.join(expected)})"
    return QuerySyntaxError(message, line, column)


# Our format names -> the engine's own writers, for every standard format of kg.formats (the text
# table is ours alone).
OX_RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    f.name: fmt for f in FORMATS.values() if f.w3c and not f.is_rdf
    if (fmt := ox.QueryResultsFormat.from_media_type(f.media_type)) is not None
}
OX_RDF_FORMATS: dict[str, ox.RdfFormat] = {
    f.name: rdf for f in rdf_formats() if (rdf := ox.RdfFormat.from_media_type(f.media_type)) is not None
}
_TURTLE_PREFIXES = {p: str(ns) for p, ns in PREFIXES.items()}


def count_solutions(data: bytes, name: str) -> int:
    """Solutions in a serialised SELECT answer, read back by the engine's parser (CSV by Python's)."""
    if name == "csv":
        return max(0, sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8")))) - 1)
    parsed = ox.parse_query_results(data, OX_RESULT_FORMATS[name])
    return sum(1 for _ in parsed) if isinstance(parsed, ox.QuerySolutions) else 0


def _to_result(answer: object, deadline: Deadline, row_limit: int | None) -> tuple[QueryResult, bool]:
    """An engine answer as the library's QueryResult (cut at row_limit, and whether it was)."""
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult.ask(bool(answer)), False
    items: Iterator[Any] = collect(answer, deadline)  # type: ignore[arg-type]
    if row_limit is not None:
        items = itertools.islice(items, row_limit)
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        rows = []
        for solution in items:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = Term.from_oxigraph(value)
            rows.append(row)
        result = QueryResult.select(names, rows)
    else:
        graph = Graph()
        for triple in items:
            graph.add(tuple(Term.from_oxigraph(t).to_rdflib() for t in triple))  # type: ignore[arg-type]
        result = QueryResult.graph(graph)
    truncated = row_limit is not None and next(iter(answer), None) is not None  # type: ignore[call-overload]
    return result, truncated


def bulk_load(store: ox.Store, files: Sequence[tuple[Path, str]], threads: int | None = None) -> None:
    """Bulk-load N-Triples files, each into its named graph, several files at once.

    oxigraph's bulk loader parses a file on one thread (pyoxigraph releases the GIL meanwhile), so
    files go to a pool of one thread per core; RocksDB ingests their sorted runs independently.
    Files, not byte ranges of one file, are the unit: a blank node label is scoped to its document,
    and oxigraph renames blank nodes per load call. The largest files start first."""
    ordered = sorted(files, key=lambda pair: -Path(pair[0]).stat().st_size)

    def one(pair: tuple[Path, str]) -> None:
        path, graph = pair
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        except SyntaxError as exc:
            raise StoreError(f"{path}: not valid N-Triples: {exc}") from None

    workers = max(1, min(len(ordered), threads or os.cpu_count() or 1))
    if workers == 1:
        for pair in ordered:
            one(pair)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lbpkg-load") as pool:
        for future in [pool.submit(one, pair) for pair in ordered]:
            future.result()


def _load(store: ox.Store, release_dir: Path) -> None:
    bulk_load(store, release_files(release_dir))


def create_oxigraph_store(release_dir: Path, store_dir: Path) -> None:
    """Build a store from a release folder into a temporary sibling of store_dir and swap it in, so
    readers never see a half-loaded store and a failed load leaves the old one in place."""
    release_dir, store_dir = Path(release_dir), Path(store_dir)
    release_files(release_dir)  # fail before touching anything

    def write(tmp: Path) -> None:
        store = ox.Store(str(tmp))
        try:
            _load(store, release_dir)
            store.flush()
            store.optimize()
        finally:
            del store
            gc.collect()  # pyoxigraph has no close(): dropping the object closes RocksDB
        manifest = release_dir / MANIFEST
        if manifest.is_file():
            shutil.copyfile(manifest, tmp / STORE_MARKER)

    try:
        atomic_dir(store_dir, write)
    except OSError as exc:
        raise StoreError(f"cannot create the store in {store_dir}: {exc}") from None


def store_size(path: Path) -> int:
    """Bytes of a RocksDB folder's files: a cheap size estimate (counting quads reads them all)."""
    return sum(entry.stat().st_size for entry in path.iterdir() if entry.is_file())


class OxigraphStore(Store):
    """`oxigraph:PATH` (on disk, read-only unless writable=True) or `oxigraph:` (in memory).

    A read-only store smaller than MEMORY_COPY_BYTES on disk (the KG is about 5 MiB) is copied
    into oxigraph's in-memory engine when opened: queries then run 3-5x faster than through
    RocksDB, for about 0.1 s more at open. A larger store is queried on disk. `in_memory` forces
    either choice."""

    MEMORY_COPY_BYTES = 32 * 1024 * 1024

    def __init__(self, path: Path | str | None = None, writable: bool = False, in_memory: bool | None = None):
        self.path = Path(path) if path else None
        self.writable = writable
        self.in_memory = in_memory
        self.served_from_memory = path is None  # set when an on-disk store is opened
        self.spec = f"oxigraph:{self.path or ''}"
        self._store: ox.Store | None = ox.Store() if self.path is None else None

    @classmethod
    def from_spec(cls, arg: str) -> OxigraphStore:
        return cls(arg or None)

    @classmethod
    def from_graphs(cls, graphs: Mapping[str, Graph]) -> OxigraphStore:
        """An in-memory store holding rdflib graphs in the named graphs given (the validation pass
        queries the compiled sources this way, before any release exists)."""
        store = cls()
        assert store._store is not None
        for name, graph in graphs.items():
            data = graph.serialize(format="nt", encoding="utf-8")
            store._store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
        return store

    @property
    def store(self) -> ox.Store:
        """Opened on first use, so a store can be created by load_release after construction."""
        if self._store is None:
            assert self.path is not None
            if not (self.path / "CURRENT").is_file():
                raise StoreError(f"no oxigraph store at {self.path}: run `lbpkg build` to create it")
            try:
                if self.writable:
                    self._store = ox.Store(str(self.path))
                    return self._store
                disk = ox.Store.read_only(str(self.path))
                copy = self.in_memory
                if copy is None:
                    copy = store_size(self.path) < self.MEMORY_COPY_BYTES
                if copy:
                    memory = ox.Store()
                    memory.bulk_extend(disk)
                    del disk
                    gc.collect()  # closes the RocksDB handle now, not at some later collection
                    self._store = memory
                    self.served_from_memory = True
                else:
                    self._store = disk
            except (OSError, RuntimeError) as exc:  # RocksDB reports a damaged store as RuntimeError
                reason = " ".join(str(exc).split())[:300]
                raise StoreError(f"cannot open the oxigraph store at {self.path}: {reason}; "
                                 "run `lbpkg build` to rebuild it") from None
        return self._store

    def _execute(
        self, sparql: str, bindings: dict[str, Term], dataset: QueryDataset | None = None, base_iri: str | None = None,
    ) -> ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples:
        """Run a query on the engine. The default graph is the union of the store's graphs, unless
        the request names a dataset or the query has FROM / FROM NAMED: those are honoured as the
        protocol says (a graph the store lacks is empty; nothing is fetched)."""
        store = self.store
        # Constants written into the text make oxigraph plan from them (a VALUES block is joined
        # after the rest is evaluated: seconds instead of milliseconds at 10^7 triples).
        text, rest = substitute_terms(sparql, bindings)
        substitutions = {ox.Variable(k): v.to_oxigraph() for k, v in rest.items()}
        options: dict[str, object] = {"base_iri": base_iri}
        if dataset is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in dataset.default] or ox.DefaultGraph()
            options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named]
        else:
            options["use_default_graph_as_union"] = not names_dataset(text)
        try:
            try:
                return store.query(text, substitutions=substitutions, **options)  # type: ignore[arg-type]
            except RuntimeError as exc:
                if "SELECT projection" not in str(exc):
                    raise
            # oxigraph substitutes only projected variables; bind the others by a VALUES block
            # written with RDF term escaping (the way the remote backend binds everything).
            return store.query(inject_values(text, rest), **options)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise _syntax_error(exc, text) from None
        except ValueError as exc:  # e.g. a dataset graph name that is not an IRI
            raise QueryError(f"oxigraph: {exc}") from None

    def _query(self, sparql: str, bindings: dict[str, Term], timeout: float | None) -> QueryResult:
        def work(deadline: Deadline) -> QueryResult:
            try:
                return _to_result(self._execute(sparql, bindings), deadline, None)[0]
            except (OSError, ValueError, TypeError, RuntimeError) as exc:
                raise QueryError(f"oxigraph: {exc}") from None

        return run_with_deadline(work, timeout)

    def _query_serialized(
        self, sparql: str, bindings: dict[str, Term], timeout: float | None, choose: FormatChooser,
        dataset: QueryDataset | None, row_limit: int | None, base_iri: str | None,
    ) -> SerializedResult:
        """The engine writes the answer: SPARQL results by pyoxigraph's result writers, graphs by its
        RDF writers. A row cap goes into the query as a LIMIT (the engine stops there); triples are
        cut while they stream to the writer."""

        def work(deadline: Deadline) -> SerializedResult:
            try:
                return self._serialized(sparql, bindings, choose, dataset, row_limit, base_iri, deadline)
            except (OSError, ValueError, TypeError, RuntimeError) as exc:
                raise QueryError(f"oxigraph: {exc}") from None

        return run_with_deadline(work, timeout)

    def _serialized(
        self, sparql: str, bindings: dict[str, Term], choose: FormatChooser, dataset: QueryDataset | None,
        row_limit: int | None, base_iri: str | None, deadline: Deadline,
    ) -> SerializedResult:
        capped, limited = (sparql, False) if row_limit is None else limit_solutions(sparql, row_limit)
        try:
            answer = self._execute(capped, bindings, dataset, base_iri)
        except QuerySyntaxError:
            if not limited:
                raise
            # the LIMIT went somewhere the grammar does not allow: cut the solutions here instead
            limited, answer = False, self._execute(sparql, bindings, dataset, base_iri)
        kind: ResultKind = "graph"
        if isinstance(answer, ox.QueryBoolean):
            kind = "ask"
        elif isinstance(answer, ox.QuerySolutions):
            kind = "select"
        fmt = choose(kind)
        if kind == "graph":
            rdf_format = OX_RDF_FORMATS.get(fmt.name)
            if rdf_format is not None:
                triples = list(itertools.islice(collect(answer, deadline), row_limit))  # type: ignore[arg-type]
                truncated = row_limit is not None and next(iter(cast(ox.QueryTriples, answer)), None) is not None
                prefixes = _TURTLE_PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None
                data = cast(bytes, ox.serialize(triples, format=rdf_format, prefixes=prefixes))
                return SerializedResult(kind, fmt.media_type, fmt.name, data, len(triples), truncated, row_limit)
        else:
            result_format = OX_RESULT_FORMATS.get(fmt.name)
            if result_format is not None and (kind == "ask" or row_limit is None or limited):
                data = cast(bytes, cast("ox.QuerySolutions | ox.QueryBoolean", answer).serialize(format=result_format))
                rows = None
                if kind == "select" and limited:
                    rows = count_solutions(data, fmt.name)
                truncated = limited and rows == row_limit
                return SerializedResult(kind, fmt.media_type, fmt.name, data, rows, truncated, row_limit)
        # a format the engine does not write (the text table), or a cap it could not take
        result, truncated = _to_result(answer, deadline, row_limit)
        rows = len(result.rows) if kind == "select" else len(result.triples or ()) if kind == "graph" else None
        truncated = truncated or (limited and rows == row_limit)
        return SerializedResult(kind, fmt.media_type, fmt.name, fmt.write(result).encode("utf-8"), rows, truncated,
                                row_limit)

    def load_release(self, release_dir: Path) -> None:
        if self.path is None:
            assert self._store is not None
            self._store.clear()
            _load(self._store, Path(release_dir))
            return
        self.close()
        create_oxigraph_store(Path(release_dir), self.path)

    def close(self) -> None:
        if self.path is not None and self._store is not None:
            self._store = None
            gc.collect()
