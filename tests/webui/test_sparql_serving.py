"""The serving path under strain: a full pool answers 503 with Retry-After at once, a worker that
dies is replaced and its client told, pages and the JSON API never wait behind user SPARQL, and a
remote store that is down or slow is reported as such. Times are bounded with margins of seconds
(behaviour, not speed: speed is bench/serve.py's)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from kg.query.executor import WORKER_NICENESS, QueryBusy, QueryExecutor, WorkerCrashed
from tests.webui.conftest import LiveServer
from webui.sparql import get_executor

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK_TRUE = "PREFIX lbp: <https://w3id.org/lbp-kg/> ASK { lbp:DiscHerniation lbp:mayCause lbp:Sciatica }"


def _get(url: str, timeout: float = 60) -> tuple[int, Message, bytes, float]:
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback test server
            return resp.status, resp.headers, resp.read(), time.monotonic() - start
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read(), time.monotonic() - start


def _sparql(base: str, query: str, **params: str) -> str:
    return f"{base}/sparql?" + urllib.parse.urlencode({"query": query, **params})


def _until_ready(base: str, wait: float = 60) -> None:
    """A worker started on a busy machine may need a moment to open the store."""
    deadline = time.monotonic() + wait
    while _get(_sparql(base, ASK_TRUE, format="json"))[0] != 200:
        assert time.monotonic() < deadline, "the endpoint never answered"
        time.sleep(0.3)


@pytest.mark.slow
def test_a_full_pool_answers_503_at_once(make_app) -> None:  # noqa: ANN001
    app = make_app(QUERY_WORKERS=1, QUERY_TIMEOUT=8.0, QUERY_QUEUE_WAIT=0.2)
    with LiveServer(app) as server:
        _until_ready(server.url)
        runaway: list[tuple] = []
        thread = threading.Thread(target=lambda: runaway.append(_get(_sparql(server.url, RUNAWAY))))
        thread.start()
        time.sleep(1.0)  # the runaway query holds the only worker
        status, headers, body, took = _get(_sparql(server.url, ASK_TRUE, format="json"))
        assert status == 503 and headers.get("Retry-After") and b"busy" in body
        assert took < 4  # not the 8 s time limit: the queue wait (0.2 s) plus a loaded machine's margin
        thread.join(30)
        assert runaway[0][0] == 503 and b"time limit" in runaway[0][2]


@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_its_client_told(store_spec: str) -> None:
    with QueryExecutor(store_spec, workers=1, timeout=30) as executor:
        assert executor.query(ASK_TRUE).boolean is True
        errors: list[Exception] = []
        thread = threading.Thread(target=lambda: errors.append(_catch(executor, RUNAWAY)))
        thread.start()
        time.sleep(1.0)
        (pid,) = executor.worker_pids()
        os.kill(pid, signal.SIGKILL)  # as the OS would for memory, or an engine abort
        thread.join(20)
        assert not thread.is_alive() and isinstance(errors[0], WorkerCrashed), errors
        assert executor.crashes == 1 and executor.worker_pids() != [pid]
        assert executor.query(ASK_TRUE).boolean is True  # the replacement answers


@pytest.mark.slow
def test_callers_beyond_the_waiting_room_are_refused_at_once(store_spec: str) -> None:
    """A waiting query holds a server thread: past max_waiting, a query is refused without waiting,
    so runaway queries cannot take every thread the pages need."""
    with QueryExecutor(store_spec, workers=1, timeout=8, queue_wait=5.0, max_waiting=1) as executor:
        assert executor.query(ASK_TRUE).boolean is True
        results: list[Exception | None] = []
        runaway = threading.Thread(target=lambda: results.append(_catch(executor, RUNAWAY)))
        runaway.start()
        time.sleep(1.0)  # the runaway query holds the only worker
        waiter = threading.Thread(target=lambda: results.append(_catch(executor, ASK_TRUE)))
        waiter.start()
        time.sleep(0.5)  # the waiter fills the waiting room (it waits up to 5 s)
        start = time.monotonic()
        assert isinstance(_catch(executor, ASK_TRUE), QueryBusy)
        assert time.monotonic() - start < 3  # not the 5 s queue wait
        waiter.join(20)
        runaway.join(20)
        assert sorted(type(r).__name__ for r in results) == ["QueryBusy", "QueryTimeout"]


def test_workers_run_at_a_lower_priority(store_spec: str) -> None:
    """The server's threads come first for the CPU: pages stay fast while queries run."""
    with QueryExecutor(store_spec, workers=1, timeout=30) as executor:
        assert executor.query(ASK_TRUE).boolean is True
        (pid,) = executor.worker_pids()
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, ours + WORKER_NICENESS)


def _catch(executor: QueryExecutor, query: str) -> Exception | None:
    try:
        executor.query_serialized(query)
    except Exception as exc:  # handed to the test's thread
        return exc
    return None


@pytest.mark.slow
def test_killing_workers_over_http_gives_503_not_a_hang(make_app) -> None:  # noqa: ANN001
    app = make_app(QUERY_WORKERS=2, QUERY_TIMEOUT=30.0)
    with LiveServer(app) as server:
        _until_ready(server.url)
        with app.app_context():
            executor = get_executor()
        results: list[tuple] = []
        threads = [threading.Thread(target=lambda: results.append(_get(_sparql(server.url, RUNAWAY))))
                   for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        for pid in executor.worker_pids():  # type: ignore[union-attr]
            os.kill(pid, signal.SIGKILL)
        for t in threads:
            t.join(20)
        assert sorted(r[0] for r in results) == [503, 503]
        assert all(b"stopped while running" in r[2] and r[1].get("Retry-After") for r in results)
        _until_ready(server.url)


@pytest.mark.slow
def test_pages_and_api_answer_under_16_heavy_queries(make_app) -> None:  # noqa: ANN001
    """Pages and the JSON API use the in-process store; user SPARQL uses the workers. With 16
    pathological queries in flight, the home page, a term page and the API still answer."""
    app = make_app(QUERY_WORKERS=2, QUERY_TIMEOUT=6.0, QUERY_QUEUE_WAIT=0.5)
    with LiveServer(app, threads=24) as server:
        _until_ready(server.url)
        heavy: list[tuple] = []
        threads = [threading.Thread(target=lambda: heavy.append(_get(_sparql(server.url, RUNAWAY))))
                   for _ in range(16)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        pages = [_get(f"{server.url}{path}") for path in
                 ("/", "/term/LumbarDiscHerniation", "/api/terms/LumbarDiscHerniation", "/search?q=sciatica")]
        light = _get(_sparql(server.url, ASK_TRUE, format="json"))
        for t in threads:
            t.join(30)
        assert all(status == 200 for status, *_ in pages), [p[:1] + p[3:] for p in pages]
        assert all(took < 5 for *_, took in pages)  # answered while the workers were busy: not queued
        assert light[0] in (200, 503) and light[3] < 5
        assert len(heavy) == 16 and {r[0] for r in heavy} == {503}
        _until_ready(server.url)


# -- a remote store that is down or slow -------------------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    sock.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_remote_store_down_is_502_and_slow_is_504(make_app, silent_port: int) -> None:  # noqa: ANN001
    down = make_app(STORE=f"sparql:http://127.0.0.1:{_free_port()}/sparql", QUERY_TIMEOUT=5.0).test_client()
    resp = down.get("/sparql", query_string={"query": ASK_TRUE, "format": "json"})
    assert resp.status_code == 502 and b"did not answer" in resp.data and b"Traceback" not in resp.data
    slow = make_app(STORE=f"sparql:http://127.0.0.1:{silent_port}/sparql", QUERY_TIMEOUT=2.0).test_client()
    start = time.monotonic()
    resp = slow.get("/sparql", query_string={"query": ASK_TRUE, "format": "json"})
    assert resp.status_code == 504 and b"did not answer within" in resp.data
    assert time.monotonic() - start < 10


@pytest.mark.slow
def test_lbpkg_serve_options_reach_the_endpoint(store_spec: str) -> None:
    """`lbpkg serve` with its limits, as a real process: the row cap and query length it was given."""
    port = _free_port()
    cmd = [str(Path(sys.executable).parent / "lbpkg"), "serve", "--port", str(port), "--store", store_spec,
           "--row-limit", "3", "--max-query-length", "500", "--rate-limit", "0", "--query-workers", "1"]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _until_ready(base)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline and process.poll() is None, "lbpkg serve did not start"
                time.sleep(0.3)
        status, headers, body, _ = _get(_sparql(base, "SELECT ?s WHERE { ?s ?p ?o }", format="tsv"))
        assert status == 200 and headers["SPARQL-Row-Limit"] == "3" and len(body.splitlines()) == 4
        status, _, body, _ = _get(_sparql(base, "ASK {}" + " " * 600))
        assert status == 413 and b"at most 500" in body
    finally:
        process.terminate()
        process.wait(10)
