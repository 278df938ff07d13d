"""Parameter values as RDF terms: a CURIE, an <IRI>, an N-Triples literal or plain text becomes the
term a query is bound to (values are bound by the engine, never pasted into the query text)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

from kg.errors import Problem, SourceError
from kg.namespaces import PREFIXES
from kg.results import XSD, Term

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

_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*)?:([^\s<>\"]*)$")
_NT_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?$', re.DOTALL)
_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "b": "\b", "f": "\f"}


class ParamError(SourceError):
    """A parameter given to a query is unknown or its value does not fit its type."""


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
