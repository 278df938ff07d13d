"""A term's neighbourhood as nodes and edges: what the graph view draws and the JSON API returns.

Built on the graph snapshot (kg.views.graphdata), so it costs no query per step. Edges keep their kind
(asserted by curators, inferred by the reasoner, or a sourced association with evidence), and two
terms joined by several relations get several edges. The upper classes (anatomical entity,
disorder, ...) are too general to help and are left out, except as a node's type.
"""

from __future__ import annotations

from typing import Any

from kg.namespaces import LBP
from kg.serialize import compact
from kg.store import Store
from kg.views.evidence import as_json
from kg.views.graphdata import SUBCLASS, UPPER, Edge, GraphData, graph_data

MAX_NODES = 80
# Upper class -> the node type shown in the legend (first match wins, most specific first).
NODE_TYPES: tuple[tuple[str, str], ...] = (
    ("AnatomicalEntity", "anatomy"),
    ("PathophysiologicalMechanism", "mechanism"),
    ("Disorder", "disorder"),
    ("ClinicalFinding", "finding"),
    ("RiskFactor", "risk factor"),
    ("Intervention", "intervention"),
    ("MechanismOfAction", "mechanism of action"),
    ("TherapeuticAgent", "agent"),
    ("Outcome", "outcome"),
    ("AdverseEvent", "adverse event"),
    ("Invasiveness", "invasiveness"),
)


def node_type(data: GraphData, iri: str) -> str:
    """The area a term belongs to, by its reasoned ancestors; 'other' when none fits."""
    ancestors = data.ancestors.get(iri, set()) | {iri}
    for local, name in NODE_TYPES:
        if str(LBP[local]) in ancestors:
            return name
    return "other"


def relation_label(data: GraphData, relation: str) -> str:
    """An edge's relation in words, read from its source to its target (the ontology's phrase)."""
    return data.phrase(relation)


def _node(data: GraphData, iri: str) -> dict[str, Any]:
    return {"id": iri, "label": data.label(iri), "curie": compact(iri), "type": node_type(data, iri),
            "deprecated": iri in data.deprecated}


def _edges_of(data: GraphData, iri: str) -> list[Edge]:
    """Relations out of and into a term, is-a links to its direct parents and children, without
    upper classes and without an inferred copy of a triple that is also an association."""
    found: dict[tuple[str, str, str], Edge] = {}
    for edge in [*data.out_edges.get(iri, []), *data.in_edges.get(iri, [])]:
        if edge.source in UPPER or edge.target in UPPER:
            continue
        key = (edge.source, edge.relation, edge.target)
        if key not in found or found[key].kind == "inferred":
            found[key] = edge
    for parent in data.direct_parents(iri):
        if parent not in UPPER:
            kind = "asserted" if parent in data.asserted_parents.get(iri, set()) else "inferred"
            found[(iri, SUBCLASS, parent)] = Edge(iri, SUBCLASS, parent, kind)
    for child in data.children(iri):
        kind = "asserted" if iri in data.asserted_parents.get(child, set()) else "inferred"
        found[(child, SUBCLASS, iri)] = Edge(child, SUBCLASS, iri, kind)
    return list(found.values())


def neighbourhood(store: Store, iri: str, depth: int = 1, max_nodes: int = MAX_NODES) -> dict[str, Any] | None:
    """Nodes and edges within `depth` steps of a term (None for an unknown term). Each edge has its
    relation (IRI and label), kind asserted|inferred|association, evidence and sources."""
    data = graph_data(store)
    if iri not in data.labels and iri not in data.out_edges and iri not in data.in_edges:
        return None
    depth = max(1, min(depth, 3))
    nodes: dict[str, dict[str, Any]] = {iri: _node(data, iri)}
    edges: dict[str, dict[str, Any]] = {}
    frontier, truncated = [iri], False
    for _ in range(depth):
        following: list[str] = []
        for current in frontier:
            for edge in sorted(_edges_of(data, current), key=lambda e: (e.relation, e.source, e.target)):
                other = edge.target if edge.source == current else edge.source
                if other not in nodes:
                    if len(nodes) >= max_nodes:
                        truncated = True
                        continue
                    nodes[other] = _node(data, other)
                    following.append(other)
                key = f"{edge.source}|{edge.relation}|{edge.target}"
                edges.setdefault(key, {
                    "id": key,
                    "source": edge.source,
                    "target": edge.target,
                    "relation": edge.relation,
                    "relation_label": relation_label(data, edge.relation),
                    "kind": edge.kind,
                    "evidence": as_json(edge.evidence, data.label) if edge.evidence else None,
                    "sources": [data.label(s) for s in edge.sources],
                })
        frontier = following
    # Edges among the nodes found that the walk did not pass (e.g. between two neighbours).
    for node_iri in list(nodes):
        for edge in _edges_of(data, node_iri):
            key = f"{edge.source}|{edge.relation}|{edge.target}"
            if key not in edges and edge.source in nodes and edge.target in nodes:
                edges[key] = {
                    "id": key, "source": edge.source, "target": edge.target, "relation": edge.relation,
                    "relation_label": relation_label(data, edge.relation), "kind": edge.kind,
                    "evidence": as_json(edge.evidence, data.label) if edge.evidence else None,
                    "sources": [data.label(s) for s in edge.sources],
                }
    return {
        "center": iri,
        "depth": depth,
        "truncated": truncated,
        "nodes": list(nodes.values()),
        "edges": list(edges.values()),
    }
