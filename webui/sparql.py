"""The SPARQL 1.1 Protocol endpoint (read-only; SERVICE refused; time-limited)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from kg.serialize import FormatError, find_format, negotiate
from kg.store import QueryError, QuerySyntaxError, QueryTimeout
from webui.kgaccess import get_kg

bp = Blueprint("sparql", __name__)


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """GET ?query=, POST form query=, or POST application/sparql-query; updates are refused."""
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        query = request.get_data(as_text=True)
    else:
        query = request.values.get("query")
    if request.values.get("update") is not None or request.mimetype == "application/sparql-update":
        return _error(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if not query:
        return _error(400, "missing 'query' parameter")
    try:
        result = get_kg().query(query, timeout=current_app.config["QUERY_TIMEOUT"])
    except QuerySyntaxError as exc:
        return _error(400, str(exc))
    except QueryTimeout as exc:
        return _error(503, str(exc))
    except QueryError as exc:
        return _error(400, str(exc))
    try:
        name = request.values.get("format")
        fmt = find_format(name, result.kind) if name else negotiate(request.headers.get("Accept"), result.kind)
    except FormatError as exc:
        return _error(406, str(exc))
    return Response(fmt.write(result), mimetype=fmt.media_type)
