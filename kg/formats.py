"""The one table of the formats LBP-KG reads and writes: result formats (SPARQL JSON, XML, CSV, TSV,
a text table) and RDF formats (Turtle, N-Triples, JSON-LD, RDF/XML), each with its media type,
file extension, the names and media types clients use for it, its rdflib name and its W3C format
IRI. The writers (kg.serialize), the SPARQL protocol (kg.query.endpoint), the term pages' content
negotiation (webui.terms) and the remote store's parsers (kg.store.sparql_store) all read it."""

from __future__ import annotations

from dataclasses import dataclass

W3C_FORMATS = "http://www.w3.org/ns/formats/"
TABULAR = frozenset({"select", "ask"})
GRAPH = frozenset({"graph"})


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    kinds: frozenset[str]  # result kinds it can hold: select/ask (tabular) or graph
    w3c: str | None = None  # local name under http://www.w3.org/ns/formats/
    rdflib: str | None = None  # rdflib's parser and serializer name (RDF formats)
    names: tuple[str, ...] = ()  # other names clients put in `format` (SPARQLWrapper: json-ld, rdf+xml, n3...)
    media_aliases: tuple[str, ...] = ()  # media types clients send that are not the canonical one

    @property
    def w3c_iri(self) -> str | None:
        return W3C_FORMATS + self.w3c if self.w3c else None

    @property
    def is_rdf(self) -> bool:
        return self.kinds == GRAPH


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("table", "text/plain", "txt", TABULAR),
        Format("json", "application/sparql-results+json", "srj", TABULAR, "SPARQL_Results_JSON",
               names=("srj",), media_aliases=("application/json",)),
        Format("xml", "application/sparql-results+xml", "srx", TABULAR, "SPARQL_Results_XML",
               names=("srx",), media_aliases=("application/xml", "text/xml")),
        Format("csv", "text/csv", "csv", TABULAR, "SPARQL_Results_CSV"),
        Format("tsv", "text/tab-separated-values", "tsv", TABULAR, "SPARQL_Results_TSV"),
        Format("turtle", "text/turtle", "ttl", GRAPH, "Turtle", "turtle",
               names=("ttl", "n3"), media_aliases=("application/x-turtle",)),
        Format("ntriples", "application/n-triples", "nt", GRAPH, "N-Triples", "nt",
               names=("nt", "n-triples"), media_aliases=("text/n-triples",)),
        Format("jsonld", "application/ld+json", "jsonld", GRAPH, "JSON-LD", "json-ld",
               names=("json-ld",), media_aliases=("application/json+ld",)),
        Format("rdfxml", "application/rdf+xml", "rdf", GRAPH, "RDF_XML", "xml",
               names=("rdf", "rdf+xml", "rdf/xml", "owl")),
    )
}

# A name asked for a result of the other family -> the format meant (`--format json` on a
# CONSTRUCT means JSON-LD; `--format xml` means RDF/XML).
FAMILY_ALIASES: dict[tuple[str, str], str] = {
    ("graph", "json"): "jsonld",
    ("graph", "xml"): "rdfxml",
    ("graph", "table"): "turtle",
}
DEFAULT_FORMAT: dict[str, str] = {"select": "table", "ask": "table", "graph": "turtle"}
# What an HTTP client gets when its Accept header names nothing we write (e.g. */*).
HTTP_DEFAULT_FORMAT: dict[str, str] = {"select": "json", "ask": "json", "graph": "turtle"}


def name_for(text: str) -> str | None:
    """Our name for a format given by our name, another common name or a media type; None if unknown."""
    key = text.strip().lower()
    for fmt in FORMATS.values():
        if key == fmt.name or key in fmt.names:
            return fmt.name
    return name_for_media_type(key)


def name_for_media_type(media_type: str) -> str | None:
    """Our name for a media type (parameters such as `; charset=utf-8` ignored), or None."""
    media = media_type.split(";")[0].strip().lower()
    for fmt in FORMATS.values():
        if media == fmt.media_type or media in fmt.media_aliases:
            return fmt.name
    return None


def rdf_formats() -> list[Format]:
    """The RDF formats, in table order (for term pages, downloads and remote answers)."""
    return [f for f in FORMATS.values() if f.is_rdf]
