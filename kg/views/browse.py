"""Browsing: the terms of an area, an A-Z index, and a hierarchy tree with is-a and part-of.

The tree shows under each node its is-a children and the parts curators stated (C SubClassOf
partOf some D, asserted), each marked with its relation. A term with several parents appears under
each of them and says where else it sits; a branch already shown higher up the same path is not
repeated (the graph has no cycles, but part-of and is-a together can meet again).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.namespaces import LBP
from kg.store import Store
from kg.views.graphdata import GraphData, graph_data
from kg.views.summary import area_by_key
from kg.views.term_page import Link as Entry

PART_OF = str(LBP.partOf)
MAX_TREE_NODES = 2000


@dataclass
class TreeNode:
    iri: str
    label: str
    relation: str | None  # "is a" | "part of" | None for the root
    other_parents: list[Entry] = field(default_factory=list)
    children: list[TreeNode] = field(default_factory=list)
    repeated: bool = False  # shown elsewhere on this path; children not repeated

    @property
    def local(self) -> str:
        return self.iri[len(str(LBP)):]


def area_root(store: Store, key: str) -> str | None:
    area = area_by_key(store, key)
    return area.iri if area else None


def _entries(data: GraphData, iris: set[str]) -> list[Entry]:
    return sorted((Entry(i, data.label(i)) for i in iris if i not in data.deprecated), key=lambda e: e.label.lower())


def area_terms(store: Store, key: str) -> list[Entry] | None:
    """Every term under an area's upper class, A-Z; None for an unknown area."""
    root = area_root(store, key)
    if root is None:
        return None
    data = graph_data(store)
    return _entries(data, data.descendants(root))


def az_index(store: Store) -> dict[str, list[Entry]]:
    """All classes of the namespace by first letter of their label (digits under '0-9')."""
    data = graph_data(store)
    index: dict[str, list[Entry]] = {}
    for entry in _entries(data, {c for c in data.classes if c.startswith(str(LBP))}):
        first = entry.label[:1].upper()
        key = first if first.isalpha() else "0-9"
        index.setdefault(key, []).append(entry)
    return dict(sorted(index.items()))


def _parts(data: GraphData) -> dict[str, set[str]]:
    """whole -> the parts curators stated for it (asserted partOf restrictions)."""
    parts: dict[str, set[str]] = {}
    for e in data.edges:
        if e.relation == PART_OF and e.kind == "asserted":
            parts.setdefault(e.target, set()).add(e.source)
    return parts


def tree(store: Store, root: str, max_depth: int = 12) -> TreeNode:
    """The tree under a root term, is-a and part-of children marked."""
    data = graph_data(store)
    parts = _parts(data)
    part_parents: dict[str, set[str]] = {}
    for whole, ps in parts.items():
        for p in ps:
            part_parents.setdefault(p, set()).add(whole)
    budget = [MAX_TREE_NODES]

    def build(iri: str, relation: str | None, parent: str | None, path: frozenset[str], depth: int) -> TreeNode:
        budget[0] -= 1
        all_parents = data.direct_parents(iri) | part_parents.get(iri, set())
        node = TreeNode(iri, data.label(iri), relation, _entries(data, all_parents - {parent} if parent else set()))
        if iri in path or depth >= max_depth or budget[0] <= 0:
            node.repeated = iri in path
            return node
        inner = path | {iri}
        kids = [(c, "is a") for c in data.children(iri)] + [(c, "part of") for c in parts.get(iri, set())]
        kids = [(c, r) for c, r in kids if c not in data.deprecated]
        kids.sort(key=lambda cr: (cr[1], data.label(cr[0]).lower()))
        node.children = [build(c, r, iri, inner, depth + 1) for c, r in kids]
        return node

    return build(root, None, None, frozenset(), 0)
