"""What we need to know about a query's text without an engine: its form, whether it names its own
dataset, and where a VALUES block binding parameters can go (for engines with no binding API).

Values are written with full RDF term escaping (Term.n3) and variable names are checked, so a
parameter value can never change the query's structure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass

from pyparsing import ParseBaseException
from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translatePName, translatePrologue, traverse
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from kg.results import ResultKind, Term
from kg.store.base import VARNAME, QueryError, QuerySyntaxError

FORMS: dict[str, ResultKind] = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "graph",
    "DescribeQuery": "graph",
}


@dataclass(frozen=True)
class QueryShape:
    kind: ResultKind
    has_dataset: bool  # FROM / FROM NAMED in the text: the protocol dataset must not override it


_PP_LOCATION = re.compile(r"\s*\(at char \d+\),\s*\(line:\d+, col:\d+\)\s*$")


def syntax_error_from_rdflib(exc: ParseBaseException) -> QuerySyntaxError:
    """pyparsing's 'Expected X, found 'Y'' without its own location suffix (we add line/column)."""
    return QuerySyntaxError(_PP_LOCATION.sub("", str(exc)) or exc.msg, exc.lineno, exc.col)


def inspect_query(sparql: str) -> QueryShape:
    """Parse with rdflib's SPARQL 1.1 grammar: one syntax check with line/column for every backend
    that has no local parser of its own (the remote one)."""
    try:
        parsed = parseQuery(sparql)
    except ParseBaseException as exc:
        raise syntax_error_from_rdflib(exc) from None
    form = parsed[1]
    kind = FORMS.get(form.name)
    if kind is None:
        raise QueryError(f"not a query (SELECT, ASK, CONSTRUCT or DESCRIBE): {form.name}")
    return QueryShape(kind, "datasetClause" in form)  # (form.get() answers the key name when absent)


# -- lexing just enough to find braces ------------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z_0-9\u00B7\u00C0-\uFFFF]+)
    | (?P<word>[A-Za-z_][A-Za-z_0-9\-.:]*)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_FORM_WORDS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int
    end: int


def _tokens(sparql: str) -> list[_Tok]:
    toks = []
    for m in _TOKEN.finditer(sparql):
        kind = m.lastgroup or "other"
        if kind == "comment" or (kind == "other" and m.group().isspace()):
            continue
        toks.append(_Tok(kind, m.group(), m.start(), m.end()))
    return toks


def _matching(toks: list[_Tok], i: int) -> int:
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].kind == "open":
            depth += 1
        elif toks[j].kind == "close":
            depth -= 1
            if depth == 0:
                return j
    raise QuerySyntaxError("unbalanced braces")


def nesting_depth(sparql: str) -> int:
    """How deep groups and parentheses nest, outside strings, IRIs and comments (an engine's parser
    recurses once per level, and a few thousand levels overflow its stack)."""
    depth = deepest = 0
    for tok in _tokens(sparql):
        if tok.kind == "open" or tok.text == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif tok.kind == "close" or tok.text == ")":
            depth -= 1
    return deepest


def values_block(bindings: dict[str, Term]) -> str:
    """`VALUES (?a ?b) { (<x> "y") }` with each term escaped as N-Triples."""
    names, terms = [], []
    for name, term in bindings.items():
        if not VARNAME.match(name):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
        if term.type == "bnode":
            raise QueryError(f"cannot bind ?{name} to a blank node: VALUES only takes IRIs and literals")
        names.append(f"?{name}")
        terms.append(term.n3(ascii_only=True))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def inject_values(sparql: str, bindings: dict[str, Term]) -> str:
    """Bind variables by a VALUES block placed first in the query's WHERE group, so FILTERs and
    aggregates of that group see the values (as SEP-0007 substitution would). A WHERE group that is
    a bare sub-select gets the block beside it; `CONSTRUCT WHERE {...}` is spelt out in full."""
    if not bindings:
        return sparql
    block = values_block(bindings)
    toks = _tokens(sparql)
    form_at = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() in _FORM_WORDS), None)
    if form_at is None:
        raise QuerySyntaxError("no SELECT, ASK, CONSTRUCT or DESCRIBE")
    i = form_at + 1
    if toks[form_at].text.upper() == "CONSTRUCT":
        if i < len(toks) and toks[i].kind == "open":
            i = _matching(toks, i) + 1  # skip the template
        elif i < len(toks) and toks[i].text.upper() == "WHERE" and i + 1 < len(toks) and toks[i + 1].kind == "open":
            # CONSTRUCT WHERE { triples }: no room for VALUES in the short form, so spell it out
            # as CONSTRUCT { triples } WHERE { VALUES ... triples } (same meaning).
            open_, close = toks[i + 1], toks[_matching(toks, i + 1)]
            triples = sparql[open_.end : close.start]
            head, tail = sparql[: toks[i].start], sparql[close.end :]
            return f"{head}{{{triples}}} WHERE {{ {block} {triples}}}{tail}"
    where = next((j for j in range(i, len(toks)) if toks[j].kind == "open"), None)
    if where is None:  # e.g. DESCRIBE <x> with no WHERE: nothing to bind
        return sparql
    start = toks[where].end
    following = toks[where + 1] if where + 1 < len(toks) else None
    if following is not None and following.kind == "word" and following.text.upper() == "SELECT":
        end = toks[_matching(toks, where)].start
        return f"{sparql[:start]} {block} {{ {sparql[start:end]} }} {sparql[end:]}"
    return f"{sparql[:start]} {block} {sparql[start:]}"


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(sparql: str) -> str:
    """The text after SPARQL's codepoint escapes (\\uXXXX, \\UXXXXXXXX), which the grammar allows
    anywhere; an engine may apply them in IRIs only, or everywhere."""
    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _CODEPOINT.sub(one, sparql)


class ServiceRefused(QueryError):
    """A query that federates to an endpoint this caller may not ask."""


@functools.lru_cache(maxsize=1024)
def service_endpoints(sparql: str) -> tuple[str | None, ...] | None:
    """The endpoints a query's SERVICE clauses name, resolved against its prefixes and base (None
    for `SERVICE ?var`); () when it has none; None when it mentions SERVICE but the grammar cannot
    say where (a text this parser rejects). Any spelling of the keyword contains the letters
    "service" once codepoint escapes are applied, so texts without them skip the parse."""
    if "service" not in unescape_codepoints(sparql).lower():
        return ()
    try:
        parsed = parseQuery(sparql)
    except ParseBaseException:
        return None
    prologue = translatePrologue(parsed[0], None)
    body = traverse(parsed[1], functools.partial(translatePName, prologue=prologue))
    found: list[str | None] = []

    def visit(node: object) -> None:
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            term = node.get("term")
            found.append(str(term) if isinstance(term, URIRef) else None)

    traverse(body, visit)
    return tuple(found)


def check_service(sparql: str, allowed: bool | Collection[str] = False) -> None:
    """Refuse a federated query unless every SERVICE endpoint it names is allowed (True: any)."""
    if allowed is True:
        return
    endpoints = service_endpoints(sparql)
    if endpoints == ():
        return
    allowlist = set() if allowed is False else set(allowed)  # type: ignore[arg-type]
    refused = "" if endpoints is None else next(
        (f"<{e}>" if e is not None else "with a variable endpoint" for e in endpoints if e not in allowlist), ""
    )
    if endpoints is None or refused:
        what = ("(federated query), in a query that could not be read to see where it would go,"
                if endpoints is None else refused)
        raise ServiceRefused(f"SERVICE {what} is not allowed: this endpoint makes no outbound requests"
                             + (" except to its allowlist" if allowlist else ""))


def uses_service(sparql: str) -> bool:
    """Whether the query federates, or may (a text the grammar rejects that mentions SERVICE)."""
    return service_endpoints(sparql) != ()


def names_dataset(sparql: str) -> bool:
    """Whether the query has a FROM or FROM NAMED clause (the word outside strings, IRIs and
    comments: it is a keyword only there), so its own dataset replaces the union default graph."""
    return any(t.kind == "word" and t.text.upper() == "FROM" for t in _tokens(unescape_codepoints(sparql)))


def limit_solutions(sparql: str, cap: int) -> tuple[str, bool]:
    """A SELECT query with at most `cap` solutions (its own LIMIT lowered to cap, or LIMIT cap added to its
    outermost solution modifiers), and whether that changed what it can answer. A text this lexer
    cannot place a LIMIT in comes back unchanged with False."""
    toks = _tokens(sparql)
    form_at = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() in _FORM_WORDS), None)
    if form_at is None or toks[form_at].text.upper() != "SELECT":
        return sparql, False
    group_at = next((i for i in range(form_at + 1, len(toks)) if toks[i].kind == "open"), None)
    if group_at is None:
        return sparql, False
    try:
        end = _matching(toks, group_at)
    except QuerySyntaxError:
        return sparql, False
    tail = toks[end + 1:]
    for i, tok in enumerate(tail):
        if tok.kind == "word" and tok.text.upper() == "LIMIT" and i + 1 < len(tail) and tail[i + 1].text.isdigit():
            number = tail[i + 1]
            if int(number.text) <= cap:
                return sparql, False
            return f"{sparql[:number.start]}{cap}{sparql[number.end:]}", True
    values = next((t for t in tail if t.kind == "word" and t.text.upper() == "VALUES"), None)
    at = values.start if values is not None else len(sparql)
    return f"{sparql[:at]}\nLIMIT {cap}\n{sparql[at:]}", True


_NO_CONSTANT_AFTER = {"AS", "BOUND"}  # (expr AS ?v) and BOUND(?v) need a variable


def substitute_terms(sparql: str, bindings: dict[str, Term]) -> tuple[str, dict[str, Term]]:
    """Write bound variables into the query text as constants, as SEP-0007 substitution does, so an
    engine plans with them (oxigraph substitutes only projected variables and would otherwise join a
    VALUES block after evaluating the rest). Returns the text and the bindings left to bind otherwise:
    those projected (SELECT *, DESCRIBE included), under VALUES, bound by AS, in BOUND(), in a solution
    modifier (GROUP BY, HAVING, ORDER BY), blank nodes, and all of them in a query with a sub-select
    (whose variables have their own scope)."""
    if not bindings:
        return sparql, {}
    toks = _tokens(sparql)
    if sum(1 for t in toks if t.kind == "word" and t.text.upper() == "SELECT") > 1:
        return sparql, dict(bindings)
    form_at = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() in _FORM_WORDS), None)
    if form_at is None:
        return sparql, dict(bindings)
    form = toks[form_at].text.upper()
    # the WHERE group: after the template in CONSTRUCT { template } WHERE { ... }
    after = form_at + 1
    if form == "CONSTRUCT" and after < len(toks) and toks[after].kind == "open":
        after = _matching(toks, after) + 1
    group_at = next((i for i in range(after, len(toks)) if toks[i].kind == "open"), None)
    if group_at is None:
        return sparql, dict(bindings)
    group_end = _matching(toks, group_at)
    head = [t.text.upper() for t in toks[form_at + 1:group_at] if t.text.upper() not in ("DISTINCT", "REDUCED")]
    # SELECT * projects every variable in scope: a substituted one would drop out of the answer
    projects_all = form == "SELECT" and bool(head) and head[0] == "*"
    keep: set[str] = {name for name, term in bindings.items() if term.type == "bnode"}
    in_values = False
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() == "VALUES":
            in_values = True
        elif tok.kind == "open" and in_values:
            in_values = False
        if tok.kind != "var" or tok.text[1:] not in bindings:
            continue
        projected = projects_all or (form in ("SELECT", "DESCRIBE") and i < group_at)
        before = {t.text.upper() for t in toks[max(0, i - 2):i]}
        if projected or i > group_end or in_values or _NO_CONSTANT_AFTER & before:
            keep.add(tok.text[1:])
    out, last = [], 0
    for tok in toks:
        name = tok.text[1:]
        if tok.kind == "var" and name in bindings and name not in keep:
            out.append(sparql[last:tok.start])
            out.append(bindings[name].n3(ascii_only=True))
            last = tok.end
    out.append(sparql[last:])
    return "".join(out), {name: term for name, term in bindings.items() if name in keep}
