"""A read-only snapshot of the graph's labels, synonyms, hierarchy and edges, loaded once per store.

Search, the hierarchy tree, neighbourhoods and paths all walk the whole (small) graph; asking the
store once and keeping plain Python data is faster and simpler than a query per step. The snapshot
is built from SPARQL only, so it works over every store backend.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, LBP
from kg.query.library import get_query, render
from kg.store import Store
from kg.views.evidence import Evidence, statements_from_rows

PREFIXES = f"""\
PREFIX lbp: <{LBP}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX obo: <http://purl.obolibrary.org/obo/>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

LABELS_QUERY = PREFIXES + """
SELECT DISTINCT ?x ?label ?class ?deprecated WHERE {
  ?x rdfs:label ?label .
  OPTIONAL { ?x a owl:Class BIND(true AS ?class) }
  OPTIONAL { ?x owl:deprecated ?deprecated }
}
"""

SYNONYMS_QUERY = PREFIXES + """
SELECT DISTINCT ?x ?kind ?synonym WHERE {
  VALUES (?p ?kind) { (oboInOwl:hasExactSynonym "exact") (oboInOwl:hasRelatedSynonym "related")
                      (oboInOwl:hasBroadSynonym "broad") (oboInOwl:hasNarrowSynonym "narrow")
                      (lbp:laySynonym "lay") }
  ?x ?p ?synonym .
}
"""

# The reasoned hierarchy (full closure, from the inferred graph) and the asserted direct parents.
HIERARCHY_QUERY = PREFIXES + f"""
SELECT DISTINCT ?sub ?super ?asserted WHERE {{
  GRAPH <{INFERRED_GRAPH}> {{ ?sub rdfs:subClassOf ?super }}
  FILTER(isIRI(?super) && ?sub != ?super)
  BIND(EXISTS {{ GRAPH <{ASSERTED_GRAPH}> {{ ?sub rdfs:subClassOf ?super }} }} AS ?asserted)
}}
"""

# Class-to-class edges of the relation graph (asserted and entailed alike).
RELATION_EDGES_QUERY = PREFIXES + f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }}
  FILTER(?p != rdfs:subClassOf && isIRI(?o))
}}
"""

# The restrictions curators wrote on a class (C SubClassOf / EquivalentTo ... P some D): an edge of
# the relation graph is `asserted` when it is one of these, else it was entailed.
RESTRICTIONS_QUERY = PREFIXES + f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH <{ASSERTED_GRAPH}> {{
    ?s rdfs:subClassOf|owl:equivalentClass ?x .
    ?x (owl:intersectionOf/rdf:rest*/rdf:first)? ?r .
    ?r owl:onProperty ?p ; owl:someValuesFrom ?o .
  }}
  FILTER(isIRI(?s) && isIRI(?o))
}}
"""

# Upper classes: too general to make a path or a neighbourhood meaningful.
UPPER = frozenset(
    str(LBP[n])
    for n in (
        "AnatomicalEntity", "Disorder", "PathophysiologicalMechanism", "ClinicalFinding", "RiskFactor",
        "Intervention", "MechanismOfAction", "TherapeuticAgent", "Invasiveness", "Outcome",
        "AdverseEvent", "InformationEntity", "SourceDocument", "EvidenceLevel", "CertaintyLevel", "Claim",
        "Recommendation",
    )
)

SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


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

    def label(self, iri: str) -> str:
        """The label, or the local name when a term has none."""
        return self.labels.get(iri) or iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

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


_CACHE: dict[int, tuple[Store, GraphData]] = {}
_LOCK = threading.Lock()


def graph_data(store: Store) -> GraphData:
    """The snapshot of a store, built on first use (stores are read-only while served)."""
    with _LOCK:
        hit = _CACHE.get(id(store))
        if hit is not None and hit[0] is store:
            return hit[1]
        data = load(store)
        _CACHE[id(store)] = (store, data)
        return data


def load(store: Store) -> GraphData:
    data = GraphData()
    for row in store.query(LABELS_QUERY).rows:
        iri = row["x"].value
        if row["x"].type != "uri":
            continue
        if iri not in data.labels or (row["label"].lang in (None, "en")):
            data.labels[iri] = row["label"].value
        if "class" in row:
            data.classes.add(iri)
        if "deprecated" in row and row["deprecated"].value in ("true", "1"):
            data.deprecated.add(iri)
    for row in store.query(SYNONYMS_QUERY).rows:
        pair = (row["kind"].value, row["synonym"].value)
        if pair not in data.synonyms[row["x"].value]:
            data.synonyms[row["x"].value].append(pair)
    for row in store.query(HIERARCHY_QUERY).rows:
        sub, sup = row["sub"].value, row["super"].value
        if sub.startswith(str(LBP)) and sup.startswith(str(LBP)):
            data.ancestors[sub].add(sup)
            if row["asserted"].value == "true":
                data.asserted_parents[sub].add(sup)
    written = {(r["s"].value, r["p"].value, r["o"].value) for r in store.query(RESTRICTIONS_QUERY).rows}
    for row in store.query(RELATION_EDGES_QUERY).rows:
        triple = (row["s"].value, row["p"].value, row["o"].value)
        kind = "asserted" if triple in written else "inferred"
        _add(data, Edge(row["s"].value, row["p"].value, row["o"].value, kind))
    rendered = render(get_query("causes/red-flags"))
    data.red_flags = {row["condition"].value for row in store.query(rendered.sparql, bindings=rendered.bindings).rows}
    rendered = render(get_query("evidence/statements"))
    for st in statements_from_rows(store.query(rendered.sparql, bindings=rendered.bindings).rows):
        _add(data, Edge(st.subject, st.relation, st.object, "association", st.evidence))
    return data


def _add(data: GraphData, edge: Edge) -> None:
    data.edges.append(edge)
    data.out_edges[edge.source].append(edge)
    data.in_edges[edge.target].append(edge)
