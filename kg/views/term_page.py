"""Everything a term page shows, and the term's own triples for linked-data clients.

The page is built from SPARQL queries bound to the term (shown on the page as "the SPARQL behind
this page"); labels of the other terms, and every association with its evidence, come from the
snapshot in kg.views.graphdata, which reads them through queries/evidence/statements.rq.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from rdflib import Graph

from kg.namespaces import LBP, bind_prefixes
from kg.query.library import get_query, render
from kg.results import Term
from kg.store import Store
from kg.views.evidence import Evidence
from kg.views.graphdata import SUBCLASS, UPPER, graph_data
from kg.views.summary import graph_areas

# The page's queries (queries/pages/): ?term is the page's term.
ANNOTATIONS = "pages/term-annotations"  # its own annotations with their sources
OUTGOING = "pages/term-statements-from"  # relation-graph edges and restrictions from it
INCOMING = "pages/term-statements-to"  # the same towards it, and the claims about it
DESCRIBE = "pages/term-triples"  # its triples for Turtle / JSON-LD / RDF/XML clients
MAPPINGS = "pages/term-mappings"  # its SKOS mappings with label, justification and verification


def _run(store: Store, name: str, iri: str):  # type: ignore[no-untyped-def]
    """A page query's answer for the term (its other parameters at their defaults)."""
    rendered = render(get_query(name), {"term": Term.uri(iri)})
    return store.query(rendered.sparql, bindings=rendered.bindings)


SYNONYM_KINDS = {
    "http://www.geneontology.org/formats/oboInOwl#hasExactSynonym": "exact",
    "http://www.geneontology.org/formats/oboInOwl#hasRelatedSynonym": "related",
    "http://www.geneontology.org/formats/oboInOwl#hasBroadSynonym": "broad",
    "http://www.geneontology.org/formats/oboInOwl#hasNarrowSynonym": "narrow",
    str(LBP.laySynonym): "lay",
}
# A SKOS mapping predicate in words: what the other ontology's term is to this one.
MATCH_KINDS = {
    "http://www.w3.org/2004/02/skos/core#exactMatch": "exact match",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "close match",
    "http://www.w3.org/2004/02/skos/core#broadMatch": "broader term",
    "http://www.w3.org/2004/02/skos/core#narrowMatch": "narrower term",
    "http://www.w3.org/2004/02/skos/core#relatedMatch": "related term",
}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
DEFINITION = "http://purl.obolibrary.org/obo/IAO_0000115"
DBXREF = "http://www.geneontology.org/formats/oboInOwl#hasDbXref"
DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
REPLACED_BY = "http://purl.obolibrary.org/obo/IAO_0100001"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CLAIM_ABOUT = str(LBP.claimAbout)
CITATION = "http://purl.org/dc/terms/bibliographicCitation"

IS_RED_FLAG = str(LBP.isRedFlag)
HAS_WARNING_SIGN = str(LBP.hasWarningSign)
MAY_CAUSE = str(LBP.mayCause)
URGENCY = str(LBP.urgency)
NATURAL_HISTORY = str(LBP.naturalHistory)
# Echoes of an axiom the page already shows (lbp:invasiveness repeats lbp:hasInvasiveness).
ECHOES = frozenset({str(LBP.invasiveness)})

# What kind of thing a term is, by its reasoned ancestors or its type (first match wins, most
# specific first), for the badge beside its name.
BADGES: tuple[tuple[str, str], ...] = (
    ("PathophysiologicalMechanism", "mechanism"),
    ("MechanismOfAction", "mechanism of action"),
    ("AnatomicalEntity", "anatomical structure"),
    ("Disorder", "condition"),
    ("ClinicalFinding", "finding"),
    ("RiskFactor", "risk factor"),
    ("DiagnosticProcedure", "diagnostic test or procedure"),
    ("Intervention", "intervention"),
    ("TherapeuticAgent", "agent"),
    ("Outcome", "outcome"),
    ("AdverseEvent", "adverse event"),
    ("Invasiveness", "degree of invasiveness"),
    ("AssessmentInstrument", "assessment instrument"),
    ("SourceDocument", "source document"),
    ("Claim", "claim"),
    ("Recommendation", "guideline recommendation"),
    ("CertaintyLevel", "certainty grade"),
)


@dataclass(frozen=True)
class Link:
    """Another term as the page shows it."""

    iri: str
    label: str

    @property
    def local(self) -> str:
        return self.iri[len(str(LBP)):] if self.iri.startswith(str(LBP)) else self.iri


@dataclass(frozen=True)
class Statement:
    """One edge seen from the page's term: the other end, asserted|inferred|association|claim; an
    association carries its evidence (certainty, direction, caveats ...) and sources."""

    other: Link
    kind: str
    sources: tuple[Link, ...] = ()
    evidence: Evidence | None = None
    # an inferred statement that a more specific one says already, or one to an upper class
    # ("located in: anatomical entity"): the page shows it only on request
    secondary: bool = False


@dataclass(frozen=True)
class Citing:
    """A statement that cites a source document, as its page lists it."""

    subject: Link
    relation: str
    object: str
    object_iri: str | None
    graded: bool  # the document is the one whose grading the statement's certainty reports


@dataclass(frozen=True)
class Mapping:
    """A mapping card: the predicate in words, the other term (CURIE, label, its IRI by the curated
    prefix map, which is the link), the justification, the version checked and where it was verified."""

    kind: str
    target: str
    url: str | None
    label: str | None = None
    justification: str | None = None
    version: str | None = None
    comment: str | None = None


@dataclass
class TermPage:
    iri: str
    label: str
    is_class: bool
    types: list[Link] = field(default_factory=list)
    definition: str | None = None
    citation: str | None = None
    definition_sources: list[Link] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    deprecated: bool = False
    replaced_by: list[Link] = field(default_factory=list)
    parents: list[Link] = field(default_factory=list)
    inferred_parents: list[Link] = field(default_factory=list)
    children: list[Link] = field(default_factory=list)
    outgoing: dict[str, list[Statement]] = field(default_factory=dict)
    incoming: dict[str, list[Statement]] = field(default_factory=dict)
    relation_labels: dict[str, str] = field(default_factory=dict)
    mappings: list[Mapping] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)
    citing: list[Citing] = field(default_factory=list)
    badge: str | None = None  # what kind of thing it is (condition, intervention, ...)
    area: tuple[str, str] | None = None  # (key, label) of the area of the graph it belongs to
    red_flag: bool = False
    warning_signs: list[Link] = field(default_factory=list)
    urgency: Link | None = None  # how soon a suspected red-flag condition must be assessed
    urgency_sources: list[Link] = field(default_factory=list)
    warning_sign_of: list[Link] = field(default_factory=list)  # a red-flag sign: what it points to
    # serious conditions this one may lead to (mayCause, to a red-flag condition), with their urgency
    complications: list[tuple[Link, Link | None]] = field(default_factory=list)
    natural_history: str | None = None
    natural_history_sources: list[Link] = field(default_factory=list)
    # relation -> how it reads from this term (outgoing) and towards it (incoming)
    phrases_out: dict[str, str] = field(default_factory=dict)
    phrases_in: dict[str, str] = field(default_factory=dict)

    @property
    def local(self) -> str:
        return self.iri[len(str(LBP)):]

    @staticmethod
    def _split(groups: dict[str, list[Statement]], secondary: bool) -> dict[str, list[Statement]]:
        out = {rel: [s for s in items if s.secondary == secondary] for rel, items in groups.items()}
        return {rel: items for rel, items in out.items() if items}

    @property
    def outgoing_main(self) -> dict[str, list[Statement]]:
        return self._split(self.outgoing, False)

    @property
    def outgoing_more(self) -> dict[str, list[Statement]]:
        return self._split(self.outgoing, True)

    @property
    def incoming_main(self) -> dict[str, list[Statement]]:
        return self._split(self.incoming, False)

    @property
    def incoming_more(self) -> dict[str, list[Statement]]:
        return self._split(self.incoming, True)


def term_iri(local: str) -> str:
    return str(LBP) + local


def queries_for_page() -> dict[str, str]:
    """The SPARQL behind a term page, keyed by what each query answers (?term is the term)."""
    return {"annotations": get_query(ANNOTATIONS).sparql, "outgoing": get_query(OUTGOING).sparql,
            "incoming": get_query(INCOMING).sparql, "mappings": get_query(MAPPINGS).sparql,
            "associations with their evidence": get_query("evidence/statements-about").sparql}


def source_queries() -> dict[str, str]:
    """The extra SPARQL behind a source document's page."""
    return {"statements citing this source": get_query("evidence/citing-statements").sparql}


def bound_query(text: str, iri: str) -> str:
    """A page query with the term fixed by a VALUES clause, for people to run in the editor. The
    page itself binds ?term through the engine; this text is for reading and copying."""
    values = f"VALUES ?term {{ {Term.uri(iri).n3()} }}"
    head, brace, rest = text.partition("WHERE {")
    return f"{head}{brace}\n  {values}{rest}"


def term_page(store: Store, iri: str) -> TermPage | None:
    """The page's content, or None when the graph says nothing about the IRI."""
    data = graph_data(store)
    annotations = _run(store, ANNOTATIONS, iri).rows
    incoming = _run(store, INCOMING, iri).rows
    if not annotations and not incoming:
        return None

    def link(x: str) -> Link:
        return Link(x, data.label(x))

    page = TermPage(iri, data.label(iri), iri in data.classes)
    def_sources: list[str] = []
    xrefs: list[str] = []
    for row in annotations:
        prop, value = row["property"].value, row["value"]
        if prop == DEFINITION:
            page.definition = value.value
            if "source" in row and row["source"].value not in def_sources:
                def_sources.append(row["source"].value)
        elif prop == LABEL:
            page.label = value.value if value.lang in (None, "en") or not page.label else page.label
        elif prop == COMMENT:
            _add_once(page.comments, value.value)
        elif prop == CITATION:
            page.citation = value.value
        elif prop in SYNONYM_KINDS:
            _add_once(page.synonyms.setdefault(SYNONYM_KINDS[prop], []), value.value)
        elif prop in MATCH_KINDS:
            continue  # one card per mapping, from pages/term-mappings
        elif prop == DBXREF:
            _add_once(xrefs, value.value)
        elif prop == IS_RED_FLAG:
            page.red_flag = page.red_flag or value.value in ("true", "1")
        elif prop == URGENCY:
            page.urgency = link(value.value)
            if "source" in row:
                _add_once(page.urgency_sources, link(row["source"].value))
        elif prop == NATURAL_HISTORY:
            page.natural_history = value.value
            if "source" in row:
                _add_once(page.natural_history_sources, link(row["source"].value))
        elif prop in ECHOES:
            continue
        elif prop == DEPRECATED:
            page.deprecated = value.value in ("true", "1")
        elif prop == REPLACED_BY:
            page.replaced_by.append(link(value.value))
        elif prop == RDF_TYPE:
            if value.value.startswith(str(LBP)):
                page.types.append(link(value.value))
        elif value.type == "literal" and prop.startswith(str(LBP)):
            _add_once(page.other, (data.label(prop), value.value))
        elif value.type == "uri" and prop.startswith(str(LBP)) and prop not in _relation_props(data):
            _add_once(page.other, (data.label(prop), data.label(value.value)))
    page.definition_sources = [link(s) for s in def_sources]
    page.mappings = _mappings(_run(store, MAPPINGS, iri).rows, xrefs)
    for kind in page.synonyms.values():
        kind.sort(key=str.lower)

    asserted = data.asserted_parents.get(iri, set())
    direct = data.direct_parents(iri)
    page.parents = _links(data, asserted)
    inferred = direct - asserted
    # an upper class says nothing a more specific parent does not ("is a kind of: disorder")
    page.inferred_parents = _links(data, inferred - UPPER if asserted or inferred - UPPER else inferred)
    page.children = _links(data, data.children(iri))
    outgoing = _run(store, OUTGOING, iri).rows
    page.outgoing = _group(data, outgoing, page, [e for e in data.out_edges.get(iri, []) if e.kind == "association"])
    page.incoming = _group(data, incoming, page, [e for e in data.in_edges.get(iri, []) if e.kind == "association"])
    if str(LBP.SourceDocument) in {t.iri for t in page.types}:
        page.citing = citing_statements(store, iri)
    page.phrases_out = {rel: data.phrase(rel, True) for rel in page.outgoing}
    page.phrases_in = {rel: data.phrase(rel, False) for rel in page.incoming}
    kinds = data.ancestors.get(iri, set()) | {iri} | {t.iri for t in page.types}
    page.badge = next((name for local, name in BADGES if str(LBP[local]) in kinds), None)
    page.area = next(((a.key, a.label) for a in graph_areas(data) if a.iri in kinds), None)
    page.red_flag = page.red_flag or iri in data.red_flags
    if page.red_flag:
        signs = {e.target for e in data.out_edges.get(iri, []) if e.relation == HAS_WARNING_SIGN}
        page.warning_signs = _links(data, signs)
        page.warning_sign_of = _links(data, {e.source for e in data.in_edges.get(iri, [])
                                             if e.relation == HAS_WARNING_SIGN})
    # stated for the term or a more general condition (a disc herniation may cause cauda equina
    # syndrome, so a lumbar one may)
    lineage = {iri} | (data.ancestors.get(iri, set()) - UPPER)
    serious = {e.target for holder in lineage for e in data.out_edges.get(holder, [])
               if e.relation == MAY_CAUSE and e.target in data.red_flags and e.target not in lineage}
    page.complications = [(c, link(data.urgency[c.iri]) if c.iri in data.urgency else None)
                          for c in _links(data, serious)]
    return page


def _mappings(rows, xrefs: list[str]) -> list[Mapping]:  # type: ignore[no-untyped-def]
    """One card per SKOS mapping; the cross-reference CURIE written for the same row names it. A
    cross-reference without a SKOS mapping gets a card without a link (no resolver but the prefix map's)."""
    cards: dict[tuple[str, str], Mapping] = {}
    named: set[str] = set()
    for row in rows:
        target = row["object"].value
        curie = _curie_of(target, xrefs)
        if curie:
            named.add(curie)
        key = (row["predicate"].value, target)
        if key in cards:
            continue
        cards[key] = Mapping(
            MATCH_KINDS.get(row["predicate"].value, data_local(row["predicate"].value)), curie or target, target,
            row["objectLabel"].value if "objectLabel" in row else None,
            _words(row["justification"].value) if "justification" in row else None,
            row["version"].value if "version" in row else None,
            row["comment"].value if "comment" in row else None)
    out = list(cards.values()) + [Mapping("cross-reference", x, None) for x in xrefs if x not in named]
    return sorted(out, key=lambda m: (list(MATCH_KINDS.values()).index(m.kind) if m.kind in MATCH_KINDS.values()
                                      else 9, m.target.split(":")[0], (m.label or m.target).lower()))


def _curie_of(iri: str, xrefs: list[str]) -> str | None:
    """The cross-reference CURIE that names an IRI: its local part ends the IRI (longest first)."""
    fits = [x for x in xrefs if ":" in x and iri.endswith(x.split(":", 1)[1])]
    return max(fits, key=lambda x: len(x.split(":", 1)[1])) if fits else None


def data_local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _words(iri: str) -> str:
    """semapv:ManualMappingCuration -> "manual mapping curation"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", data_local(iri)).lower()


def citing_statements(store: Store, iri: str) -> list[Citing]:
    """What a source document supports: definitions, associations, assessments, recommendations."""
    data = graph_data(store)
    query = get_query("evidence/citing-statements")
    rows = store.query(query.sparql, bindings={"term": Term.uri(iri)}).rows
    out = []
    for row in rows:
        value = row["object"]
        shown = data.label(value.value) if value.type == "uri" else value.value
        out.append(Citing(Link(row["subject"].value, data.label(row["subject"].value)),
                          data.label(row["relation"].value), shown,
                          value.value if value.type == "uri" else None, "graded" in row))
    return sorted(out, key=lambda c: (c.subject.label.lower(), c.relation, c.object.lower()))


def _relation_props(data) -> set[str]:  # type: ignore[no-untyped-def]
    """Properties shown under relations rather than as plain facts."""
    return {e.relation for e in data.edges}


def _add_once(items: list, item: object) -> None:  # type: ignore[type-arg]
    if item not in items:
        items.append(item)


def _links(data, iris) -> list[Link]:  # type: ignore[no-untyped-def]
    return sorted((Link(i, data.label(i)) for i in iris), key=lambda x: x.label.lower())


def _group(data, rows, page: TermPage, associations) -> dict[str, list[Statement]]:  # type: ignore[no-untyped-def]
    """Rows and association edges -> relation -> statements; sources of one statement merged; is-a
    left to parents/children. Two statements of one association (sources that disagree) stay two."""
    merged: dict[tuple[str, str, str], list[str]] = {}
    for row in rows:
        rel = row["relation"].value
        if rel == SUBCLASS:
            continue
        sources = merged.setdefault((rel, row["other"].value, row["kind"].value), [])
        if "source" in row and row["source"].value not in sources:
            sources.append(row["source"].value)
    grouped: dict[str, list[Statement]] = defaultdict(list)
    for (rel, other, kind), sources in merged.items():
        if kind == "inferred" and (rel, other, "asserted") in merged:
            continue
        page.relation_labels[rel] = data.label(rel)
        grouped[rel].append(Statement(Link(other, data.label(other)), kind,
                                      tuple(Link(s, data.label(s)) for s in sorted(sources))))
    for edge in associations:
        other = edge.target if edge.source == page.iri else edge.source
        page.relation_labels[edge.relation] = data.label(edge.relation)
        grouped[edge.relation].append(Statement(
            Link(other, data.label(other)), "association",
            tuple(Link(s, data.label(s)) for s in edge.sources), edge.evidence))
    order = {"asserted": 0, "association": 1, "claim": 2, "inferred": 3}
    return {
        rel: sorted(_mark_secondary(data, rel, items), key=lambda s: (order.get(s.kind, 9), s.other.label.lower()))
        for rel, items in sorted(grouped.items(), key=lambda kv: data.label(kv[0]))
    }


def _mark_secondary(data, rel: str, items: list[Statement]) -> list[Statement]:  # type: ignore[no-untyped-def]
    """Inferred statements that add nothing by default: to an upper class or a value that only
    repeats the relation's name ("has invasiveness: invasiveness"), or to a more general term than
    another statement of the same relation ("located in: intervertebral disc" beside "located in:
    lumbar intervertebral disc")."""
    others = {s.other.iri for s in items}
    rel_label = data.label(rel).lower()
    out = []
    for s in items:
        trivial = s.other.iri in UPPER or s.other.label.lower() in rel_label
        general = any(s.other.iri in data.ancestors.get(o, set()) for o in others if o != s.other.iri)
        out.append(replace(s, secondary=s.kind == "inferred" and (trivial or general)))
    return out


def describe(store: Store, iri: str) -> Graph | None:
    """The term's triples (with its restrictions and axiom annotations), or None if it has none."""
    result = _run(store, DESCRIBE, iri)
    if result.triples is None or len(result.triples) == 0:
        return None
    return bind_prefixes(result.triples)
