"""The store's lifecycle for the app (as flaskr's db.py does for its database): opened once per
process on first use, shared by requests, closed when the process ends."""

from __future__ import annotations

import atexit

from flask import Flask, current_app

from kg.store import Store, open_store

_KEY = "lbp_kg_store"


def get_kg() -> Store:
    """The app's store, opened lazily from the STORE spec in the config."""
    ext = current_app.extensions
    if _KEY not in ext:
        store = open_store(current_app.config["STORE"])
        ext[_KEY] = store
        atexit.register(store.close)
    return ext[_KEY]


def init_app(app: Flask) -> None:
    """Fail early when the store cannot be opened, rather than on the first request."""
    with app.app_context():
        get_kg()
