"""Search: a results page that works without JavaScript, and autocomplete suggestions as JSON."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kg.views.search import MAX_QUERY, search
from webui.kgaccess import get_kg

bp = Blueprint("search", __name__)


def _limit(default: int, most: int) -> int:
    try:
        return max(1, min(int(request.args.get("limit", default)), most))
    except ValueError:
        return default


@bp.get("/search")
def results() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    hits = search(get_kg(), q, limit=_limit(50, 200)) if q else []
    if hits and request.args.get("go") and hits[0].how == "exact label":
        return redirect(url_for("terms.term", local=hits[0].local))
    return render_template("search/results.html", q=q, hits=hits)


@bp.get("/search/suggest")
def suggest() -> Response:
    """Autocomplete: the best few terms for what has been typed so far."""
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    hits = search(get_kg(), q, limit=_limit(10, 50)) if q else []
    return jsonify({"query": q, "results": [
        h.to_json() | {"url": url_for("terms.term", local=h.local)} for h in hits]})
