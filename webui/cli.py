"""`lbpkg serve`: the web UI and the SPARQL endpoint under waitress. It lives with the web UI and
reaches `lbpkg` through the `lbpkg.commands` entry point, so the kg library never imports Flask."""

from __future__ import annotations

import click

from kg.errors import LbpError, exit_with


@click.command()
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
        exit_with(exc)
    import sys

    # Many short requests on many threads: hand the GIL over every millisecond rather than every
    # five, so a request that is ready does not wait behind another's rendering.
    sys.setswitchinterval(0.001)
    click.echo(f"LBP-KG on http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C stops", err=True)
    # waitress buffers a whole body before the app sees it: refuse large ones at the door too.
    waitress_serve(app, host=host, port=port, threads=threads, ident="lbp-kg",
                   max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]))
