"""The one loader of the query library (queries/**/*.rq), used by the tests, `lbpkg query` and the
web editor's examples: find the library (kg.settings), read each file's header (kg.query.header),
and render a query with its parameters bound (kg.query.values)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import Problem
from kg.query.header import AUDIENCES, LibraryQuery, QueryLibraryError, parse_query_text
from kg.query.values import ParamError, expand_curie, parse_value, turtle_graph
from kg.results import Term
from kg.settings import get_settings

# The names other modules take from the library, wherever they are defined.
__all__ = [
    "AUDIENCES", "LibraryQuery", "ParamError", "QueryLibraryError", "RenderedQuery", "expand_curie", "get_query",
    "library_dir", "load_queries", "load_query_file", "parse_query_text", "parse_value", "render", "scan_queries",
    "turtle_graph",
]


@dataclass(frozen=True)
class RenderedQuery:
    """Query text plus the bindings the engine applies: values are never pasted into the text."""

    sparql: str
    bindings: dict[str, Term]


def load_query_file(path: Path, root: Path | None = None) -> LibraryQuery:
    """One .rq file; its name is its path under `root` without .rq (or the file stem)."""
    path = Path(path)
    try:
        name = path.relative_to(root).with_suffix("").as_posix() if root else path.stem
    except ValueError:
        name = path.stem
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryLibraryError([Problem(str(path), None, name, f"cannot read: {exc}")]) from None
    return parse_query_text(text, name, path)


def library_dir(root: Path | None = None) -> Path:
    """The query library folder: `root`, else the installed library (kg.settings). A missing
    folder is an error, never an empty library."""
    if root is None:
        return get_settings().require("queries")
    root = Path(root)
    if not root.is_dir():
        message = "no query library folder here (LBPKG_QUERIES names another)"
        raise QueryLibraryError([Problem(str(root), None, None, message)])
    return root


def scan_queries(root: Path | None = None) -> tuple[dict[str, LibraryQuery], list[Problem]]:
    """Every readable query by name (sorted) and the problems of the others: for listings that
    should show what works while reporting what does not."""
    root = library_dir(root)
    queries: dict[str, LibraryQuery] = {}
    problems: list[Problem] = []
    for path in sorted(root.rglob("*.rq")):
        try:
            query = load_query_file(path, root)
        except QueryLibraryError as exc:
            problems.extend(exc.problems)
            continue
        queries[query.name] = query
    return queries, problems


def load_queries(root: Path | None = None) -> dict[str, LibraryQuery]:
    """Every queries/**/*.rq by name (sorted); all malformed headers reported at once."""
    queries, problems = scan_queries(root)
    if problems:
        raise QueryLibraryError(problems)
    return queries


def get_query(name: str, root: Path | None = None) -> LibraryQuery:
    """One library query by name (e.g. 'examples/labels'), without parsing the others."""
    root = library_dir(root)
    path = root / f"{name.removesuffix('.rq')}.rq"
    if ".." in Path(name).parts or not path.is_file():
        raise QueryLibraryError([Problem(str(root), None, name, f"no query named {name!r}: see `lbpkg queries`")])
    return load_query_file(path, root)


def render(query: LibraryQuery, params: Mapping[str, Any] | None = None) -> RenderedQuery:
    """The query text and its bindings: given values, else defaults; a param with neither stays
    unbound (the query then answers for every value). Unknown names are an error."""
    given = dict(params or {})
    unknown = [k for k in given if query.param(k.lstrip("?$")) is None]
    if unknown:
        known = ", ".join(p.name for p in query.params) or "none"
        raise ParamError([Problem(str(query.path), None, query.name,
                                  f"unknown parameter {', '.join(unknown)} (known: {known})")])
    given = {k.lstrip("?$"): v for k, v in given.items()}
    bindings: dict[str, Term] = {}
    for param in query.params:
        value = given.get(param.name, param.default)
        if value is None:
            continue
        if isinstance(value, Term):
            bindings[param.name] = value
            continue
        try:
            bindings[param.name] = parse_value(value, param.type)
        except ParamError as exc:
            raise ParamError([Problem(str(query.path), None, query.name,
                                      f"param {param.name}: {exc.problems[0].message}")]) from None
    return RenderedQuery(query.sparql, bindings)
