"""Browsing pages (home, areas, A-Z, hierarchy) and the app-wide template helpers (errors: webui.errors)."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from werkzeug.routing import BuildError

from kg.namespaces import LBP
from kg.views.browse import area_root, area_terms, az_index, tree
from kg.views.evidence import grading_scales
from kg.views.graphdata import graph_data
from kg.views.summary import area_by_key, areas
from webui.kgaccess import get_kg

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def helpers() -> dict[str, object]:
    """`link_to(endpoint, **args)`: a URL, or None when a blueprint does not offer that page (yet)."""

    def link_to(endpoint: str, **values: Any) -> str | None:
        try:
            return url_for(endpoint, **values)
        except BuildError:
            return None

    def term_label(iri: str | None) -> str:
        """A term's label from the graph snapshot (evidence values, sources, recommendations)."""
        return graph_data(get_kg()).label(iri) if iri else ""

    def term_url(iri: str) -> str | None:
        """The local page of an LBP-KG IRI; None for any other IRI (never turned into a link)."""
        return url_for("terms.term", local=iri[len(str(LBP)):]) if iri.startswith(str(LBP)) else None

    def areas_nav() -> list:
        return areas(get_kg())

    return {"link_to": link_to, "areas_nav": areas_nav, "lbp_ns": str(LBP), "term_label": term_label,
            "term_url": term_url}


def _no_area(key: str) -> NoReturn:
    keys = ", ".join(a.key for a in areas(get_kg()))
    abort(404, description=f"There is no area {key!r}; the areas are {keys}.")


MIT = """MIT License

Copyright (c) 2026 LBP-KG contributors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense,
and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,
WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."""


@bp.get("/licence")
def licence() -> str:
    """The licences (LICENSE: MIT for code, CC BY 4.0 for content), linked from every page's footer."""
    return render_template("pages/licence.html", mit=MIT)


@bp.get("/license")
def license_redirect() -> ResponseReturnValue:
    return redirect(url_for("pages.licence"), 301)


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Browsers ask for /favicon.ico whatever the page says: answer with the SVG icon."""
    return send_from_directory(current_app.static_folder or "static", "favicon.svg", mimetype="image/svg+xml",
                               max_age=86400)


@bp.get("/evidence")
def evidence_guide() -> str:
    """How LBP-KG grades evidence and how to read a statement: the scales as the graph defines them."""
    return render_template("pages/evidence.html", scales=grading_scales(get_kg()))


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html", areas=areas(get_kg()))


@bp.get("/area/<key>")
def area(key: str) -> str:
    found = area_by_key(get_kg(), key)
    terms = area_terms(get_kg(), key)
    if found is None or terms is None:
        _no_area(key)
    return render_template("pages/area.html", key=key, area=found, root=found.root, terms=terms)


@bp.get("/az")
def az() -> str:
    return render_template("pages/az.html", index=az_index(get_kg()))


@bp.get("/tree")
def hierarchy() -> str:
    key = request.args.get("area", "anatomy")
    root = area_root(get_kg(), key)
    if root is None:
        _no_area(key)
    return render_template("pages/tree.html", key=key, root=tree(get_kg(), root))
