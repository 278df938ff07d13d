"""The namespaces LBP-KG writes, in one place so every module agrees."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD, DefinedNamespace

LBP = Namespace("https://w3id.org/lbp-kg/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OIO = Namespace("http://www.geneontology.org/formats/oboInOwl#")
SH = Namespace("http://www.w3.org/ns/shacl#")

DEFINITION = OBO.IAO_0000115
TERM_REPLACED_BY = OBO.IAO_0100001

ONTOLOGY_IRI = LBP["lbp-kg.owl"]
ASSERTED_GRAPH = LBP["graph/asserted"]
INFERRED_GRAPH = LBP["graph/inferred"]
EXTERNAL_GRAPH = LBP["graph/external"]
IMPORTS_GRAPH = LBP["graph/imports"]

PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "lbp": LBP,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "oboInOwl": OIO,
    "obo": OBO,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes so serialisations are readable."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def version_iri(version: str) -> str:
    """The versionIRI of a release, as the IRI policy in ontology/README.md fixes it."""
    return f"{LBP}releases/{version}/lbp-kg.owl"


def is_iri(text: str) -> bool:
    """Whether text is an absolute IRI every store accepts (RFC 3987, as oxigraph checks it): text
    from a URL that is not one names no term, and is refused before it reaches a query."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True
