"""The SPARQL 1.1 Protocol without a web framework: what a request asks for, which result format
fits it, and the service description. The Flask view only hands over the request's parts, so the
rules here are tested as plain functions and stay the same under any server.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from kg.errors import LbpError
from kg.formats import W3C_FORMATS as FORMATS_NS
from kg.formats import name_for
from kg.namespaces import ASSERTED_GRAPH, EXTERNAL_GRAPH, IMPORTS_GRAPH, INFERRED_GRAPH, bind_prefixes
from kg.serialize import FORMATS, FormatError, ResultFormat, find_format, negotiate
from kg.store.base import QueryDataset, Store
from kg.store.sparqltext import nesting_depth

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
W3C_FORMATS = Namespace(FORMATS_NS)
QUERY_MEDIA_TYPE = "application/sparql-query"
UPDATE_MEDIA_TYPE = "application/sparql-update"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MAX_NESTING = 256  # levels of { } and ( ): far beyond any real query, far below a parser's stack
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")
_HIGH_ESCAPE = re.compile(rb"%[89a-fA-F]")  # a percent escape of a byte beyond ASCII
_PROLOGUE = re.compile(r"\A(?:\s+|#[^\n]*\n?|(?i:PREFIX)\s+[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>)*")


class ProtocolError(LbpError):
    """A request the protocol says to refuse, with the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class ProtocolRequest:
    """What a protocol request asks: a query (None: the service description) and format names."""

    query: str | None
    formats: tuple[str, ...] = ()
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def dataset(self) -> QueryDataset | None:
        """The protocol dataset, when the request names one (it then replaces FROM / FROM NAMED)."""
        if not self.default_graphs and not self.named_graphs:
            return None
        return QueryDataset(self.default_graphs, self.named_graphs)


def looks_like_update(text: str) -> bool:
    """Whether text after its prologue starts like SPARQL Update, to refuse it by name."""
    rest = text[_PROLOGUE.match(text).end() :]  # type: ignore[union-attr]
    word = re.match(r"[A-Za-z]+", rest)
    return bool(word) and word.group().upper() in UPDATE_WORDS  # type: ignore[union-attr]


def check_charset(charset: str | None) -> None:
    """A request body's declared charset must be UTF-8 (or its subset US-ASCII), else 415."""
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
        raise ProtocolError(415, f"the request body must be UTF-8, not {charset[:40]!r}")


def require_utf8(raw: bytes, where: str, *, percent_encoded: bool) -> None:
    """Refuse bytes that are not UTF-8 (400): web frameworks decode them with replacement
    characters, which would run a query the client never wrote."""
    if percent_encoded:
        if raw.isascii() and not _HIGH_ESCAPE.search(raw):  # the usual case: nothing beyond ASCII
            return
        data = urllib.parse.unquote_to_bytes(raw.replace(b"+", b" "))
    else:
        data = raw
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the {where} is not valid UTF-8 (bad byte at offset {exc.start})") from None


def parse_request(
    method: str,
    media_type: str,
    args: dict[str, list[str]],
    form: dict[str, list[str]],
    body: str,
    max_length: int | None = None,
    charset: str | None = None,
) -> ProtocolRequest:
    """Read the query from a GET query string, a POST form or a POST query body (the three ways of
    the protocol); refuse updates, repeated queries, queries over max_length characters (413) and
    queries nested deeper than MAX_NESTING with 4xx, and bodies in another charset than UTF-8 (415).
    default-graph-uri / named-graph-uri name the dataset (graphs of the store; never fetched).
    Parameters this endpoint does not know (SPARQLWrapper's output= and results=, caches'
    timestamps) are ignored, as clients expect."""
    check_charset(charset)
    if "update" in args or "update" in form or media_type == UPDATE_MEDIA_TYPE:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if method == "POST" and media_type == QUERY_MEDIA_TYPE:
        queries = [body]
        if "query" in args:
            raise ProtocolError(400, "give the query either in the request body or as a parameter, not both")
    elif method == "POST":
        if media_type and media_type != FORM_MEDIA_TYPE and body.strip():
            raise ProtocolError(
                415,
                f"unsupported content type {media_type!r}: POST {FORM_MEDIA_TYPE} (query=...) or {QUERY_MEDIA_TYPE}",
            )
        queries = form.get("query", []) + args.get("query", [])
    else:
        queries = args.get("query", [])
    if len(queries) > 1:
        raise ProtocolError(400, "more than one 'query' parameter")
    graphs: dict[str, tuple[str, ...]] = {}
    for name in ("default-graph-uri", "named-graph-uri"):
        values = tuple(v.strip() for v in args.get(name, []) + form.get(name, []) if v.strip())
        for value in values:  # empty ones ask for nothing
            if not _ABSOLUTE_IRI.match(value):
                raise ProtocolError(400, f"{name} must be an absolute IRI, not {value[:200]!r}")
        graphs[name] = values
    formats = tuple(v for v in args.get("format", []) + form.get("format", []) if v.strip())
    if not queries:
        return ProtocolRequest(None, formats)
    query = queries[0]
    if not query.strip():
        raise ProtocolError(400, "the query is empty")
    if "\x00" in query:
        raise ProtocolError(400, "the query contains a NUL character")
    if max_length is not None and len(query) > max_length:
        raise ProtocolError(413, f"the query is {len(query)} characters long; this endpoint takes at most {max_length}")
    if query.count("{") + query.count("(") > MAX_NESTING and (depth := nesting_depth(query)) > MAX_NESTING:
        raise ProtocolError(400, f"groups and parentheses nest {depth} levels deep; this endpoint takes at most"
                                 f" {MAX_NESTING}")
    if looks_like_update(query):
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    return ProtocolRequest(query, formats, graphs["default-graph-uri"], graphs["named-graph-uri"])


def format_by_name(name: str, kind: str) -> ResultFormat | None:
    """A format named by our name, a common alias or a media type; None when the name is unknown.
    FormatError when it is known but does not fit the result kind."""
    key = name_for(name)
    return None if key is None else find_format(key, kind)


def choose_format(names: Sequence[str], accept: str | None, kind: str) -> ResultFormat:
    """The `format` parameter wins over the Accept header; the first value that fits is taken
    (SPARQLWrapper sends a name and a media type); no fitting value is a 406, unknown ones a 400."""
    if not names:
        return negotiate(accept, kind)
    misfits: list[str] = []
    for name in names:
        try:
            fmt = format_by_name(name, kind)
        except FormatError as exc:
            misfits.append(str(exc))
            continue
        if fmt is not None:
            return fmt
    if misfits:
        raise ProtocolError(406, misfits[0])
    known = ", ".join(FORMATS)
    raise ProtocolError(400, f"unknown format {names[0]!r}; use one of: {known} (or a media type)")


def negotiate_description(formats: Sequence[str], accept: str | None) -> ResultFormat:
    """The format of the service description: a `format` parameter, else the Accept header."""
    return choose_format(formats, accept, "graph") if formats else negotiate(accept, "graph")


GRAPH_COMMENTS: dict[str, str] = {
    str(ASSERTED_GRAPH): "The asserted ontology.",
    str(INFERRED_GRAPH): "The reasoner's relation graph.",
    str(IMPORTS_GRAPH): "The imported external terms, each with its label.",
    str(EXTERNAL_GRAPH): "External ontologies released beside the KG.",
}


def service_description(
    endpoint_url: str,
    graph_sizes: dict[str, int] | None = None,
    timeout: float | None = None,
    *,
    default_size: int | None = None,
    row_limit: int | None = None,
) -> Graph:
    """A SPARQL 1.1 Service Description of the endpoint: language, result formats, the union
    default graph (its size as queries see it) and every named graph of the store with its size,
    and the limits a client should know about."""
    g = bind_prefixes(Graph())
    for prefix, ns in (("sd", SD), ("formats", W3C_FORMATS), ("void", VOID)):
        g.bind(prefix, ns, override=True, replace=True)
    service = URIRef(endpoint_url)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, DCTERMS.title, Literal("LBP-KG SPARQL endpoint")))
    limits = f" Queries stop after {timeout:g} seconds." if timeout else ""
    limits += f" Answers are cut at {row_limit} rows (the response says so)." if row_limit else ""
    g.add((service, RDFS.comment, Literal(
        "Read-only SPARQL 1.1 Query over the LBP-KG knowledge graph (for education, not medical advice)."
        " SPARQL Update and SERVICE are refused; FROM and default-graph-uri name graphs of this store"
        " (others are empty), nothing is fetched." + limits
    )))
    for fmt in FORMATS.values():
        if fmt.format.w3c_iri:
            g.add((service, SD.resultFormat, URIRef(fmt.format.w3c_iri)))
    dataset, default = BNode(), BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("The union of the named graphs below.")))
    sizes = graph_sizes or {}
    if default_size is not None:
        g.add((default, VOID.triples, Literal(default_size, datatype=XSD.integer)))
    for name in sorted(sizes):
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        if name in GRAPH_COMMENTS:
            g.add((graph, RDFS.comment, Literal(GRAPH_COMMENTS[name])))
        g.add((graph, VOID.triples, Literal(sizes[name], datatype=XSD.integer)))
    return g


GRAPH_SIZES_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
DEFAULT_SIZE_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def store_sizes(store: Store) -> tuple[dict[str, int], int]:
    """Triples per named graph of a store, and in the default graph as queries see it (the union)."""
    sizes = {row["g"].value: int(row["n"].value) for row in store.query(GRAPH_SIZES_QUERY).rows if "g" in row}
    total = store.query(DEFAULT_SIZE_QUERY).rows
    return sizes, int(total[0]["n"].value) if total else 0
