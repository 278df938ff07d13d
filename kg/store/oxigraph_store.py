"""The default backend: a pyoxigraph (RocksDB) store on disk, opened read-only in milliseconds, so
the CLI and the web UI start instantly; or in memory when no path is given."""

from __future__ import annotations

import gc
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.release import atomic_dir
from kg.results import QueryResult, Term
from kg.store.base import (
    Deadline,
    QueryError,
    QuerySyntaxError,
    Store,
    StoreError,
    collect,
    release_files,
    run_with_deadline,
)
from kg.store.sparqltext import inject_values, substitute_terms

STORE_MARKER = "release-manifest.json"  # copy of the release's manifest: which release is inside
_OX_SYNTAX = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
# ['A' ..= 'Z' | 'a' ..= 'z' | ...]: oxigraph's character classes, quoted items with optional ranges
_CHAR_CLASS = re.compile(r"\[(?:\s*'(?:[^'\\]|\\.)*'\s*(?:\.\.=\s*'(?:[^'\\]|\\.)*'\s*)?\|?)+\]")


def _readable(match: re.Match[str]) -> str:
    return "a name character" if "..=" in match.group() else match.group()


def _syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    """oxigraph says 'error at L:C: expected ...' with long character classes: keep it one line."""
    text = " ".join(_CHAR_CLASS.sub(_readable, str(exc)).split())
    m = _OX_SYNTAX.match(text)
    if m:
        return QuerySyntaxError(m.group(3), int(m.group(1)), int(m.group(2)))
    return QuerySyntaxError(text)


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
        manifest = release_dir / "manifest.json"
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

    def _query(self, sparql: str, bindings: dict[str, Term], timeout: float | None) -> QueryResult:
        store = self.store
        # Constants written into the text make oxigraph plan from them (a VALUES block is joined
        # after the rest is evaluated: seconds instead of milliseconds at 10^7 triples).
        text, rest = substitute_terms(sparql, bindings)
        substitutions = {ox.Variable(k): v.to_oxigraph() for k, v in rest.items()}

        def run() -> object:
            try:
                return store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
            except RuntimeError as exc:
                if "SELECT projection" not in str(exc):
                    raise
            # oxigraph substitutes only projected variables; bind the others by a VALUES block
            # written with RDF term escaping (the way the remote backend binds everything).
            return store.query(inject_values(text, rest), use_default_graph_as_union=True)

        def work(deadline: Deadline) -> QueryResult:
            try:
                answer = run()
                if isinstance(answer, ox.QueryBoolean):
                    return QueryResult.ask(bool(answer))
                if isinstance(answer, ox.QuerySolutions):
                    names = [v.value for v in answer.variables]
                    rows = []
                    for solution in collect(answer, deadline):
                        row = {}
                        for name in names:
                            value = solution[name]
                            if value is not None:
                                row[name] = Term.from_oxigraph(value)
                        rows.append(row)
                    return QueryResult.select(names, rows)
                graph = Graph()
                for triple in collect(answer, deadline):
                    graph.add(tuple(Term.from_oxigraph(t).to_rdflib() for t in triple))  # type: ignore[arg-type]
                return QueryResult.graph(graph)
            except SyntaxError as exc:
                raise _syntax_error(exc) from None
            except (OSError, ValueError, TypeError, RuntimeError) as exc:
                raise QueryError(f"oxigraph: {exc}") from None

        return run_with_deadline(work, timeout)

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
