"""The one table of the files a release holds: name, format, the named graph a store loads it
into, media type, and what it is for. The build writes from it, stores load from it, the diff
and the reasoner read their file from it, and the downloads page and manifest list it."""

from __future__ import annotations

from dataclasses import dataclass

from kg.formats import FORMATS
from kg.namespaces import ASSERTED_GRAPH, EXTERNAL_GRAPH, IMPORTS_GRAPH, INFERRED_GRAPH


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    format: str | None  # a kg.formats name for RDF files; None for the others
    media_type: str
    description: str
    graph: str | None = None  # the named graph a store loads the file into
    required: bool = False  # every release has it (the others come with mappings or --with)

    @property
    def rdflib_format(self) -> str:
        return str(FORMATS[self.format].rdflib) if self.format else ""


def _rdf(name: str, fmt: str, description: str, **kw: object) -> ReleaseFile:
    return ReleaseFile(name, fmt, FORMATS[fmt].media_type, description, **kw)  # type: ignore[arg-type]


RELEASE_FILES: tuple[ReleaseFile, ...] = (
    _rdf("lbp-kg.owl", "rdfxml", "The ontology, OWL in RDF/XML (for Protégé, the OWL API, owlready2, pronto, OAK)",
         required=True),
    _rdf("lbp-kg.ttl", "turtle", "The ontology in Turtle", required=True),
    _rdf("lbp-kg.jsonld", "jsonld", "The ontology in JSON-LD", required=True),
    _rdf("lbp-kg.nt", "ntriples", "The ontology in N-Triples", graph=str(ASSERTED_GRAPH), required=True),
    _rdf("lbp-kg-inferred.ttl", "turtle", "The relation graph: every entailed class-to-class edge (Turtle)",
         required=True),
    _rdf("lbp-kg-inferred.nt", "ntriples", "The relation graph (N-Triples)", graph=str(INFERRED_GRAPH),
         required=True),
    _rdf("lbp-kg-imports.owl", "rdfxml",
         "The imports module: the external classes the mappings name, with labels (OWL, RDF/XML)"),
    _rdf("lbp-kg-imports.nt", "ntriples", "The imports module (N-Triples)", graph=str(IMPORTS_GRAPH)),
    ReleaseFile("catalog-v001.xml", None, "application/xml",
                "XML catalog resolving the owl:imports of lbp-kg.owl to the local imports module (Protégé)"),
    ReleaseFile("lbp-kg.sssom.tsv", None, "text/tab-separated-values", "Mappings to other vocabularies, SSSOM TSV"),
    ReleaseFile("lbp-kg.sssom.json", None, "application/json", "Mappings to other vocabularies, SSSOM JSON"),
    _rdf("lbp-kg-external.nt", "ntriples", "External ontologies released beside the KG (N-Triples)",
         graph=str(EXTERNAL_GRAPH)),
    _rdf("context.jsonld", "jsonld", "The JSON-LD context of the namespace", required=True),
    ReleaseFile("manifest.json", None, "application/json", "Version, counts and SHA-256 of every file",
                required=True),
)
BY_NAME: dict[str, ReleaseFile] = {f.name: f for f in RELEASE_FILES}

# Names the code refers to (each also a row above).
ONTOLOGY_OWL = "lbp-kg.owl"
ONTOLOGY_NT = "lbp-kg.nt"
INFERRED_NT = "lbp-kg-inferred.nt"
IMPORTS_OWL = "lbp-kg-imports.owl"
IMPORTS_NT = "lbp-kg-imports.nt"
EXTERNAL_NT = "lbp-kg-external.nt"
CATALOG = "catalog-v001.xml"
CONTEXT = "context.jsonld"
MANIFEST = "manifest.json"
SSSOM_STEM = "lbp-kg.sssom"

# The asserted graph is written in these files, the relation graph in these.
ASSERTED_FILES = ("lbp-kg.owl", "lbp-kg.ttl", "lbp-kg.nt", "lbp-kg.jsonld")
INFERRED_FILES = ("lbp-kg-inferred.ttl", "lbp-kg-inferred.nt")


def store_graphs(required: bool) -> dict[str, str]:
    """Release file -> named graph, for the files every release has (True) or the optional ones."""
    return {f.name: f.graph for f in RELEASE_FILES if f.graph and f.required == required}
