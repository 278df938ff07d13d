"""Term pages: HTML for browsers; Turtle, JSON-LD, RDF/XML, N-Triples by Accept header (or
?format=), so the term IRIs (https://w3id.org/lbp-kg/X -> /term/X) dereference as linked data."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kg.entailment import SUBCLASS
from kg.formats import FAMILY_ALIASES, name_for, rdf_formats
from kg.namespaces import LBP
from kg.results import QueryResult
from kg.serialize import FORMATS
from kg.views.explain import explain
from kg.views.term_page import bound_query, describe, queries_for_page, source_queries, term_page
from webui.kgaccess import get_kg

bp = Blueprint("terms", __name__)
LOCAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

# media type -> format name (kg.formats' RDF formats; HTML is the page itself).
RDF_MEDIA = {media: f.name for f in rdf_formats() for media in (f.media_type, *f.media_aliases)}


def chosen_format() -> str | None:
    """None for HTML, else the RDF format asked for by ?format= or by the Accept header."""
    name = request.args.get("format")
    if name:
        if name.lower() == "html":
            return None
        fmt = FAMILY_ALIASES.get(("graph", name.lower()), name_for(name))
        if fmt is None or not FORMATS[fmt].format.is_rdf:
            known = ", ".join(f.name for f in rdf_formats())
            abort(400, description=f"unknown format {name!r}; use html, {known} (or a media type)")
        return fmt
    if not request.headers.get("Accept", "").strip():
        return None  # no preference: the page
    best = request.accept_mimetypes.best_match(["text/html", *RDF_MEDIA])
    if best is None:
        abort(406, description="A term is available as text/html, " + ", ".join(RDF_MEDIA)
              + "; the JSON API has it as application/json at /api/terms/NAME.")
    return RDF_MEDIA.get(best)


@bp.get("/term/<term:local>")
def term(local: str) -> ResponseReturnValue:
    iri = str(LBP) + local
    fmt = chosen_format()
    if fmt is not None:
        graph = describe(get_kg(), iri)
        if graph is None:
            abort(404, description=f"No term lbp:{local} in LBP-KG.")
        out = FORMATS[fmt]
        resp = Response(out.write(QueryResult.graph(graph)), mimetype=out.media_type)
        resp.headers["Vary"] = "Accept"
        return resp
    page = term_page(get_kg(), iri)
    if page is None:
        abort(404, description=f"No term lbp:{local} in LBP-KG.")
    texts = queries_for_page() | (source_queries() if page.citing else {})
    queries = {name: bound_query(text, iri) for name, text in texts.items()}
    resp = Response(render_template("terms/term.html", page=page, queries=queries))
    resp.headers["Vary"] = "Accept"
    return resp


@bp.get("/term/")
@bp.get("/term")
def term_index() -> ResponseReturnValue:
    return redirect(url_for("pages.az"))


@bp.get("/why")
def why() -> ResponseReturnValue:
    """Why the graph holds a statement: /why?s=LumbarDiscHerniation&p=locatedIn&o=LumbarSpine
    (p=is-a for a class's place in the hierarchy)."""
    names = [request.args.get(k, "").strip() for k in ("s", "p", "o")]
    if not all(names):
        abort(400, description="Give a statement as s=, p= and o= (local names, e.g. s=LumbarDiscHerniation"
                               "&p=locatedIn&o=LumbarSpine; p=is-a for the hierarchy).")
    if any(len(n) > 200 or not LOCAL_NAME.fullmatch(n) for n in names):
        abort(400, description="s, p and o are local names of LBP-KG terms (letters, digits, - and _).")
    subject, relation, target = (str(LBP) + n for n in names)
    if names[1] == "is-a":
        relation = SUBCLASS
    found = explain(get_kg(), (subject, relation, target))
    if found is None:
        abort(404, description=f"LBP-KG neither states nor entails {names[0]} {names[1]} {names[2]}.")
    return render_template("terms/why.html", why=found, names=names)
