"""The graph's areas, for the home page, the area and tree pages, the API and the CLI.

An area is a top-level class of the namespace: one with no superclass in LBP-KG. They are read
from the graph, so every class sits in at least one area and a new upper class becomes an area on
its own. FRIENDLY only gives the usual ones a shorter address and name ("/area/causes" for
lbp:Disorder); any other top-level class gets an address made from its label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.namespaces import LBP
from kg.store import Store
from kg.views.graphdata import GraphData, graph_data

# root local name -> (key in URLs, heading); order of the home page. Presentation only.
FRIENDLY: dict[str, tuple[str, str]] = {
    "AnatomicalEntity": ("anatomy", "Anatomy"),
    "Disorder": ("causes", "Causes"),
    "PathophysiologicalMechanism": ("mechanisms", "Mechanisms"),
    "Intervention": ("interventions", "Interventions"),
    "ClinicalFinding": ("findings", "Findings"),
    "RiskFactor": ("risk-factors", "Risk factors"),
    "Outcome": ("outcomes", "Outcomes"),
    "AdverseEvent": ("adverse-events", "Adverse events"),
    "TherapeuticAgent": ("agents", "Agents and devices"),
    "MechanismOfAction": ("mechanisms-of-action", "Mechanisms of action"),
}


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    root: str  # local name of the upper class
    count: int  # classes under it (the upper class itself not counted)

    @property
    def iri(self) -> str:
        return str(LBP[self.root])


# Kept for callers that want the count under its old name.
AreaCount = Area


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "area"


def top_classes(data: GraphData) -> list[str]:
    """The classes of the namespace with no superclass in it (deprecated ones left out)."""
    ns = str(LBP)
    return [c for c in data.classes
            if c.startswith(ns) and c not in data.deprecated
            and not any(a != c and a.startswith(ns) for a in data.ancestors.get(c, ()))]


def graph_areas(data: GraphData) -> list[Area]:
    ns = str(LBP)
    order = list(FRIENDLY)
    out = []
    for root in top_classes(data):
        local = root[len(ns):]
        count = len([d for d in data.descendants(root) if d != root and d not in data.deprecated])
        key, label = FRIENDLY.get(local, (_slug(data.label(root)), data.label(root)[:1].upper() + data.label(root)[1:]))
        out.append(Area(key, label, local, count))
    out.sort(key=lambda a: (order.index(a.root) if a.root in FRIENDLY else len(order), a.label.lower()))
    return out


def areas(store: Store) -> list[Area]:
    """Every area, the usual ones first."""
    return graph_areas(graph_data(store))


def area_by_key(store: Store, key: str) -> Area | None:
    return next((a for a in areas(store) if a.key == key), None)


def area_counts(store: Store) -> list[Area]:
    """Number of classes under each area's upper class (the inferred hierarchy is complete)."""
    return areas(store)
