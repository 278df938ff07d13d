"""LBP-KG's cross-ontology mappings: load, check and publish ontology/mappings/lbp-kg.sssom.tsv.

The mappings are a hand-curated SSSOM table (https://mapping-commons.github.io/sssom/): one row per
mapping from an LBP-KG class or relation (``lbp:...``) to a class of another ontology, with a SKOS
mapping predicate, the justification, the source version of the object and a comment that says
where the object identifier and label were verified. CURIEs are expanded with the one curated
prefix map, ``ontology/mappings/prefixes.yaml``, through the ``curies`` package.

This module

* reads the table with a plain TSV reader and checks every row, reporting each bad row with file
  and line (unknown prefix, predicate outside the SKOS mapping predicates, missing justification or
  verification comment, duplicate row): :func:`load_mappings`;
* turns the table into RDF, a SKOS mapping triple (with an owl:Axiom holding the row's label,
  justification, source version and comment) and an ``oboInOwl:hasDbXref`` CURIE literal on the
  LBP-KG class for every row: :func:`mapping_graph`;
* writes the release copies as SSSOM/TSV and SSSOM/JSON with sssom-py's writers:
  :func:`write_release`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import curies
import yaml
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import LbpError, Problem, SourceError
from kg.namespaces import OIO, bind_prefixes
from kg.release_files import SSSOM_STEM

PREFIX_FILE_NAME = "prefixes.yaml"

#: The SKOS mapping predicates a row may use. broadMatch: the object is broader than the subject.
ALLOWED_PREDICATES: frozenset[str] = frozenset(
    {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch"}
)
#: Columns every row must fill in (object_label may be empty where the checked file has no label).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "mapping_justification",
    "object_source_version",
    "comment",
)
COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS[:4] + ("object_label",) + REQUIRED_COLUMNS[4:]
#: Mapping-set slots whose SSSOM type is EntityReference: a CURIE with a curie_map prefix, not an IRI.
ENTITY_REFERENCE_SLOTS: tuple[str, ...] = ("subject_source", "object_source", "creator_id", "author_id", "reviewer_id")
SUBJECT_PREFIX = "lbp"
SSSOM = Namespace("https://w3id.org/sssom/")
#: The SSSOM slots each mapping axiom carries (SSSOM's OWL form: slots as annotations on the axiom).
AXIOM_SLOTS = (SSSOM.object_label, SSSOM.mapping_justification, SSSOM.object_source_version)


@dataclass(frozen=True)
class Mapping:
    """One row of the table, with the line of the file it came from."""

    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    mapping_justification: str
    object_source_version: str
    comment: str
    line: int

    @property
    def object_prefix(self) -> str:
        """The prefix of the object CURIE, such as ``UBERON``."""
        return self.object_id.split(":", 1)[0]


@dataclass(frozen=True)
class MappingTable:
    """A checked mapping table: its metadata block, its rows and the converter for its CURIEs."""

    path: Path
    metadata: dict[str, Any]
    mappings: list[Mapping]
    converter: curies.Converter = field(repr=False)

    def expand(self, curie: str) -> str:
        """The full IRI of a CURIE of the table (every CURIE was checked to expand on loading)."""
        iri = self.converter.expand(curie)
        if iri is None:  # pragma: no cover - load_mappings rejects such rows
            raise LbpError(f"{self.path}: cannot expand {curie!r}")
        return iri


def prefix_file(mappings_path: Path) -> Path:
    """The prefix map that belongs to a mapping table: prefixes.yaml in the same folder."""
    return mappings_path.parent / PREFIX_FILE_NAME


def load_prefixes(path: Path) -> curies.Converter:
    """Read the curated prefix map (``prefix: URI prefix`` per line) into a ``curies`` converter."""
    display = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError([Problem(display, None, None, f"cannot read the prefix map: {exc}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SourceError([Problem(display, line, None, f"YAML syntax error: {exc}")]) from None
    if not isinstance(data, dict) or not data:
        raise SourceError([Problem(display, 1, None, "expected a mapping of prefix -> URI prefix")])
    bad = [k for k, v in data.items() if not isinstance(k, str) or not isinstance(v, str) or "://" not in v]
    if bad:
        raise SourceError([Problem(display, None, str(k), "URI prefix must be an http(s) URI") for k in bad])
    return curies.Converter.from_prefix_map({str(k): str(v) for k, v in data.items()})


def _split_metadata(lines: list[str]) -> tuple[list[str], int]:
    """The ``#`` metadata lines at the top, and the index of the header line that follows them."""
    meta: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("#"):
            meta.append(line[1:].removeprefix(" ") if line.startswith("# ") else line[1:])
        else:
            return meta, index
    return meta, len(lines)


def _check_metadata(metadata: dict[str, Any], converter: curies.Converter, display: str) -> list[Problem]:
    """The curie_map of the table must agree with the curated prefix map."""
    problems: list[Problem] = []
    for key in ("curie_map", "mapping_set_id", "license"):
        if not metadata.get(key):
            problems.append(Problem(display, 1, None, f"metadata block lacks {key}"))
    curie_map = metadata.get("curie_map") or {}
    for slot in ENTITY_REFERENCE_SLOTS:
        values = metadata.get(slot) or []
        for value in values if isinstance(values, list) else [values]:
            prefix = str(value).split(":", 1)[0]
            if "://" in str(value) or not isinstance(curie_map, dict) or prefix not in curie_map:
                message = f"{slot} {value!r} must be a CURIE with a curie_map prefix (an SSSOM EntityReference)"
                problems.append(Problem(display, 1, slot, message))
    if isinstance(curie_map, dict):
        for prefix, uri_prefix in curie_map.items():
            expected = converter.bimap.get(prefix)
            if expected is None:
                message = f"curie_map prefix {prefix!r} is not in {PREFIX_FILE_NAME}"
                problems.append(Problem(display, 1, prefix, message))
            elif expected != uri_prefix:
                message = f"curie_map gives {uri_prefix!r}, {PREFIX_FILE_NAME} gives {expected!r}"
                problems.append(Problem(display, 1, prefix, message))
    return problems


def _check_row(row: Mapping, converter: curies.Converter, display: str) -> list[Problem]:
    """Everything wrong with one row, each problem naming the file, the line and the subject."""
    found: list[Problem] = []

    def problem(message: str) -> None:
        found.append(Problem(display, row.line, row.subject_id or None, message))

    for column in REQUIRED_COLUMNS:
        if not getattr(row, column).strip():
            problem(f"missing {column}" + (" (say where the object was verified)" if column == "comment" else ""))
    if row.predicate_id and row.predicate_id not in ALLOWED_PREDICATES:
        problem(f"predicate {row.predicate_id!r} is not one of {', '.join(sorted(ALLOWED_PREDICATES))}")
    if row.subject_id and not row.subject_id.startswith(SUBJECT_PREFIX + ":"):
        problem(f"subject {row.subject_id!r} is not an LBP-KG CURIE ({SUBJECT_PREFIX}:...)")
    for curie in (row.subject_id, row.object_id, row.predicate_id, row.mapping_justification):
        if not curie:
            continue
        prefix = curie.split(":", 1)[0] if ":" in curie else ""
        if not prefix or prefix not in converter.bimap:
            problem(f"unknown prefix in {curie!r}: add it to {PREFIX_FILE_NAME} or fix the CURIE")
        elif converter.expand(curie) is None:  # pragma: no cover - prefix known, so expansion works
            problem(f"cannot expand {curie!r}")
    return found


def load_mappings(path: Path, prefixes: Path | None = None) -> MappingTable:
    """Read and check a mapping table; raise :class:`SourceError` listing every bad row by line."""
    path = Path(path)
    display = str(path)
    converter = load_prefixes(prefixes or prefix_file(path))
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SourceError([Problem(display, None, None, f"cannot read the mapping table: {exc}")]) from None
    meta_lines, header_index = _split_metadata(lines)
    try:
        metadata = yaml.safe_load("\n".join(meta_lines)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise SourceError([Problem(display, line, None, f"metadata block is not YAML: {exc}")]) from None
    if not isinstance(metadata, dict):
        raise SourceError([Problem(display, 1, None, "metadata block must be a YAML mapping")])
    problems = _check_metadata(metadata, converter, display)
    if header_index >= len(lines):
        raise SourceError(problems + [Problem(display, header_index + 1, None, "no header line")])
    reader = csv.reader(lines[header_index:], delimiter="\t")
    header = next(reader)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        message = f"missing columns: {', '.join(missing)}"
        raise SourceError(problems + [Problem(display, header_index + 1, None, message)])
    mappings: list[Mapping] = []
    seen: dict[tuple[str, str, str], int] = {}
    for offset, cells in enumerate(reader, start=header_index + 2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            message = f"expected {len(header)} tab-separated cells, found {len(cells)}"
            problems.append(Problem(display, offset, None, message))
            continue
        values = dict(zip(header, cells, strict=True))
        row = Mapping(**{c: values[c].strip() for c in COLUMNS}, line=offset)
        problems.extend(_check_row(row, converter, display))
        key = (row.subject_id, row.predicate_id, row.object_id)
        if key in seen:
            problems.append(Problem(display, offset, row.subject_id, f"duplicate of the mapping on line {seen[key]}"))
        seen.setdefault(key, offset)
        mappings.append(row)
    if problems:
        raise SourceError(problems)
    return MappingTable(path=path, metadata=metadata, mappings=mappings, converter=converter)


def mapping_graph(path: Path, prefixes: Path | None = None) -> Graph:
    """The mappings as RDF: ``subject skos:xMatch object`` and ``subject oboInOwl:hasDbXref "CURIE"``,
    and an owl:Axiom on the SKOS triple with the row's object label, justification, object source
    version and comment (where the mapping was verified), as SSSOM's OWL form writes them.

    The database cross-reference is written for every row, as OBO ontologies do, so that tools that
    read xrefs (rather than SKOS) still find the external identifiers of an LBP-KG class. The SKOS
    mapping predicates are declared annotation properties, so the graph stays in OWL 2 DL when it
    is merged into the ontology: the external IRIs are only annotation values, never individuals.
    """
    table = load_mappings(path, prefixes)
    graph = bind_prefixes(Graph())
    graph.bind("skos", SKOS, override=True)
    for predicate in sorted(ALLOWED_PREDICATES):
        graph.add((URIRef(table.expand(predicate)), RDF.type, OWL.AnnotationProperty))
    graph.add((OIO.hasDbXref, RDF.type, OWL.AnnotationProperty))
    for slot in AXIOM_SLOTS:
        graph.add((slot, RDF.type, OWL.AnnotationProperty))
    for row in table.mappings:
        subject = URIRef(table.expand(row.subject_id))
        predicate = URIRef(table.expand(row.predicate_id))
        target = URIRef(table.expand(row.object_id))
        graph.add((subject, predicate, target))
        graph.add((subject, OIO.hasDbXref, Literal(row.object_id)))
        axiom = BNode()
        graph.add((axiom, RDF.type, OWL.Axiom))
        graph.add((axiom, OWL.annotatedSource, subject))
        graph.add((axiom, OWL.annotatedProperty, predicate))
        graph.add((axiom, OWL.annotatedTarget, target))
        if row.object_label:
            graph.add((axiom, SSSOM.object_label, Literal(row.object_label)))
        graph.add((axiom, SSSOM.mapping_justification, URIRef(table.expand(row.mapping_justification))))
        graph.add((axiom, SSSOM.object_source_version, Literal(row.object_source_version)))
        graph.add((axiom, RDFS.comment, Literal(row.comment)))
    return graph


def write_release(
    folder: Path, path: Path, prefixes: Path | None = None, stem: str = SSSOM_STEM
) -> list[Path]:
    """Check the table, then write ``<stem>.tsv`` and ``<stem>.json`` into ``folder`` with sssom-py.

    The table is checked with :func:`load_mappings` first, so a bad row is reported with its line
    before sssom-py sees it. Returns the paths written.
    """
    table = load_mappings(path, prefixes)
    try:
        from sssom.parsers import parse_sssom_table
        from sssom.writers import write_json, write_table
    except ImportError as exc:  # pragma: no cover - sssom is a test/release extra
        raise LbpError("writing the SSSOM release needs sssom-py: pip install sssom") from exc
    msdf = parse_sssom_table(table.path, prefix_map=dict(table.converter.bimap))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for suffix, writer in ((".tsv", write_table), (".json", write_json)):
        target = folder / f"{stem}{suffix}"
        with target.open("w", encoding="utf-8") as handle:
            writer(msdf, handle)
        written.append(target)
    return written


def write_sssom_release(path: Path, folder: Path) -> list[Path]:
    """The build's entry point: write the release copies of the table at ``path`` into ``folder``."""
    return write_release(folder, path)


def mapped_subjects(mappings: Iterable[Mapping]) -> set[str]:
    """The local names of the LBP-KG classes and relations that have at least one mapping."""
    return {m.subject_id.split(":", 1)[1] for m in mappings}
