"""A read-only snapshot of the graph's labels, synonyms, hierarchy and edges, loaded once per store.

Search, the hierarchy tree, neighbourhoods and paths all walk the whole (small) graph; asking the
store once and keeping plain Python data is faster and simpler than a query per step. The snapshot
is built from SPARQL only, so it works over every store backend.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kg.namespaces import LBP
from kg.query.library import get_query, render
from kg.results import Term
from kg.store import Store
from kg.views.evidence import Evidence, statements_from_rows

# The snapshot's queries (queries/pages/), each reading the whole graph once.
LABELS = "pages/labels"  # every label, with class and obsolete flags
SYNONYMS = "pages/synonyms"
HIERARCHY = "pages/hierarchy"  # the reasoned closure, and which pairs curators asserted
RELATION_EDGES = "pages/relation-edges"  # class-to-class edges of the relation graph
RESTRICTIONS = "pages/restrictions"  # the restrictions curators wrote: those edges are `asserted`
PHRASES = "pages/relation-phrases"  # how each relation reads, both ways (lbp:phrase, lbp:inversePhrase)

# Upper classes: too general to make a path or a neighbourhood meaningful.
UPPER = frozenset(
    str(LBP[n])
    for n in (
        "AnatomicalEntity", "Disorder", "PathophysiologicalMechanism", "ClinicalFinding", "RiskFactor",
        "Intervention", "MechanismOfAction", "TherapeuticAgent", "Invasiveness", "Outcome",
        "AdverseEvent", "InformationEntity", "SourceDocument", "EvidenceLevel", "CertaintyLevel", "Claim",
        "AssessmentInstrument",
        "Recommendation",
    )
)

SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
# is-a reads so both ways; rdfs:subClassOf is OWL's own vocabulary, which the ontology does not annotate.
IS_A_PHRASES = ("is a kind of", "includes")


@dataclass(frozen=True)
class Edge:
    """One class-to-class statement: relation IRI, kind asserted|inferred|association; an
    association carries its evidence (two sources that disagree make two edges)."""

    source: str
    relation: str
    target: str
    kind: str
    evidence: Evidence | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return self.evidence.sources if self.evidence else ()


@dataclass
class GraphData:
    labels: dict[str, str] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    deprecated: set[str] = field(default_factory=set)
    synonyms: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    ancestors: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    asserted_parents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    edges: list[Edge] = field(default_factory=list)
    out_edges: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    in_edges: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    red_flags: set[str] = field(default_factory=set)  # conditions and signs that call for urgent assessment
    urgency: dict[str, str] = field(default_factory=dict)  # red-flag condition -> lbp:urgency-* value
    urgency_sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # relation -> (phrase, inverse phrase), from the ontology: "A <phrase> B", "B <inverse phrase> A"
    phrases: dict[str, tuple[str, str]] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The label, or the local name when a term has none."""
        return self.labels.get(iri) or iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def phrase(self, relation: str, forward: bool = True) -> str:
        """How a relation reads from its subject (forward) or from its object; a relation without
        phrases in the ontology (tests require them) reads as its label, or "(label, reversed)"."""
        pair = IS_A_PHRASES if relation == SUBCLASS else self.phrases.get(relation)
        if pair is None:
            label = self.label(relation)
            pair = (label, f"({label}, reversed)")
        return pair[0] if forward else pair[1]

    def direct_parents(self, iri: str) -> set[str]:
        """The reasoned direct superclasses: ancestors not implied by another ancestor."""
        anc = self.ancestors.get(iri, set())
        return {a for a in anc if not any(a in self.ancestors.get(b, ()) for b in anc if b != a)}

    def children(self, iri: str) -> set[str]:
        return self._children().get(iri, set())

    def descendants(self, iri: str) -> set[str]:
        return {c for c, anc in self.ancestors.items() if iri in anc}

    def _children(self) -> dict[str, set[str]]:
        cached = getattr(self, "_children_cache", None)
        if cached is None:
            cached = defaultdict(set)
            for c in self.ancestors:
                for p in self.direct_parents(c):
                    cached[p].add(c)
            self._children_cache = cached
        return cached


_SNAPSHOTS: dict[tuple[str, int], tuple[Store, Any]] = {}
_LOCK = threading.RLock()  # a snapshot may build on another (explanations on the graph data)
T = TypeVar("T")


def per_store(store: Store, kind: str, build: Callable[[Store], T]) -> T:
    """What `build` makes of a store, made once per store and kind (stores are read-only while
    served): the graph data, the derivations of the relation graph."""
    with _LOCK:
        hit = _SNAPSHOTS.get((kind, id(store)))
        if hit is not None and hit[0] is store:
            return hit[1]
        made = build(store)
        _SNAPSHOTS[(kind, id(store))] = (store, made)
        return made


def graph_data(store: Store) -> GraphData:
    """The snapshot of a store, built on first use."""
    return per_store(store, "graph data", load)


def load(store: Store) -> GraphData:
    data = GraphData()
    for row in _rows(store, LABELS):
        iri = row["x"].value
        if row["x"].type != "uri":
            continue
        if iri not in data.labels or (row["label"].lang in (None, "en")):
            data.labels[iri] = row["label"].value
        if "class" in row:
            data.classes.add(iri)
        if "deprecated" in row:
            data.deprecated.add(iri)
    for row in _rows(store, SYNONYMS):
        pair = (row["kind"].value, row["synonym"].value)
        if pair not in data.synonyms[row["x"].value]:
            data.synonyms[row["x"].value].append(pair)
    for row in _rows(store, HIERARCHY):
        sub, sup = row["sub"].value, row["super"].value
        if sub.startswith(str(LBP)) and sup.startswith(str(LBP)):
            data.ancestors[sub].add(sup)
            if "asserted" in row:
                data.asserted_parents[sub].add(sup)
    written = {(r["s"].value, r["p"].value, r["o"].value) for r in _rows(store, RESTRICTIONS)}
    for row in _rows(store, RELATION_EDGES):
        triple = (row["s"].value, row["p"].value, row["o"].value)
        kind = "asserted" if triple in written else "inferred"
        _add(data, Edge(row["s"].value, row["p"].value, row["o"].value, kind))
    for row in _rows(store, PHRASES):
        if "inversePhrase" in row and row["phrase"].lang in (None, "en"):
            data.phrases[row["relation"].value] = (row["phrase"].value, row["inversePhrase"].value)
    for row in _rows(store, "causes/red-flags"):
        data.red_flags.add(row["condition"].value)
        if "urgency" in row:
            data.urgency[row["condition"].value] = row["urgency"].value
        if "urgencySource" in row:
            data.urgency_sources[row["condition"].value].add(row["urgencySource"].value)
    for st in statements_from_rows(_rows(store, "evidence/statements")):
        _add(data, Edge(st.subject, st.relation, st.object, "association", st.evidence))
    return data


def _rows(store: Store, name: str) -> list[dict[str, Term]]:
    """A library query's rows, its parameters at their defaults."""
    rendered = render(get_query(name))
    return store.query(rendered.sparql, bindings=rendered.bindings).rows


def _add(data: GraphData, edge: Edge) -> None:
    data.edges.append(edge)
    data.out_edges[edge.source].append(edge)
    data.in_edges[edge.target].append(edge)
