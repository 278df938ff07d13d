"""For educators: interventions side by side, and a tour from a cause to its mechanisms to the
interventions that act there.

The comparison reads the snapshot (kg.views.graphdata): structural facts (target, mechanism of action,
invasiveness, agent) come from the relation graph, most specific filler only; clinical facts (used
for, no benefit, recommendations, contraindications, benefits, risks, alternatives) are sourced
associations, each shown with its evidence and caveats: what is stated for the intervention itself
first, then what is stated for a more general intervention ("via ..."). A use that a
contraindication, a recommendation against or a no-benefit finding contradicts is marked so.
The tour reasons from mechanisms, which is a hypothesis to teach from, not a recommendation: it
never names an intervention that the graph says not to use for the cause (kg.views.safety).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.namespaces import LBP
from kg.query.library import get_query
from kg.store import Store
from kg.views.evidence import SUPPORTING, Evidence, in_words
from kg.views.graphdata import UPPER, GraphData, graph_data
from kg.views.safety import blockers, supporting

TOUR_QUERY = "chains/cause-mechanism-intervention"

STRUCTURAL = (("targets", "targets"), ("hasMechanismOfAction", "mechanism of action"),
              ("hasInvasiveness", "invasiveness"), ("usesAgent", "uses"))
CLINICAL = (("usedFor", "used for"), ("recommendedFor", "recommended for"),
            ("notRecommendedFor", "not recommended for"), ("noBenefitFor", "no benefit shown for"),
            ("contraindicatedIn", "contraindicated in"), ("hasBenefit", "benefits"), ("hasRisk", "risks"),
            ("alternativeTo", "alternatives"), ("diagnosticBlockFor", "diagnostic block for"),
            ("componentOfCare", "part of the care for"))
ASPECTS = tuple(label for _, label in STRUCTURAL + CLINICAL)


@dataclass(frozen=True)
class Fact:
    iri: str
    label: str
    evidence: Evidence | None = None
    sources: tuple[str, ...] = ()  # labels
    via: str | None = None  # label of the more general intervention the fact is stated for
    contradicted_by: tuple[str, ...] = ()  # for a use: the statements against it, in words


@dataclass
class InterventionCard:
    iri: str
    label: str
    aspects: dict[str, list[Fact]] = field(default_factory=dict)

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
    lineage = [iri] + sorted(data.ancestors.get(iri, set()) - UPPER, key=data.label)
    for local, label in CLINICAL:
        rel = str(LBP[local])
        facts: list[Fact] = []
        stated: set[str] = set()
        for holder in lineage:
            # what is stated for the intervention itself hides the same target stated more generally
            found = [e for e in data.out_edges.get(holder, [])
                     if e.relation == rel and e.kind == "association" and e.target not in stated]
            for e in found:
                against = _against(data, iri, e.target) if rel in SUPPORTING else ()
                facts.append(Fact(e.target, data.label(e.target), e.evidence,
                                  tuple(data.label(s) for s in e.sources),
                                  None if holder == iri else data.label(holder), against))
            stated |= {e.target for e in found}
        out.aspects[label] = sorted(facts, key=lambda f: (f.via is not None, f.label.lower()))
    return out


def _against(data: GraphData, iri: str, condition: str) -> tuple[str, ...]:
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


# -- the guided tour ---------------------------------------------------------------------------


URGENT = ("a red-flag condition needs urgent assessment; no source states that this intervention helps it, "
          "so acting on its mechanism is no reason to use it")


@dataclass
class TourStep:
    mechanism: str
    iri: str = ""
    actions: dict[str, list[TourIntervention]] = field(default_factory=dict)  # action -> interventions
    # interventions acting there that the graph says not to use for the cause, with the reasons
    withheld: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TourIntervention:
    """An intervention whose mechanism of action counteracts the cause's mechanism (a hypothesis),
    with what the graph states directly about using it for the cause, if anything."""

    iri: str
    label: str
    evidence: tuple[Fact, ...] = ()


def tour_causes(store: Store) -> list[tuple[str, str]]:
    """Conditions with a mechanism stated for them or a more general condition: where a tour can start."""
    data = graph_data(store)
    mech = {str(LBP.hasMechanism), str(LBP.mayInvolveMechanism)}
    having = {e.source for e in data.edges if e.relation in mech and e.kind != "inferred"}
    disorders = data.descendants(str(LBP.Disorder))
    starts = {d for d in disorders if d in having or data.ancestors.get(d, set()) & having}
    return sorted(((i, data.label(i)) for i in starts if i not in data.deprecated), key=lambda x: x[1].lower())


def tour(store: Store, condition: str) -> list[TourStep]:
    """Mechanisms of the condition (stated for it or a more general condition), the actions that
    counteract them, the interventions acting so. Walks stated edges only: the relation graph also
    generalises every `counteracts` edge up to "pathophysiological mechanism", which would pair
    every mechanism with every action (the library query over the union graph does that)."""
    data = graph_data(store)
    mech_rels = {str(LBP.hasMechanism), str(LBP.mayInvolveMechanism)}
    holders = [condition] + sorted(data.ancestors.get(condition, set()) - UPPER, key=data.label)
    mechanisms = {e.target for h in holders for e in data.out_edges.get(h, [])
                  if e.relation in mech_rels and e.kind != "inferred" and e.target not in UPPER}
    counteracts = [e for e in data.edges if e.relation == str(LBP.counteracts) and e.kind == "asserted"]
    acting = defaultdict(set)
    for e in data.edges:
        if e.relation == str(LBP.hasMechanismOfAction) and e.target not in UPPER:
            acting[e.target].add(e.source)
    # A red-flag cause is never paired with an intervention by mechanism alone (kg.views.safety's rule
    # applies too): only what a source states for it is shown.
    urgent = bool(set(holders) & data.red_flags)
    steps = []
    for mechanism in sorted(mechanisms, key=lambda m: data.label(m).lower()):
        lineage = {mechanism} | (data.ancestors.get(mechanism, set()) - UPPER)
        actions = {e.source for e in counteracts if e.target in lineage}
        step = TourStep(data.label(mechanism), iri=mechanism)
        for action in sorted(actions, key=lambda a: data.label(a).lower()):
            users = []
            for i in sorted(acting.get(action, ()), key=lambda x: data.label(x).lower()):
                if i in data.deprecated:
                    continue
                against = _against(data, i, condition)
                if against:
                    step.withheld[i] = against
                    continue
                direct = tuple(Fact(e.target, data.label(e.target), e.evidence,
                                    tuple(data.label(s) for s in e.sources))
                               for h in holders for e in supporting(data, i, h))
                if urgent and not direct:
                    step.withheld[i] = (URGENT,)
                    continue
                users.append(TourIntervention(i, data.label(i), direct))
            step.actions[data.label(action)] = users
        steps.append(step)
    return steps


def tour_query_text() -> str:
    """The library query that asks the same question, for 'open in the editor'."""
    return get_query(TOUR_QUERY).sparql
