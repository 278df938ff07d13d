"""Front-end files served straight from node_modules (installed by `npm ci` from package-lock.json),
so no third-party code is committed. Only the files named here can be fetched: the route is an
allow-list, not a window onto node_modules."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_from_directory
from flask.typing import ResponseReturnValue

DEFAULT_NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"

# Public name (what templates ask for) -> path inside node_modules.
ASSETS: dict[str, str] = {
    "yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
    "yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "axe.min.js": "axe-core/axe.min.js",
}


def node_modules() -> Path:
    return Path(current_app.config.get("NODE_MODULES") or DEFAULT_NODE_MODULES)


def missing_assets() -> list[str]:
    """Allow-listed files that are not installed (for a start-up warning and the tests)."""
    root = node_modules()
    return [name for name, rel in ASSETS.items() if not (root / rel).is_file()]


def serve_asset(name: str) -> ResponseReturnValue:
    """One allow-listed file; anything else is a 404, a missing install a 404 that says what to run."""
    rel = ASSETS.get(name)
    if rel is None:
        abort(404)
    path = node_modules() / rel
    if not path.is_file():
        abort(404, description=f"{name} is not installed: run `npm ci` (scripts/setup.sh does)")
    return send_from_directory(path.parent, path.name, max_age=86400)
