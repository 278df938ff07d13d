"""One result shape for every store backend, so callers (CLI, web UI, tests) never see engine types.

Terms are normalised on the way in (RDF 1.1: a simple literal *is* an xsd:string; language tags are
case-insensitive), so the same query gives equal results on oxigraph, rdflib and a remote endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

TermType = Literal["uri", "literal", "bnode"]
ResultKind = Literal["select", "ask", "graph"]

# N-Triples / SPARQL string escapes (ECHAR); everything else passes through or is \u-escaped.
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# Characters that may not appear raw inside <IRI> (N-Triples IRIREF); escaped as \uXXXX.
_IRI_FORBIDDEN = set('<>"{}|^`\\') | {chr(c) for c in range(0x21)}


def _escape_char(ch: str, ascii_only: bool) -> str:
    if ch in _ECHAR:
        return _ECHAR[ch]
    code = ord(ch)
    if code < 0x20 or code == 0x7F or (ascii_only and code > 0x7E):
        return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"
    return ch


def _escape_iri(value: str, ascii_only: bool) -> str:
    out = []
    for ch in value:
        code = ord(ch)
        if ch in _IRI_FORBIDDEN or (ascii_only and code > 0x7E):
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Term:
    """An RDF term as plain data: type, lexical value, datatype IRI (None for plain strings), lang."""

    type: TermType
    value: str
    datatype: str | None = None
    lang: str | None = None

    def __post_init__(self) -> None:
        if self.type not in ("uri", "literal", "bnode"):
            raise ValueError(f"unknown term type {self.type!r}")
        if self.type != "literal":
            if self.datatype or self.lang:
                raise ValueError(f"a {self.type} has no datatype or language")
            return
        if self.lang:
            object.__setattr__(self, "lang", self.lang.lower())
            object.__setattr__(self, "datatype", None)
        else:
            object.__setattr__(self, "lang", None)
            if self.datatype in (XSD_STRING, RDF_LANGSTRING, ""):
                object.__setattr__(self, "datatype", None)

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def uri(cls, value: str) -> Term:
        return cls("uri", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, lang: str | None = None) -> Term:
        return cls("literal", value, datatype, lang)

    @classmethod
    def bnode(cls, value: str) -> Term:
        return cls("bnode", value)

    @classmethod
    def from_rdflib(cls, node: Node) -> Term:
        if isinstance(node, URIRef):
            return cls.uri(str(node))
        if isinstance(node, BNode):
            return cls.bnode(str(node))
        if isinstance(node, RdfLiteral):
            datatype = str(node.datatype) if node.datatype else None
            return cls.literal(str(node), datatype, node.language)
        raise TypeError(f"not an RDF term: {node!r}")

    @classmethod
    def _trusted(cls, kind: TermType, value: str, datatype: str | None, lang: str | None) -> Term:
        """A Term from an engine's already valid, normalised parts, without __post_init__'s checks:
        building result rows is the hot loop of every embedded query."""
        term = object.__new__(cls)
        term.__dict__.update(type=kind, value=value, datatype=datatype, lang=lang)
        return term

    @classmethod
    def from_oxigraph(cls, term: Any) -> Term:
        kind = type(term)
        if kind is ox.NamedNode:
            return cls._trusted("uri", term.value, None, None)
        if kind is ox.Literal:
            lang = term.language
            if lang:
                return cls._trusted("literal", term.value, None, lang.lower())
            datatype = term.datatype.value
            return cls._trusted("literal", term.value, None if datatype == XSD_STRING else datatype, None)
        if kind is ox.BlankNode:
            return cls._trusted("bnode", term.value, None, None)
        raise TypeError(f"unsupported oxigraph term (RDF-star triples are not supported): {term!r}")

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Term:
        """From one binding of the SPARQL 1.1 JSON results format (also Virtuoso's 'typed-literal')."""
        kind = data.get("type")
        if kind == "uri":
            return cls.uri(data["value"])
        if kind == "bnode":
            return cls.bnode(data["value"])
        if kind in ("literal", "typed-literal"):
            return cls.literal(data["value"], data.get("datatype"), data.get("xml:lang"))
        raise ValueError(f"unknown term type in SPARQL JSON results: {kind!r}")

    @classmethod
    def coerce(cls, value: Any) -> Term:
        """A Term from a Term, an rdflib node or a pyoxigraph term; plain strings are refused because
        '<x>' vs 'x' would be a guess (parse them with kg.query.library.parse_value)."""
        if isinstance(value, Term):
            return value
        if isinstance(value, Node):
            return cls.from_rdflib(value)
        if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)):
            return cls.from_oxigraph(value)
        raise TypeError(f"cannot bind {value!r}: give a Term or an rdflib/pyoxigraph term")

    # -- conversions --------------------------------------------------------------------------

    def to_rdflib(self) -> Node:
        if self.type == "uri":
            return URIRef(self.value)
        if self.type == "bnode":
            return BNode(self.value)
        return RdfLiteral(self.value, lang=self.lang, datatype=URIRef(self.datatype) if self.datatype else None)

    def to_oxigraph(self) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if self.type == "uri":
            return ox.NamedNode(self.value)
        if self.type == "bnode":
            return ox.BlankNode(self.value)
        if self.lang:
            return ox.Literal(self.value, language=self.lang)
        return ox.Literal(self.value, datatype=ox.NamedNode(self.datatype or XSD_STRING))

    def to_json(self) -> dict[str, str]:
        """One binding in the SPARQL 1.1 JSON results format."""
        out = {"type": self.type, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype:
            out["datatype"] = self.datatype
        return out

    def n3(self, ascii_only: bool = False) -> str:
        """N-Triples / SPARQL syntax with every escape needed, so a value can never break out of its
        term (used for VALUES blocks and INSERT DATA; ascii_only for picky servers)."""
        if self.type == "uri":
            return f"<{_escape_iri(self.value, ascii_only)}>"
        if self.type == "bnode":
            if self.value.isascii() and self.value.replace("_", "").isalnum():
                return f"_:b{self.value}"
            return f"_:x{self.value.encode('utf-8').hex()}"
        text = '"' + "".join(_escape_char(ch, ascii_only) for ch in self.value) + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype:
            return f"{text}^^<{_escape_iri(self.datatype, ascii_only)}>"
        return text

    def __str__(self) -> str:
        return self.value


Row = dict[str, Term]


@dataclass
class QueryResult:
    """What any backend returns: rows for SELECT, a boolean for ASK, an rdflib Graph for
    CONSTRUCT/DESCRIBE. Unbound variables are absent from a row's dict."""

    kind: ResultKind
    vars: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    triples: Graph | None = None

    @classmethod
    def select(cls, vars: list[str], rows: list[Row]) -> QueryResult:
        return cls("select", vars=list(vars), rows=rows)

    @classmethod
    def ask(cls, answer: bool) -> QueryResult:
        return cls("ask", boolean=bool(answer))

    @classmethod
    def graph(cls, graph: Graph) -> QueryResult:
        return cls("graph", triples=graph)

    @classmethod
    def from_sparql_json(cls, data: dict[str, Any]) -> QueryResult:
        """Read the SPARQL 1.1 Query Results JSON format (remote endpoints)."""
        if "boolean" in data:
            return cls.ask(bool(data["boolean"]))
        vars = list(data.get("head", {}).get("vars", []))
        rows = [
            {name: Term.from_json(value) for name, value in binding.items()}
            for binding in data.get("results", {}).get("bindings", [])
        ]
        return cls.select(vars, rows)

    def __len__(self) -> int:
        if self.kind == "graph":
            return len(self.triples) if self.triples is not None else 0
        if self.kind == "ask":
            return 1
        return len(self.rows)

    def column(self, var: str) -> list[str | None]:
        """The values of one variable, row by row (None where unbound): handy in tests."""
        return [row[var].value if var in row else None for row in self.rows]
