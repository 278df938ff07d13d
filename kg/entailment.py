"""The rules that entail the relation graph's edges, in one place: the build materialises with them
(kg.build.relation_graph) and the term pages explain an inferred edge with them (kg.views.explain),
recording for each entailed edge the rule and the premises it came from.

As Ubergraph does, an axiom `C SubClassOf P some D` is the edge `C P D`. Each rule is sound for
existential restrictions:

  inheritance     C sub S, S P D                 => C P D
  generalisation  C P D, D sub E                 => C P E
  transitivity    C P D, D P E, P transitive     => C P E
  chain           C P1 D, D P2 E, P1 o P2 -> P   => C P E
  subproperty     C P D, P subPropertyOf Q       => C Q D

A subclass premise is written as the edge (C, rdfs:subClassOf, S).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RULES: dict[str, str] = {
    "inheritance": "what holds for every member of a class holds for every member of its subclasses",
    "generalisation": "a relation to something holds to everything that thing is a kind of",
    "transitivity": "the relation is transitive: a chain of two of them is one",
    "chain": "the ontology defines a chain of two relations as implying a third",
    "subproperty": "the relation is a more specific form of another, which therefore holds too",
    "classification": "a class defined by conditions that are necessary and sufficient includes every class "
                      "that meets them (the reasoner, HermiT, finds these)",
}

N = TypeVar("N", bound=str)
Edge = tuple[N, N, N]


@dataclass(frozen=True)
class Step:
    """How one edge was entailed: the rule and its premises (edges, or subclass facts)."""

    rule: str
    premises: tuple[tuple[str, str, str], ...]


@dataclass
class Rules:
    """The ontology's facts the rules use: named superclasses of each class (closed), transitive
    relations, super-relations of each relation, and two-step chains (P1, P2, implied P)."""

    superclasses: Mapping[str, set[str]]
    transitive: set[str] = field(default_factory=set)
    superproperties: Mapping[str, set[str]] = field(default_factory=dict)
    chains: list[tuple[str, str, str]] = field(default_factory=list)


def close(asserted: Iterable[tuple[N, N, N]], rules: Rules,
          why: dict[tuple[str, str, str], Step] | None = None) -> set[tuple[N, N, N]]:
    """Every edge the rules entail from the asserted ones (asserted included). With `why`, each
    entailed edge gets the first derivation found (asserted edges get none)."""
    sup = rules.superclasses
    subclasses: dict[str, set[str]] = defaultdict(set)
    for c, supers in sup.items():
        for s in supers:
            subclasses[s].add(c)
    edges: set = set(asserted)
    frontier = set(edges)

    def add(new: dict, edge: tuple, rule: str, *premises: tuple) -> None:
        if edge not in edges and edge not in new:
            new[edge] = Step(rule, premises)

    while frontier:
        new: dict = {}
        by_subject: dict[str, set[tuple[str, str]]] = defaultdict(set)
        by_object: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for s, p, o in edges:
            by_subject[s].add((p, o))
            by_object[o].add((s, p))
        for edge in frontier:
            s, p, o = edge
            for sub in subclasses.get(s, ()):
                add(new, (sub, p, o), "inheritance", (sub, SUBCLASS, s), edge)
            for sup_o in sup.get(o, ()):
                add(new, (s, p, sup_o), "generalisation", edge, (o, SUBCLASS, sup_o))
            for q in rules.superproperties.get(p, ()):
                add(new, (s, q, o), "subproperty", edge)
            if p in rules.transitive:
                for p2, o2 in by_subject.get(o, ()):
                    if p2 == p:
                        add(new, (s, p, o2), "transitivity", edge, (o, p, o2))
                for s0, p0 in by_object.get(s, ()):
                    if p0 == p:
                        add(new, (s0, p, o), "transitivity", (s0, p, s), edge)
            for p1, p2, target in rules.chains:
                if p == p1:
                    for q, o2 in by_subject.get(o, ()):
                        if q == p2:
                            add(new, (s, target, o2), "chain", edge, (o, p2, o2))
                if p == p2:
                    for s0, q in by_object.get(s, ()):
                        if q == p1:
                            add(new, (s0, target, o), "chain", (s0, p1, s), edge)
        if why is not None:
            why.update(new)
        frontier = set(new)
        edges |= frontier
    return edges
