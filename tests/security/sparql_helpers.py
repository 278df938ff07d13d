"""Helpers for the hostile SPARQL cases (tests/security/hostile-sparql.yaml): load the cases,
expand their placeholders, send one as raw HTTP to a loopback server, and a listener that records
every connection it is offered (the endpoint must never make one).

Placeholders in a case's path, params, data and headers: ${listener} (http://127.0.0.1:PORT of the
listener), ${port}, and ${NAME} for the generated texts in GENERATED (too large for the file).
`data` is sent as UTF-8; a lone surrogate \\uDCxx in it stands for the raw byte xx (invalid UTF-8).
"""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.security.site_helpers import send_request
from tests.servers import Listener  # noqa: F401 - the runner's canary

CASES_FILE = Path(__file__).with_name("hostile-sparql.yaml")
KEYS = {"name", "method", "path", "params", "data", "headers", "status", "no_outbound", "body_not_contains"}
REQUIRED = {"name", "method", "path", "status"}
# Never in an answer to a client, whatever it sent.
ALWAYS_ABSENT = ("Traceback", 'File "', "pyparsing", "Internal Server Error")
REQUEST_TIMEOUT = 60.0  # seconds: a case that needs longer has hung the server


def _unions(n: int) -> str:
    return "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " } LIMIT 1"


def _nested(depth: int) -> str:
    return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth + "LIMIT 1"


GENERATED: dict[str, str] = {
    "query_3mb": "SELECT * WHERE { ?s ?p ?o } #" + "x" * (3 * 1024 * 1024),
    "unions_1000": _unions(1000),
    "unions_5000": _unions(5000),
    "nested_500": _nested(500),
    "nested_4000": _nested(4000),
    "nested_255": _nested(255),
    "parens_1000": "(" * 1000 + "true" + ")" * 1000,
    "long_iri": "ASK { <http://example.org/" + "a" * 18000 + "> ?p ?o }",
    "long_literal": 'ASK { ?s ?p "' + "a" * 18000 + '" }',
    "long_iri_over_cap": "ASK { <http://example.org/" + "a" * 200_000 + "> ?p ?o }",
}
_PLACEHOLDER = re.compile(r"\$\{([a-z_0-9]+)\}")


@dataclass
class Case:
    """One request and what its answer must be."""

    name: str
    method: str
    path: str
    status: list[int]
    params: dict[str, str] = field(default_factory=dict)
    data: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    no_outbound: bool = False
    body_not_contains: list[str] = field(default_factory=list)


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    """The cases of a file, checked for the agreed keys (a typo must fail, not pass silently)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError(f"{path.name}: a list of cases expected")
    cases = []
    for entry in raw:
        unknown, missing = set(entry) - KEYS, REQUIRED - set(entry)
        if unknown or missing:
            raise ValueError(f"{path.name}: case {entry.get('name')!r}: unknown keys {unknown}, missing {missing}")
        status = entry["status"]
        cases.append(Case(
            name=entry["name"], method=entry["method"].upper(), path=entry["path"],
            status=[status] if isinstance(status, int) else list(status),
            params={str(k): str(v) for k, v in (entry.get("params") or {}).items()},
            data=entry.get("data"), headers={str(k): str(v) for k, v in (entry.get("headers") or {}).items()},
            no_outbound=bool(entry.get("no_outbound", False)),
            body_not_contains=list(entry.get("body_not_contains") or []),
        ))
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"{path.name}: case names must be unique")
    return cases


def expand(text: str, listener_port: int) -> str:
    """A case's text with its placeholders replaced (an unknown one is an error in the file)."""
    values = {"listener": f"http://127.0.0.1:{listener_port}", "port": str(listener_port)}

    def one(m: re.Match[str]) -> str:
        key = m.group(1)
        if key in values:
            return values[key]
        return GENERATED[key]

    return _PLACEHOLDER.sub(one, text)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def send(base_url: str, case: Case, listener_port: int) -> Answer:
    """Send a case as raw HTTP (the path's own query string kept byte for byte, params appended)."""
    parts = urllib.parse.urlsplit(base_url)
    path = expand(case.path, listener_port)
    if case.params:
        query = urllib.parse.urlencode({k: expand(v, listener_port) for k, v in case.params.items()})
        path += ("&" if "?" in path else "?") + query
    body = None if case.data is None else expand(case.data, listener_port).encode("utf-8", "surrogateescape")
    headers = {k: expand(v, listener_port) for k, v in case.headers.items()}
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
    try:
        resp = send_request(conn, case.method, path, headers, body)
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


