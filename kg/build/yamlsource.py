"""Read curated YAML with the line number of every mapping, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.errors import Problem, SourceError

LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the 1-based line of each mapping under LINE."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


def load_items(path: Path, display: str) -> list[dict[str, Any]]:
    """Load a YAML file that must hold a list of mappings; raise SourceError with the line."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        msg = f"YAML syntax error: {exc.problem or exc}"
        raise SourceError([Problem(display, line, None, msg)]) from None
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise SourceError([Problem(display, 1, None, "expected a list of mappings")])
    return data
