"""What stops a page from suggesting an intervention for a condition.

A page may suggest an intervention for a condition only where nothing in the graph says not to:
no contraindication, no guideline recommendation against it, no evidence that it does no good or
harms, stated for the intervention or any more general intervention, and for the condition or any
more general condition (a "do not offer spinal injections for low back pain" covers facet joint
injection for facet joint pain). Every page that suggests (the tour; the comparison's "used for")
asks here, and the tests ask here over the whole graph.
"""

from __future__ import annotations

from kg.views.evidence import CONTRAINDICATED, OPPOSING, SUPPORTING
from kg.views.graphdata import UPPER, Edge, GraphData


def lineage(data: GraphData, iri: str) -> set[str]:
    """The term and every named ancestor below the upper classes."""
    return {iri} | (data.ancestors.get(iri, set()) - UPPER)


def blockers(data: GraphData, intervention: str, condition: str) -> list[Edge]:
    """The contraindications, recommendations against, and no-benefit or harm findings that hold for
    the pair, through the hierarchy on both sides (each stated for some lineage member of each)."""
    conditions = lineage(data, condition)
    found = []
    for holder in lineage(data, intervention):
        for edge in data.out_edges.get(holder, []):
            if edge.kind != "association" or edge.target not in conditions:
                continue
            if edge.relation == CONTRAINDICATED or edge.relation in OPPOSING:
                found.append(edge)
    return found


def supporting(data: GraphData, intervention: str, condition: str) -> list[Edge]:
    """Direct, sourced statements of use or recommendation for exactly this pair."""
    return [e for e in data.out_edges.get(intervention, [])
            if e.kind == "association" and e.relation in SUPPORTING and e.target == condition]
