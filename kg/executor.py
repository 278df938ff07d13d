"""Run queries in worker processes that can be killed, so a public endpoint can stop a runaway query.

A thread cannot stop an engine that is inside native code (a sort, an aggregate, a cross product in
pyoxigraph): `run_with_deadline` gives the caller control back but the work goes on and holds a CPU.
A process can be killed. The executor keeps a small pool of worker processes, each with the store
open read-only; a query goes to an idle worker and the caller waits at most the time limit for its
answer. Past the limit the worker is killed (CPU and memory come back at once) and a fresh one takes
its place, while the other workers go on serving. Stores that only exist inside this process (an
in-memory oxigraph store) cannot be shared with workers and run in a thread instead.
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

from rdflib import Graph

from kg.results import QueryResult, Term
from kg.store import QueryError, QuerySyntaxError, QueryTimeout, Store, StoreError, open_store
from kg.store.base import check_bindings
from kg.store.sparqltext import uses_service


class QueryBusy(QueryError):
    """Every worker was busy for longer than the time limit: the server is overloaded."""

    def __init__(self, workers: int, waited: float):
        self.workers = workers
        self.waited = waited
        super().__init__(f"all {workers} query workers stayed busy for {waited:g} s; try again later")


# -- the worker side -------------------------------------------------------------------------


def _pack(result: QueryResult) -> tuple[Any, ...]:
    """A plain-data form of a result to send through a pipe (engine objects stay in the worker)."""
    if result.kind == "select":
        return ("select", result.vars, result.rows)
    if result.kind == "ask":
        return ("ask", result.boolean)
    triples = [tuple(Term.from_rdflib(t) for t in triple) for triple in (result.triples or Graph())]
    return ("graph", triples)


def _unpack(data: tuple[Any, ...]) -> QueryResult:
    if data[0] == "select":
        return QueryResult.select(data[1], data[2])
    if data[0] == "ask":
        return QueryResult.ask(data[1])
    graph = Graph()
    for s, p, o in data[1]:
        graph.add((s.to_rdflib(), p.to_rdflib(), o.to_rdflib()))
    return QueryResult.graph(graph)


def _encode_error(exc: BaseException) -> tuple[Any, ...]:
    """Exceptions cross the pipe as tuples: their constructors take other arguments than their
    args, so pickling them would garble line/column and timeout."""
    if isinstance(exc, QuerySyntaxError):
        return ("syntax", exc.message, exc.line, exc.column)
    if isinstance(exc, QueryTimeout):
        return ("timeout", exc.timeout)
    if isinstance(exc, QueryError):
        return ("query", str(exc))
    if isinstance(exc, StoreError):
        return ("store", str(exc))
    return ("query", f"internal error in the query worker: {type(exc).__name__}: {exc}")


def _decode_error(data: tuple[Any, ...]) -> Exception:
    kind = data[0]
    if kind == "syntax":
        return QuerySyntaxError(data[1], data[2], data[3])
    if kind == "timeout":
        return QueryTimeout(data[1])
    if kind == "store":
        return StoreError(data[1])
    return QueryError(data[1])


def _serve(spec: str, conn: Connection, allow_service: bool) -> None:
    """Worker main loop: open the store once, answer (sparql, bindings) messages until None. The
    store is opened before the first message (a small one is copied into memory, ~0.1 s), so no
    request waits for it; one that cannot be opened is tried again and reported per query."""
    store: Store | None = None
    try:
        store = open_store(spec)
    except StoreError:
        pass
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        sparql, bindings = message
        try:
            if store is None:
                store = open_store(spec)
            reply: tuple[Any, ...] = ("ok", _pack(store.query(sparql, bindings, allow_service=allow_service)))
        except Exception as exc:  # every failure goes back to the caller as data
            reply = ("error", _encode_error(exc))
        try:
            conn.send(reply)
        except (OSError, ValueError) as exc:  # e.g. a result too large to pickle
            conn.send(("error", ("query", f"cannot send the result: {exc}")))


# -- the caller side -------------------------------------------------------------------------


class _Worker:
    """One worker process (a fresh interpreter running this module) and the parent's end of a
    socket pair to it. A plain subprocess rather than multiprocessing's spawn: that re-imports the
    parent's __main__, which fails or misbehaves under some launchers (stdin, console scripts)."""

    def __init__(self, spec: str, allow_service: bool):
        parent, child = socket.socketpair()
        with child:
            cmd = [sys.executable, "-m", "kg.executor", str(child.fileno()), spec, "1" if allow_service else "0"]
            self.process = subprocess.Popen(cmd, pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
        self.conn = Connection(parent.detach())

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(2)
        self.conn.close()


class QueryExecutor:
    """A pool of killable worker processes over one store spec, with a per-query time limit.

    query() is safe to call from many threads at once: each call takes its own idle worker.
    """

    def __init__(self, spec: str, workers: int = 2, timeout: float | None = 10.0, *, allow_service: bool = False):
        if workers < 1:
            raise ValueError("an executor needs at least one worker")
        self.spec = spec
        self.workers = workers
        self.timeout = timeout
        self.allow_service = allow_service
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.kills = 0  # how many runaway queries were stopped (for tests and logs)
        for _ in range(workers):
            self._add_worker()

    def _add_worker(self) -> None:
        worker = _Worker(self.spec, self.allow_service)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if not self._closed:
            self._add_worker()

    def query(
        self, sparql: str, bindings: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> QueryResult:
        """Run a query in a worker; QueryTimeout past the limit (the worker is killed and replaced),
        QueryBusy when no worker came free within the limit."""
        if self._closed:
            raise StoreError("the query executor is closed")
        terms = check_bindings(bindings)  # bad names fail here, not in a worker
        if not self.allow_service and uses_service(sparql):
            raise QueryError("SERVICE (federated query) is not allowed here: this endpoint makes no outbound requests")
        limit = self.timeout if timeout is None else timeout
        if limit is not None and limit <= 0:
            raise QueryError("timeout must be positive")
        try:
            worker: _Worker | None = self._idle.get(timeout=limit)
        except queue.Empty:
            raise QueryBusy(self.workers, limit or 0.0) from None
        assert worker is not None
        try:
            worker.conn.send((sparql, terms))
            if not worker.conn.poll(limit):
                self.kills += 1
                self._replace(worker)
                worker = None
                raise QueryTimeout(limit or 0.0)
            status, payload = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            # The worker died (killed by the OS for memory, or crashed): replace it, report why.
            if worker is not None:
                self._replace(worker)
                worker = None
            raise QueryError("the query worker stopped unexpectedly (the query may need too much memory)") from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        if status == "error":
            raise _decode_error(payload)
        return _unpack(payload)

    def close(self) -> None:
        """Stop every worker; the executor is unusable afterwards."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()

    def __enter__(self) -> QueryExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InlineExecutor:
    """The same interface over a store of this process (in-memory stores cannot be shared with
    workers): the time limit returns control on time, but a blocking step finishes in a thread."""

    def __init__(self, store: Store, timeout: float | None = 10.0, *, allow_service: bool = False):
        self.store = store
        self.timeout = timeout
        self.allow_service = allow_service
        self.workers = 0
        self.kills = 0

    def query(
        self, sparql: str, bindings: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> QueryResult:
        if not self.allow_service and uses_service(sparql):
            raise QueryError("SERVICE (federated query) is not allowed here: this endpoint makes no outbound requests")
        limit = self.timeout if timeout is None else timeout
        return self.store.query(sparql, bindings, timeout=limit, allow_service=self.allow_service)

    def close(self) -> None:
        """Nothing to stop: the store belongs to its owner."""


def shareable(spec: str) -> bool:
    """Whether worker processes can open the store a spec names on their own (not in-memory)."""
    scheme, _, arg = spec.partition(":")
    return not (scheme == "oxigraph" and not arg)


def make_executor(
    spec: str,
    store: Store | None = None,
    workers: int = 2,
    timeout: float | None = 10.0,
    *,
    allow_service: bool = False,
) -> QueryExecutor | InlineExecutor:
    """Worker processes when the store can be opened by them, else inline over `store`."""
    if workers > 0 and shareable(spec):
        return QueryExecutor(spec, workers, timeout, allow_service=allow_service)
    if store is None:
        store = open_store(spec)
    return InlineExecutor(store, timeout, allow_service=allow_service)


def _main(argv: list[str]) -> None:
    """Entry point of a worker process: `python -m kg.executor FD SPEC ALLOW_SERVICE`."""
    fd, spec, allow = argv
    try:
        _serve(spec, Connection(int(fd)), allow == "1")
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the parent handles it
        pass


if __name__ == "__main__":
    _main(sys.argv[1:])
