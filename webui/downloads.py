"""The release files, listed with size and checksum from the manifest, served from RELEASE_DIR."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from flask.typing import ResponseReturnValue

bp = Blueprint("downloads", __name__)

# file name -> (what it is, media type); only these are served.
FILES: dict[str, tuple[str, str]] = {
    "lbp-kg.owl": ("The ontology, OWL in RDF/XML (for Protégé, OWL API, owlready2)", "application/rdf+xml"),
    "lbp-kg.ttl": ("The ontology in Turtle", "text/turtle"),
    "lbp-kg.jsonld": ("The ontology in JSON-LD", "application/ld+json"),
    "lbp-kg.nt": ("The ontology in N-Triples", "application/n-triples"),
    "lbp-kg-inferred.ttl": ("The relation graph: every entailed class-to-class edge (Turtle)", "text/turtle"),
    "lbp-kg-inferred.nt": ("The relation graph (N-Triples)", "application/n-triples"),
    "lbp-kg.sssom.tsv": ("Mappings to other vocabularies, SSSOM TSV", "text/tab-separated-values"),
    "lbp-kg.sssom.json": ("Mappings to other vocabularies, SSSOM JSON", "application/json"),
    "lbp-kg-external.nt": ("External ontologies released beside the KG (N-Triples)", "application/n-triples"),
    "context.jsonld": ("The JSON-LD context of the namespace", "application/ld+json"),
    "manifest.json": ("Version, counts and SHA-256 of every file", "application/json"),
}


def _release() -> Path:
    return Path(current_app.config["RELEASE_DIR"])


def _manifest() -> dict:
    try:
        return json.loads((_release() / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@bp.get("/downloads")
def index() -> str:
    manifest = _manifest()
    sums = manifest.get("files", {})
    files = [
        {"name": name, "what": what, "media_type": media, "size": (_release() / name).stat().st_size,
         "sha256": sums.get(name)}
        for name, (what, media) in FILES.items()
        if (_release() / name).is_file()
    ]
    return render_template("downloads/index.html", files=files, manifest=manifest)


@bp.get("/downloads/<name>")
def file(name: str) -> ResponseReturnValue:
    if name not in FILES or not (_release() / name).is_file():
        abort(404, description=f"No release file {name!r}; see the downloads page for the list.")
    return send_from_directory(_release(), name, mimetype=FILES[name][1], as_attachment=False)
