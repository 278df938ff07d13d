"""SHACL validation of the release with pyshacl, reported as one line per violation."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from kg.errors import BuildError
from kg.namespaces import SH


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
