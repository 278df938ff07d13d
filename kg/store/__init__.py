"""Store backends behind one interface, chosen by a spec string (oaklib style):

- ``oxigraph:PATH``  pyoxigraph on disk (the default: the build folder's store, kg.settings);
  ``oxigraph:`` in memory
- ``rdflib:RELEASE_DIR``  in-memory rdflib Dataset loaded from a release folder (the reference engine)
- ``sparql:QUERY_URL[|UPDATE_URL]``  any SPARQL 1.1 endpoint via SPARQLWrapper

Every backend answers in one result shape (kg.results). May import: the core modules of kg only
(errors, namespaces, settings, formats, release_files, results, serialize, rdfinput, atomic).
"""

from __future__ import annotations

from collections.abc import Callable

from kg.store.base import (
    KG_GRAPHS,
    RELEASE_GRAPHS,
    EndpointError,
    QueryError,
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreError,
)
from kg.store.oxigraph_store import OxigraphStore, create_oxigraph_store
from kg.store.rdflib_store import RdflibStore
from kg.store.sparql_store import SparqlStore

# Scheme -> factory taking what follows the first colon.
BACKENDS: dict[str, Callable[[str], Store]] = {
    "oxigraph": OxigraphStore.from_spec,
    "rdflib": RdflibStore.from_spec,
    "sparql": SparqlStore.from_spec,
}


def open_store(spec: str | None = None) -> Store:
    """Open the store a spec string names (None: the settings' store, kg.settings); unknown
    schemes get a message listing the known ones."""
    if spec is None:
        from kg.settings import get_settings

        spec = get_settings().store_spec
    scheme, colon, arg = spec.partition(":")
    factory = BACKENDS.get(scheme) if colon else None
    if factory is None:
        known = ", ".join(f"{name}:..." for name in BACKENDS)
        raise StoreError(f"unknown store spec {spec!r}: use one of {known}")
    return factory(arg)


__all__ = [
    "BACKENDS",
    "KG_GRAPHS",
    "RELEASE_GRAPHS",
    "EndpointError",
    "OxigraphStore",
    "QueryError",
    "QuerySyntaxError",
    "QueryTimeout",
    "RdflibStore",
    "SparqlStore",
    "Store",
    "StoreError",
    "create_oxigraph_store",
    "open_store",
]
