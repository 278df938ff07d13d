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

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from rdflib import Graph

from kg.query.endpoint import ProtocolError, choose_format
from kg.results import QueryResult, Term
from kg.store import QueryError, QuerySyntaxError, QueryTimeout, Store, StoreError, open_store
from kg.store.base import EndpointError, EndpointTimeout, FormatChooser, QueryDataset, SerializedResult, check_bindings
from kg.store.sparqltext import ServiceRefused


class QueryBusy(QueryError):
    """No worker came free within the queue wait: the server is at capacity, try again shortly."""

    def __init__(self, workers: int, waited: float):
        self.workers = workers
        self.waited = waited
        super().__init__(f"all {workers} query workers are busy (waited {waited:g} s); try again in a few seconds")


class WorkerCrashed(QueryError):
    """The worker process died while it ran the query (killed for memory, or the engine aborted)."""


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
    if isinstance(exc, ProtocolError):
        return ("protocol", exc.status, exc.message)
    if isinstance(exc, QuerySyntaxError):
        return ("syntax", exc.message, exc.line, exc.column)
    if isinstance(exc, EndpointTimeout):
        return ("endpoint_timeout", exc.url, exc.timeout)
    if isinstance(exc, QueryTimeout):
        return ("timeout", exc.timeout)
    if isinstance(exc, EndpointError):
        return ("endpoint", exc.url, exc.reason)
    if isinstance(exc, ServiceRefused):
        return ("service", str(exc))
    if isinstance(exc, QueryError):
        return ("query", str(exc))
    if isinstance(exc, StoreError):
        return ("store", str(exc))
    return ("query", f"internal error in the query worker: {type(exc).__name__}: {exc}")


def _decode_error(data: tuple[Any, ...]) -> Exception:
    kind = data[0]
    if kind == "protocol":
        return ProtocolError(data[1], data[2])
    if kind == "syntax":
        return QuerySyntaxError(data[1], data[2], data[3])
    if kind == "endpoint_timeout":
        return EndpointTimeout(data[1], data[2])
    if kind == "timeout":
        return QueryTimeout(data[1])
    if kind == "endpoint":
        return EndpointError(data[1], data[2])
    if kind == "service":
        return ServiceRefused(data[1])
    if kind == "store":
        return StoreError(data[1])
    return QueryError(data[1])


Allowed = bool | tuple[str, ...]  # SERVICE: True (any), False (none), or an allowlist of endpoints
CHUNK = 1 << 20  # bytes per message of a serialised answer
WORKER_NICENESS = 10  # added to a worker's nice value: the server's threads come first for the CPU


@dataclass(frozen=True)
class SerializeOptions:
    """How the caller wants an answer written: the protocol's format names and Accept header (the
    worker picks the format once it knows the result's kind), dataset, row cap and base IRI."""

    formats: tuple[str, ...] = ()
    accept: str | None = None
    dataset: QueryDataset | None = None
    row_limit: int | None = None
    base_iri: str | None = None

    def chooser(self) -> FormatChooser:
        formats, accept = self.formats, self.accept
        return lambda kind: choose_format(formats, accept, kind)


def _answer(store: Store, message: tuple[Any, ...], allowed: Allowed) -> tuple[Any, ...]:
    """One request: ("query", sparql, bindings, timeout) for a packed QueryResult, ("serialized",
    sparql, bindings, timeout, options) for a SerializedResult. The timeout goes to remote stores
    only (their wait is a socket's, and ends cleanly); a local engine is stopped by killing us."""
    kind, sparql, bindings, limit = message[:4]
    timeout = limit if store.spec.startswith("sparql:") else None
    if kind == "query":
        return ("ok", _pack(store.query(sparql, bindings, timeout, allow_service=allowed)))
    opts: SerializeOptions = message[4]
    result = store.query_serialized(
        sparql, opts.chooser(), bindings, timeout, allow_service=allowed, dataset=opts.dataset,
        row_limit=opts.row_limit, base_iri=opts.base_iri,
    )
    return ("ok", result)


def _serve(spec: str, conn: Connection, allowed: Allowed) -> None:
    """Worker main loop: open the store once, answer messages until None. The store is opened before
    the first message (a small one is copied into memory, ~0.1 s), so no request waits for it; one
    that cannot be opened is tried again and reported per query. A serialised answer goes back as
    its metadata, then its bytes in chunks, then an empty chunk."""
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
        try:
            if store is None:
                store = open_store(spec)
            reply: tuple[Any, ...] = _answer(store, message, allowed)
        except Exception as exc:  # every failure goes back to the caller as data
            reply = ("error", _encode_error(exc))
        try:
            if reply[0] == "ok" and isinstance(reply[1], SerializedResult):
                result = reply[1]
                conn.send(("ok", replace(result, data=b"")))
                view = memoryview(result.data)
                for at in range(0, len(view), CHUNK):
                    conn.send_bytes(view[at:at + CHUNK])
                conn.send_bytes(b"")
            else:
                conn.send(reply)
        except (OSError, ValueError) as exc:  # e.g. a result too large to pickle
            conn.send(("error", ("query", f"cannot send the result: {exc}")))


# -- the caller side -------------------------------------------------------------------------


def _allowed(allow_service: bool | Collection[str]) -> Allowed:
    if isinstance(allow_service, bool):
        return allow_service
    return tuple(sorted(allow_service)) or False


class _Worker:
    """One worker process (a fresh interpreter running this module) and the parent's end of a
    socket pair to it. A plain subprocess rather than multiprocessing's spawn: that re-imports the
    parent's __main__, which fails or misbehaves under some launchers (stdin, console scripts).
    Its first message says how it cut itself off the network (kg.query.sandbox)."""

    def __init__(self, spec: str, allowed: Allowed):
        parent, child = socket.socketpair()
        with child:
            cmd = [sys.executable, "-m", "kg.query.executor", str(child.fileno()), spec, json.dumps(allowed)]
            self.process = subprocess.Popen(cmd, pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
        self.conn = Connection(parent.detach())
        self.sandbox: str | None = None
        self.greeted = False

    def recv(self, deadline: float | None) -> Any:
        """The next reply, reading the greeting first; QueryTimeout when none came by the deadline."""
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self.conn.poll(wait):
                raise QueryTimeout(0.0)
            message = self.conn.recv()
            if not self.greeted and isinstance(message, tuple) and message[:1] == ("hello",):
                self.greeted, self.sandbox = True, message[1]
                continue
            return message

    def recv_bytes(self, deadline: float | None) -> bytes:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not self.conn.poll(wait):
            raise QueryTimeout(0.0)
        return self.conn.recv_bytes()

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

    query() and query_serialized() are safe to call from many threads at once: each call takes its
    own idle worker, waiting at most `queue_wait` seconds for one (then QueryBusy: a server answers
    503 at once rather than let requests pile up behind slow queries). At most `max_waiting` callers
    (default: as many as workers) wait at a time; more are refused at once, so slow queries never
    hold more than workers + max_waiting server threads. Workers run at a lower CPU priority
    (WORKER_NICENESS) than the server, so pages stay fast while queries run. Workers have no network unless
    SERVICE is allowed (kg.query.sandbox).
    """

    def __init__(
        self,
        spec: str,
        workers: int = 2,
        timeout: float | None = 10.0,
        *,
        allow_service: bool | Collection[str] = False,
        queue_wait: float = 0.5,
        max_waiting: int | None = None,
    ):
        if workers < 1:
            raise ValueError("an executor needs at least one worker")
        self.spec = spec
        self.workers = workers
        self.timeout = timeout
        self.queue_wait = queue_wait
        self.max_waiting = workers if max_waiting is None else max_waiting
        self._waiting = 0
        self.allowed = _allowed(allow_service)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.kills = 0  # how many runaway queries were stopped (for tests and logs)
        self.crashes = 0  # how many workers died under a query
        for _ in range(workers):
            self._add_worker()

    def _add_worker(self) -> None:
        worker = _Worker(self.spec, self.allowed)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if not self._closed:
            self._add_worker()

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (tests kill them on purpose)."""
        with self._lock:
            return [w.process.pid for w in self._all]

    def sandboxes(self) -> list[str | None]:
        """How each worker that has answered so far cut itself off the network (None: it could not,
        or SERVICE is allowed)."""
        with self._lock:
            return [w.sandbox for w in self._all if w.greeted]

    def _run(self, message: tuple[Any, ...], timeout: float | None) -> tuple[str, Any]:
        if self._closed:
            raise StoreError("the query executor is closed")
        limit = self.timeout if timeout is None else timeout
        if limit is not None and limit <= 0:
            raise QueryError("timeout must be positive")
        wait = self.queue_wait if limit is None else min(self.queue_wait, limit)
        with self._lock:
            # Callers beyond the waiting room are refused at once: each holds a server thread
            # while it waits, and those threads also serve the pages.
            full = self._idle.empty() and self._waiting >= self.max_waiting
            if not full:
                self._waiting += 1
        if full:
            raise QueryBusy(self.workers, 0.0)
        try:
            worker: _Worker | None = self._idle.get(timeout=wait)
        except queue.Empty:
            raise QueryBusy(self.workers, wait) from None
        finally:
            with self._lock:
                self._waiting -= 1
        assert worker is not None
        deadline = None if limit is None else time.monotonic() + limit
        try:
            worker.conn.send(message)
            status, payload = worker.recv(deadline)
            if status == "ok" and isinstance(payload, SerializedResult):
                chunks = []
                while chunk := worker.recv_bytes(deadline):
                    chunks.append(chunk)
                payload = replace(payload, data=b"".join(chunks))
        except QueryTimeout:
            self.kills += 1
            self._replace(worker)
            worker = None
            raise QueryTimeout(limit or 0.0) from None
        except (EOFError, OSError):
            # The worker died (killed by the OS for memory, or the engine aborted): replace it.
            self.crashes += 1
            self._replace(worker)
            worker = None
            raise WorkerCrashed("the query worker stopped while running this query (it may need too much memory);"
                                " it has been replaced, try again or simplify the query") from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        if status == "error":
            raise _decode_error(payload)
        return status, payload

    def query(
        self, sparql: str, bindings: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> QueryResult:
        """Run a query in a worker; QueryTimeout past the limit (the worker is killed and replaced),
        QueryBusy when no worker came free within the queue wait."""
        terms = check_bindings(bindings)  # bad names fail here, not in a worker
        return _unpack(self._run(("query", sparql, terms, self._remote_timeout(timeout)), timeout)[1])

    def query_serialized(
        self,
        sparql: str,
        options: SerializeOptions | None = None,
        bindings: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> SerializedResult:
        """Run a query in a worker that sends back its answer already written by the engine."""
        terms = check_bindings(bindings)
        message = ("serialized", sparql, terms, self._remote_timeout(timeout), options or SerializeOptions())
        return self._run(message, timeout)[1]

    def _remote_timeout(self, timeout: float | None) -> float | None:
        """A remote store's own timeout: under the limit, so a slow endpoint is reported as such
        (504) before the worker would be killed."""
        limit = self.timeout if timeout is None else timeout
        return None if limit is None else max(0.1, limit * 0.8)

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

    def __init__(self, store: Store, timeout: float | None = 10.0, *, allow_service: bool | Collection[str] = False):
        self.store = store
        self.timeout = timeout
        self.allowed = _allowed(allow_service)
        self.workers = 0
        self.kills = 0
        self.crashes = 0

    def query(
        self, sparql: str, bindings: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> QueryResult:
        limit = self.timeout if timeout is None else timeout
        return self.store.query(sparql, bindings, timeout=limit, allow_service=self.allowed)

    def query_serialized(
        self,
        sparql: str,
        options: SerializeOptions | None = None,
        bindings: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> SerializedResult:
        opts = options or SerializeOptions()
        limit = self.timeout if timeout is None else timeout
        return self.store.query_serialized(
            sparql, opts.chooser(), bindings, limit, allow_service=self.allowed, dataset=opts.dataset,
            row_limit=opts.row_limit, base_iri=opts.base_iri,
        )

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
    allow_service: bool | Collection[str] = False,
    queue_wait: float = 0.5,
    max_waiting: int | None = None,
) -> QueryExecutor | InlineExecutor:
    """Worker processes when the store can be opened by them, else inline over `store`."""
    if workers > 0 and shareable(spec):
        return QueryExecutor(spec, workers, timeout, allow_service=allow_service, queue_wait=queue_wait,
                             max_waiting=max_waiting)
    if store is None:
        store = open_store(spec)
    return InlineExecutor(store, timeout, allow_service=allow_service)


def _main(argv: list[str]) -> None:
    """Entry point of a worker process: `python -m kg.query.executor FD SPEC ALLOWED` (ALLOWED: JSON true,
    false, or a list of SERVICE endpoints). With SERVICE refused, the worker gives up the network
    before it opens the store or starts a thread, and says how in its first message."""
    fd, spec, allow = argv
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not allowed here: the worker runs at the server's priority
        pass
    allowed = json.loads(allow)
    allowed = tuple(allowed) if isinstance(allowed, list) else bool(allowed)
    sandbox = None
    if allowed is False and not spec.startswith("sparql:"):  # a remote store is reached by network
        from kg.query.sandbox import isolate_network

        sandbox = isolate_network()
    conn = Connection(int(fd))
    conn.send(("hello", sandbox))
    try:
        _serve(spec, conn, allowed)
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the parent handles it
        pass


if __name__ == "__main__":
    _main(sys.argv[1:])
