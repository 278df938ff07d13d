"""The JSON API (terms, search, neighbourhood, paths, comparison), described by an OpenAPI document
(openapi.yaml, served at /api/openapi.json) with a small docs page at /api/."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from kg.namespaces import LBP
from kg.views.browse import area_terms, az_index
from kg.views.compare import Fact, compare, is_intervention
from kg.views.evidence import as_json
from kg.views.graphdata import graph_data
from kg.views.how_related import MAX_PATHS, relate
from kg.views.neighbourhood import neighbourhood
from kg.views.search import MAX_QUERY, search
from kg.views.summary import areas
from kg.views.term_page import term_page
from webui.kgaccess import get_kg

bp = Blueprint("api", __name__, url_prefix="/api")
OPENAPI = Path(__file__).with_name("openapi.yaml")


@cache
def openapi_document() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


def _iri(text: str | None, what: str = "term") -> str:
    """A known term's IRI from a local name, lbp:CURIE or full IRI; 400/404 otherwise."""
    if not text:
        abort(400, description=f"missing {what}: give a local name such as Sciatica or a CURIE lbp:Sciatica")
    text = text.strip()
    iri = text if text.startswith(str(LBP)) else str(LBP) + text.removeprefix("lbp:")
    if iri not in graph_data(get_kg()).labels:
        abort(404, description=f"no term {text!r} in LBP-KG")
    return iri


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"{name} must be a whole number from {low} to {high}")
    if not low <= value <= high:
        abort(400, description=f"{name} must be a whole number from {low} to {high}")
    return value


def _ref(iri: str, label: str) -> dict[str, str]:
    local = iri[len(str(LBP)):]
    return {"id": f"lbp:{local}", "iri": iri, "label": label, "url": url_for("terms.term", local=local)}


@bp.get("/")
def docs() -> str:
    return render_template("api/docs.html", spec=openapi_document())


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/terms")
def terms() -> Response:
    area = request.args.get("area")
    if area:
        entries = area_terms(get_kg(), area)
        if entries is None:
            abort(400, description=f"unknown area {area!r}; use one of {', '.join(a.key for a in areas(get_kg()))}")
    else:
        entries = [e for group in az_index(get_kg()).values() for e in group]
    limit, offset = _int("limit", 100, 1, 1000), _int("offset", 0, 0, 100000)
    page = entries[offset:offset + limit]
    return jsonify({"total": len(entries), "offset": offset, "limit": limit,
                    "terms": [_ref(e.iri, e.label) for e in page]})


@bp.get("/terms/<term:local>")
def term(local: str) -> Response:
    iri = _iri(local)
    page = term_page(get_kg(), iri)
    if page is None:
        abort(404, description=f"no term {local!r} in LBP-KG")

    label = graph_data(get_kg()).label

    def statements(groups: dict) -> list[dict[str, Any]]:
        return [{"relation": {"iri": rel, "label": page.relation_labels.get(rel, rel)},
                 "statements": [{"other": _ref(s.other.iri, s.other.label), "kind": s.kind,
                                 "evidence": as_json(s.evidence, label) if s.evidence else None,
                                 "sources": [{"iri": x.iri, "label": x.label} for x in s.sources]}
                                for s in items]}
                for rel, items in groups.items()]

    return jsonify({
        **_ref(page.iri, page.label),
        "definition": page.definition,
        "definition_sources": [{"iri": s.iri, "label": s.label} for s in page.definition_sources],
        "citation": page.citation,
        "cited_by": [{"subject": _ref(c.subject.iri, c.subject.label), "relation": c.relation, "object": c.object,
                      "graded": c.graded} for c in page.citing],
        "synonyms": page.synonyms,
        "deprecated": page.deprecated,
        "replaced_by": [_ref(x.iri, x.label) for x in page.replaced_by],
        "parents": [_ref(x.iri, x.label) for x in page.parents],
        "inferred_parents": [_ref(x.iri, x.label) for x in page.inferred_parents],
        "children": [_ref(x.iri, x.label) for x in page.children],
        "outgoing": statements(page.outgoing),
        "incoming": statements(page.incoming),
        "mappings": [asdict(m) for m in page.mappings],
        "red_flag": page.red_flag,
        "urgency": {"iri": page.urgency.iri, "label": page.urgency.label,
                    "sources": [{"iri": x.iri, "label": x.label} for x in page.urgency_sources]}
        if page.urgency else None,
        "warning_signs": [_ref(x.iri, x.label) for x in page.warning_signs],
        "warning_sign_of": [_ref(x.iri, x.label) for x in page.warning_sign_of],
        "may_lead_to_red_flag_conditions": [_ref(c.iri, c.label) for c, _ in page.complications],
        "natural_history": {"text": page.natural_history,
                            "sources": [{"iri": x.iri, "label": x.label} for x in page.natural_history_sources]}
        if page.natural_history else None,
    })


@bp.get("/terms/<term:local>/neighbourhood")
def term_neighbourhood(local: str) -> Response:
    data = neighbourhood(get_kg(), _iri(local), depth=_int("depth", 1, 1, 3))
    if data is None:
        abort(404, description=f"no term {local!r} in LBP-KG")
    return jsonify(data)


@bp.get("/search")
def search_terms() -> Response:
    q = request.args.get("q", "").strip()
    if not q:
        abort(400, description="missing q: the words to search for")
    hits = search(get_kg(), q[:MAX_QUERY], limit=_int("limit", 20, 1, 200))
    return jsonify({"query": q, "results": [h.to_json() | {"url": url_for("terms.term", local=h.local)}
                                            for h in hits]})


@bp.get("/paths")
def paths() -> Response:
    x, y = _iri(request.args.get("from"), "from"), _iri(request.args.get("to"), "to")
    return jsonify(relate(get_kg(), x, y, k=_int("k", 3, 1, MAX_PATHS)))


@bp.get("/compare")
def compare_interventions() -> Response:
    ids = request.args.getlist("id")
    if not 2 <= len(ids) <= 4:
        abort(400, description="give two to four interventions as id=...&id=...")
    iris = [_iri(i, "id") for i in ids]
    data = graph_data(get_kg())
    for i, iri in zip(ids, iris, strict=True):
        if not is_intervention(data, iri):
            abort(400, description=f"{i!r} is not an intervention")
    cards = compare(get_kg(), iris)
    def fact(f: Fact) -> dict[str, Any]:
        return {**_ref(f.iri, f.label), "via": f.via, "contradicted_by": list(f.contradicted_by),
                "evidence": as_json(f.evidence, data.label) if f.evidence else None}

    return jsonify({"interventions": [
        {**_ref(c.iri, c.label), "aspects": {k: [fact(f) for f in v] for k, v in c.aspects.items()}}
        for c in cards]})
