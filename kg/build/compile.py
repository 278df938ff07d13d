"""Compile the curated sources (core Turtle + YAML terms, sources, claims) into one OWL graph.

Every problem is collected with its file, line and term before failing, so one run of
`lbpkg check` tells a curator everything that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import Problem, SourceError
from kg.namespaces import DEFINITION, LBP, OIO, bind_prefixes
from kg.build.yamlsource import LINE, load_items

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
    "equivalent", "associations", "red_flag", "comment", "deprecated", "replaced_by", "urgency",
    "urgency_source", "natural_history", "natural_history_source", LINE,
}
# Diagnostic accuracy as the cited source reports it: field -> (property, lowest, highest or None).
ACCURACY = {
    "sensitivity": ("sensitivity", 0.0, 1.0),
    "specificity": ("specificity", 0.0, 1.0),
    "false_positive_rate": ("falsePositiveRate", 0.0, 1.0),
    "positive_predictive_value": ("positivePredictiveValue", 0.0, 1.0),
    "positive_likelihood_ratio": ("positiveLikelihoodRatio", 0.0, None),
    "negative_likelihood_ratio": ("negativeLikelihoodRatio", 0.0, None),
}
# Relations whose statements may carry accuracy figures and a reference standard.
ACCURACY_RELATIONS = {"testFor", "mayPresentWith", "hasWarningSign", "diagnosticBlockFor"}
ASSOCIATION_KEYS = {
    "relation", "target", "source", "certainty", "graded_by", "reported_grade", "direction", "magnitude",
    "population", "frequency", "severity", "contraindication", "note", "mcid", "reference_standard", LINE,
} | set(ACCURACY)
URGENCIES = ("emergency", "urgent")
SOURCE_KEYS = {
    "id", "type", "author", "title", "year", "container", "identifier", "url", "superseded_by", "note", LINE,
}
SOURCE_TYPES = {
    "patient leaflet", "guideline", "systematic review", "review", "textbook", "trial", "cohort study",
    "case series", "consensus statement", "regulatory communication", "ontology reference", "classification",
}
# The evidence model (ontology/README.md): certainty as the cited source grades it, direction of
# effect for what an intervention does, frequency and severity for its risks.
CERTAINTIES = ("high", "moderate", "low", "very-low", "established")
GRADED = set(CERTAINTIES) - {"established"}
DIRECTIONS = ("benefit", "no-benefit", "harm", "uncertain")
# Relations that say whether an intervention works, with the directions each may carry.
EFFECT_RELATIONS = {
    "usedFor": ("benefit", "uncertain"),
    "noBenefitFor": ("no-benefit", "harm"),
    "hasBenefit": ("benefit", "uncertain"),
}
FREQUENCIES = ("very-common", "common", "uncommon", "rare", "very-rare")
SEVERITIES = ("minor", "moderate", "serious", "catastrophic")
CONTRAINDICATIONS = ("absolute", "relative")
# Written only by the compiler, from ontology/recommendations.yaml.
GENERATED_RELATIONS = {"recommendedFor": "for", "notRecommendedFor": "against"}
RECOMMENDATION_KEYS = {
    "id", "source", "interventions", "population", "population_text", "direction", "strength", "text",
    "certainty", "note", LINE,
}
RECOMMENDATION_DIRECTIONS = ("for", "against")
STRENGTHS = ("strong", "conditional", "research-only", "special-arrangements", "standard-arrangements")
UNVERIFIED_CITATION = "cited by author, title and year; no identifier verified"
CLAIM_KEYS = {
    "id", "about", "text", "source", "status", "assessment", "assessment_source", LINE,
}
CLAIM_STATUSES = {"unverified", "supported", "contradicted"}


@dataclass
class SourceTree:
    """The layout of a folder of curated sources (kg.settings finds the installed one): the core
    Turtle, the SHACL shapes, terms/, sources/ (the bibliography), mappings/, claims and
    recommendations."""

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
    def recommendations(self) -> Path:
        return self.root / "recommendations.yaml"

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
    # Where each entity and each (subject, property, object) statement was written: file, line.
    locations: dict[Any, tuple[str, int | None]] = field(default_factory=dict)

    def where(self, entity: Any, prop: Any = None, value: Any = None) -> tuple[str, int | None]:
        """The file and line of a statement, else of its subject, for located messages."""
        key = (str(entity), str(prop), str(value))
        return self.locations.get(key) or self.locations.get(str(entity)) or ("ontology", None)


@dataclass
class _Ctx:
    src: SourceTree
    graph: Graph
    problems: list[Problem] = field(default_factory=list)
    core_classes: set[str] = field(default_factory=set)
    object_properties: set[str] = field(default_factory=set)
    association_relations: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    terms: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    labels: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    source_info: dict[str, dict[str, Any]] = field(default_factory=dict)
    locations: dict[Any, tuple[str, int | None]] = field(default_factory=dict)

    def locate(self, file: str, line: int | None, entity: Any, prop: Any = None, value: Any = None) -> None:
        key: Any = str(entity) if prop is None else (str(entity), str(prop), str(value))
        self.locations.setdefault(key, (file, line))

    def problem(self, file: str, line: int | None, term: str | None, msg: str) -> None:
        self.problems.append(Problem(file, line, term, msg))


def _local(iri: Any) -> str | None:
    s = str(iri)
    return s[len(str(LBP)):] if s.startswith(str(LBP)) else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def load_core(src: SourceTree) -> Graph:
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
    for prop in g.transitive_subjects(RDFS.subPropertyOf, LBP.associationRelation):
        if prop != LBP.associationRelation and (name := _local(prop)) is not None:
            ctx.association_relations.add(name)
    for subject, definition in list(g.subject_objects(DEFINITION)):
        cited = list(g.objects(subject, DCTERMS.source))
        if cited and isinstance(subject, URIRef):
            # In lbp-core.ttl a subject's dcterms:source is the source of its definition.
            for src_node in cited:
                g.remove((subject, DCTERMS.source, src_node))
            _annotate(g, subject, DEFINITION, definition,
                      [str(_local(c) or "").removeprefix("source-") for c in cited], None, None)
    core_file = ctx.src.display(ctx.src.core)
    for number, text in enumerate(ctx.src.core.read_text(encoding="utf-8").splitlines(), start=1):
        if (match := re.match(r"lbp:([A-Za-z][\w-]*) ", text)) is not None:
            ctx.locate(core_file, number, LBP[match.group(1)])
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


def _compile_bibliography(ctx: _Ctx) -> None:
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
            ctx.source_info[sid] = item
            ctx.locate(disp, line, LBP[f"source-{sid}"])
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
            title = str(item.get("title")).rstrip(".")
            citation = f"{author.rstrip('.')}. {title}. {item.get('container') or ''} {year or ''}"
            g.add((node, DCTERMS.bibliographicCitation, Literal(re.sub(r"\s+", " ", citation).strip())))
            if item.get("identifier"):
                g.add((node, DCTERMS.identifier, Literal(str(item["identifier"]))))
            else:
                g.add((node, LBP.verificationStatus, Literal(UNVERIFIED_CITATION, lang="en")))
            if item.get("note"):
                g.add((node, RDFS.comment, Literal(" ".join(str(item["note"]).split()), lang="en")))
            if item.get("url"):
                g.add((node, RDFS.seeAlso, URIRef(str(item["url"]))))
    # Replacements are checked once every source is known.
    for sid, item in ctx.source_info.items():
        newer = item.get("superseded_by")
        if newer is None:
            continue
        file, line = ctx.locations[str(LBP[f"source-{sid}"])]
        if newer not in ctx.sources or newer == sid:
            ctx.problem(file, line, sid, f"superseded_by '{newer}' is not another known source")
            continue
        g.add((LBP[f"source-{sid}"], LBP.supersededBy, LBP[f"source-{newer}"]))


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
            ctx.locate(disp, line, LBP[tid])
            items.append((disp, item))
    return items


def _restriction(g: Graph, prop: URIRef, filler: URIRef) -> BNode:
    node = BNode()
    g.add((node, RDF.type, OWL.Restriction))
    g.add((node, OWL.onProperty, prop))
    g.add((node, OWL.someValuesFrom, filler))
    return node


def _annotate(g: Graph, s: URIRef, p: URIRef, o: Any, sources: list[str], more: dict[URIRef, Any] | None,
              note: str | None) -> BNode:
    """Reify one statement as an owl:Axiom with its sources, evidence annotations and caveat."""
    ax = BNode()
    g.add((ax, RDF.type, OWL.Axiom))
    g.add((ax, OWL.annotatedSource, s))
    g.add((ax, OWL.annotatedProperty, p))
    g.add((ax, OWL.annotatedTarget, o))
    for sid in sources:
        g.add((ax, DCTERMS.source, LBP[f"source-{sid}"]))
    for prop, value in (more or {}).items():
        if value is not None:
            g.add((ax, prop, value))
    if note:
        g.add((ax, RDFS.comment, Literal(" ".join(str(note).split()), lang="en")))
    return ax


def _words(value: Any) -> Literal | None:
    return Literal(" ".join(str(value).split()), lang="en") if value not in (None, "") else None


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
        self._urgency()
        self._natural_history()
        if item.get("comment"):
            g.add((node, RDFS.comment, Literal(str(item["comment"]).strip(), lang="en")))
        if item.get("deprecated"):
            g.add((node, OWL.deprecated, Literal(True)))
            if item.get("replaced_by") and (r := self.ref(item["replaced_by"], "replaced_by")):
                g.add((node, URIRef("http://purl.obolibrary.org/obo/IAO_0100001"), r))

    def _sourced_field(self, name: str) -> Any:
        """A term field that comes with `<name>_source`: its value, or None (a source alone is a problem)."""
        value = self.item.get(name)
        if value is None and f"{name}_source" in self.item:
            self.problem(f"{name}_source without {name}")
        return value

    def _add_sourced(self, prop: URIRef, value: Any, name: str, what: str) -> None:
        """The term's annotation and its owl:Axiom citing the field's sources."""
        sources = self.check_sources(self.item.get(f"{name}_source"), what)
        self.ctx.graph.add((self.node, prop, value))
        _annotate(self.ctx.graph, self.node, prop, value, sources, None, None)

    def _urgency(self) -> None:
        """How soon a suspected red-flag condition must be seen, with the guideline that says so."""
        urgency = self._sourced_field("urgency")
        if urgency is None:
            return
        if urgency not in URGENCIES:
            self.problem(f"urgency '{urgency}' is not one of {', '.join(URGENCIES)}")
            return
        if not self.item.get("red_flag"):
            self.problem("urgency belongs to red-flag terms (red_flag: true)")
        self._add_sourced(LBP.urgency, LBP[f"urgency-{urgency}"], "urgency", "urgency")

    def _natural_history(self) -> None:
        """The course of a condition in a review's words, with that review."""
        text = self._sourced_field("natural_history")
        if text is None:
            return
        if not isinstance(text, str) or not text.strip():
            self.problem("natural_history must be words")
            return
        self._add_sourced(LBP.naturalHistory, Literal(" ".join(text.split()), lang="en"), "natural_history",
                          "natural history")

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
        if "evidence" in assoc:
            self.problem("'evidence' was replaced by 'certainty' (with graded_by) and 'direction': "
                         "see ontology/README.md", line)
        for key in sorted(set(assoc) - ASSOCIATION_KEYS - {"evidence"}):
            self.problem(f"unknown association field '{key}'", line)
        rel = assoc.get("relation")
        if rel in GENERATED_RELATIONS:
            self.problem(f"'{rel}' comes from ontology/recommendations.yaml, not from a term file", line)
            return
        if rel not in self.ctx.association_relations:
            self.problem(f"unknown association relation '{rel}'", line)
            return
        what = f"{rel} -> {assoc.get('target')}"
        target = self.ref(assoc.get("target"), f"{rel} target", line)
        sources = self.check_sources(assoc.get("source"), f"association {what}", line)
        more = self._evidence(assoc, rel, what, sources, line)
        if target is None:
            return
        self.ctx.graph.add((self.node, LBP[rel], target))
        self.ctx.locate(self.disp, line, self.node, LBP[rel], target)
        _annotate(self.ctx.graph, self.node, LBP[rel], target, sources, more, assoc.get("note"))

    def _choice(self, assoc: dict[str, Any], key: str, allowed: tuple[str, ...], what: str,
                line: int | None, required: bool) -> str | None:
        value = assoc.get(key)
        if value is None:
            if required:
                self.problem(f"{what} has no {key} (one of {', '.join(allowed)})", line)
            return None
        if value not in allowed:
            self.problem(f"{what}: {key} '{value}' is not one of {', '.join(allowed)}", line)
            return None
        return str(value)

    def _evidence(self, assoc: dict[str, Any], rel: str, what: str, sources: list[str],
                  line: int | None) -> dict[URIRef, Any]:
        """The axiom annotations of the evidence model, each value checked against its relation."""
        certainty = self._choice(assoc, "certainty", CERTAINTIES, what, line, required=True)
        if certainty == "established" and rel in EFFECT_RELATIONS:
            self.problem(f"{what}: whether an intervention works needs a graded certainty "
                         "(high, moderate, low, very-low), not 'established'", line)
        graded_by = assoc.get("graded_by")
        if certainty in GRADED and graded_by is None:
            self.problem(f"{what}: certainty '{certainty}' needs graded_by, the cited source that grades it", line)
        if graded_by is not None and graded_by not in sources:
            self.problem(f"{what}: graded_by '{graded_by}' is not one of the statement's sources", line)
            graded_by = None
        direction = None
        if rel in EFFECT_RELATIONS:
            direction = self._choice(assoc, "direction", EFFECT_RELATIONS[rel], what, line, required=True)
        elif "direction" in assoc:
            self.problem(f"{what}: direction belongs to {', '.join(EFFECT_RELATIONS)} only", line)
        frequency = severity = kind = None
        if rel == "hasRisk":
            frequency = self._choice(assoc, "frequency", FREQUENCIES, what, line, required=False)
            severity = self._choice(assoc, "severity", SEVERITIES, what, line, required=True)
        elif "frequency" in assoc or "severity" in assoc:
            self.problem(f"{what}: frequency and severity belong to hasRisk only", line)
        if rel == "contraindicatedIn":
            kind = self._choice(assoc, "contraindication", CONTRAINDICATIONS, what, line, required=True)
        elif "contraindication" in assoc:
            self.problem(f"{what}: contraindication belongs to contraindicatedIn only", line)
        more = self._accuracy(assoc, rel, what, line)
        if "mcid" in assoc and rel != "measures":
            self.problem(f"{what}: mcid belongs to measures only", line)
        return more | {
            LBP.mcid: _words(assoc.get("mcid")),
            LBP.certainty: LBP[f"certainty-{certainty}"] if certainty else None,
            LBP.gradedBy: LBP[f"source-{graded_by}"] if graded_by else None,
            LBP.reportedGrade: _words(assoc.get("reported_grade")),
            LBP.direction: LBP[f"direction-{direction}"] if direction else None,
            LBP.magnitude: _words(assoc.get("magnitude")),
            LBP.population: _words(assoc.get("population")),
            LBP.frequency: LBP[f"frequency-{frequency}"] if frequency else None,
            LBP.severity: LBP[f"severity-{severity}"] if severity else None,
            LBP.contraindicationKind: LBP[f"contraindication-{kind}"] if kind else None,
        }


    def _accuracy(self, assoc: dict[str, Any], rel: str, what: str, line: int | None) -> dict[URIRef, Any]:
        """Sensitivity, specificity and the rest: numbers in range, on relations that test for something."""
        given = [key for key in (*ACCURACY, "reference_standard") if key in assoc]
        if given and rel not in ACCURACY_RELATIONS:
            self.problem(f"{what}: {', '.join(given)} belong to {', '.join(sorted(ACCURACY_RELATIONS))} only", line)
            return {}
        out: dict[URIRef, Any] = {LBP.referenceStandard: _words(assoc.get("reference_standard"))}
        for key, (prop, low, high) in ACCURACY.items():
            if key not in assoc:
                continue
            value = assoc[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.problem(f"{what}: {key} must be a number, not '{value}'", line)
                continue
            if value < low or (high is not None and value > high) or (high is None and value == low):
                upper = f"at most {high}" if high is not None else "above 0"
                self.problem(f"{what}: {key} {value} is out of range (from {low}, {upper})", line)
                continue
            out[LBP[prop]] = Literal(str(value), datatype=XSD.decimal)
        return out


def _individuals(ctx: _Ctx, path: Path, prefix: str, what: str,
                 keys: set[str]) -> Iterator[tuple[str, int | None, str, dict[str, Any]]]:
    """The items of a file of named individuals (claims, recommendations): each with a well-formed,
    unique id `prefix-...`, located for messages, its unknown fields reported."""
    if not path.exists():
        return
    disp, items = _load(ctx, path)
    seen: set[str] = set()
    for item in items:
        line = item.get(LINE)
        iid = item.get("id")
        if not isinstance(iid, str) or not iid.startswith(f"{prefix}-") or not INDIVIDUAL_ID.match(iid):
            ctx.problem(disp, line, str(iid), f"{what} id must look like {prefix}-lower-case-words")
            continue
        if iid in seen:
            ctx.problem(disp, line, iid, f"duplicate {what} id")
            continue
        seen.add(iid)
        ctx.locate(disp, line, LBP[iid])
        for key in sorted(set(item) - keys):
            ctx.problem(disp, line, iid, f"unknown field '{key}'")
        yield disp, line, iid, item


def _compile_recommendations(ctx: _Ctx) -> None:
    """Guideline recommendations: an lbp:Recommendation individual each, plus a recommendedFor or
    notRecommendedFor statement per intervention and population, citing the same document."""
    g = ctx.graph
    for disp, line, rid, item in _individuals(ctx, ctx.src.recommendations, "rec", "recommendation",
                                              RECOMMENDATION_KEYS):
        sid = item.get("source")
        info = ctx.source_info.get(str(sid))
        if info is None:
            ctx.problem(disp, line, rid, f"recommendation cites unknown source '{sid}'")
            continue
        if info.get("type") != "guideline":
            ctx.problem(disp, line, rid, f"recommendation source '{sid}' is a {info.get('type')}, not a guideline")
        if not info.get("author") or not info.get("year"):
            ctx.problem(disp, line, rid, f"recommendation source '{sid}' needs its issuing body (author) and year")
        direction = item.get("direction")
        if direction not in RECOMMENDATION_DIRECTIONS:
            ctx.problem(disp, line, rid, f"direction must be one of {', '.join(RECOMMENDATION_DIRECTIONS)}")
            direction = None
        strength = item.get("strength")
        if strength not in STRENGTHS:
            ctx.problem(disp, line, rid, f"strength must be one of {', '.join(STRENGTHS)}")
            strength = None
        certainty = item.get("certainty")
        if certainty is not None and certainty not in GRADED:
            ctx.problem(disp, line, rid, f"certainty must be one of {', '.join(sorted(GRADED))}")
            certainty = None
        if not item.get("text"):
            ctx.problem(disp, line, rid, "recommendation has no text")
        interventions = [i for i in _as_list(item.get("interventions")) if _known(ctx, disp, line, rid, i)]
        populations = [c for c in _as_list(item.get("population")) if _known(ctx, disp, line, rid, c)]
        if not _as_list(item.get("interventions")) or not _as_list(item.get("population")):
            ctx.problem(disp, line, rid, "recommendation needs interventions and a population")
        node = LBP[rid]
        text = " ".join(str(item.get("text", "")).split())
        body = str(info.get("author", "")).split("(")[-1].rstrip(")") if "(" in str(info.get("author")) \
            else str(info.get("author", ""))
        g.add((node, RDF.type, OWL.NamedIndividual))
        g.add((node, RDF.type, LBP.Recommendation))
        g.add((node, RDFS.label, Literal(f"{body} {info.get('year')}: {text[:70]}{'...' if len(text) > 70 else ''}",
                                         lang="en")))
        g.add((node, LBP.recommendationText, Literal(text, lang="en")))
        g.add((node, LBP.issuedBy, Literal(body)))
        g.add((node, DCTERMS.issued, Literal(str(info.get("year")), datatype=XSD.gYear)))
        g.add((node, DCTERMS.source, LBP[f"source-{sid}"]))
        more: dict[URIRef, Any] = {
            LBP.recommendation: node,
            LBP.recommendationDirection: LBP[f"recommendation-{direction}"] if direction else None,
            LBP.recommendationStrength: LBP[f"strength-{strength}"] if strength else None,
            LBP.certainty: LBP[f"certainty-{certainty}"] if certainty else None,
            LBP.gradedBy: LBP[f"source-{sid}"] if certainty else None,
            LBP.population: _words(item.get("population_text")),
        }
        for prop, value in more.items():
            if value is not None and prop not in (LBP.recommendation, LBP.gradedBy):
                g.add((node, prop, value))
        for name in interventions:
            g.add((node, LBP.recommendedIntervention, LBP[name]))
        for name in populations:
            g.add((node, LBP.recommendationPopulation, LBP[name]))
        if item.get("note"):
            g.add((node, RDFS.comment, Literal(" ".join(str(item["note"]).split()), lang="en")))
        if direction is None:
            continue
        rel = LBP.recommendedFor if direction == "for" else LBP.notRecommendedFor
        for name in interventions:
            for pop in populations:
                g.add((LBP[name], rel, LBP[pop]))
                ctx.locate(disp, line, LBP[name], rel, LBP[pop])
                _annotate(g, LBP[name], rel, LBP[pop], [str(sid)], more, item.get("note"))


def _known(ctx: _Ctx, disp: str, line: int | None, rid: str, name: Any) -> bool:
    if name in ctx.terms or name in ctx.core_classes:
        return True
    ctx.problem(disp, line, rid, f"'{name}' is not a defined term")
    return False


def _compile_claims(ctx: _Ctx) -> None:
    g = ctx.graph
    for disp, line, cid, item in _individuals(ctx, ctx.src.claims, "claim", "claim", CLAIM_KEYS):
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


def compile_ontology(src: SourceTree) -> Compiled:
    """Compile everything under src.root into one rdflib Graph, or raise SourceError."""
    graph = load_core(src)
    ctx = _Ctx(src=src, graph=graph)
    _read_core(ctx)
    _compile_bibliography(ctx)
    for disp, item in _collect_terms(ctx):
        _TermCompiler(ctx, disp, item).compile()
    _compile_claims(ctx)
    _compile_recommendations(ctx)
    _check_core_references(ctx)
    if ctx.problems:
        raise SourceError(ctx.problems)
    compiled = Compiled(graph=graph, locations=ctx.locations)
    for tid, (file, _line) in ctx.terms.items():
        compiled.classes[tid] = Path(file)
    compiled.labels = {v[0]: k for k, v in ctx.labels.items()}
    return compiled
