"""Validation: the pass every command shares over the curated sources (compiler checks plus the
query library's quality checks), and SHACL over the reasoned release."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg.build.compile import Compiled, SourceTree, compile_ontology
from kg.errors import BuildError, Problem, SourceError
from kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, LBP, SH


def shacl_violations(data: Graph, shapes_path: Path) -> list[str]:
    """Validate `data` against the shapes file; return readable violation lines (empty = conforms)."""
    from pyshacl import validate

    shapes = Graph()
    try:
        shapes.parse(shapes_path, format="turtle")
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad shapes file
        raise BuildError(f"{shapes_path}: cannot read SHACL shapes: {exc}") from None
    conforms, report, _text = validate(
        data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True
    )
    if not isinstance(report, Graph):  # pyshacl reports broken shapes this way
        raise BuildError(f"{shapes_path}: SHACL engine failure: {report}")
    if conforms:
        return []
    lines = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage)
        parts = [str(focus)]
        if path is not None:
            parts.append(f"path {path}")
        if value is not None:
            parts.append(f"value {value}")
        lines.append(f"{' '.join(parts)}: {message}")
    return sorted(lines)


# -- the validation pass: compile, then every quality check of the query library ---------------


def hierarchy_closure(graph: Graph) -> Graph:
    """Every named class's asserted ancestors as direct rdfs:subClassOf edges, as the relation graph
    gives them after reasoning: the library's checks read the hierarchy in one step."""
    closure = Graph()
    parents: dict[Any, set[Any]] = {}
    for child, parent in graph.subject_objects(RDFS.subClassOf):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            parents.setdefault(child, set()).add(parent)
    for cls in parents:
        seen: set[Any] = set()
        todo = list(parents[cls])
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            closure.add((cls, RDFS.subClassOf, node))
            todo.extend(parents.get(node, ()))
    return closure


def check_problems(compiled: Compiled, query_root: Path | None = None) -> list[Problem]:
    """Run every check of the query library (queries/checks/*-violation.rq) over the compiled
    sources; each row becomes a Problem located at the file and line that wrote the statement."""
    from kg.query.library import load_queries, render
    from kg.store import OxigraphStore

    checks = [q for q in load_queries(query_root).values() if q.check]
    store = OxigraphStore.from_graphs({
        str(ASSERTED_GRAPH): compiled.graph, str(INFERRED_GRAPH): hierarchy_closure(compiled.graph),
    })
    problems: list[Problem] = []
    for query in sorted(checks, key=lambda q: q.name):
        rendered = render(query)
        for row in store.query(rendered.sparql, bindings=rendered.bindings).rows:
            entity = row.get("entity")
            prop, value = row.get("property"), row.get("value")
            file, line = compiled.where(entity.value if entity else None,
                                        prop.value if prop else None, value.value if value else None)
            term = _short(entity.value) if entity else None
            detail = " ".join(_short(x.value) for x in (prop, value) if x is not None)
            problems.append(Problem(file, line, term, f"{query.title} ({query.name}): {detail}"))
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.message))


def _short(iri: str) -> str:
    return iri[len(str(LBP)):] if iri.startswith(str(LBP)) else iri


def validate_sources(src: SourceTree, query_root: Path | None = None) -> Compiled:
    """The one validation pass that `lbpkg check`, `lbpkg build` and the tests share: the compiler's
    own checks, then the library's quality checks; every problem located by file, line and term."""
    compiled = compile_ontology(src)
    problems = check_problems(compiled, query_root)
    if problems:
        raise SourceError(problems)
    return compiled
