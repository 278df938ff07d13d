"""Faults on purpose: a damaged, missing, empty or incomplete store is refused at start with one
line; a build killed midway leaves the previous release and store served; a remote backend that
is down or silent gives the pages that need it 502/504 while the rest of the site serves."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import StoreError
from tests.security.site_helpers import HOST, assert_no_traceback, make_app, request, served
from webui import create_app

LBPKG = [str(Path(sys.executable).with_name("lbpkg"))]


def _store_dir(store_spec: str) -> Path:
    return Path(store_spec.split(":", 1)[1])


def _copy_store(store_spec: str, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(_store_dir(store_spec), target)
    return target


def _serve(store: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`lbpkg serve` on a store that must be refused: it exits before it listens."""
    return subprocess.run([*LBPKG, "serve", "--store", store, "--port", "0"], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, check=False)


def _assert_one_line_refusal(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


# --- the store at start ------------------------------------------------------------------------

def test_serve_refuses_a_damaged_store(store_spec: str, tmp_path: Path) -> None:
    store = _copy_store(store_spec, tmp_path)
    (store / "CURRENT").write_text("garbage\n")
    _assert_one_line_refusal(_serve(f"oxigraph:{store}", tmp_path), str(store), "lbpkg build")


def test_serve_refuses_a_truncated_store_file(store_spec: str, tmp_path: Path) -> None:
    store = _copy_store(store_spec, tmp_path)
    biggest = max(store.glob("*.sst"), key=lambda p: p.stat().st_size)
    biggest.write_bytes(biggest.read_bytes()[: biggest.stat().st_size // 2])
    _assert_one_line_refusal(_serve(f"oxigraph:{store}", tmp_path), str(store), "lbpkg build")


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    _assert_one_line_refusal(_serve(f"oxigraph:{tmp_path / 'nothing'}", tmp_path), "no oxigraph store",
                             "lbpkg build")


def test_an_empty_store_is_refused(tmp_path: Path, fixture_release_dir: Path) -> None:  # noqa: ANN001
    empty = tmp_path / "empty"
    store = ox.Store(str(empty))
    store.flush()
    del store
    with pytest.raises(StoreError, match="holds no LBP-KG triples"):
        make_app(f"oxigraph:{empty}", str(fixture_release_dir))


def test_an_incomplete_store_is_refused(store_spec: str, tmp_path: Path, fixture_release_dir: Path) -> None:  # noqa: ANN001
    store_dir = _copy_store(store_spec, tmp_path)
    writable = ox.Store(str(store_dir))
    graph = ox.NamedNode("https://w3id.org/lbp-kg/graph/inferred")
    for quad in list(writable.quads_for_pattern(None, None, None, graph))[:10]:
        writable.remove(quad)
    writable.flush()
    del writable
    with pytest.raises(StoreError, match="incomplete: graph <https://w3id.org/lbp-kg/graph/inferred> holds"):
        make_app(f"oxigraph:{store_dir}", str(fixture_release_dir))


# --- a build killed midway -----------------------------------------------------------------------

KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from kg.atomic import atomic_dir
    import kg.store.oxigraph_store as oxs

    what, final, source, marker = sys.argv[1:5]

    def stall(label):
        Path(marker).write_text(label)
        time.sleep(120)  # killed here

    if what == "release":
        def write(tmp):
            for f in sorted(Path(source).iterdir())[:3]:
                (tmp / f.name).write_bytes(b"half-written " + f.read_bytes()[:100])
            stall("writing")
        atomic_dir(Path(final), write)
    else:
        real = oxs._load
        def load(store, release_dir):
            real(store, release_dir)
            stall("loading")
        oxs._load = load
        oxs.create_oxigraph_store(Path(source), Path(final))
""")


def _kill_midway(what: str, final: Path, source: Path, tmp_path: Path) -> None:
    marker = tmp_path / f"{what}.started"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, what, str(final), str(source), str(marker)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the writer never started"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        if proc.stderr:
            proc.stderr.close()


def _digests(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_build_killed_midway_leaves_the_previous_release_served(store_spec: str, fixture_release_dir: Path,  # noqa: ANN001
                                                                    tmp_path: Path) -> None:
    old_release = tmp_path / "release"
    shutil.copytree(fixture_release_dir, old_release)
    old_store = _copy_store(store_spec, tmp_path)
    before_release, before_store = _digests(old_release), _digests(old_store)

    _kill_midway("release", old_release, fixture_release_dir, tmp_path)
    _kill_midway("store", old_store, fixture_release_dir, tmp_path)

    assert _digests(old_release) == before_release
    assert _digests(old_store) == before_store
    # the half-written temporary folders are siblings, never the served ones
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir() if p.name.startswith(".")) == [".release",
                                                                                                   ".store"]
    app = make_app(f"oxigraph:{old_store}", str(old_release))
    with served(app) as live:
        assert request(live, "GET", "/term/Sciatica").status == 200
        manifest = json.loads(request(live, "GET", "/downloads/manifest.json").body)
        assert manifest["version"] == json.loads((fixture_release_dir / "manifest.json").read_text())["version"]
        assert request(live, "GET", "/downloads/lbp-kg.ttl").body == (old_release / "lbp-kg.ttl").read_bytes()


def test_a_swap_interrupted_between_its_renames_is_recovered(fixture_release_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    """Killed between moving the old release aside and moving the new one in: the next build
    (or anything calling recover) puts the old one back before it starts."""
    from kg.atomic import recover

    final = tmp_path / "release"
    shutil.copytree(fixture_release_dir, final.with_name("release.old"))
    recover(final)
    assert _digests(final) == _digests(fixture_release_dir)
    assert not final.with_name("release.old").exists()


# --- a remote backend down or silent ------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class SilentServer:
    """Accepts connections on loopback and never answers: a hung SPARQL backend."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind((HOST, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.held.append(conn)

    def __enter__(self) -> SilentServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        for conn in self.held:
            conn.close()
        self.sock.close()


STATIC_PAGES = ["/static/site.css", "/downloads", "/downloads/manifest.json", "/learn/", "/api/openapi.json",
                "/api/", "/editor", "/editor/prefixes.json"]


@pytest.fixture
def down_app(fixture_release_dir: Path) -> Iterator[object]:  # noqa: ANN001
    app = create_app({"TESTING": True, "STORE": f"sparql:http://{HOST}:{_closed_port()}/sparql",
                      "RELEASE_DIR": str(fixture_release_dir), "QUERY_WORKERS": 0})
    yield app


def test_a_backend_that_is_down_gives_502_while_the_rest_serves(down_app) -> None:  # noqa: ANN001
    with served(down_app) as live:
        for path in ("/term/Sciatica", "/", "/az", "/search?q=disc", "/graph/Sciatica"):
            answer = request(live, "GET", path)
            assert answer.status == 502, (path, answer.status)
            assert answer.media_type == "text/html" and "not reachable" in answer.text
            assert "127.0.0.1" not in answer.text  # the backend's address stays in the log
            assert_no_traceback(answer, path)
        api = request(live, "GET", "/api/terms/Sciatica")
        assert api.status == 502 and json.loads(api.body)["status"] == 502 and "retry-after" in api.headers
        for path in STATIC_PAGES:
            assert request(live, "GET", path).status == 200, path


def test_a_silent_backend_gives_504_within_its_time_limit(fixture_release_dir: Path) -> None:  # noqa: ANN001
    with SilentServer() as backend:
        app = create_app({"TESTING": True, "STORE": f"sparql:http://{HOST}:{backend.port}/sparql",
                          "RELEASE_DIR": str(fixture_release_dir), "QUERY_WORKERS": 0, "BACKEND_TIMEOUT": 1.0})
        with served(app) as live:
            answer = request(live, "GET", "/term/Sciatica")
            assert answer.status == 504 and "took too long" in answer.text
            api = request(live, "GET", "/api/search", params={"q": "disc"})
            assert api.status == 504 and api.media_type == "application/json"
            for path in STATIC_PAGES:
                assert request(live, "GET", path).status == 200, path


def test_serve_starts_while_its_backend_is_down(tmp_path: Path) -> None:
    """A remote backend is only tried at start: the server comes up and says so in its log."""
    port = _closed_port()
    proc = subprocess.Popen([*LBPKG, "serve", "--store", f"sparql:http://{HOST}:{port}/sparql", "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines = []
        deadline = time.monotonic() + 120
        while proc.stderr is not None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "Ctrl-C stops" in line:
                break
        assert any("Ctrl-C stops" in line for line in lines), lines
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(30)
        if proc.stderr:
            proc.stderr.close()
