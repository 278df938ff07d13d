"""The `lbpkg` command: thin click wrappers over the kg library."""

from __future__ import annotations

from pathlib import Path

import click

from kg import __version__
from kg.compile import Sources
from kg.errors import LbpError
from kg.paths import DEFAULT_ONTOLOGY, DEFAULT_RELEASE, DEFAULT_STORE
from kg.progress import Progress


@click.group()
@click.version_option(__version__, prog_name="lbpkg")
def main() -> None:
    """LBP-KG: build, query and serve the lower back pain knowledge graph."""


def _fail(exc: Exception) -> None:
    """Print an expected failure as plain lines and exit non-zero (no traceback)."""
    for line in str(exc).splitlines():
        click.echo(f"error: {line}", err=True)
    raise SystemExit(1)


@main.command()
@click.option("--ontology", "ontology_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_ONTOLOGY, show_default=True, help="Folder of curated sources.")
def check(ontology_dir: Path) -> None:
    """Check the curated sources quickly: syntax, references, evidence fields, and every quality
    check of the query library (the same pass `lbpkg build` runs first)."""
    from kg.validate import validate_sources

    try:
        compiled = validate_sources(Sources(ontology_dir))
    except LbpError as exc:
        _fail(exc)
    click.echo(f"ok: {len(compiled.classes)} terms, {len(compiled.graph)} triples")


@main.command()
@click.option("--ontology", "ontology_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_ONTOLOGY, show_default=True, help="Folder of curated sources.")
@click.option("--out", "release_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_RELEASE, show_default=True, help="Release folder to (re)write.")
@click.option("--version", "version", default=None, help="Release version (default: today's date).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_STORE, show_default=True, help="Embedded (oxigraph) store to (re)load.")
@click.option("--no-store", is_flag=True, help="Write the release files only.")
@click.option("--quiet", is_flag=True, help="No progress lines.")
@click.option("--with", "with_external", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="An external ontology (e.g. uberon.owl) to load beside the KG in its own graph. Repeatable.")
@click.option("--skip-owl-profile", is_flag=True,
              help="Do not check OWL 2 DL with the OWL API (for a machine without libowlapi-java).")
def build(ontology_dir: Path, release_dir: Path, version: str | None, store_dir: Path, no_store: bool,
          quiet: bool, with_external: tuple[Path, ...], skip_owl_profile: bool) -> None:
    """Compile, reason (HermiT), materialise, validate (SHACL) and write the release atomically."""
    from kg.build import build as run_build

    try:
        result = run_build(ontology_dir, release_dir, version, Progress(total=6 if no_store else 7, quiet=quiet),
                           list(with_external), None if no_store else store_dir,
                           owl_profile=not skip_owl_profile)
    except LbpError as exc:
        _fail(exc)
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.counts.items())
    click.echo(f"built release {result.version} in {result.release_dir}: {counts}")


@main.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
def diff(old: Path, new: Path) -> None:
    """Terms added, removed, deprecated, relabelled and re-mapped between two releases."""
    from kg.diff import diff_graphs, load_release_graph

    try:
        result = diff_graphs(load_release_graph(old), load_release_graph(new))
    except LbpError as exc:
        _fail(exc)
    for line in result.lines():
        click.echo(line)
    if result.is_empty():
        click.echo("no changes to terms")


from kg.query_cli import queries_command, query_command  # noqa: E402 - registered after the group exists

main.add_command(query_command)
main.add_command(queries_command)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--store", "store_spec", default=None, help="Store spec (default: oxigraph:build/store).")
@click.option("--threads", default=32, show_default=True, type=click.IntRange(min=1),
              help="Server threads (pages and /sparql); keep above --query-workers + --query-waiting, so "
                   "pages always have threads while queries wait.")
@click.option("--query-timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds a /sparql query may run before its worker is killed (503).")
@click.option("--query-workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Worker processes for /sparql (pages never use them).")
@click.option("--queue-wait", type=click.FloatRange(min=0), default=0.5, show_default=True,
              help="Seconds a /sparql query waits for a free worker before a 503 with Retry-After.")
@click.option("--query-waiting", type=click.IntRange(min=0), default=14, show_default=True,
              help="/sparql queries that may wait for a worker at once; more get a 503 at once.")
@click.option("--row-limit", type=click.IntRange(min=0), default=10000, show_default=True,
              help="Rows (or triples) a /sparql answer may hold; the SPARQL-Results-Truncated header says "
                   "when it was cut. 0: no cap.")
@click.option("--max-query-length", type=click.IntRange(min=1), default=20000, show_default=True,
              help="Characters a query may have (longer: 413).")
@click.option("--service-allow", "service_allow", multiple=True, metavar="URL",
              help="An endpoint SERVICE may call (repeatable). None by default: workers then have no network.")
@click.option("--rate-limit", "rate_limit", default=600, show_default=True, type=click.IntRange(min=0),
              help="Requests per minute per client address (token bucket); 0 turns the limit off.")
def serve(host: str, port: int, store_spec: str | None, threads: int, query_timeout: float, query_workers: int,
          queue_wait: float, query_waiting: int, row_limit: int, max_query_length: int, service_allow: tuple[str, ...],
          rate_limit: int) -> None:
    """Serve the web UI and the SPARQL endpoint with waitress (a production WSGI server)."""
    import logging

    from waitress import serve as waitress_serve

    from webui import create_app

    # Errors reach clients as one sentence; their tracebacks go here (stderr), with the time.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    overrides: dict[str, object] = {
        "QUERY_TIMEOUT": query_timeout,
        "QUERY_WORKERS": query_workers,
        "QUERY_QUEUE_WAIT": queue_wait,
        "QUERY_MAX_WAITING": query_waiting,
        "RESULT_ROW_LIMIT": row_limit,
        "QUERY_MAX_LENGTH": max_query_length,
        "SERVICE_ALLOWLIST": service_allow,
        "RATE_LIMIT": rate_limit,
    }
    if store_spec:
        overrides["STORE"] = store_spec
    try:
        app = create_app(overrides=overrides)
    except LbpError as exc:
        _fail(exc)
    import sys

    # Many short requests on many threads: hand the GIL over every millisecond rather than every
    # five, so a request that is ready does not wait behind another's rendering.
    sys.setswitchinterval(0.001)
    click.echo(f"LBP-KG on http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C stops", err=True)
    # waitress buffers a whole body before the app sees it: refuse large ones at the door too.
    waitress_serve(app, host=host, port=port, threads=threads, ident="lbp-kg",
                   max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]))
