"""The release files, listed with size and checksum from the manifest, served from RELEASE_DIR."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from flask.typing import ResponseReturnValue

from kg.release_files import BY_NAME, MANIFEST, RELEASE_FILES

bp = Blueprint("downloads", __name__)


def _release() -> Path:
    return Path(current_app.config["RELEASE_DIR"])


def _manifest() -> dict:
    try:
        return json.loads((_release() / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@bp.get("/downloads")
def index() -> str:
    manifest = _manifest()
    sums = manifest.get("files", {})
    files = [
        {"name": f.name, "what": f.description, "media_type": f.media_type,
         "size": (_release() / f.name).stat().st_size, "sha256": sums.get(f.name)}
        for f in RELEASE_FILES
        if (_release() / f.name).is_file()
    ]
    return render_template("downloads/index.html", files=files, manifest=manifest)


@bp.get("/downloads/<name>")
def file(name: str) -> ResponseReturnValue:
    release_file = BY_NAME.get(name)
    if release_file is None or not (_release() / name).is_file():
        abort(404, description=f"No release file {name!r}; see the downloads page for the list.")
    return send_from_directory(_release(), name, mimetype=release_file.media_type, as_attachment=False)


def _at_root(name: str):  # noqa: ANN202
    def serve() -> ResponseReturnValue:
        return file(name)
    serve.__name__ = "root_" + name.replace("-", "_").replace(".", "_")
    return serve


# Each release file also at the site's root, where its w3id IRI lands: the ontology's
# owl:imports <https://w3id.org/lbp-kg/lbp-kg-imports.owl> resolves to /lbp-kg-imports.owl.
for _f in RELEASE_FILES:
    bp.add_url_rule(f"/{_f.name}", endpoint=_at_root(_f.name).__name__, view_func=_at_root(_f.name), methods=["GET"])
