"""Counts of the graph's four areas, for the home page and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from kg.namespaces import LBP
from kg.query.library import get_query, render
from kg.results import Term
from kg.store import Store

AREAS: dict[str, str] = {
    "anatomy": "AnatomicalEntity",
    "causes": "Disorder",
    "mechanisms": "PathophysiologicalMechanism",
    "interventions": "Intervention",
}

COUNT = "pages/area-size"


@dataclass(frozen=True)
class AreaCount:
    key: str
    label: str
    root: str
    count: int


def area_counts(store: Store) -> list[AreaCount]:
    """Number of classes under each area's upper class (the inferred hierarchy is complete)."""
    out = []
    for key, root in AREAS.items():
        rendered = render(get_query(COUNT), {"root": Term.uri(str(LBP[root]))})
        result = store.query(rendered.sparql, bindings=rendered.bindings)
        out.append(AreaCount(key, key.capitalize(), root, int(result.rows[0]["n"].value)))
    return out
