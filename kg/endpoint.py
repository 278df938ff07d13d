"""The SPARQL 1.1 Protocol without a web framework: what a request asks for, which result format
fits it, and the service description. The Flask view only hands over the request's parts, so the
rules here are tested as plain functions and stay the same under any server.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from kg.errors import LbpError
from kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, bind_prefixes
from kg.serialize import FORMATS, MEDIA_ALIASES, FormatError, ResultFormat, find_format, negotiate

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")

# Format name -> the W3C format IRI a service description lists it under.
FORMAT_IRIS: dict[str, URIRef] = {
    "json": W3C_FORMATS.SPARQL_Results_JSON,
    "xml": W3C_FORMATS.SPARQL_Results_XML,
    "csv": W3C_FORMATS.SPARQL_Results_CSV,
    "tsv": W3C_FORMATS.SPARQL_Results_TSV,
    "turtle": W3C_FORMATS.Turtle,
    "ntriples": W3C_FORMATS["N-Triples"],
    "jsonld": W3C_FORMATS["JSON-LD"],
    "rdfxml": W3C_FORMATS.RDF_XML,
}
# Names clients put in `format` besides ours (SPARQLWrapper sends json-ld, rdf+xml, n3, ...).
FORMAT_NAME_ALIASES: dict[str, str] = {
    "json-ld": "jsonld",
    "rdf+xml": "rdfxml",
    "rdf": "rdfxml",
    "rdf/xml": "rdfxml",
    "n3": "turtle",
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "srj": "json",
    "srx": "xml",
}
QUERY_MEDIA_TYPE = "application/sparql-query"
UPDATE_MEDIA_TYPE = "application/sparql-update"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
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


def looks_like_update(text: str) -> bool:
    """Whether text after its prologue starts like SPARQL Update, to refuse it by name."""
    rest = text[_PROLOGUE.match(text).end() :]  # type: ignore[union-attr]
    word = re.match(r"[A-Za-z]+", rest)
    return bool(word) and word.group().upper() in UPDATE_WORDS  # type: ignore[union-attr]


def parse_request(
    method: str,
    media_type: str,
    args: dict[str, list[str]],
    form: dict[str, list[str]],
    body: str,
) -> ProtocolRequest:
    """Read the query from a GET query string, a POST form or a POST query body (the three ways of
    the protocol); refuse updates, dataset parameters and repeated queries with 4xx. Parameters
    this endpoint does not know (SPARQLWrapper's output= and results=, caches' timestamps) are
    ignored, as the protocol's clients expect."""
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
    for name in ("default-graph-uri", "named-graph-uri"):
        if any(v.strip() for v in args.get(name, []) + form.get(name, [])):  # empty ones ask for nothing
            raise ProtocolError(
                400,
                f"the {name} parameter is not supported: the default graph is the union of the KG's graphs;"
                " use GRAPH <...> in the query to pick one",
            )
    formats = tuple(v for v in args.get("format", []) + form.get("format", []) if v.strip())
    if not queries:
        return ProtocolRequest(None, formats)
    query = queries[0]
    if not query.strip():
        raise ProtocolError(400, "the query is empty")
    if looks_like_update(query):
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    return ProtocolRequest(query, formats)


def format_by_name(name: str, kind: str) -> ResultFormat | None:
    """A format named by our name, a common alias or a media type; None when the name is unknown.
    FormatError when it is known but does not fit the result kind."""
    key = name.strip().lower()
    key = FORMAT_NAME_ALIASES.get(key, key)
    if "/" in key:
        by_media = {f.media_type: f.name for f in FORMATS.values()} | MEDIA_ALIASES
        key = by_media.get(key.split(";")[0].strip(), "")
        if not key:
            return None
    if key not in FORMATS:
        return None
    return find_format(key, kind)


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


def service_description(
    endpoint_url: str, graph_sizes: dict[str, int] | None = None, timeout: float | None = None
) -> Graph:
    """A SPARQL 1.1 Service Description of the endpoint: language, result formats, the union
    default graph and the named graphs behind it, and the limits a client should know about."""
    g = bind_prefixes(Graph())
    for prefix, ns in (("sd", SD), ("formats", W3C_FORMATS), ("void", VOID)):
        g.bind(prefix, ns, override=True, replace=True)
    service = URIRef(endpoint_url)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, DCTERMS.title, Literal("LBP-KG SPARQL endpoint")))
    limit = f" Queries stop after {timeout:g} seconds." if timeout else ""
    g.add((service, RDFS.comment, Literal(
        "Read-only SPARQL 1.1 Query over the LBP-KG knowledge graph (for education, not medical advice)."
        " SPARQL Update and SERVICE are refused." + limit
    )))
    for iri in FORMAT_IRIS.values():
        g.add((service, SD.resultFormat, iri))
    dataset, default = BNode(), BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("The union of the asserted and the inferred graph.")))
    sizes = graph_sizes or {}
    if sizes:
        g.add((default, VOID.triples, Literal(sum(sizes.values()), datatype=XSD.integer)))
    comments = {str(ASSERTED_GRAPH): "The asserted ontology.", str(INFERRED_GRAPH): "The reasoner's relation graph."}
    for name, comment in comments.items():
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, RDFS.comment, Literal(comment)))
        if name in sizes:
            g.add((graph, VOID.triples, Literal(sizes[name], datatype=XSD.integer)))
    return g
