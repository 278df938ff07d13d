"""The header of a library query: its schema, declared once (HEADER, PARAM, EXPECT below; the
table in queries/README.md is checked against it), and the reader that turns a file's `#+` lines
into a LibraryQuery or a list of problems, each with its file and line.

Each .rq file starts with grlc-style lines beginning `#+` holding YAML, which stay SPARQL comment
text so the file still runs anywhere:

    #+ title: Treatments for a condition
    #+ description: Interventions indicated for a condition, with their evidence.
    #+ audience: [researcher, educator]
    #+ params:
    #+   - name: condition
    #+     default: lbp:Sciatica
    #+ expect:
    #+   contains: [{treatment: lbp:EpiduralSteroidInjection}]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import Problem, SourceError
from kg.query.values import PARAM_TYPES, ParamError, parse_value, turtle_graph
from kg.store.sparqltext import uses_service

AUDIENCES = ("researcher", "educator", "developer")


@dataclass(frozen=True)
class Key:
    """One header key: its YAML shape, whether it is required, and what it means."""

    name: str
    shape: str
    meaning: str
    required: bool = False


HEADER: tuple[Key, ...] = (
    Key("title", "text", "A short name, shown in listings and the editor's examples.", True),
    Key("description", "text", "What the query answers and how; one paragraph.", True),
    Key("audience", "list of researcher | educator | developer", "Who it is written for.", True),
    Key("tags", "list of words", "Topics, for `lbpkg queries --tag`."),
    Key("params", "list of {name, default, description, type}", "Variables a caller may bind (see PARAM)."),
    Key("expect", "mapping (see EXPECT)", "What the tests check of the answer on the real graph, on every backend."),
    Key("check", "true | false", "A quality check: must return no rows on the release (queries/checks/)."),
    Key("breaks_with", "Turtle text", "A check's counter-example: a small graph on which it must fire."),
    Key("federated", "true | false", "The query uses SERVICE; it runs only where SERVICE is allowed."),
    Key("report", "true | false", "Reads the whole graph by design (listings, checks): held to the report target."),
)
PARAM: tuple[Key, ...] = (
    Key("name", "variable name", "The variable it binds (?name).", True),
    Key("default", "CURIE, <IRI>, literal or text", "Bound when the caller gives no value (none: unbound)."),
    Key("description", "text", "What to give."),
    Key("type", " | ".join(PARAM_TYPES),
        "How a value becomes a term (default: from the default's YAML type, else auto)."),
)
EXPECT: tuple[Key, ...] = (
    Key("min_rows", "whole number", "At least this many rows."),
    Key("max_rows", "whole number", "At most this many rows."),
    Key("contains", "list of {var: value}", "Each of these rows is in the answer (values: CURIEs or literals)."),
    Key("not_contains", "list of {var: value}", "None of these rows is in the answer."),
    Key("equals_rows", "list of {var: value}", "Exactly these rows, in any order."),
    Key("boolean", "true | false", "The answer of an ASK query."),
    Key("needs_inferred", "true | false", "The answer shrinks without the relation graph (the tests check it does)."),
)
# A YAML default's own type fixes the param type when none is declared.
_YAML_TYPES: tuple[tuple[type, str], ...] = ((bool, "boolean"), (int, "integer"), (float, "decimal"))


class QueryLibraryError(SourceError):
    """A query file's header is malformed; every problem carries file and line."""


@dataclass(frozen=True)
class Param:
    name: str
    default: str | None = None
    description: str = ""
    type: str = "auto"


@dataclass(frozen=True)
class Expect:
    """What the tests check of a query's answer on the real graph."""

    min_rows: int | None = None
    max_rows: int | None = None
    contains: tuple[dict[str, str], ...] = ()
    not_contains: tuple[dict[str, str], ...] = ()  # no row may match any of these
    equals_rows: tuple[dict[str, str], ...] | None = None
    boolean: bool | None = None
    needs_inferred: bool = False


@dataclass(frozen=True)
class LibraryQuery:
    """One .rq file: its header fields and its full text (header included, it is only comments)."""

    name: str
    path: Path
    title: str
    description: str
    audience: tuple[str, ...]
    sparql: str
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    expect: Expect = field(default_factory=Expect)
    check: bool = False
    breaks_with: str | None = None
    federated: bool = False
    report: bool = False  # reads the whole graph by design (listings, checks)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def split_header(text: str) -> tuple[list[tuple[int, str]], int]:
    """The `#+` lines at the top (1-based line number, YAML text) and the line where SPARQL starts."""
    lines = text.splitlines()
    header: list[tuple[int, str]] = []
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines) and lines[i].lstrip().startswith("#+"):
        body = lines[i].lstrip()[2:]
        header.append((i + 1, body[1:] if body.startswith(" ") else body))
        i += 1
    return header, i + 1


# -- reading --------------------------------------------------------------------------------

Report = Callable[[int | None, str], None]


def _key_lines(node: yaml.Node, first_line: int) -> dict[str, int]:
    """File line of each top-level key, for messages that point at the right line."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: first_line + k.start_mark.line for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _item_lines(node: yaml.Node | None, key: str, first_line: int) -> list[int]:
    """File line of each item of a top-level list (params, contains...)."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.SequenceNode):
            return [first_line + item.start_mark.line for item in v.value]
    return []


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _rows(value: Any) -> tuple[dict[str, str], ...] | None:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        return None
    return tuple({str(k).lstrip("?"): _text(v) for k, v in r.items()} for r in value)


def _unknown(given: Any, schema: tuple[Key, ...], what: str) -> str | None:
    """`unknown <what>s [...] (known: ...)` for keys the schema does not declare, else None."""
    unknown = sorted(str(k) for k in given if k not in {key.name for key in schema})
    if not unknown:
        return None
    return f"unknown {what}s {unknown} (known: {', '.join(sorted(key.name for key in schema))})"


def _read_yaml(header: list[tuple[int, str]], problem: Report) -> tuple[dict[str, Any], yaml.Node | None] | None:
    first = header[0][0]
    yaml_text = "\n".join(body for _, body in header)
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        problem(first + mark.line if mark is not None else first, f"header is not valid YAML: {reason}")
        return None
    if not isinstance(data, dict):
        problem(first, "header must be a YAML mapping (key: value lines)")
        return None
    return data, node


def _check_fields(data: dict[str, Any], lines: dict[str, int], first: int, problem: Report) -> tuple[str, ...]:
    """The plain keys: unknown ones, required text, audience, flags, breaks_with; the audience."""
    declared = {key.name for key in HEADER}
    for key in data:
        if key not in declared:
            problem(lines.get(key, first), f"unknown header key {key!r} (known: {', '.join(sorted(declared))})")
    for key in ("title", "description"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problem(lines.get(key, first), f"header needs a non-empty `{key}`")
    audience = data.get("audience")
    audience = [audience] if isinstance(audience, str) else audience
    if not isinstance(audience, list) or not audience or not all(a in AUDIENCES for a in audience):
        problem(lines.get("audience", first), f"audience must be one or a list of: {', '.join(AUDIENCES)}")
        audience = []
    for key in ("check", "federated", "report"):
        if key in data and not isinstance(data[key], bool):
            problem(lines.get(key), f"{key} must be true or false")
    breaks_with = data.get("breaks_with")
    if breaks_with is not None:
        if not isinstance(breaks_with, str):
            problem(lines.get("breaks_with"), "breaks_with must be Turtle text (use `breaks_with: |`)")
        else:
            try:
                turtle_graph(breaks_with)
            except Exception as exc:
                problem(lines.get("breaks_with"), f"breaks_with is not valid Turtle: {' '.join(str(exc).split())}")
    if data.get("check") is True and breaks_with is None:
        problem(lines.get("check"), "a check needs `breaks_with:`, a small graph on which it fires")
    return tuple(audience)


def _tags(data: dict[str, Any], lines: dict[str, int], problem: Report) -> tuple[str, ...]:
    tags = data.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problem(lines.get("tags"), "tags must be a list of words")
        return ()
    return tuple(tags)


def _param(raw: Any, line: int | None, sparql_body: str, problem: Report) -> Param | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        problem(line, "each param needs a `name`")
        return None
    message = _unknown(raw, PARAM, "param key")
    if message:
        problem(line, message)
    pname = raw["name"].lstrip("?$")
    default = raw.get("default")
    ptype = raw.get("type") or next((t for cls, t in _YAML_TYPES if isinstance(default, cls)), "auto")
    if ptype not in PARAM_TYPES:
        problem(line, f"param {pname}: unknown type {ptype!r} (known: {', '.join(PARAM_TYPES)})")
        return None
    if not re.search(rf"[?$]{re.escape(pname)}(?![A-Za-z_0-9\u00B7\u00C0-\uFFFF])", sparql_body):
        problem(line, f"param {pname} binds no variable: the query has no ?{pname}")
    if default is not None:
        try:
            parse_value(default, ptype)
        except ParamError as exc:
            problem(line, f"param {pname}: default {exc.problems[0].message}")
    return Param(pname, None if default is None else _text(default), str(raw.get("description") or ""), ptype)


def _params(data: dict[str, Any], node: yaml.Node | None, lines: dict[str, int], first: int, sparql_body: str,
            problem: Report) -> tuple[Param, ...]:
    raw_params = data.get("params") or []
    if not isinstance(raw_params, list):
        problem(lines.get("params"), "params must be a list of {name, default, description}")
        return ()
    item_lines = _item_lines(node, "params", first)
    params = (
        _param(raw, item_lines[i] if i < len(item_lines) else lines.get("params"), sparql_body, problem)
        for i, raw in enumerate(raw_params)
    )
    return tuple(p for p in params if p is not None)


def _expect(raw: Any, line: int | None, problem: Report) -> Expect:
    if raw is None:
        return Expect()
    if not isinstance(raw, dict):
        problem(line, "expect must be a mapping (min_rows, contains, ...)")
        return Expect()
    ok = True

    def bad(message: str) -> None:
        nonlocal ok
        ok = False
        problem(line, message)

    message = _unknown(raw, EXPECT, "expect key")
    if message:
        bad(message)
    for key in ("min_rows", "max_rows"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            bad(f"expect.{key} must be a whole number")
    for key in ("boolean", "needs_inferred"):
        if key in raw and not isinstance(raw[key], bool):
            bad(f"expect.{key} must be true or false")
    contains = _rows(raw.get("contains", []))
    not_contains = _rows(raw.get("not_contains", []))
    equals = _rows(raw["equals_rows"]) if "equals_rows" in raw else ()
    if contains is None or not_contains is None or equals is None:
        bad("expect.contains / not_contains / equals_rows must be lists of {var: value} rows")
    if not ok:
        return Expect()
    return Expect(
        min_rows=raw.get("min_rows"),
        max_rows=raw.get("max_rows"),
        contains=contains or (),
        not_contains=not_contains or (),
        equals_rows=equals if "equals_rows" in raw else None,
        boolean=raw.get("boolean"),
        needs_inferred=bool(raw.get("needs_inferred", False)),
    )


def parse_query_text(text: str, name: str, path: Path) -> LibraryQuery:
    """Read one query file's text; raise QueryLibraryError listing every problem with its line."""
    header, body_line = split_header(text)
    problems: list[Problem] = []

    def problem(line: int | None, message: str) -> None:
        problems.append(Problem(str(path), line, name, message))

    if not header:
        problem(1, "no `#+` header: start the file with `#+ title: ...` lines")
        raise QueryLibraryError(problems)
    read = _read_yaml(header, problem)
    if read is None:
        raise QueryLibraryError(problems)
    data, node = read
    first = header[0][0]
    lines = _key_lines(node, first) if node is not None else {}
    audience = _check_fields(data, lines, first, problem)
    tags = _tags(data, lines, problem)
    sparql_body = "\n".join(text.splitlines()[body_line - 1 :])
    if not sparql_body.strip():
        problem(body_line, "no SPARQL after the header")
    elif uses_service(sparql_body) and data.get("federated") is not True:
        problem(lines.get("title", first), "the query uses SERVICE: say `federated: true` in the header")
    params = _params(data, node, lines, first, sparql_body, problem)
    expect = _expect(data.get("expect"), lines.get("expect"), problem)
    if problems:
        raise QueryLibraryError(problems)
    return LibraryQuery(
        name=name,
        path=path,
        title=data["title"].strip(),
        description=" ".join(data["description"].split()),
        audience=audience,
        sparql=text,
        tags=tags,
        params=params,
        expect=expect,
        check=data.get("check") is True,
        breaks_with=data.get("breaks_with"),
        federated=data.get("federated") is True,
        report=data.get("report") is True or data.get("check") is True,
    )
