"""The imports module: every external term LBP-KG maps to, declared with its label (and, where
curated, its parent), so the ontology opens in Protégé with external terms labelled and its
owl:imports resolves offline through the release's catalog-v001.xml."""

from __future__ import annotations

import csv
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import Problem, SourceError
from kg.build.mappings import MappingTable
from kg.namespaces import LBP, bind_prefixes
from kg.release_files import CATALOG as CATALOG_FILE
from kg.release_files import IMPORTS_OWL, ONTOLOGY_OWL

IMPORTS_FILE = IMPORTS_OWL
IMPORTS_IRI = LBP[IMPORTS_OWL]
PARENTS_COLUMNS = ("id", "label", "parent_id", "parent_label", "verified_in")

CATALOG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
    <uri name="{iri}" uri="{file}"/>
</catalog>
"""


def load_parents(path: Path) -> dict[str, tuple[str, str]]:
    """external CURIE -> (parent CURIE, parent label), from the curated TSV beside the mappings."""
    if not path.exists():
        return {}
    parents: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        missing = [c for c in PARENTS_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError([Problem(str(path), 1, None, f"missing columns: {', '.join(missing)}")])
        for row in reader:
            if row["id"] and row["parent_id"]:
                parents[row["id"].strip()] = (row["parent_id"].strip(), row["parent_label"].strip())
    return parents


def imports_module(table: MappingTable, version_iri: str, parents: dict[str, tuple[str, str]]) -> Graph:
    """One owl:Class per mapped external term, labelled as its own ontology labels it."""
    graph = bind_prefixes(Graph())
    graph.add((IMPORTS_IRI, RDF.type, OWL.Ontology))
    graph.add((IMPORTS_IRI, OWL.versionIRI, URIRef(version_iri.replace(ONTOLOGY_OWL, IMPORTS_FILE))))
    graph.add((IMPORTS_IRI, RDFS.comment, Literal(
        "External terms that LBP-KG maps to, each declared with the label its own ontology gives it and, "
        "where curated, placed under one direct parent from that ontology. Its only logical axioms are "
        "these subclass axioms between external classes, as their ontologies state them; it names no "
        "LBP-KG term, and LBP-KG's mappings to these terms are annotation assertions, so importing it "
        "entails nothing about LBP-KG's own classes.", lang="en")))
    for row in table.mappings:
        term = URIRef(table.expand(row.object_id))
        # lbp relations (lowerCamelCase) map to relations; classes to classes.
        is_relation = row.subject_id.split(":", 1)[1][:1].islower()
        graph.add((term, RDF.type, OWL.ObjectProperty if is_relation else OWL.Class))
        if row.object_label:
            graph.add((term, RDFS.label, Literal(row.object_label)))
        if row.object_id in parents:
            parent_id, parent_label = parents[row.object_id]
            parent = URIRef(table.expand(parent_id))
            graph.add((term, RDFS.subClassOf, parent))
            graph.add((parent, RDF.type, OWL.Class))
            graph.add((parent, RDFS.label, Literal(parent_label)))
    return graph


def write_catalog(folder: Path) -> None:
    """catalog-v001.xml: Protégé's way to resolve owl:imports to a local file."""
    (folder / CATALOG_FILE).write_text(CATALOG.format(iri=IMPORTS_IRI, file=IMPORTS_FILE), encoding="utf-8")
