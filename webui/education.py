"""For educators: how two terms are related, interventions side by side, a tour from a cause to its
mechanisms to the interventions that act there. Forms work without JavaScript (GET)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from kg.views.compare import compare, interventions, is_intervention
from kg.views.evidence import grading_scales
from kg.views.graphdata import graph_data
from kg.views.how_related import relation
from kg.views.red_flags import red_flag_page
from kg.views.search import Choice, choose, resolve
from kg.views.tour import tour, tour_causes, tour_query_text
from webui.kgaccess import get_kg

bp = Blueprint("education", __name__, url_prefix="/learn")


def _resolve(text: str) -> str:
    iri = resolve(get_kg(), text)
    if iri is None:
        abort(404, description=f"No term matches {text!r}; try the search.")
    return iri


@bp.get("/")
def index() -> str:
    return render_template("education/index.html")


def _choose(text: str) -> Choice:
    choice = choose(get_kg(), text)
    if choice.iri is None and not choice.candidates:
        abort(404, description=f"No term matches {text!r}; try the search.")
    return choice


@bp.get("/relate")
def related() -> str:
    """Two words in, the chains between their terms out; a word that several terms match about
    equally well is asked about first (the candidates as choices that re-run the page)."""
    x, y = request.args.get("x", "").strip(), request.args.get("y", "").strip()
    result, choices = None, None
    if x and y:
        choices = (_choose(x), _choose(y))
        if not any(c.ambiguous for c in choices):
            result = relation(get_kg(), choices[0].iri or "", choices[1].iri or "")
    elif x or y:
        abort(400, description="Give two terms, for example 'slipped disc' and 'L5 nerve root'.")
    return render_template("education/relate.html", x=x, y=y, choices=choices, result=result)


@bp.get("/compare")
def side_by_side() -> str:
    ids = [i for i in request.args.getlist("i") if i.strip()]
    options = interventions(get_kg())
    cards = []
    if ids:
        if len(ids) > 4:
            abort(400, description="Compare at most four interventions at a time.")
        iris = [_resolve(i) for i in ids]
        data = graph_data(get_kg())
        for text, iri in zip(ids, iris, strict=True):
            if not is_intervention(data, iri):
                abort(400, description=f"{data.label(iri)!r} (from {text!r}) is not an intervention.")
        cards = compare(get_kg(), iris)
    return render_template("education/compare.html", options=options, cards=cards,
                           chosen=[c.iri for c in cards])


@bp.get("/tour")
def guided_tour() -> str:
    cause = request.args.get("cause", "").strip()
    result, iri = None, None
    if cause:
        iri = _resolve(cause)
        result = tour(get_kg(), iri)
    return render_template("education/tour.html", causes=tour_causes(get_kg()), cause=iri, tour=result,
                           query=tour_query_text())


@bp.get("/red-flags")
def red_flags() -> str:
    """What must not be missed: each red-flag condition with its urgency, warning signs,
    investigations and mimics, from the graph's statements."""
    kg = get_kg()
    data = graph_data(kg)
    meaning = {v.iri: v.definition for values in grading_scales(kg).values() for v in values}
    return render_template("education/red-flags.html", page=red_flag_page(kg),
                           term_definition=lambda iri: meaning.get(iri, ""),
                           phrase=lambda rel: data.phrase(rel, True))
