"""The guided tour: from a cause to the interventions the literature uses for it, and on to how it
produces pain and how interventions act there.

What the tour suggests comes from direct, sourced statements only (usedFor, recommendedFor), in
this order, each marked with where it is stated: for the cause itself; for a more general condition
(a statement about every sciatica holds for a lumbar radiculopathy); for a more specific form of the
cause (what is stated for lumbar disc herniation, shown on disc herniation as such); and, when none
of these exists, for the conditions the cause may lead to (facet joint arthropathy may cause facet
joint pain, for which...). Where nothing is stated, the tour says so plainly.

Nothing is suggested that the graph says not to do (kg.views.safety: a contraindication, a
recommendation against, a no-benefit finding, for the pair or anything more general), and what is
withheld is listed with the reason. Mechanisms come last, as teaching: that an intervention acts on
a mechanism is a hypothesis, never a suggestion. A red-flag cause gets the urgent warning first and
no mechanism-only interventions at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.namespaces import LBP
from kg.query.library import get_query
from kg.store import Store
from kg.views.compare import Fact, against_in_words
from kg.views.evidence import CONTRAINDICATED, OPPOSING, SUPPORTING
from kg.views.graphdata import UPPER, Edge, GraphData, graph_data
from kg.views.safety import lineage

TOUR_QUERY = "chains/cause-mechanism-intervention"
URGENT = ("a red-flag condition needs urgent assessment; no source states that this intervention helps it, "
          "so acting on its mechanism is no reason to use it")
MECHANISM_RELATIONS = (str(LBP.hasMechanism), str(LBP.mayInvolveMechanism))


@dataclass(frozen=True)
class Suggestion:
    """An intervention with the sourced statements of its use for a condition."""

    iri: str
    label: str
    statements: tuple[Fact, ...]
    stated_for: str  # the condition the statements name
    stated_for_label: str


@dataclass(frozen=True)
class Caution:
    """A statement against an intervention for the cause (or something more general)."""

    iri: str
    label: str
    fact: Fact
    stated_for_label: str


@dataclass
class Route:
    """Suggestions gathered one way (the cause itself, more general, more specific, leads to)."""

    kind: str  # itself | general | specific | leads-to
    heading: str
    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass
class MechanismStep:
    mechanism: str
    iri: str
    actions: dict[str, list[TourIntervention]] = field(default_factory=dict)
    withheld: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TourIntervention:
    """An intervention acting on a mechanism of the cause; `suggested` when the tour already lists
    it from a sourced statement, else a hypothesis only."""

    iri: str
    label: str
    suggested: bool


@dataclass
class Tour:
    cause: str
    label: str
    red_flag: bool
    routes: list[Route] = field(default_factory=list)
    cautions: list[Caution] = field(default_factory=list)
    withheld: dict[str, tuple[str, ...]] = field(default_factory=dict)  # intervention -> reasons
    mechanisms: list[MechanismStep] = field(default_factory=list)
    nothing_stated: str | None = None  # the plain sentence when no route has a suggestion

    @property
    def suggested(self) -> set[str]:
        return {s.iri for r in self.routes for s in r.suggestions}


def tour_causes(store: Store) -> list[tuple[str, str]]:
    """Conditions with a mechanism stated for them or a more general condition: where a tour starts."""
    data = graph_data(store)
    having = {e.source for e in data.edges if e.relation in MECHANISM_RELATIONS and e.kind != "inferred"}
    disorders = data.descendants(str(LBP.Disorder))
    starts = {d for d in disorders if d in having or data.ancestors.get(d, set()) & having}
    return sorted(((i, data.label(i)) for i in starts if i not in data.deprecated), key=lambda x: x[1].lower())


def _fact(data: GraphData, edge: Edge) -> Fact:
    """A statement of use as the tour shows it: the relation (used for, recommended for) with its evidence."""
    return Fact(edge.relation, data.label(edge.relation), edge.evidence, tuple(data.label(s) for s in edge.sources))


def _uses_for(data: GraphData, condition: str) -> dict[str, list[Edge]]:
    """Intervention -> the sourced statements of its use for exactly this condition."""
    found: dict[str, list[Edge]] = defaultdict(list)
    for edge in data.in_edges.get(condition, []):
        if edge.kind == "association" and edge.relation in SUPPORTING and edge.source not in data.deprecated:
            found[edge.source].append(edge)
    return found


def _route(data: GraphData, tour: Tour, kind: str, heading: str, conditions: list[str],
           checked_against: tuple[str, ...]) -> Route:
    """Suggestions stated for `conditions`, each checked for the cause and for what it is stated for."""
    route = Route(kind, heading)
    seen = tour.suggested
    for condition in conditions:
        for intervention, edges in sorted(_uses_for(data, condition).items(), key=lambda x: data.label(x[0]).lower()):
            if intervention in seen:
                continue
            reasons = set()
            for target in {*checked_against, condition}:
                reasons |= set(against_in_words(data, intervention, target))
            if reasons:
                tour.withheld[intervention] = tuple(sorted(set(tour.withheld.get(intervention, ())) | reasons))
                continue
            route.suggestions.append(Suggestion(intervention, data.label(intervention),
                                                tuple(_fact(data, e) for e in edges), condition, data.label(condition)))
            seen.add(intervention)
    return route


def _leads_to(data: GraphData, cause: str) -> list[str]:
    """Conditions the cause (or a more general condition) may cause, by sourced statement."""
    mine = lineage(data, cause)
    targets = {e.target for h in mine for e in data.out_edges.get(h, [])
               if e.kind == "association" and e.relation == str(LBP.mayCause)}
    return sorted(targets - mine - UPPER - data.deprecated, key=lambda t: data.label(t).lower())


def _cautions(data: GraphData, cause: str) -> list[Caution]:
    found = []
    for condition in sorted(lineage(data, cause), key=lambda c: (c != cause, data.label(c).lower())):
        for edge in data.in_edges.get(condition, []):
            if edge.kind == "association" and (edge.relation in OPPOSING or edge.relation == CONTRAINDICATED):
                found.append(Caution(edge.source, data.label(edge.source),
                                     Fact(edge.relation, data.label(edge.relation), edge.evidence,
                                          tuple(data.label(s) for s in edge.sources)),
                                     data.label(condition)))
    return sorted(found, key=lambda c: (c.label.lower(), c.fact.label))


def _mechanisms(data: GraphData, tour: Tour) -> list[MechanismStep]:
    """hasMechanism holds for every subclass, so it is read from the cause's lineage; a "may
    involve" stated for a more general condition is not true of each kind of it (spinal stenosis
    may involve foraminal narrowing; central canal stenosis does not), so only the cause's own."""
    cause = tour.cause
    mechanisms = {e.target for h in lineage(data, cause) for e in data.out_edges.get(h, [])
                  if e.relation == str(LBP.hasMechanism) and e.kind != "inferred" and e.target not in UPPER}
    mechanisms |= {e.target for e in data.out_edges.get(cause, [])
                   if e.relation == str(LBP.mayInvolveMechanism) and e.kind != "inferred" and e.target not in UPPER}
    counteracts = [e for e in data.edges if e.relation == str(LBP.counteracts) and e.kind == "asserted"]
    acting: dict[str, set[str]] = defaultdict(set)
    for e in data.edges:
        if e.relation == str(LBP.hasMechanismOfAction) and e.target not in UPPER:
            acting[e.target].add(e.source)
    suggested = tour.suggested
    steps = []
    for mechanism in sorted(mechanisms, key=lambda m: data.label(m).lower()):
        step = MechanismStep(data.label(mechanism), mechanism)
        mech_lineage = {mechanism} | (data.ancestors.get(mechanism, set()) - UPPER)
        for action in sorted({e.source for e in counteracts if e.target in mech_lineage},
                             key=lambda a: data.label(a).lower()):
            users = []
            for i in sorted(acting.get(action, ()), key=lambda x: data.label(x).lower()):
                if i in data.deprecated:
                    continue
                against = against_in_words(data, i, cause)
                if against:
                    step.withheld[i] = against
                elif i not in suggested and tour.red_flag:
                    step.withheld[i] = (URGENT,)
                else:
                    users.append(TourIntervention(i, data.label(i), i in suggested))
            step.actions[data.label(action)] = users
        steps.append(step)
    return steps


def tour(store: Store, cause: str) -> Tour:
    data = graph_data(store)
    label = data.label(cause)
    red_flag = bool(lineage(data, cause) & data.red_flags)
    out = Tour(cause, label, red_flag)
    general = sorted(lineage(data, cause) - {cause}, key=lambda c: data.label(c).lower())
    specific = sorted(data.descendants(cause) - data.deprecated, key=lambda c: data.label(c).lower())
    out.routes.append(_route(data, out, "itself", f"Stated for {label}", [cause], (cause,)))
    out.routes.append(_route(data, out, "general", "Stated for a more general condition", general, (cause,)))
    if not out.suggested:
        out.routes.append(_route(data, out, "specific", f"Stated for a more specific form of {label}",
                                 specific, (cause,)))
    if not out.suggested:
        for target in _leads_to(data, cause):
            out.routes.append(_route(data, out, "leads-to", f"{label} may lead to {data.label(target)}; for that",
                                     [target], (cause, target)))
    out.routes = [r for r in out.routes if r.suggestions]
    out.cautions = _cautions(data, cause)
    if not out.routes:
        out.nothing_stated = (f"No intervention in LBP-KG has a sourced statement of use for {label}, for a more "
                              f"general or more specific condition, or for a condition it may lead to.")
    out.mechanisms = _mechanisms(data, out)
    return out


def tour_query_text() -> str:
    """The library query that asks the mechanism question, for 'open in the editor'."""
    return get_query(TOUR_QUERY).sparql
