"""For educators: interventions side by side.

The comparison reads the snapshot (kg.views.graphdata): structural facts (target, mechanism of action,
invasiveness, agent) come from the relation graph, most specific filler only, and where the
intervention states none, those of its kinds, marked so (radiofrequency ablation targets what its
kinds target); clinical facts (used for, no benefit, recommendations, contraindications, benefits,
risks, alternatives) are sourced associations, each shown with its evidence and caveats. What is
stated for the intervention itself fills the table; what is stated only for a more general
intervention is kept apart (`inherited`), never mixed into the columns. A use that a
contraindication, a recommendation against or a no-benefit finding contradicts is marked so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.namespaces import LBP
from kg.store import Store
from kg.views.evidence import SUPPORTING, Evidence, in_words
from kg.views.graphdata import UPPER, Edge, GraphData, graph_data
from kg.views.safety import blockers

STRUCTURAL = (("targets", "targets"), ("hasMechanismOfAction", "mechanism of action"),
              ("hasInvasiveness", "invasiveness"), ("usesAgent", "uses"))
CLINICAL = (("usedFor", "used for"), ("recommendedFor", "recommended for"),
            ("notRecommendedFor", "not recommended for"), ("noBenefitFor", "no benefit shown for"),
            ("contraindicatedIn", "contraindicated in"), ("hasBenefit", "benefits"), ("hasRisk", "risks"),
            ("alternativeTo", "alternatives"), ("diagnosticBlockFor", "diagnostic block for"),
            ("componentOfCare", "a component of"), ("testFor", "a test for"), ("indicatedIn", "indicated in"))
ASPECTS = tuple(label for _, label in STRUCTURAL + CLINICAL)


@dataclass(frozen=True)
class Fact:
    iri: str
    label: str
    evidence: Evidence | None = None
    sources: tuple[str, ...] = ()  # labels
    via: str | None = None  # label of the intervention the fact is stated for, when not this one
    contradicted_by: tuple[str, ...] = ()  # for a use: the statements against it, in words


@dataclass
class InterventionCard:
    iri: str
    label: str
    aspects: dict[str, list[Fact]] = field(default_factory=dict)  # stated for this intervention
    kinds: dict[str, list[Fact]] = field(default_factory=dict)  # structural facts of its kinds, where it has none
    inherited: dict[str, list[Fact]] = field(default_factory=dict)  # stated for a more general intervention

    @property
    def local(self) -> str:
        return self.iri[len(str(LBP)):]


def is_intervention(data: GraphData, iri: str) -> bool:
    return str(LBP.Intervention) in data.ancestors.get(iri, set())


def interventions(store: Store) -> list[tuple[str, str]]:
    """(iri, label) of every intervention, for the comparison form."""
    data = graph_data(store)
    found = [i for i in data.descendants(str(LBP.Intervention)) if i not in data.deprecated]
    return sorted(((i, data.label(i)) for i in found), key=lambda x: x[1].lower())


def _most_specific(data: GraphData, iris: set[str]) -> set[str]:
    """Drop a filler when a more specific one is also there (the reasoner's generalisations)."""
    return {i for i in iris if not any(i in data.ancestors.get(j, set()) for j in iris if j != i)}


def card(store: Store, iri: str) -> InterventionCard:
    data = graph_data(store)
    out = InterventionCard(iri, data.label(iri))
    for local, label in STRUCTURAL:
        rel = str(LBP[local])
        fillers = {e.target for e in data.out_edges.get(iri, []) if e.relation == rel and e.target not in UPPER}
        out.aspects[label] = sorted((Fact(f, data.label(f)) for f in _most_specific(data, fillers)),
                                    key=lambda f: f.label.lower())
        if not fillers:
            out.kinds[label] = sorted(
                (Fact(e.target, data.label(e.target), via=data.label(kind))
                 for kind in data.children(iri) - data.deprecated
                 for e in data.out_edges.get(kind, [])
                 if e.relation == rel and e.kind == "asserted" and e.target not in UPPER),
                key=lambda f: (f.label.lower(), f.via or ""))
    general = sorted(data.ancestors.get(iri, set()) - UPPER, key=data.label)
    for local, label in CLINICAL:
        rel = str(LBP[local])
        own = [e for e in data.out_edges.get(iri, []) if e.relation == rel and e.kind == "association"]
        out.aspects[label] = sorted((_clinical_fact(data, iri, e, None) for e in own), key=lambda f: f.label.lower())
        stated = {e.target for e in own}
        inherited: list[Fact] = []
        for holder in general:
            found = [e for e in data.out_edges.get(holder, [])
                     if e.relation == rel and e.kind == "association" and e.target not in stated]
            inherited += [_clinical_fact(data, iri, e, data.label(holder)) for e in found]
            stated |= {e.target for e in found}
        out.inherited[label] = sorted(inherited, key=lambda f: f.label.lower())
    return out


def _clinical_fact(data: GraphData, iri: str, edge: Edge, via: str | None) -> Fact:
    against = against_in_words(data, iri, edge.target) if edge.relation in SUPPORTING else ()
    return Fact(edge.target, data.label(edge.target), edge.evidence, tuple(data.label(s) for s in edge.sources),
                via, against)


def against_in_words(data: GraphData, iri: str, condition: str) -> tuple[str, ...]:
    """The statements that contradict using the intervention for the condition, in words."""
    words = set()
    for edge in blockers(data, iri, condition):
        via = "" if edge.source == iri else f" (stated for {data.label(edge.source)})"
        evidence = f": {in_words(edge.evidence, data.label)}" if edge.evidence else ""
        words.add(f"{data.phrase(edge.relation)} {data.label(edge.target)}{via}{evidence}")
    return tuple(sorted(words))


def compare(store: Store, iris: list[str]) -> list[InterventionCard]:
    """One card per intervention, in the order given."""
    return [card(store, i) for i in iris]
