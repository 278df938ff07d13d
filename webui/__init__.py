"""LBP-KG web UI: a Flask application factory and its blueprints, which render what kg.views returns.

May import Flask and any part of kg but kg.build (the site reads a release; it never builds one).
All SPARQL lives in queries/ and is run through kg; `lbpkg serve` is webui.cli."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from kg.query.library import library_dir
from kg.settings import get_settings


def create_app(test_config: dict[str, Any] | None = None, *, overrides: dict[str, Any] | None = None) -> Flask:
    """Defaults, then instance config (config.py) or else the test config, as Flask's tutorial
    does, then `overrides` (what `lbpkg serve` is told on its command line)."""
    app = Flask(__name__, instance_relative_config=True)
    settings = get_settings()
    app.config.from_mapping(
        STORE=settings.store_spec,
        RELEASE_DIR=str(settings.release_dir),
        QUERY_DIR=str(settings.queries_dir),
        QUERY_TIMEOUT=10.0,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if overrides:
        app.config.from_mapping(overrides)
    # The pages read the query library: a missing one stops the start with a message, rather
    # than pages that fail or an editor with no examples.
    library_dir(Path(app.config["QUERY_DIR"]))

    from webui import (
        api,
        cache,
        downloads,
        editor,
        education,
        errors,
        graph,
        kgaccess,
        pages,
        search,
        security,
        sparql,
        terms,
    )

    security.init_app(app)
    errors.init_app(app)
    kgaccess.init_app(app)
    for module in (pages, terms, search, api, downloads, education, sparql, editor, graph):
        app.register_blueprint(module.bp)
    cache.init_app(app)  # last: the site's own request checks run before a cached answer is given
    return app
