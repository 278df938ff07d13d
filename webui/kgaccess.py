"""The store's lifecycle for the app (as flaskr's db.py does for its database): opened once per
process on first use, shared by requests, closed when the process ends."""

from __future__ import annotations

import atexit
import logging

from flask import Flask, current_app

from kg.store import SparqlStore, Store, StoreError, open_store
from kg.store.health import check_store

_KEY = "lbp_kg_store"


def get_kg() -> Store:
    """The app's store, opened lazily from the STORE spec in the config."""
    ext = current_app.extensions
    if _KEY not in ext:
        store = open_store(current_app.config["STORE"])
        if isinstance(store, SparqlStore):
            store.default_timeout = float(current_app.config.get("BACKEND_TIMEOUT") or 10.0)
        ext[_KEY] = store
        atexit.register(store.close)
    return ext[_KEY]


def init_app(app: Flask) -> None:
    """Fail early (StoreError, one line) when the store is missing, damaged or empty, rather than on
    the first request. A remote endpoint is only tried: while it is down the pages that need it
    answer 502/504 and the rest of the site serves, so a server can start before its backend."""
    with app.app_context():
        store = get_kg()
        if not app.config.get("CHECK_STORE", True):
            return
        if isinstance(store, SparqlStore):
            try:
                store.triple_count()
            except StoreError as exc:
                logging.getLogger("webui").warning("the SPARQL backend does not answer yet: %s", exc)
            return
        check_store(store)
