"""Any SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB, QLever...) through SPARQLWrapper.

Dataset: by default every query is sent with the protocol's default-graph-uri and named-graph-uri
set to the two KG graphs, so the default graph is their union on any compliant server (Virtuoso's
"all graphs" default would also include its system graphs). Queries with their own FROM keep them.
`dataset=native` sends nothing and trusts the server's default graph.

Loading: the release is pushed by SPARQL Update (CLEAR, then INSERT DATA in chunks; chunks with
blank nodes use `INSERT {...} WHERE {}`, which Virtuoso accepts where it refuses INSERT DATA).
Triples that share blank nodes go in the same chunk, since a blank node label only lives for one
request. The load is not atomic on the server: a failure half-way leaves a partial graph, re-run it.

Parameters are written into the text as constants where SEP-0007 substitution allows it
(kg.store.sparqltext.substitute_terms), so the server plans with them; the rest are bound by a VALUES
block (kg.store.sparqltext.inject_values). Every term is escaped; syntax is checked locally first
(rdflib's parser) so errors carry line and column.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

import kg.rdfinput  # noqa: F401 - registers the safe-rdfxml parser used for RDF/XML answers
from kg.formats import rdf_formats
from kg.namespaces import IMPORTS_GRAPH
from kg.results import QueryResult, Term
from kg.store.base import (
    KG_GRAPHS,
    OPTIONAL_RELEASE_GRAPHS,
    EndpointError,
    EndpointTimeout,
    QueryError,
    QuerySyntaxError,
    Store,
    StoreError,
    release_files,
)
from kg.store.sparqltext import inject_values, inspect_query, substitute_terms

Triple = tuple[Term, Term, Term]

DEFAULT_CHUNK = 2000
# Virtuoso 7.2 answers ASK as a one-row SELECT of this variable (1 or 0) instead of {"boolean": ...}.
VIRTUOSO_ASK_VAR = "__ASK_RETVAL"
USER_ENV = "LBPKG_SPARQL_USER"
PASSWORD_ENV = "LBPKG_SPARQL_PASSWORD"

# Response media type -> rdflib parser, for CONSTRUCT/DESCRIBE answers: kg.formats' RDF formats,
# RDF/XML through kg.rdfinput's parser (no external or nested XML entities), and what servers send
# besides (Virtuoso answers N-Triples as text/plain, some servers Turtle as N3).
GRAPH_PARSERS: dict[str, str] = {
    media: "safe-rdfxml" if f.name == "rdfxml" else str(f.rdflib)
    for f in rdf_formats()
    for media in (f.media_type, *f.media_aliases)
} | {"text/plain": "nt", "text/rdf+n3": "n3", "text/n3": "n3"}
OPTIONS = {"dataset": ("protocol", "native")}


def _server_message(exc: urllib.error.HTTPError) -> str:
    """The server's own words from an HTTP error, on one line."""
    try:
        body = exc.read().decode("utf-8", "replace")
    except OSError:
        body = ""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return " ".join(lines)[:400] or f"HTTP {exc.code} {exc.reason}"


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper sending through this store's own urllib opener.

    SPARQLWrapper's DIGEST support installs a process-wide urllib opener, which would hand one
    store's credentials to every later request of the process; here credentials live in a
    per-store opener (Basic or Digest, as the server's challenge asks) and HTTP errors reach
    SparqlStore._send unchanged.
    """

    def __init__(self, endpoint: str, opener: urllib.request.OpenerDirector, update_endpoint: str | None = None):
        super().__init__(endpoint, updateEndpoint=update_endpoint)
        self.opener = opener

    def _query(self):  # type: ignore[no-untyped-def]  # overrides SPARQLWrapper 2.x internals
        request = self._createRequest()
        response = self.opener.open(request, timeout=self.timeout) if self.timeout else self.opener.open(request)
        return response, self.returnFormat


BNODE_CHUNK = 100


def chunk_triples(triples: Iterable[Triple], size: int) -> list[list[Triple]]:
    """Pack triples into chunks of about `size`, never splitting a blank-node-connected group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    triples = list(triples)
    for s, _, o in triples:
        if s.type == "bnode" and o.type == "bnode":
            parent[find(s.value)] = find(o.value)
    groups: dict[str, list[Triple]] = {}
    singles: list[list[Triple]] = []
    for t in triples:
        node = t[0] if t[0].type == "bnode" else t[2] if t[2].type == "bnode" else None
        if node is None:
            singles.append([t])
        else:
            groups.setdefault(find(node.value), []).append(t)
    chunks: list[list[Triple]] = []
    # Blank-node groups go in small chunks of their own: they need the INSERT {...} WHERE {} form,
    # which Virtuoso compiles to SQL and rejects past ~10,000 lines of generated code.
    for batch, limit in ((list(groups.values()), min(size, BNODE_CHUNK)), (singles, size)):
        current: list[Triple] = []
        for group in batch:
            if current and len(current) + len(group) > limit:
                chunks.append(current)
                current = []
            current.extend(group)
        if current:
            chunks.append(current)
    return chunks


def insert_data(graph: str, triples: list[Triple]) -> str:
    """INSERT DATA, or `INSERT {...} WHERE {}` when blank nodes are present: SPARQL 1.1 allows them
    in INSERT DATA but Virtuoso refuses them there (SP031); a template is accepted everywhere."""
    body = "\n".join(f"{s.n3(True)} {p.n3(True)} {o.n3(True)} ." for s, p, o in triples)
    if any(t.type == "bnode" for s, _, o in triples for t in (s, o)):
        return f"INSERT {{ GRAPH <{graph}> {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"


def read_ntriples(path: Path) -> list[Triple]:
    try:
        return [
            (Term.from_oxigraph(q.subject), Term.from_oxigraph(q.predicate), Term.from_oxigraph(q.object))
            for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        ]
    except SyntaxError as exc:
        raise StoreError(f"{path}: not valid N-Triples: {exc}") from None


class SparqlStore(Store):
    """`sparql:QUERY_URL[|UPDATE_URL][|dataset=protocol|native]`.

    Credentials (HTTP Basic or Digest, whichever the server asks for) come from
    LBPKG_SPARQL_USER / LBPKG_SPARQL_PASSWORD or the constructor, never from the spec string, so
    they stay out of shell history and logs. They are offered to the update URL only.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        dataset: str = "protocol",
        user: str | None = None,
        password: str | None = None,
        chunk_size: int = DEFAULT_CHUNK,
    ):
        if dataset not in OPTIONS["dataset"]:
            raise StoreError(f"unknown dataset mode {dataset!r}: use protocol or native")
        self.query_url = query_url
        self.update_url = update_url
        self.dataset = dataset
        self.user = user if user is not None else os.environ.get(USER_ENV)
        self.password = password if password is not None else os.environ.get(PASSWORD_ENV)
        self.chunk_size = chunk_size
        self.spec = f"sparql:{query_url}" + (f"|{update_url}" if update_url else "")
        self._opener = self._make_opener()

    def _make_opener(self) -> urllib.request.OpenerDirector:
        if not (self.update_url and self.user and self.password):
            return urllib.request.build_opener()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, self.update_url, self.user, self.password)
        return urllib.request.build_opener(
            urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)
        )

    @classmethod
    def from_spec(cls, arg: str) -> SparqlStore:
        urls: list[str] = []
        options: dict[str, Any] = {}
        for part in filter(None, arg.split("|")):
            key, eq, value = part.partition("=")
            if eq and "://" not in part:
                if key not in OPTIONS or value not in OPTIONS[key]:
                    known = "; ".join(f"{k}={'|'.join(v)}" for k, v in OPTIONS.items())
                    raise StoreError(f"unknown sparql store option {part!r} (known: {known})")
                options[key] = value
            else:
                urls.append(part)
        if not urls or len(urls) > 2 or not all(u.startswith(("http://", "https://")) for u in urls):
            raise StoreError("a sparql store spec is sparql:QUERY_URL[|UPDATE_URL] with http(s) URLs")
        return cls(urls[0], urls[1] if len(urls) > 1 else None, **options)

    def _wrapper(self, url: str, update: bool, timeout: float | None) -> SPARQLWrapper:
        wrapper = _Wrapper(self.query_url, self._opener, url if update else None)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        if timeout is not None:
            wrapper.setTimeout(timeout)  # type: ignore[arg-type]
        return wrapper

    def _send(self, wrapper: SPARQLWrapper, url: str, timeout: float | None) -> tuple[bytes, str]:
        """Run a request; map every transport failure to EndpointError / QueryTimeout."""
        try:
            response = wrapper.query().response
            return response.read(), (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        except urllib.error.HTTPError as exc:
            if exc.code == 400 and not wrapper.isSparqlUpdateRequest():
                raise QuerySyntaxError(f"the endpoint refused the query: {_server_message(exc)}") from None
            if exc.code == 401:
                hint = f"set {USER_ENV} and {PASSWORD_ENV}" if not self.user else "check the credentials"
                raise EndpointError(url, f"unauthorized ({hint})") from None
            raise EndpointError(url, f"HTTP {exc.code}: {_server_message(exc)}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)) and timeout is not None:
                raise EndpointTimeout(url, timeout) from None
            raise EndpointError(url, f"cannot connect: {exc.reason}") from None
        except TimeoutError:
            if timeout is not None:
                raise EndpointTimeout(url, timeout) from None
            raise EndpointError(url, "timed out") from None
        except (ConnectionError, OSError, ValueError) as exc:
            raise EndpointError(url, f"connection failed: {exc}") from None

    def _query(self, sparql: str, bindings: dict[str, Term], timeout: float | None) -> QueryResult:
        shape = inspect_query(sparql)
        text, rest = substitute_terms(sparql, bindings)
        text = inject_values(text, rest)
        wrapper = self._wrapper(self.query_url, False, timeout)
        wrapper.setQuery(text)
        wrapper.setReturnFormat(TURTLE if shape.kind == "graph" else JSON)
        if self.dataset == "protocol" and not shape.has_dataset:
            for graph in KG_GRAPHS:
                wrapper.addDefaultGraph(graph)
                wrapper.addNamedGraph(graph)
            for graph in OPTIONAL_RELEASE_GRAPHS.values():
                wrapper.addNamedGraph(graph)
            wrapper.addDefaultGraph(str(IMPORTS_GRAPH))  # external labels, as the union default graph has them
        body, media = self._send(wrapper, self.query_url, timeout)
        try:
            if shape.kind == "graph":
                answer = Graph()
                answer.parse(data=body, format=GRAPH_PARSERS.get(media, "turtle"))
                return QueryResult.graph(answer)
            result = QueryResult.from_sparql_json(json.loads(body))
            if shape.kind == "ask" and result.kind == "select" and result.vars == [VIRTUOSO_ASK_VAR]:
                result = QueryResult.ask(bool(result.rows) and result.rows[0][VIRTUOSO_ASK_VAR].value not in ("0", ""))
        except Exception as exc:
            raise EndpointError(self.query_url, f"unreadable answer ({media or 'no content type'}): {exc}") from None
        if (result.kind == "ask") != (shape.kind == "ask"):
            raise QueryError(f"the endpoint answered a {shape.kind.upper()} query with a {result.kind} result")
        return result

    def update(self, request: str, timeout: float | None = None) -> None:
        """Send one SPARQL Update request to the update URL."""
        if not self.update_url:
            raise StoreError(f"{self.spec} has no update URL: use sparql:QUERY_URL|UPDATE_URL to load data")
        wrapper = self._wrapper(self.update_url, True, timeout)
        wrapper.setQuery(request)
        self._send(wrapper, self.update_url, timeout)

    def load_release(self, release_dir: Path) -> None:
        pairs = release_files(Path(release_dir))
        loaded = [(graph, read_ntriples(path)) for path, graph in pairs]  # parse all before clearing
        for graph, triples in loaded:
            self.update(f"CLEAR SILENT GRAPH <{graph}>")
            for chunk in chunk_triples(triples, self.chunk_size):
                self.update(insert_data(graph, chunk))
