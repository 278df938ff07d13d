"""The SPARQL 1.1 Protocol endpoint: read-only, no outbound requests, each query time-limited in a
worker process that is killed past the limit (kg.query.executor) and answered in bytes the engine wrote.
The protocol's rules live in kg.query.endpoint; this view hands it the request and writes the answer.

Limits (app config, `lbpkg serve` options): QUERY_TIMEOUT seconds (10), QUERY_WORKERS processes
(2), QUERY_QUEUE_WAIT seconds a query waits for a worker before a 503 (0.5), QUERY_MAX_WAITING
queries that may wait at once (14; more get a 503 at once, so /sparql holds at most workers + this
many server threads and the rest serve pages), RESULT_ROW_LIMIT rows
(10000, reported in the SPARQL-Row-Limit / SPARQL-Results-Truncated headers), QUERY_MAX_LENGTH
characters (20000, else 413), SERVICE_ALLOWLIST endpoints SERVICE may call (none), SPARQL_BASE_IRI
for relative IRIs. Pages and the JSON API use the in-process store, never these workers.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for

from kg.formats import rdf_formats
from kg.namespaces import LBP
from kg.query.endpoint import (
    ProtocolError,
    check_charset,
    negotiate_description,
    parse_request,
    require_utf8,
    service_description,
    store_sizes,
)
from kg.query.executor import InlineExecutor, QueryBusy, QueryExecutor, SerializeOptions, WorkerCrashed, make_executor
from kg.results import QueryResult
from kg.store import EndpointError, QueryError, QuerySyntaxError, QueryTimeout, StoreError
from kg.store.base import EndpointTimeout
from webui.kgaccess import get_kg

bp = Blueprint("sparql", __name__)
_KEY = "lbp_kg_executor"
RDF_MEDIA = tuple(f.media_type for f in rdf_formats())
DEFAULTS = {
    "QUERY_TIMEOUT": 10.0,
    "QUERY_WORKERS": 2,
    "QUERY_QUEUE_WAIT": 0.5,
    "QUERY_MAX_WAITING": 14,
    "RESULT_ROW_LIMIT": 10000,
    "QUERY_MAX_LENGTH": 20000,
    "SERVICE_ALLOWLIST": (),
    "SPARQL_BASE_IRI": str(LBP),
}
RETRY_AFTER = "2"
STREAM_CHUNK = 64 * 1024


def setting(name: str) -> Any:
    """A limit from the app config, or its documented default."""
    return current_app.config.get(name, DEFAULTS[name])


def get_executor() -> QueryExecutor | InlineExecutor:
    """The app's query executor, started on first use and stopped when the process ends."""
    ext = current_app.extensions
    if _KEY not in ext:
        executor = make_executor(
            current_app.config["STORE"], get_kg(), workers=int(setting("QUERY_WORKERS")),
            timeout=float(setting("QUERY_TIMEOUT")),
            allow_service=tuple(setting("SERVICE_ALLOWLIST")),
            queue_wait=float(setting("QUERY_QUEUE_WAIT")),
            max_waiting=int(setting("QUERY_MAX_WAITING")),
        )
        ext[_KEY] = executor
        atexit.register(executor.close)
    return ext[_KEY]


def close_executor(app: Flask) -> None:
    """Stop the app's workers now (tests that make their own apps call this)."""
    executor = app.extensions.pop(_KEY, None)
    if executor is not None:
        executor.close()


def _error(status: int, message: str) -> Response:
    """Errors as plain text: what SPARQL clients show their users verbatim."""
    resp = Response(message + "\n", status=status, mimetype="text/plain")
    if status == 503:
        resp.headers["Retry-After"] = RETRY_AFTER
    return resp


def _multi(values: object) -> dict[str, list[str]]:
    return {key: values.getlist(key) for key in values}  # type: ignore[attr-defined]


def _wants_html(accept: str | None) -> bool:
    """A browser (HTML preferred over every RDF type) gets the readable page."""
    if not accept:
        return False
    best = request.accept_mimetypes.best_match(["text/html", *RDF_MEDIA])
    return best == "text/html"


def _description(formats: tuple[str, ...]) -> Response:
    """The service description (SPARQL 1.1 Service Description), Turtle unless asked otherwise."""
    endpoint = url_for("sparql.endpoint", _external=True)
    timeout = float(setting("QUERY_TIMEOUT"))
    cache = current_app.extensions.setdefault("lbp_kg_store_sizes", {})
    if "sizes" not in cache:
        cache["sizes"] = store_sizes(get_kg())
    sizes, default_size = cache["sizes"]
    graph = service_description(endpoint, sizes, timeout, default_size=default_size,
                                row_limit=int(setting("RESULT_ROW_LIMIT")))
    accept = request.headers.get("Accept")
    if not formats and _wants_html(accept):
        return Response(render_template("editor/endpoint.html", description=graph.serialize(format="turtle"),
                                        endpoint=endpoint, timeout=timeout))
    fmt = negotiate_description(formats, accept)
    return Response(fmt.write(QueryResult.graph(graph)), mimetype=fmt.media_type)


def _chunks(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for at in range(0, len(view), STREAM_CHUNK):
        yield bytes(view[at:at + STREAM_CHUNK])


@bp.after_request
def _cors(resp: Response) -> Response:
    """A public read-only endpoint: any web page may query it (no cookies are involved)."""
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Expose-Headers"] = "SPARQL-Row-Limit, SPARQL-Results-Truncated, Retry-After"
    resp.headers.setdefault("Vary", "Accept")
    return resp


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """GET ?query=, POST form query=, or POST application/sparql-query; no query: the description."""
    try:
        raw = request.get_data(cache=True) if request.method == "POST" else b""  # read before the form
        charset = request.mimetype_params.get("charset") if request.method == "POST" else None
        check_charset(charset)
        form_encoded = request.mimetype == "application/x-www-form-urlencoded"
        require_utf8(request.query_string, "query string", percent_encoded=True)
        require_utf8(raw, "request body", percent_encoded=form_encoded)
        req = parse_request(
            request.method,
            request.mimetype,
            _multi(request.args),
            _multi(request.form),
            "" if form_encoded else raw.decode("utf-8"),
            max_length=int(setting("QUERY_MAX_LENGTH")),
            charset=charset,
        )
        if req.query is None:
            if request.method == "POST":
                raise ProtocolError(400, "missing 'query' parameter")
            return _description(req.formats)
        options = SerializeOptions(
            formats=req.formats, accept=request.headers.get("Accept"), dataset=req.dataset(),
            row_limit=int(setting("RESULT_ROW_LIMIT")) or None,
            base_iri=str(setting("SPARQL_BASE_IRI")) or None,
        )
        result = get_executor().query_serialized(req.query, options)
    except ProtocolError as exc:
        return _error(exc.status, exc.message)
    except QuerySyntaxError as exc:
        return _error(400, str(exc))
    except EndpointTimeout as exc:
        return _error(504, f"{exc}: the knowledge graph's store is slow or overloaded")
    except QueryTimeout as exc:
        return _error(503, f"{exc}: the query was stopped at this endpoint's time limit; make it more selective")
    except (QueryBusy, WorkerCrashed) as exc:
        return _error(503, str(exc))
    except QueryError as exc:
        return _error(400, str(exc))
    except EndpointError as exc:
        current_app.logger.error("store endpoint error: %s", exc)
        return _error(502, f"the knowledge graph's store did not answer: {exc.reason}")
    except StoreError as exc:
        current_app.logger.error("store error: %s", exc)
        return _error(500, "the knowledge graph store is not available")
    headers = {}
    if result.row_limit is not None and result.kind != "ask":
        headers["SPARQL-Row-Limit"] = str(result.row_limit)
        if result.truncated:
            headers["SPARQL-Results-Truncated"] = "true"
    resp = Response(_chunks(result.data), mimetype=result.media_type, headers=headers)
    resp.headers["Content-Length"] = str(len(result.data))
    return resp
