"""Browsing pages (home, areas, A-Z, hierarchy) and the app-wide template helpers (errors: webui.errors)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from werkzeug.routing import BuildError

from kg.browse import area_root, area_terms, az_index, tree
from kg.namespaces import LBP
from kg.summary import AREAS, area_counts
from webui.kgaccess import get_kg

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def helpers() -> dict[str, object]:
    """`link_to(endpoint, **args)`: a URL, or None when a blueprint does not offer that page (yet)."""

    def link_to(endpoint: str, **values: object) -> str | None:
        try:
            return url_for(endpoint, **values)
        except BuildError:
            return None

    return {"link_to": link_to, "areas_nav": AREAS, "lbp_ns": str(LBP)}


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html", areas=area_counts(get_kg()))


@bp.get("/area/<key>")
def area(key: str) -> str:
    terms = area_terms(get_kg(), key)
    if terms is None:
        abort(404, description=f"There is no area {key!r}; the areas are {', '.join(AREAS)}.")
    return render_template("pages/area.html", key=key, root=AREAS[key], terms=terms)


@bp.get("/az")
def az() -> str:
    return render_template("pages/az.html", index=az_index(get_kg()))


@bp.get("/tree")
def hierarchy() -> str:
    key = request.args.get("area", "anatomy")
    root = area_root(key)
    if root is None:
        abort(404, description=f"There is no area {key!r}; the areas are {', '.join(AREAS)}.")
    return render_template("pages/tree.html", key=key, root=tree(get_kg(), root))
