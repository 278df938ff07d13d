"""Compile the curated sources (core Turtle + YAML terms, sources, claims) into one OWL graph.

Every problem is collected with its file, line and term before failing, so one run of
`lbpkg check` tells a curator everything that is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import Problem, SourceError
from kg.namespaces import DEFINITION, LBP, OIO, bind_prefixes
from kg.yamlsource import LINE, load_items

CLASS_ID = re.compile(r"^[A-Z][A-Za-z0-9]*$")
INDIVIDUAL_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

SYNONYM_PROPERTIES = {
    "exact": OIO.hasExactSynonym,
    "related": OIO.hasRelatedSynonym,
    "broad": OIO.hasBroadSynonym,
    "narrow": OIO.hasNarrowSynonym,
    "lay": LBP.laySynonym,
}
TERM_KEYS = {
    "id", "label", "parents", "definition", "definition_source", "synonyms", "axioms",
    "equivalent", "associations", "red_flag", "comment", "deprecated", "replaced_by", LINE,
}
ASSOCIATION_KEYS = {"relation", "target", "source", "evidence", "note", LINE}
SOURCE_KEYS = {"id", "type", "author", "title", "year", "container", "identifier", "url", LINE}
SOURCE_TYPES = {
    "patient leaflet", "guideline", "systematic review", "review", "textbook", "trial",
    "regulatory communication", "ontology reference", "classification",
}
CLAIM_KEYS = {
    "id", "about", "text", "source", "status", "assessment", "assessment_source", LINE,
}
CLAIM_STATUSES = {"unverified", "supported", "contradicted"}


@dataclass
class Sources:
    """Where the curated sources live; defaults to the repository's ontology/ folder."""

    root: Path

    @property
    def core(self) -> Path:
        return self.root / "lbp-core.ttl"

    @property
    def term_files(self) -> list[Path]:
        return sorted((self.root / "terms").glob("*.yaml"))

    @property
    def source_files(self) -> list[Path]:
        return sorted((self.root / "sources").glob("*.yaml"))

    @property
    def claims(self) -> Path:
        return self.root / "claims.yaml"

    @property
    def shapes(self) -> Path:
        return self.root / "shapes.ttl"

    @property
    def mappings(self) -> Path:
        return self.root / "mappings" / "lbp-kg.sssom.tsv"

    def display(self, path: Path) -> str:
        """A path relative to the repository, for messages."""
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)


@dataclass
class Compiled:
    """The compiled ontology graph plus what later steps need to know about it."""

    graph: Graph
    classes: dict[str, Path] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class _Ctx:
    src: Sources
    graph: Graph
    problems: list[Problem] = field(default_factory=list)
    core_classes: set[str] = field(default_factory=set)
    object_properties: set[str] = field(default_factory=set)
    association_relations: set[str] = field(default_factory=set)
    evidence_levels: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    terms: dict[str, tuple[str, int]] = field(default_factory=dict)
    labels: dict[str, tuple[str, str, int]] = field(default_factory=dict)

    def problem(self, file: str, line: int | None, term: str | None, msg: str) -> None:
        self.problems.append(Problem(file, line, term, msg))


def _local(iri: Any) -> str | None:
    s = str(iri)
    return s[len(str(LBP)):] if s.startswith(str(LBP)) else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def load_core(src: Sources) -> Graph:
    """Parse lbp-core.ttl, turning a syntax error into a located SourceError."""
    graph = bind_prefixes(Graph())
    try:
        graph.parse(src.core, format="turtle")
    except BadSyntax as exc:
        raise SourceError(
            [Problem(src.display(src.core), exc.lines + 1, None, f"Turtle syntax error: {exc.message}")]
        ) from None
    except FileNotFoundError:
        raise SourceError([Problem(src.display(src.core), None, None, "file not found")]) from None
    return graph


def _read_core(ctx: _Ctx) -> None:
    g = ctx.graph
    for s in g.subjects(RDF.type, OWL.Class):
        if (name := _local(s)) is not None:
            ctx.core_classes.add(name)
    for s in g.subjects(RDF.type, OWL.ObjectProperty):
        if (name := _local(s)) is not None:
            ctx.object_properties.add(name)
    for s in g.transitive_subjects(RDFS.subPropertyOf, LBP.associationRelation):
        if s != LBP.associationRelation and (name := _local(s)) is not None:
            ctx.association_relations.add(name)
    for s in g.subjects(RDF.type, LBP.EvidenceLevel):
        if (name := _local(s)) is not None:
            ctx.evidence_levels.add(name.removeprefix("evidence-"))
    for subject, definition in list(g.subject_objects(DEFINITION)):
        cited = list(g.objects(subject, DCTERMS.source))
        if cited and isinstance(subject, URIRef):
            # In lbp-core.ttl a subject's dcterms:source is the source of its definition.
            for src_node in cited:
                g.remove((subject, DCTERMS.source, src_node))
            _annotate(g, subject, DEFINITION, definition,
                      [str(_local(c) or "").removeprefix("source-") for c in cited], None, None)
    for name in ctx.core_classes:
        label = g.value(LBP[name], RDFS.label)
        if label is not None:
            ctx.labels[str(label).lower()] = (name, ctx.src.display(ctx.src.core), 0)


def _load(ctx: _Ctx, path: Path) -> tuple[str, list[dict[str, Any]]]:
    """Load one YAML file; a broken file is reported and skipped so the others still get checked."""
    disp = ctx.src.display(path)
    try:
        return disp, load_items(path, disp)
    except SourceError as exc:
        ctx.problems.extend(exc.problems)
        return disp, []


def _compile_sources(ctx: _Ctx) -> None:
    g = ctx.graph
    for path in ctx.src.source_files:
        disp, items = _load(ctx, path)
        for item in items:
            line = item.get(LINE)
            sid = item.get("id")
            if not isinstance(sid, str) or not INDIVIDUAL_ID.match(sid):
                ctx.problem(disp, line, str(sid), "source id must be lower-case words and hyphens")
                continue
            for key in sorted(set(item) - SOURCE_KEYS):
                ctx.problem(disp, line, sid, f"unknown field '{key}'")
            if sid in ctx.sources:
                ctx.problem(disp, line, sid, "duplicate source id")
                continue
            ctx.sources.add(sid)
            for key in ("type", "author", "title"):
                if not item.get(key):
                    ctx.problem(disp, line, sid, f"source has no {key}")
            if item.get("type") and item["type"] not in SOURCE_TYPES:
                ctx.problem(disp, line, sid, f"unknown source type '{item['type']}'")
            node = LBP[f"source-{sid}"]
            g.add((node, RDF.type, OWL.NamedIndividual))
            g.add((node, RDF.type, LBP.SourceDocument))
            year = item.get("year")
            author = str(item.get("author", ""))
            short = author.split(",")[0].split("(")[0].strip()
            label = f"{short} {year}: {item.get('title')}" if year else f"{item.get('title')} ({short})"
            g.add((node, RDFS.label, Literal(label, lang="en")))
            g.add((node, DCTERMS.title, Literal(str(item.get("title", "")))))
            g.add((node, DCTERMS.creator, Literal(author)))
            if year:
                g.add((node, DCTERMS.issued, Literal(str(year), datatype=XSD.gYear)))
            if item.get("type"):
                g.add((node, LBP.sourceType, Literal(item["type"])))
            citation = f"{author}. {item.get('title')}. {item.get('container') or ''} {year or ''}"
            g.add((node, DCTERMS.bibliographicCitation, Literal(re.sub(r"\s+", " ", citation).strip())))
            if item.get("identifier"):
                g.add((node, DCTERMS.identifier, Literal(str(item["identifier"]))))
            if item.get("url"):
                g.add((node, RDFS.seeAlso, URIRef(str(item["url"]))))


def _collect_terms(ctx: _Ctx) -> list[tuple[str, dict[str, Any]]]:
    items: list[tuple[str, dict[str, Any]]] = []
    for path in ctx.src.term_files:
        disp, loaded = _load(ctx, path)
        for item in loaded:
            line = item.get(LINE)
            tid = item.get("id")
            if not isinstance(tid, str) or not CLASS_ID.match(tid):
                ctx.problem(disp, line, str(tid), "term id must be UpperCamelCase letters and digits")
                continue
            if tid in ctx.core_classes or tid in ctx.terms:
                where = ctx.terms.get(tid, ("ontology/lbp-core.ttl", 0))
                ctx.problem(disp, line, tid, f"duplicate id (also defined at {where[0]}:{where[1]})")
                continue
            ctx.terms[tid] = (disp, line)
            items.append((disp, item))
    return items


def _restriction(g: Graph, prop: URIRef, filler: URIRef) -> BNode:
    node = BNode()
    g.add((node, RDF.type, OWL.Restriction))
    g.add((node, OWL.onProperty, prop))
    g.add((node, OWL.someValuesFrom, filler))
    return node


def _annotate(g: Graph, s: URIRef, p: URIRef, o: Any, sources: list[str], evidence: str | None,
              note: str | None) -> None:
    ax = BNode()
    g.add((ax, RDF.type, OWL.Axiom))
    g.add((ax, OWL.annotatedSource, s))
    g.add((ax, OWL.annotatedProperty, p))
    g.add((ax, OWL.annotatedTarget, o))
    for sid in sources:
        g.add((ax, DCTERMS.source, LBP[f"source-{sid}"]))
    if evidence:
        g.add((ax, LBP.evidenceLevel, LBP[f"evidence-{evidence}"]))
    if note:
        g.add((ax, RDFS.comment, Literal(str(note).strip(), lang="en")))


class _TermCompiler:
    """Turns one YAML term into triples, reporting problems against its file and line."""

    def __init__(self, ctx: _Ctx, disp: str, item: dict[str, Any]):
        self.ctx, self.disp, self.item = ctx, disp, item
        self.tid: str = item["id"]
        self.line: int | None = item.get(LINE)
        self.node = LBP[self.tid]

    def problem(self, msg: str, line: int | None = None) -> None:
        self.ctx.problem(self.disp, line or self.line, self.tid, msg)

    def ref(self, name: Any, what: str, line: int | None = None) -> URIRef | None:
        if not isinstance(name, str) or (name not in self.ctx.terms and name not in self.ctx.core_classes):
            self.problem(f"{what} '{name}' is not a defined term", line)
            return None
        return LBP[name]

    def check_sources(self, ids: Any, what: str, line: int | None = None) -> list[str]:
        ids = _as_list(ids)
        if not ids:
            self.problem(f"{what} has no source", line)
        good = []
        for sid in ids:
            if sid not in self.ctx.sources:
                self.problem(f"{what} cites unknown source '{sid}'", line)
            else:
                good.append(str(sid))
        return good

    def compile(self) -> None:
        g, item, node = self.ctx.graph, self.item, self.node
        for key in sorted(set(item) - TERM_KEYS):
            self.problem(f"unknown field '{key}'")
        g.add((node, RDF.type, OWL.Class))
        self._label()
        for parent in _as_list(item.get("parents")):
            if (p := self.ref(parent, "parent")) is not None:
                g.add((node, RDFS.subClassOf, p))
        if not _as_list(item.get("parents")):
            self.problem("term has no parents")
        self._definition()
        self._synonyms()
        self._axioms()
        self._equivalent()
        for assoc in _as_list(item.get("associations")):
            self._association(assoc)
        if item.get("red_flag"):
            g.add((node, LBP.isRedFlag, Literal(True)))
        if item.get("comment"):
            g.add((node, RDFS.comment, Literal(str(item["comment"]).strip(), lang="en")))
        if item.get("deprecated"):
            g.add((node, OWL.deprecated, Literal(True)))
            if item.get("replaced_by") and (r := self.ref(item["replaced_by"], "replaced_by")):
                g.add((node, URIRef("http://purl.obolibrary.org/obo/IAO_0100001"), r))

    def _label(self) -> None:
        label = self.item.get("label")
        if not isinstance(label, str) or not label.strip():
            self.problem("term has no label")
            return
        key = label.strip().lower()
        if key in self.ctx.labels:
            other, file, line = self.ctx.labels[key]
            self.problem(f"duplicate label '{label}' (also used by {other} at {file}:{line})")
        else:
            self.ctx.labels[key] = (self.tid, self.disp, self.line or 0)
        self.ctx.graph.add((self.node, RDFS.label, Literal(label.strip(), lang="en")))

    def _definition(self) -> None:
        definition = self.item.get("definition")
        if not isinstance(definition, str) or not definition.strip():
            self.problem("term has no definition")
            return
        lit = Literal(" ".join(definition.split()), lang="en")
        self.ctx.graph.add((self.node, DEFINITION, lit))
        sources = self.check_sources(self.item.get("definition_source"), "definition")
        _annotate(self.ctx.graph, self.node, DEFINITION, lit, sources, None, None)

    def _synonyms(self) -> None:
        syn = self.item.get("synonyms") or {}
        if not isinstance(syn, dict):
            self.problem("synonyms must be a mapping of exact/related/broad/narrow/lay lists")
            return
        for kind, values in syn.items():
            if kind == LINE:
                continue
            prop = SYNONYM_PROPERTIES.get(kind)
            if prop is None:
                self.problem(f"unknown synonym kind '{kind}'", syn.get(LINE))
                continue
            for value in _as_list(values):
                self.ctx.graph.add((self.node, prop, Literal(str(value).strip(), lang="en")))

    def _property(self, name: Any, line: int | None) -> URIRef | None:
        if name not in self.ctx.object_properties:
            self.problem(f"'{name}' is not an object property of lbp-core.ttl", line)
            return None
        return LBP[name]

    def _axioms(self) -> None:
        axioms = self.item.get("axioms") or {}
        if not isinstance(axioms, dict):
            self.problem("axioms must be a mapping of property -> list of terms")
            return
        for prop_name, targets in axioms.items():
            if prop_name == LINE:
                continue
            line = axioms.get(LINE)
            if (prop := self._property(prop_name, line)) is None:
                continue
            for target in _as_list(targets):
                if (t := self.ref(target, f"{prop_name} target", line)) is not None:
                    self.ctx.graph.add((self.node, RDFS.subClassOf, _restriction(self.ctx.graph, prop, t)))

    def _equivalent(self) -> None:
        eq = self.item.get("equivalent")
        if not eq:
            return
        line = eq.get(LINE) if isinstance(eq, dict) else None
        if not isinstance(eq, dict) or "genus" not in eq:
            self.problem("equivalent needs a genus and a some: mapping", line)
            return
        genus = self.ref(eq["genus"], "genus", line)
        parts: list[Any] = [genus] if genus is not None else []
        some = eq.get("some") or {}
        for prop_name, targets in some.items():
            if prop_name == LINE:
                continue
            if (prop := self._property(prop_name, line)) is None:
                continue
            for target in _as_list(targets):
                if (t := self.ref(target, f"{prop_name} target", line)) is not None:
                    parts.append(_restriction(self.ctx.graph, prop, t))
        if len(parts) < 2:
            self.problem("equivalent needs a genus and at least one restriction", line)
            return
        cls, lst = BNode(), BNode()
        self.ctx.graph.add((cls, RDF.type, OWL.Class))
        Collection(self.ctx.graph, lst, parts)
        self.ctx.graph.add((cls, OWL.intersectionOf, lst))
        self.ctx.graph.add((self.node, OWL.equivalentClass, cls))

    def _association(self, assoc: Any) -> None:
        if not isinstance(assoc, dict):
            self.problem("each association must be a mapping")
            return
        line = assoc.get(LINE)
        for key in sorted(set(assoc) - ASSOCIATION_KEYS):
            self.problem(f"unknown association field '{key}'", line)
        rel = assoc.get("relation")
        if rel not in self.ctx.association_relations:
            self.problem(f"unknown association relation '{rel}'", line)
            return
        target = self.ref(assoc.get("target"), f"{rel} target", line)
        sources = self.check_sources(assoc.get("source"), f"association {rel} -> {assoc.get('target')}", line)
        evidence = assoc.get("evidence")
        if evidence not in self.ctx.evidence_levels:
            self.problem(f"unknown or missing evidence level '{evidence}'", line)
            evidence = None
        if target is None:
            return
        self.ctx.graph.add((self.node, LBP[rel], target))
        _annotate(self.ctx.graph, self.node, LBP[rel], target, sources, evidence, assoc.get("note"))


def _compile_claims(ctx: _Ctx) -> None:
    path = ctx.src.claims
    if not path.exists():
        return
    disp, items = _load(ctx, path)
    g = ctx.graph
    seen: set[str] = set()
    for item in items:
        line = item.get(LINE)
        cid = item.get("id")
        if not isinstance(cid, str) or not cid.startswith("claim-") or not INDIVIDUAL_ID.match(cid):
            ctx.problem(disp, line, str(cid), "claim id must look like claim-lower-case-words")
            continue
        if cid in seen:
            ctx.problem(disp, line, cid, "duplicate claim id")
            continue
        seen.add(cid)
        for key in sorted(set(item) - CLAIM_KEYS):
            ctx.problem(disp, line, cid, f"unknown field '{key}'")
        node = LBP[cid]
        about = item.get("about")
        if about not in ctx.terms and about not in ctx.core_classes:
            ctx.problem(disp, line, cid, f"claim is about '{about}', which is not a defined term")
        if not item.get("text"):
            ctx.problem(disp, line, cid, "claim has no text")
        status = item.get("status")
        if status not in CLAIM_STATUSES:
            ctx.problem(disp, line, cid, f"claim status must be one of {sorted(CLAIM_STATUSES)}")
        sources = [s for s in _as_list(item.get("source")) if s in ctx.sources]
        if len(sources) != len(_as_list(item.get("source"))) or not sources:
            ctx.problem(disp, line, cid, "claim must cite known sources")
        g.add((node, RDF.type, OWL.NamedIndividual))
        g.add((node, RDF.type, LBP.Claim))
        text = " ".join(str(item.get("text", "")).split())
        g.add((node, RDFS.label, Literal(f"claim: {text[:60]}{'...' if len(text) > 60 else ''}", lang="en")))
        g.add((node, LBP.claimText, Literal(text, lang="en")))
        if about:
            g.add((node, LBP.claimAbout, LBP[str(about)]))
        for sid in sources:
            g.add((node, DCTERMS.source, LBP[f"source-{sid}"]))
        g.add((node, LBP.claimStatus, Literal(str(status))))
        g.add((node, LBP.evidenceLevel, LBP["evidence-unverified-claim"] if status == "unverified"
               else LBP["evidence-established"]))
        if item.get("assessment"):
            lit = Literal(" ".join(str(item["assessment"]).split()), lang="en")
            g.add((node, LBP.assessment, lit))
            a_sources = [s for s in _as_list(item.get("assessment_source")) if s in ctx.sources]
            if len(a_sources) != len(_as_list(item.get("assessment_source"))) or not a_sources:
                ctx.problem(disp, line, cid, "assessment must cite known sources")
            _annotate(g, node, LBP.assessment, lit, a_sources, None, None)


def _check_core_references(ctx: _Ctx) -> None:
    """Every lbp: IRI used as an object must be defined somewhere (class, property, individual)."""
    g = ctx.graph
    defined = {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef)}
    core_text = ctx.src.core.read_text(encoding="utf-8").splitlines()
    reported: set[str] = set()
    for obj in set(g.objects()):
        name = _local(obj)
        if name is None or obj in defined or name.startswith("graph/") or name in reported:
            continue
        if name in ("lbp-kg.owl",):
            continue
        reported.add(name)
        line = next((i + 1 for i, t in enumerate(core_text) if re.search(rf"lbp:{re.escape(name)}\b", t)), None)
        ctx.problem(ctx.src.display(ctx.src.core), line, name, f"reference to undefined term lbp:{name}")


def compile_sources(src: Sources) -> Compiled:
    """Compile everything under src.root into one rdflib Graph, or raise SourceError."""
    graph = load_core(src)
    ctx = _Ctx(src=src, graph=graph)
    _read_core(ctx)
    _compile_sources(ctx)
    for disp, item in _collect_terms(ctx):
        _TermCompiler(ctx, disp, item).compile()
    _compile_claims(ctx)
    _check_core_references(ctx)
    if ctx.problems:
        raise SourceError(ctx.problems)
    compiled = Compiled(graph=graph)
    for tid, (file, _line) in ctx.terms.items():
        compiled.classes[tid] = Path(file)
    compiled.labels = {v[0]: k for k, v in ctx.labels.items()}
    return compiled
