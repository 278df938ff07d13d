"""A throwaway Virtuoso on loopback with its own config and data folder: for the remote-store
tests and the benchmark (`python -m tests.support.virtuoso` is not a user command: the README shows
how to load a release into any Virtuoso)."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.store.base import StoreError
from kg.store.sparql_store import SparqlStore

VIRTUOSO_PACKAGE = "virtuoso-opensource"
VIRTUOSO_BINARY = "virtuoso-t"
VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 200M
ThreadsPerQuery = 2
DirsAllowed = {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 4
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@dataclass(frozen=True)
class Virtuoso:
    """Where a running local Virtuoso answers, and how to log in to its update endpoint."""

    query_url: str
    update_url: str
    user: str
    password: str

    def store(self, **options: object) -> SparqlStore:
        return SparqlStore(self.query_url, self.update_url, user=self.user, password=self.password,
                           **options)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"query": "ASK {}"}), timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def missing_message() -> str | None:
    """None when virtuoso-t is installed, else what to install."""
    if shutil.which(VIRTUOSO_BINARY) is not None:
        return None
    return (f"{VIRTUOSO_BINARY} not found: install the Debian package {VIRTUOSO_PACKAGE} "
            f"(apt-get install -y {VIRTUOSO_PACKAGE})")


@contextmanager
def local_virtuoso(folder: Path, start_timeout: float = 90) -> Iterator[Virtuoso]:
    """Start Virtuoso on free loopback ports with its data in `folder`; stop it on exit."""
    message = missing_message()
    if message:
        raise StoreError(message)
    exe = shutil.which(VIRTUOSO_BINARY)
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = open(folder / "stdout.log", "wb")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen([str(exe), "+foreground", "+configfile", str(ini)], cwd=folder, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + start_timeout
        while not _answers(base + "/sparql"):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "stdout.log").read_text(errors="replace")[-2000:]
                raise StoreError(f"Virtuoso did not start (exit {proc.poll()}):\n{tail}")
            time.sleep(0.2)
        # A fresh database's dba password is 'dba'; the server only listens on loopback.
        yield Virtuoso(base + "/sparql", base + "/sparql-auth", "dba", "dba")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()
