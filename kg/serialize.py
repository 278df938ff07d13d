"""Write a QueryResult in the standard formats. The formats are kg.formats' table; this module adds
the writer of each, so the CLI's --format and the web UI's Accept header pick from the same data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph

from kg.errors import LbpError
from kg.formats import DEFAULT_FORMAT, FAMILY_ALIASES, HTTP_DEFAULT_FORMAT, Format, name_for_media_type, rdf_formats
from kg.formats import FORMATS as TABLE
from kg.namespaces import PREFIXES, bind_prefixes
from kg.results import QueryResult, Term

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
TABLE_CELL_MAX = 80


class FormatError(LbpError):
    """A format name or media type that does not fit the result."""


# -- SELECT / ASK writers --------------------------------------------------------------------


def write_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}, indent=1) + "\n"
    payload = {
        "head": {"vars": result.vars},
        "results": {"bindings": [{k: t.to_json() for k, t in row.items()} for row in result.rows]},
    }
    return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"


def _xml_term(term: Term) -> str:
    if term.type == "uri":
        return f"<uri>{escape(term.value)}</uri>"
    if term.type == "bnode":
        return f"<bnode>{escape(term.value)}</bnode>"
    attrs = f" xml:lang={quoteattr(term.lang)}" if term.lang else ""
    attrs += f" datatype={quoteattr(term.datatype)}" if term.datatype else ""
    return f"<literal{attrs}>{escape(term.value)}</literal>"


def write_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<sparql xmlns="{SPARQL_RESULTS_NS}">', "  <head>"]
    lines += [f"    <variable name={quoteattr(v)}/>" for v in result.vars]
    lines.append("  </head>")
    if result.kind == "ask":
        lines.append(f"  <boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        lines.append("  <results>")
        for row in result.rows:
            lines.append("    <result>")
            lines += [f"      <binding name={quoteattr(k)}>{_xml_term(t)}</binding>" for k, t in row.items()]
            lines.append("    </result>")
        lines.append("  </results>")
    lines.append("</sparql>")
    return "\n".join(lines) + "\n"


def _ask_rows(result: QueryResult) -> tuple[list[str], list[list[str]]]:
    return ["boolean"], [["true" if result.boolean else "false"]]


def write_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: plain values, CRLF line ends (types are lost by design of the format)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ask":
        header, rows = _ask_rows(result)
        writer.writerow(header)
        writer.writerows(rows)
        return buf.getvalue()
    writer.writerow(result.vars)
    for row in result.rows:
        cells = []
        for var in result.vars:
            term = row.get(var)
            cells.append("" if term is None else (f"_:{term.value}" if term.type == "bnode" else term.value))
        writer.writerow(cells)
    return buf.getvalue()


def write_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: every cell in N-Triples term syntax, so types survive."""
    if result.kind == "ask":
        header, rows = _ask_rows(result)
        return "\n".join(["\t".join(header)] + ["\t".join(r) for r in rows]) + "\n"
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    for row in result.rows:
        lines.append("\t".join(row[v].n3() if v in row else "" for v in result.vars))
    return "\n".join(lines) + "\n"


def compact(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """The shortest CURIE for an IRI with the project's prefixes, or the IRI in angle brackets."""
    table = prefixes if prefixes is not None else {p: str(ns) for p, ns in PREFIXES.items()}
    best = None
    for prefix, ns in table.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(table[best])):
            local = iri[len(ns):]
            if local and all(ch.isalnum() or ch in "_-." for ch in local):
                best = prefix
    return f"{best}:{iri[len(table[best]):]}" if best is not None else f"<{iri}>"


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    if term.type == "uri":
        text = compact(term.value)
    elif term.type == "bnode":
        text = f"_:{term.value}"
    else:
        text = term.value + (f"@{term.lang}" if term.lang else "")
    text = " ".join(text.split())
    return text if len(text) <= TABLE_CELL_MAX else text[: TABLE_CELL_MAX - 1] + "…"


def write_table(result: QueryResult) -> str:
    """A plain text table for people at a terminal: CURIEs, no datatypes, long cells cut."""
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    header = result.vars
    body = [[_cell(row.get(v)) for v in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines) + "\n"


# -- graph writers ---------------------------------------------------------------------------


def _graph_writer(rdflib_format: str) -> Callable[[QueryResult], str]:
    def write(result: QueryResult) -> str:
        graph = bind_prefixes(Graph())
        if result.triples is not None:
            for triple in result.triples:
                graph.add(triple)
        kwargs: dict[str, Any] = {}
        if rdflib_format == "json-ld":
            kwargs["context"] = {p: str(ns) for p, ns in PREFIXES.items()}
        text = graph.serialize(format=rdflib_format, **kwargs)
        return text if text.endswith("\n") else text + "\n"

    write.__doc__ = f"Graph results as {rdflib_format} (rdflib)."
    return write


# -- the formats: kg.formats describes them, this module writes them -------------------------

WRITERS: dict[str, Callable[[QueryResult], str]] = {
    "table": write_table,
    "json": write_json,
    "xml": write_xml,
    "csv": write_csv,
    "tsv": write_tsv,
} | {f.name: _graph_writer(f.rdflib) for f in rdf_formats() if f.rdflib}


@dataclass(frozen=True)
class ResultFormat:
    """A format of kg.formats with the function that writes a result in it."""

    format: Format
    write: Callable[[QueryResult], str]

    @property
    def name(self) -> str:
        return self.format.name

    @property
    def media_type(self) -> str:
        return self.format.media_type

    @property
    def extension(self) -> str:
        return self.format.extension

    @property
    def kinds(self) -> frozenset[str]:
        return self.format.kinds


FORMATS: dict[str, ResultFormat] = {name: ResultFormat(fmt, WRITERS[name]) for name, fmt in TABLE.items()}


def find_format(name: str | None, kind: str) -> ResultFormat:
    """The format for a result kind, by name (None: the default for that kind)."""
    name = DEFAULT_FORMAT[kind] if name is None else name.lower()
    name = FAMILY_ALIASES.get((kind, name), name)
    fmt = FORMATS.get(name)
    if fmt is None or kind not in fmt.kinds:
        fitting = ", ".join(n for n, f in FORMATS.items() if kind in f.kinds)
        raise FormatError(f"format {name!r} does not fit a {kind.upper()} result; use one of: {fitting}")
    return fmt


def serialize(result: QueryResult, name: str | None = None) -> str:
    """Write a result in the named format (default: table for SELECT/ASK, Turtle for graphs)."""
    return find_format(name, result.kind).write(result)


def negotiate(accept: str | None, kind: str) -> ResultFormat:
    """Pick a format from an HTTP Accept header (q-values honoured), else the kind's default."""
    choices: list[tuple[float, int, str]] = []
    for order, part in enumerate((accept or "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        choices.append((-q, order, media.lower()))
    for neg_q, _, media in sorted(choices):
        if neg_q == 0:
            break
        name = name_for_media_type(media)
        if name is not None:
            name = FAMILY_ALIASES.get((kind, name), name)
            if kind in FORMATS[name].kinds:
                return FORMATS[name]
    return FORMATS[HTTP_DEFAULT_FORMAT[kind]]
