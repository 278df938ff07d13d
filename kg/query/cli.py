"""`lbpkg query` and `lbpkg queries`: thin click commands over kg.store, kg.query.library, kg.serialize.

Registered on the group in kg.cli with `main.add_command(query_command)` and
`main.add_command(queries_command)`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.errors import LbpError, exit_with
from kg.formats import FAMILY_ALIASES
from kg.query.header import QueryLibraryError, parse_query_text, split_header
from kg.query.library import RenderedQuery, get_query, render, scan_queries
from kg.query.values import parse_value
from kg.serialize import FORMATS, serialize
from kg.store import open_store
from kg.store.sparqltext import ServiceRefused

FORMAT_CHOICES = sorted(set(FORMATS) | {name for _, name in FAMILY_ALIASES})




def _split_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = value
    return params


def _looks_like_name(text: str) -> bool:
    return not any(ch.isspace() or ch in "{}" for ch in text)


def _prepare(
    text: str | None, query_file: str | None, params: dict[str, str], queries_dir: Path | None
) -> RenderedQuery:
    """Library query by name, a .rq file (its header's params honoured), or inline SPARQL."""
    if query_file is not None:
        if text:
            raise click.UsageError("give a query name/text or --file, not both")
        stream = sys.stdin if query_file == "-" else open(query_file, encoding="utf-8")
        with stream:
            source = stream.read()
        header, _ = split_header(source)
        if header:
            path = Path(query_file)
            return render(parse_query_text(source, path.stem, path), params)
        return RenderedQuery(source, {k.lstrip("?$"): parse_value(v) for k, v in params.items()})
    if not text:
        raise click.UsageError("give a library query name, SPARQL text, or --file F.rq (see `lbpkg queries`)")
    if _looks_like_name(text):
        return render(get_query(text, queries_dir), params)
    return RenderedQuery(text, {k.lstrip("?$"): parse_value(v) for k, v in params.items()})


@click.command("query")
@click.argument("query", required=False)
@click.option("--file", "-f", "query_file", type=click.Path(dir_okay=False, allow_dash=True, exists=True),
              help="Run a .rq file ('-' reads standard input).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME (a CURIE like lbp:Sciatica, an <IRI>, or text). Repeatable.")
@click.option("--store", "store_spec", default=None,
              help="oxigraph:PATH | rdflib:RELEASE_DIR | sparql:QUERY_URL[|UPDATE_URL] (default: the embedded "
                   "store `lbpkg build` writes, or LBPKG_STORE)")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES, case_sensitive=False), default=None,
              help="Output format (default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, help="Seconds.")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE (federated queries fetch remote endpoints).")
@click.option("--queries", "queries_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Query library folder (default: the installed library, or LBPKG_QUERIES).")
def query_command(query: str | None, query_file: str | None, params: tuple[str, ...], store_spec: str | None,
                  fmt: str | None, timeout: float | None, allow_service: bool, queries_dir: Path | None) -> None:
    """Run QUERY: a library query name (e.g. examples/labels), inline SPARQL, or --file F.rq."""
    try:
        prepared = _prepare(query, query_file, _split_params(params), queries_dir)
        with open_store(store_spec) as store:
            result = store.query(prepared.sparql, prepared.bindings, timeout=timeout, allow_service=allow_service)
        text = serialize(result, fmt)
    except ServiceRefused as exc:
        exit_with(ServiceRefused(f"{exc}; `lbpkg query --allow-service` allows it"))
    except LbpError as exc:
        exit_with(exc)
    click.echo(text, nl=not text.endswith("\n"))


@click.command("queries")
@click.option("--tag", "tags", multiple=True, help="Only queries with this tag (repeatable: any of them).")
@click.option("--audience", type=click.Choice(["researcher", "educator", "developer"]), default=None)
@click.option("--queries", "queries_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Query library folder (default: the installed library, or LBPKG_QUERIES).")
def queries_command(tags: tuple[str, ...], audience: str | None, queries_dir: Path | None) -> None:
    """List the query library: name, audience, title."""
    try:
        library, problems = scan_queries(queries_dir)
    except LbpError as exc:
        exit_with(exc)
    rows = [
        (q.name, ",".join(q.audience), q.title)
        for q in library.values()
        if (not tags or set(tags) & set(q.tags)) and (audience is None or audience in q.audience)
    ]
    if rows:
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        for name, aud, title in rows:
            click.echo(f"{name.ljust(widths[0])}  {aud.ljust(widths[1])}  {title}")
    elif not problems:
        click.echo("no queries match", err=True)
    if problems:
        exit_with(QueryLibraryError(problems))
