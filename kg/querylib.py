"""The one loader of the query library (queries/**/*.rq), used by the tests, `lbpkg query` and the
web editor's examples.

Each file starts with a grlc-style header: lines beginning `#+` holding YAML, which stays SPARQL
comment text so the file still runs anywhere:

    #+ title: Treatments for a condition
    #+ description: Interventions indicated for a condition, with their evidence.
    #+ audience: [researcher, educator]   # any of researcher | educator | developer
    #+ tags: [treatment]
    #+ params:
    #+   - name: condition             # binds ?condition
    #+     default: lbp:Sciatica
    #+     description: The condition.
    #+ expect:
    #+   min_rows: 1
    #+   contains: [{treatment: lbp:EpiduralSteroidInjection}]
    #+   not_contains: [{treatment: lbp:Vertebroplasty}]   # rows that must not be in the answer
    #+   needs_inferred: true   # incomplete without the relation graph (tests check it shrinks)

Quality checks (queries/checks/*-violation.rq) add `check: true` (the query must return no rows on
the release) and `breaks_with:` a Turtle snippet (project prefixes predeclared) on which it must
fire. A query using SERVICE says `federated: true`; it runs only when SERVICE is allowed.

A query that reads the whole graph by design (a listing of every term of a kind, a quality check)
says `report: true`: its time grows with the graph, where a lookup's depends on its answer. Checks
are reports without saying so. The benchmark holds lookups and reports to different targets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

from kg.errors import Problem, SourceError
from kg.namespaces import PREFIXES
from kg.results import XSD, QueryResult, Term
from kg.store.sparqltext import uses_service

DEFAULT_QUERY_DIR = Path("queries")
AUDIENCES = ("researcher", "educator", "developer")
HEADER_KEYS = {"title", "description", "audience", "tags", "params", "expect", "check", "breaks_with", "federated",
               "report"}
PARAM_KEYS = {"name", "default", "description", "type"}
EXPECT_KEYS = {"min_rows", "max_rows", "contains", "not_contains", "equals_rows", "boolean", "needs_inferred"}
# Param type -> how a text value becomes a term ("auto": IRI if it looks like one, else a string).
PARAM_TYPES: dict[str, str | None] = {
    "auto": None,
    "iri": None,
    "string": None,
    "integer": XSD + "integer",
    "decimal": XSD + "decimal",
    "double": XSD + "double",
    "boolean": XSD + "boolean",
    "date": XSD + "date",
}
# A YAML default's own type fixes the param type when none is declared.
_YAML_TYPES: tuple[tuple[type, str], ...] = ((bool, "boolean"), (int, "integer"), (float, "decimal"))

_VARNAME = r"[A-Za-z_0-9][A-Za-z_0-9\u00B7\u00C0-\uFFFF]*"
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*)?:([^\s<>\"]*)$")
_NT_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?$', re.DOTALL)
_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "b": "\b", "f": "\f"}


class QueryLibraryError(SourceError):
    """A query file's header is malformed; every problem carries file and line."""


class ParamError(SourceError):
    """A parameter given to a query is unknown or its value does not fit its type."""


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


@dataclass(frozen=True)
class RenderedQuery:
    """Query text plus the bindings the engine applies: values are never pasted into the text."""

    sparql: str
    bindings: dict[str, Term]


# -- values ----------------------------------------------------------------------------------


def prefix_map(prefixes: Mapping[str, Any] | None = None) -> dict[str, str]:
    return {p: str(ns) for p, ns in (prefixes if prefixes is not None else PREFIXES).items()}


def expand_curie(text: str, prefixes: Mapping[str, Any] | None = None) -> str | None:
    """The IRI of `<iri>`, `prefix:local` with a known prefix, or an absolute http(s)/urn IRI."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if text.startswith(("http://", "https://", "urn:")):
        return text
    m = _CURIE.match(text)
    table = prefix_map(prefixes)
    if m and (m.group(1) or "") in table:
        return table[m.group(1) or ""] + m.group(2)
    return None


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                out.append(chr(int(text[i + 2 : i + 2 + width], 16)))
                i += 2 + width
                continue
            out.append(_UNESCAPE.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse_value(text: Any, type: str = "auto", prefixes: Mapping[str, Any] | None = None) -> Term:
    """A parameter value (CLI text or YAML default) as a term of the declared type.

    auto: `<iri>`, a CURIE with a known prefix or an http(s)/urn IRI -> IRI; an N-Triples literal
    such as `"Ischias"@de` or `"3"^^xsd:integer` -> that literal; anything else -> a plain string.
    """
    if type not in PARAM_TYPES:
        raise ParamError([Problem("", None, None, f"unknown param type {type!r} ({', '.join(PARAM_TYPES)})")])
    if isinstance(text, bool):
        text = "true" if text else "false"
    text = str(text)
    if type == "iri":
        iri = expand_curie(text, prefixes)
        if iri is None:
            raise ParamError([Problem("", None, None, f"{text!r} is not an IRI or a CURIE with a known prefix")])
        return Term.uri(iri)
    if type == "string":
        return Term.literal(text)
    datatype = PARAM_TYPES[type]
    if datatype:
        if RdfLiteral(text.strip(), datatype=URIRef(datatype)).ill_typed:
            raise ParamError([Problem("", None, None, f"{text!r} is not a valid {type}")])
        return Term.literal(text.strip(), datatype)
    iri = expand_curie(text, prefixes)
    if iri is not None:
        return Term.uri(iri)
    m = _NT_LITERAL.match(text.strip())
    if m:
        datatype = None
        if m.group(3):
            datatype = expand_curie(m.group(3), prefixes)
            if datatype is None:
                raise ParamError([Problem("", None, None, f"unknown datatype in {text!r}")])
        return Term.literal(_unescape(m.group(1)), datatype, m.group(2))
    return Term.literal(text)


def turtle_graph(text: str, prefixes: Mapping[str, Any] | None = None) -> Graph:
    """Parse a Turtle snippet with the project's prefixes predeclared (for `breaks_with:`)."""
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefix_map(prefixes).items())
    return Graph().parse(data=head + text, format="turtle")


# -- reading headers -------------------------------------------------------------------------


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


def _rows(value: Any) -> tuple[dict[str, str], ...] | None:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        return None
    return tuple({str(k).lstrip("?"): _text(v) for k, v in r.items()} for r in value)


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def parse_query_text(text: str, name: str, path: Path) -> LibraryQuery:
    """Read one query file's text; raise QueryLibraryError listing every problem with its line."""
    where = str(path)
    header, body_line = split_header(text)
    problems: list[Problem] = []

    def problem(line: int | None, message: str) -> None:
        problems.append(Problem(where, line, name, message))

    if not header:
        problem(1, "no `#+` header: start the file with `#+ title: ...` lines")
        raise QueryLibraryError(problems)
    first = header[0][0]
    yaml_text = "\n".join(body for _, body in header)
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first + mark.line if mark is not None else first
        reason = getattr(exc, "problem", None) or str(exc)
        problem(line, f"header is not valid YAML: {reason}")
        raise QueryLibraryError(problems) from None
    if not isinstance(data, dict):
        problem(first, "header must be a YAML mapping (key: value lines)")
        raise QueryLibraryError(problems)
    lines = _key_lines(node, first) if node is not None else {}

    for key in data:
        if key not in HEADER_KEYS:
            problem(lines.get(key, first), f"unknown header key {key!r} (known: {', '.join(sorted(HEADER_KEYS))})")
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

    tags = data.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problem(lines.get("tags"), "tags must be a list of words")
        tags = []

    sparql_body = "\n".join(text.splitlines()[body_line - 1 :])
    if not sparql_body.strip():
        problem(body_line, "no SPARQL after the header")
    elif uses_service(sparql_body) and data.get("federated") is not True:
        problem(lines.get("title", first), "the query uses SERVICE: say `federated: true` in the header")

    params: list[Param] = []
    raw_params = data.get("params") or []
    param_lines = _item_lines(node, "params", first)
    if not isinstance(raw_params, list):
        problem(lines.get("params"), "params must be a list of {name, default, description}")
        raw_params = []
    for i, raw in enumerate(raw_params):
        line = param_lines[i] if i < len(param_lines) else lines.get("params")
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            problem(line, "each param needs a `name`")
            continue
        unknown = set(raw) - PARAM_KEYS
        if unknown:
            problem(line, f"unknown param keys {sorted(unknown)} (known: {', '.join(sorted(PARAM_KEYS))})")
        pname = raw["name"].lstrip("?$")
        default = raw.get("default")
        ptype = raw.get("type") or next((t for cls, t in _YAML_TYPES if isinstance(default, cls)), "auto")
        if ptype not in PARAM_TYPES:
            problem(line, f"param {pname}: unknown type {ptype!r} (known: {', '.join(PARAM_TYPES)})")
            continue
        if not re.search(rf"[?$]{re.escape(pname)}(?![A-Za-z_0-9\u00B7\u00C0-\uFFFF])", sparql_body):
            problem(line, f"param {pname} binds no variable: the query has no ?{pname}")
        if default is not None:
            try:
                parse_value(default, ptype)
            except ParamError as exc:
                problem(line, f"param {pname}: default {exc.problems[0].message}")
        params.append(Param(pname, None if default is None else _text(default), str(raw.get("description") or ""),
                            ptype))

    expect = Expect()
    raw_expect = data.get("expect")
    if raw_expect is not None:
        eline = lines.get("expect")
        if not isinstance(raw_expect, dict):
            problem(eline, "expect must be a mapping (min_rows, contains, ...)")
        else:
            unknown = set(raw_expect) - EXPECT_KEYS
            if unknown:
                problem(eline, f"unknown expect keys {sorted(unknown)} (known: {', '.join(sorted(EXPECT_KEYS))})")
            for key in ("min_rows", "max_rows"):
                value = raw_expect.get(key)
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                    problem(eline, f"expect.{key} must be a whole number")
            for key in ("boolean", "needs_inferred"):
                if key in raw_expect and not isinstance(raw_expect[key], bool):
                    problem(eline, f"expect.{key} must be true or false")
            contains = _rows(raw_expect.get("contains", []))
            not_contains = _rows(raw_expect.get("not_contains", []))
            equals = _rows(raw_expect["equals_rows"]) if "equals_rows" in raw_expect else ()
            if contains is None or not_contains is None or equals is None:
                problem(eline, "expect.contains / not_contains / equals_rows must be lists of {var: value} rows")
            if not problems:
                expect = Expect(
                    min_rows=raw_expect.get("min_rows"),
                    max_rows=raw_expect.get("max_rows"),
                    contains=contains or (),
                    not_contains=not_contains or (),
                    equals_rows=equals if "equals_rows" in raw_expect else None,
                    boolean=raw_expect.get("boolean"),
                    needs_inferred=bool(raw_expect.get("needs_inferred", False)),
                )

    if problems:
        raise QueryLibraryError(problems)
    return LibraryQuery(
        name=name,
        path=path,
        title=data["title"].strip(),
        description=" ".join(data["description"].split()),
        audience=tuple(audience),
        sparql=text,
        tags=tuple(tags),
        params=tuple(params),
        expect=expect,
        check=data.get("check") is True,
        breaks_with=breaks_with,
        federated=data.get("federated") is True,
        report=data.get("report") is True or data.get("check") is True,
    )


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


def scan_queries(root: Path = DEFAULT_QUERY_DIR) -> tuple[dict[str, LibraryQuery], list[Problem]]:
    """Every readable query by name (sorted) and the problems of the others: for listings that
    should show what works while reporting what does not."""
    root = Path(root)
    if not root.is_dir():
        return {}, [Problem(str(root), None, None, "no query library folder here")]
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


def load_queries(root: Path = DEFAULT_QUERY_DIR) -> dict[str, LibraryQuery]:
    """Every queries/**/*.rq by name (sorted); all malformed headers reported at once."""
    queries, problems = scan_queries(root)
    if problems:
        raise QueryLibraryError(problems)
    return queries


def get_query(name: str, root: Path = DEFAULT_QUERY_DIR) -> LibraryQuery:
    """One library query by name (e.g. 'examples/labels'), without parsing the others."""
    path = Path(root) / f"{name.removesuffix('.rq')}.rq"
    if ".." in Path(name).parts or not path.is_file():
        raise QueryLibraryError([Problem(str(root), None, name, f"no query named {name!r}: see `lbpkg queries`")])
    return load_query_file(path, Path(root))


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


# -- expectations ----------------------------------------------------------------------------


def _matches(row: dict[str, Term], expected: dict[str, str]) -> bool:
    for var, want in expected.items():
        term = row.get(var)
        if term is None:
            return False
        iri = expand_curie(want) if term.type == "uri" else None
        if term.value != (iri if iri is not None else want):
            return False
    return True


def check_expect(query: LibraryQuery, result: QueryResult) -> list[str]:
    """What in the answer breaks the header's `expect:`; empty when it holds. Values may be CURIEs
    (compared as IRIs) or literals (compared by lexical value)."""
    exp = query.expect
    failures: list[str] = []
    if query.check and len(result) > 0:
        failures.append(f"check fired: {len(result)} violations, e.g. {_show(result.rows[0]) if result.rows else ''}")
    if exp.boolean is not None:
        if result.kind != "ask":
            failures.append(f"expected an ASK answer, got a {result.kind} result")
        elif result.boolean != exp.boolean:
            failures.append(f"expected {str(exp.boolean).lower()}, got {str(result.boolean).lower()}")
    n = len(result)
    if exp.min_rows is not None and n < exp.min_rows:
        failures.append(f"expected at least {exp.min_rows} rows, got {n}")
    if exp.max_rows is not None and n > exp.max_rows:
        failures.append(f"expected at most {exp.max_rows} rows, got {n}")
    for want in exp.contains:
        if not any(_matches(row, want) for row in result.rows):
            failures.append(f"no row matches {want}")
    for unwanted in exp.not_contains:
        if any(_matches(row, unwanted) for row in result.rows):
            failures.append(f"a row matches {unwanted}, which should not be in the answer")
    if exp.equals_rows is not None:
        remaining = list(result.rows)
        for want in exp.equals_rows:
            hit = next((i for i, row in enumerate(remaining) if _matches(row, want)), None)
            if hit is None:
                failures.append(f"no row matches {want}")
            else:
                remaining.pop(hit)
        if remaining:
            failures.append(f"{len(remaining)} unexpected rows, e.g. {_show(remaining[0])}")
    return failures


def _show(row: dict[str, Term]) -> dict[str, str]:
    return {k: v.value for k, v in row.items()}
