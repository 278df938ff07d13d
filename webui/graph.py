"""The graph view: a term's neighbourhood drawn with Cytoscape.js (from npm), and the same data as
JSON. The data comes from kg.views.neighbourhood; without JavaScript the page lists the same edges."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.routing import BuildError

from kg.namespaces import LBP
from kg.query.library import expand_curie
from kg.views.graphdata import graph_data
from kg.views.neighbourhood import NODE_TYPES, neighbourhood
from kg.views.search import MAX_QUERY, search
from webui.kgaccess import get_kg

bp = Blueprint("graph", __name__)
LEGEND_TYPES = [name for _, name in NODE_TYPES] + ["other"]
KINDS = {
    "asserted": "stated by the curators",
    "inferred": "entailed by the reasoner",
    "association": "a sourced clinical association, with its certainty, direction and caveats",
}


def term_url(local: str) -> str | None:
    """The term page of a term, when the terms blueprint offers one."""
    try:
        return url_for("terms.term", local=local)
    except BuildError:
        return None


def _depth() -> int:
    try:
        depth = int(request.args.get("depth", "1"))
    except ValueError:
        abort(400, description="depth must be a whole number from 1 to 3")
    if not 1 <= depth <= 3:
        abort(400, description="depth must be a whole number from 1 to 3")
    return depth


def _data(local: str) -> dict:
    data = neighbourhood(get_kg(), str(LBP) + local, depth=_depth())
    if data is None:
        abort(404, description=f"no term lbp:{local} in the knowledge graph")
    return data


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


@bp.route("/graph")
def pick() -> ResponseReturnValue:
    """`?term=` goes to that term's graph: a CURIE, a full IRI or a local name, or a label, synonym
    or acronym found by the site's search. Several near matches are offered to choose from; nothing
    that matches is a 404 that says so."""
    text = (request.args.get("term") or "").strip()[:MAX_QUERY]
    if not text:
        return render_template("graph/pick.html", term="", hits=[])
    kg = get_kg()
    labels = graph_data(kg).labels
    iri = expand_curie(text) or str(LBP) + text
    if iri.startswith(str(LBP)) and iri in labels:
        return redirect(url_for("graph.view", local=iri[len(str(LBP)):]))
    if ":" in text:  # an IRI or a CURIE that is not a term of LBP-KG
        abort(404, description=f"{text!r} is not an LBP-KG term")
    hits = [h for h in search(kg, text, limit=8) if h.iri.startswith(str(LBP)) and h.iri in labels]
    if hits and (len(hits) == 1 or _fold(hits[0].matched) == _fold(text)):
        return redirect(url_for("graph.view", local=hits[0].local))
    return render_template("graph/pick.html", term=text, hits=hits), (200 if hits else 404)


@bp.route("/graph/<term:local>")
def view(local: str) -> ResponseReturnValue:
    """The interactive view; JSON for clients that ask for it by Accept header."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if best is None and request.headers.get("Accept", "").strip():
        abort(406, description="The graph view is available as text/html or application/json.")
    data = _data(local)
    if best == "application/json":
        return jsonify(data)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    center = next(n for n in data["nodes"] if n["id"] == data["center"])
    config = {
        "data": url_for("graph.data", local=local),
        "expand": url_for("graph.data", local="__LOCAL__"),
        "graphPage": url_for("graph.view", local="__LOCAL__"),
        "termPage": term_url("__LOCAL__"),
        "suggest": url_for("search.suggest"),
        "namespace": str(LBP),
        "types": LEGEND_TYPES,
    }
    return render_template("graph/view.html", data=data, center=center, labels=labels, config=config,
                           types=LEGEND_TYPES, kinds=KINDS, term_url=term_url, namespace=str(LBP))


@bp.route("/graph/<term:local>.json")
def data(local: str) -> ResponseReturnValue:
    """The neighbourhood as JSON: nodes (id, label, curie, type) and edges (relation, kind,
    evidence, sources); `?depth=1..3`."""
    return jsonify(_data(local))
