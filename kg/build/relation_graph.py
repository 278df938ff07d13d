"""Materialise the relation graph: every entailed class-to-class edge as a plain triple.

As Ubergraph does, an axiom `C SubClassOf P some D` becomes the triple `C P D`, and so does
everything that follows from it through the (reasoned) class hierarchy, transitive properties,
sub-properties and two-step property chains. The result is kept apart from the asserted OWL so
that simple SPARQL (`?x lbp:partOf lbp:LumbarSpine`) finds inferred links, while the asserted
graph stays exactly what curators wrote.

The rules, and the record of how each edge was entailed, are kg.entailment's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TypeGuard

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.entailment import Rules, close
from kg.namespaces import LBP, bind_prefixes

Edge = tuple[URIRef, URIRef, URIRef]


def _named(node: object) -> TypeGuard[URIRef]:
    return isinstance(node, URIRef) and str(node).startswith(str(LBP))


def _restrictions(g: Graph, node: Node) -> Iterable[tuple[URIRef, URIRef]]:
    """(property, filler) of a someValuesFrom restriction node, or of those in an intersection."""
    if (node, RDF.type, OWL.Restriction) in g:
        prop, filler = g.value(node, OWL.onProperty), g.value(node, OWL.someValuesFrom)
        if _named(prop) and _named(filler):
            yield prop, filler
    for lst in g.objects(node, OWL.intersectionOf):
        for member in Collection(g, lst):
            yield from _restrictions(g, member)


def superclass_closure(g: Graph, extra: Iterable[tuple[URIRef, URIRef]]) -> dict[URIRef, set[URIRef]]:
    """All named superclasses of every named class (not reflexive), asserted plus `extra`."""
    direct: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in g.subject_objects(RDFS.subClassOf):
        if _named(s) and _named(o):
            direct[s].add(o)
    for s, o in g.subject_objects(OWL.equivalentClass):
        if _named(s) and _named(o):
            direct[s].add(o)
            direct[o].add(s)
    for s, o in extra:
        direct[s].add(o)
    closure: dict[URIRef, set[URIRef]] = {}

    def visit(c: URIRef) -> set[URIRef]:
        if c in closure:
            return closure[c]
        closure[c] = set()  # guards cycles (equivalences)
        acc: set[URIRef] = set()
        for p in direct.get(c, ()):
            acc.add(p)
            acc |= visit(p)
        acc.discard(c)
        closure[c] = acc
        return acc

    for c in list(direct):
        visit(c)
    return closure


def asserted_edges(g: Graph) -> set[Edge]:
    """Edges read directly off the axioms of each named class."""
    edges: set[Edge] = set()
    for c in set(g.subjects(RDF.type, OWL.Class)):
        if not _named(c):
            continue
        for pred in (RDFS.subClassOf, OWL.equivalentClass):
            for node in g.objects(c, pred):
                for prop, filler in _restrictions(g, node):
                    edges.add((c, prop, filler))
    return edges


def materialise(g: Graph, inferred_subclasses: Iterable[tuple[URIRef, URIRef]] = ()) -> Graph:
    """Return the relation graph: entailed edges plus the full named superclass closure."""
    sup = superclass_closure(g, inferred_subclasses)
    transitive = {p for p in g.subjects(RDF.type, OWL.TransitiveProperty) if _named(p)}
    subprops: dict[URIRef, set[URIRef]] = defaultdict(set)
    for p, q in g.subject_objects(RDFS.subPropertyOf):
        if (p, RDF.type, OWL.ObjectProperty) in g and _named(q):
            subprops[p].add(q)  # type: ignore[index]
    chains: list[tuple[URIRef, URIRef, URIRef]] = []
    for p, lst in g.subject_objects(OWL.propertyChainAxiom):
        steps = list(Collection(g, lst))
        if len(steps) == 2 and _named(p):
            chains.append((steps[0], steps[1], p))  # type: ignore[arg-type]

    edges = close(asserted_edges(g), Rules(sup, transitive, subprops, chains))  # type: ignore[arg-type]

    out = bind_prefixes(Graph())
    for edge in edges:
        out.add(edge)
    for c, supers in sup.items():
        for s in supers:
            out.add((c, RDFS.subClassOf, s))
    return out
