"""The SPARQL editor page (YASGUI from npm) with the query library as examples, and the data it
needs from this app only: the KG's classes and properties for autocompletion, the project's
prefixes, and the front-end files (webui.assets)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kg.namespaces import LBP
from kg.views.editor_examples import Example, examples, prefixes, vocabulary
from webui.assets import serve_asset
from webui.kgaccess import get_kg

bp = Blueprint("editor", __name__)
DEFAULT_EXAMPLE = "causes/causes-of-sciatica"


def _examples() -> list[Example]:
    """The library's examples, read once per app (the library does not change while it runs)."""
    ext = current_app.extensions
    if "lbp_kg_examples" not in ext:
        ext["lbp_kg_examples"] = examples(current_app.config.get("QUERY_DIR"))
    return ext["lbp_kg_examples"]


@bp.route("/editor")
def editor() -> ResponseReturnValue:
    """The editor; `?query=` (a shared link, "the SPARQL behind this page") or `?example=NAME`
    chooses the first query. Without JavaScript the page is a plain form that runs the query."""
    library = _examples()
    by_name = {ex.name: ex for ex in library}
    name = request.args.get("example")
    if name is not None and name not in by_name:
        abort(404, description=f"no example query named {name!r}")
    query = request.args.get("query")
    chosen = by_name.get(name or "") or (None if query else by_name.get(DEFAULT_EXAMPLE))
    if query is None:
        query = chosen.sparql if chosen else ""
    config = {
        # relative: the page makes it absolute from its own address, never from a Host header
        "endpoint": url_for("sparql.endpoint"),
        "vocabulary": url_for("editor.vocabulary_json"),
        "prefixes": url_for("editor.prefixes_json"),
        "prefixMap": prefixes(),
        # result links to LBP-KG terms go to this site's term pages, not to w3id.org
        "lbpNs": str(LBP),
        "termBase": url_for("terms.term", local="_")[:-1],
        "query": query,
        "title": chosen.title if chosen else "Query",
        "fromUrl": "query" in request.args or name is not None,
        "examples": [{"name": ex.name, "title": ex.title, "description": ex.description, "query": ex.sparql}
                     for ex in library],
    }
    return render_template("editor/editor.html", examples=library, chosen=chosen, query=query, config=config)


@bp.route("/editor/examples.json")
def examples_json() -> Response:
    """The examples as data (for scripts and the tests)."""
    return jsonify([{"name": ex.name, "title": ex.title, "description": ex.description, "tags": list(ex.tags),
                     "query": ex.sparql, "editor": url_for("editor.editor", example=ex.name)} for ex in _examples()])


@bp.route("/editor/vocabulary.json")
def vocabulary_json() -> Response:
    """The KG's classes and properties, for the editor's autocompletion (no outside service)."""
    ext = current_app.extensions
    if "lbp_kg_vocabulary" not in ext:
        vocab = vocabulary(get_kg())
        ext["lbp_kg_vocabulary"] = {key: [{"iri": t.iri, "label": t.label} for t in terms]
                                    for key, terms in vocab.items()}
    resp = jsonify(ext["lbp_kg_vocabulary"])
    resp.cache_control.max_age = 3600
    return resp


@bp.route("/editor/prefixes.json")
def prefixes_json() -> Response:
    """prefix -> namespace, the shape YASQE's PREFIX completion reads."""
    return jsonify(prefixes())


@bp.route("/vendor/<path:name>")
def vendor(name: str) -> ResponseReturnValue:
    """Allow-listed front-end files from node_modules (see webui.assets)."""
    return serve_asset(name)
