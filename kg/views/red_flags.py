"""The red-flag teaching page: what must not be missed in a person with back pain or sciatica.

For each red-flag condition: how soon a suspected case must be assessed and who says so; its
warning signs, each with what the cited source reports of its predictive value; the conditions
that may lead to it; the investigations indicated in it, or that test for it; what can mimic it.
Then each warning sign with the conditions it points to. Everything comes from the graph data
(statements with their evidence), so the page shows each statement with its caveats and sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.namespaces import LBP
from kg.store import Store
from kg.views.evidence import Evidence
from kg.views.graphdata import GraphData, graph_data

DISORDER = str(LBP.Disorder)
HAS_WARNING_SIGN = str(LBP.hasWarningSign)
MAY_CAUSE = str(LBP.mayCause)
INVESTIGATIONS = (str(LBP.indicatedIn), str(LBP.testFor))
MIMICS = str(LBP.mimics)


@dataclass(frozen=True)
class Item:
    """A term linked from a red-flag condition, with the statement's relation and evidence."""

    iri: str
    label: str
    relation: str = ""
    evidence: Evidence | None = None


@dataclass
class RedFlagCondition:
    iri: str
    label: str
    urgency: str | None
    urgency_sources: list[str]
    warning_signs: list[Item] = field(default_factory=list)
    led_to_by: list[Item] = field(default_factory=list)
    investigations: list[Item] = field(default_factory=list)
    mimicked_by: list[Item] = field(default_factory=list)
    kinds: list[Item] = field(default_factory=list)  # its red-flag subclasses
    kind_of: list[Item] = field(default_factory=list)  # its nearest red-flag superclasses


@dataclass
class RedFlagPage:
    conditions: list[RedFlagCondition]
    signs: list[tuple[Item, list[Item]]]  # a warning sign and the conditions it points to


def _strength(item: Item) -> tuple[float, str]:
    """Signs with a reported positive likelihood ratio first, the highest first; then by name."""
    lr = item.evidence.positive_likelihood_ratio if item.evidence else None
    return (-float(lr) if lr is not None else 0.0, item.label.lower())


def _items(data: GraphData, edges, other_end: str) -> list[Item]:  # type: ignore[no-untyped-def]
    out = []
    for e in edges:
        iri = e.target if other_end == "target" else e.source
        out.append(Item(iri, data.label(iri), e.relation, e.evidence))
    return sorted(out, key=_strength)


def red_flag_page(store: Store) -> RedFlagPage:
    data = graph_data(store)
    disorders = {c for c in data.red_flags if DISORDER in data.ancestors.get(c, set())}
    conditions: dict[str, RedFlagCondition] = {}
    for iri in disorders:
        out, into = data.out_edges.get(iri, []), data.in_edges.get(iri, [])
        conditions[iri] = RedFlagCondition(
            iri, data.label(iri),
            data.urgency.get(iri), sorted(data.urgency_sources.get(iri, set())),
            warning_signs=_items(data, [e for e in out if e.relation == HAS_WARNING_SIGN], "target"),
            led_to_by=_items(data, [e for e in into if e.relation == MAY_CAUSE and e.kind == "association"],
                             "source"),
            investigations=_items(data, [e for e in into if e.relation in INVESTIGATIONS], "source"),
            mimicked_by=_items(data, [e for e in into if e.relation == MIMICS], "source"),
        )
    # Kinds: each condition lists its red-flag subclasses and names its nearest red-flag parent.
    for iri, cond in conditions.items():
        parents = [p for p in data.ancestors.get(iri, set()) if p in conditions]
        nearest = [p for p in parents if not any(p in data.ancestors.get(q, set()) for q in parents if q != p)]
        for p in nearest:
            conditions[p].kinds.append(Item(iri, cond.label))
        cond.kind_of = sorted((Item(p, data.label(p)) for p in nearest), key=lambda i: i.label.lower())
    for cond in conditions.values():
        cond.kinds.sort(key=lambda i: i.label.lower())
    rank = {str(LBP["urgency-emergency"]): 0, str(LBP["urgency-urgent"]): 1}
    ordered = sorted(conditions.values(), key=lambda c: (rank.get(c.urgency or "", 2), c.label.lower()))
    signs: dict[str, list[Item]] = {}
    for cond in ordered:
        for sign in cond.warning_signs:
            signs.setdefault(sign.iri, []).append(Item(cond.iri, cond.label, HAS_WARNING_SIGN, sign.evidence))
    sign_list = [(Item(s, data.label(s)), sorted(cs, key=lambda i: i.label.lower())) for s, cs in signs.items()]
    sign_list.sort(key=lambda pair: pair[0].label.lower())
    return RedFlagPage(ordered, sign_list)
