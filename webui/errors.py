"""The app-wide error answers: a page for browsers, JSON for the API, and never a traceback.

Expected failures carry their own status (404 unknown term, 400 bad input, 429 too many requests);
a store that cannot answer is 502 (remote endpoint unreachable), 504 (too slow) or 503 (otherwise
unavailable), so the pages that need no store keep serving; anything else is a 500 whose
traceback goes to the log only.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from kg.store import EndpointError, QueryError, QueryTimeout, StoreError

log = logging.getLogger("webui")

# Headers of an HTTP error worth passing on (werkzeug puts them on the exception).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
STORE_DOWN = "The knowledge graph's database is not reachable just now; please try again in a minute."
STORE_SLOW = "The knowledge graph's database took too long to answer; please try again in a minute."
STORE_BROKEN = "The knowledge graph's database is not available just now; please try again later."
INTERNAL = "Something went wrong on our side; the error has been logged."


def wants_json() -> bool:
    """The API, the .json data routes, and clients that prefer JSON get JSON errors."""
    path = request.path
    if path.startswith("/api/") or path.endswith(".json"):
        return True
    return request.accept_mimetypes.best == "application/json"


def error_response(code: int, name: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """One error in the client's format (plain text for /sparql, as SPARQL clients show it); the
    page itself is plain text if it cannot be drawn."""
    if request.path.rstrip("/") == "/sparql":
        resp = Response(message + "\n", mimetype="text/plain")
    elif wants_json():
        resp = jsonify({"error": name, "status": code, "message": message})
    elif request_ctx.url_adapter is None:  # no URLs can be built (an untrusted Host): no page either
        resp = Response(f"{code} {name}\n{message}\n", mimetype="text/plain")
    else:
        try:
            q = request.args.get("q", "") if code == 404 else ""
            resp = Response(render_template("pages/error.html", code=code, name=name, message=message, q=q))
        except Exception:  # noqa: BLE001 - the error page must not fail in turn
            log.exception("cannot draw the error page for %s", code)
            resp = Response(f"{code} {name}\n{message}\n", mimetype="text/plain")
    resp.status_code = code
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    kept = {k: v for k, v in exc.get_headers() if k in _KEPT_HEADERS}
    return error_response(code, exc.name, exc.description or exc.name, kept)


def store_error(exc: StoreError) -> Response:
    """The store failed a page: say so with a gateway status; the details go to the log."""
    if isinstance(exc, QueryError) and not isinstance(exc, QueryTimeout):
        return server_error(exc)  # a page's own query failed: a bug, not an outage
    log.error("store error on %s: %s", request.path, exc)
    if isinstance(exc, QueryTimeout):
        return error_response(504, "Gateway Timeout", STORE_SLOW, {"Retry-After": "30"})
    if isinstance(exc, EndpointError):
        return error_response(502, "Bad Gateway", STORE_DOWN, {"Retry-After": "30"})
    return error_response(503, "Service Unavailable", STORE_BROKEN, {"Retry-After": "60"})


def server_error(exc: Exception) -> Response:
    """Last resort: the traceback to the log, a plain sentence to the client."""
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "Internal Server Error", INTERNAL)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(StoreError, store_error)
    app.register_error_handler(Exception, server_error)
