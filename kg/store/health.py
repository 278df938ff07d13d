"""A store's health, checked before a server starts on it: it must open, answer, and hold the
knowledge graph; an embedded store must hold all of the release it was loaded from (its copy of
the release manifest gives the counts), so a damaged or half-copied store is refused with one
line saying what to do, instead of serving partial answers."""

from __future__ import annotations

import json

from kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from kg.store.base import Store, StoreError
from kg.store.oxigraph_store import STORE_MARKER, OxigraphStore

REBUILD = "run `lbpkg build` to rebuild it"
# Release manifest count -> the graph that holds those triples.
MANIFEST_COUNTS = {"asserted_triples": str(ASSERTED_GRAPH), "inferred_triples": str(INFERRED_GRAPH)}


def expected_counts(store: Store) -> dict[str, int]:
    """Graph -> triples, from the release manifest an embedded store keeps (empty when unknown)."""
    if not isinstance(store, OxigraphStore) or store.path is None:
        return {}
    marker = store.path / STORE_MARKER
    if not marker.is_file():
        return {}
    try:
        counts = json.loads(marker.read_text(encoding="utf-8")).get("counts", {})
    except (OSError, ValueError) as exc:
        raise StoreError(f"the store at {store.path} has an unreadable {STORE_MARKER} ({exc}): {REBUILD}") from None
    return {graph: int(counts[key]) for key, graph in MANIFEST_COUNTS.items() if key in counts}


def check_store(store: Store) -> None:
    """Raise StoreError (one line) unless the store answers and holds the whole knowledge graph."""
    where = getattr(store, "path", None) or store.spec
    try:
        expected = expected_counts(store)
        found = {graph: store.triple_count(graph) for graph in MANIFEST_COUNTS.values()}
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged store fails in the engine's own ways
        raise StoreError(f"the store at {where} is damaged ({' '.join(str(exc).split())[:300]}): {REBUILD}") from None
    if not any(found.values()):
        raise StoreError(f"the store at {where} holds no LBP-KG triples: {REBUILD}")
    for graph, count in expected.items():
        if found[graph] != count:
            raise StoreError(f"the store at {where} is incomplete: graph <{graph}> holds {found[graph]} triples "
                             f"where its release has {count}: {REBUILD}")
