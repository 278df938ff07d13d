"""The SPARQL 1.1 Protocol endpoint: read-only, no SERVICE, each query time-limited in a worker
process that is killed past the limit (kg.executor), so other requests are still served.
The protocol's rules live in kg.endpoint; this view hands it the request and writes the answer."""

from __future__ import annotations

import atexit

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for

from kg.endpoint import ProtocolError, choose_format, parse_request, service_description
from kg.executor import InlineExecutor, QueryBusy, QueryExecutor, make_executor
from kg.results import QueryResult
from kg.serialize import negotiate
from kg.store import KG_GRAPHS, QueryError, QuerySyntaxError, QueryTimeout, StoreError
from webui.kgaccess import get_kg

bp = Blueprint("sparql", __name__)
_KEY = "lbp_kg_executor"
RDF_MEDIA = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")


def get_executor() -> QueryExecutor | InlineExecutor:
    """The app's query executor (config QUERY_WORKERS processes, QUERY_TIMEOUT seconds), started
    on first use and stopped when the process ends."""
    ext = current_app.extensions
    if _KEY not in ext:
        config = current_app.config
        executor = make_executor(
            config["STORE"], get_kg(), workers=int(config.get("QUERY_WORKERS", 2)), timeout=config["QUERY_TIMEOUT"]
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
        resp.headers["Retry-After"] = "5"
    return resp


def _multi(values: object) -> dict[str, list[str]]:
    return {key: values.getlist(key) for key in values}  # type: ignore[attr-defined]


def _wants_html(accept: str | None) -> bool:
    """A browser (HTML preferred over every RDF type) gets the readable page."""
    if not accept:
        return False
    best = request.accept_mimetypes.best_match(["text/html", *RDF_MEDIA])
    return best == "text/html"


def _graph_sizes() -> dict[str, int]:
    cache = current_app.extensions.setdefault("lbp_kg_graph_sizes", {})
    if not cache:
        store = get_kg()
        for graph in KG_GRAPHS:
            cache[graph] = store.triple_count(graph)
    return cache


def _description(formats: tuple[str, ...]) -> Response:
    """The service description (SPARQL 1.1 Service Description), Turtle unless asked otherwise."""
    endpoint = url_for("sparql.endpoint", _external=True)
    timeout = current_app.config["QUERY_TIMEOUT"]
    graph = service_description(endpoint, _graph_sizes(), timeout)
    accept = request.headers.get("Accept")
    if not formats and _wants_html(accept):
        return Response(render_template("editor/endpoint.html", description=graph.serialize(format="turtle"),
                                        endpoint=endpoint, timeout=timeout))
    result = QueryResult.graph(graph)
    fmt = choose_format(formats, accept, "graph") if formats else negotiate(accept, "graph")
    return Response(fmt.write(result), mimetype=fmt.media_type)


@bp.after_request
def _cors(resp: Response) -> Response:
    """A public read-only endpoint: any web page may query it (no cookies are involved)."""
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers.setdefault("Vary", "Accept")
    return resp


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """GET ?query=, POST form query=, or POST application/sparql-query; no query: the description."""
    try:
        req = parse_request(
            request.method,
            request.mimetype,
            _multi(request.args),
            _multi(request.form),
            request.get_data(as_text=True) if request.mimetype != "application/x-www-form-urlencoded" else "",
        )
        if req.query is None:
            if request.method == "POST":
                raise ProtocolError(400, "missing 'query' parameter")
            return _description(req.formats)
        result = get_executor().query(req.query)
        fmt = choose_format(req.formats, request.headers.get("Accept"), result.kind)
    except ProtocolError as exc:
        return _error(exc.status, exc.message)
    except QuerySyntaxError as exc:
        return _error(400, str(exc))
    except QueryTimeout as exc:
        return _error(503, f"{exc}: the query was stopped at this endpoint's time limit; make it more selective")
    except QueryBusy as exc:
        return _error(503, str(exc))
    except QueryError as exc:
        return _error(400, str(exc))
    except StoreError as exc:
        current_app.logger.error("store error: %s", exc)
        return _error(500, "the knowledge graph store is not available")
    return Response(fmt.write(result), mimetype=fmt.media_type)
