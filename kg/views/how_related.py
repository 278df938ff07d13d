"""How are X and Y related? The shortest meaningful paths between two terms, told in sentences.

"Meaningful": only edges someone stated (asserted restrictions, sourced associations, asserted
is-a), never the reasoner's generalisations, and never through the upper classes ("anatomical
entity"), which would connect everything to everything in two steps. Paths are found with Yen's
k-shortest-paths over the graph walked in both directions; each step keeps its direction so the
sentence reads the right way round.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kg.namespaces import LBP
from kg.store import Store
from kg.views.evidence import SUPPORTING, Evidence, as_json
from kg.views.graphdata import SUBCLASS, UPPER, GraphData, graph_data
from kg.views.safety import blockers

MAX_PATHS = 5
MAX_LENGTH = 6
# Cost per step: stated clinical and structural links first, is-a a little dearer.
COST = {"association": 1.0, "asserted": 1.0, "is-a": 1.3}

@dataclass(frozen=True)
class Step:
    """One step of a path, read from `frm` to `to`; forward when the statement runs that way."""

    frm: str
    relation: str
    to: str
    forward: bool
    kind: str
    evidence: Evidence | None = None
    sources: tuple[str, ...] = ()


Adjacency = dict[str, list[Step]]


def adjacency(data: GraphData) -> Adjacency:
    """The walkable graph: stated edges both ways, upper classes left out."""
    adj: Adjacency = defaultdict(list)

    def add(s: str, rel: str, o: str, kind: str, evidence: Evidence | None = None,
            sources: tuple[str, ...] = ()) -> None:
        if s in UPPER or o in UPPER or s == o:
            return
        adj[s].append(Step(s, rel, o, True, kind, evidence, sources))
        adj[o].append(Step(o, rel, s, False, kind, evidence, sources))

    for e in data.edges:
        # a use that the graph also says not to make (kg.views.safety) is not a path to suggest
        if e.relation in SUPPORTING and blockers(data, e.source, e.target):
            continue
        if e.kind in ("asserted", "association"):
            add(e.source, e.relation, e.target, e.kind, e.evidence, e.sources)
    for child, parents in data.asserted_parents.items():
        for parent in parents:
            add(child, SUBCLASS, parent, "is-a")
    return adj


def _dijkstra(adj: Adjacency, start: str, goal: str, banned_nodes: set[str],
              banned_steps: set[tuple[str, str, str]]) -> tuple[float, list[Step]] | None:
    queue: list[tuple[float, int, str, list[Step]]] = [(0.0, 0, start, [])]
    done: set[str] = set()
    counter = 0
    while queue:
        cost, _, node, path = heapq.heappop(queue)
        if node == goal:
            return cost, path
        if node in done or len(path) >= MAX_LENGTH:
            continue
        done.add(node)
        for step in adj.get(node, ()):
            if step.to in done or step.to in banned_nodes:
                continue
            if (step.frm, step.relation, step.to) in banned_steps:
                continue
            counter += 1
            heapq.heappush(queue, (cost + COST[step.kind], counter, step.to, path + [step]))
    return None


def shortest_paths(store: Store, x: str, y: str, k: int = 3) -> list[list[Step]]:
    """Up to k loopless shortest paths from x to y (Yen's algorithm), best first."""
    data = graph_data(store)
    adj = _adjacency(data)
    k = max(1, min(k, MAX_PATHS))
    first = _dijkstra(adj, x, y, set(), set())
    if x == y or first is None:
        return []
    found: list[tuple[float, list[Step]]] = [first]
    candidates: list[tuple[float, int, list[Step]]] = []
    counter = 0
    while len(found) < k:
        last = found[-1][1]
        for i in range(len(last)):
            spur = last[i].frm
            root = last[:i]
            banned_steps = {
                (p[i].frm, p[i].relation, p[i].to) for _, p in found if len(p) > i and p[:i] == root
            }
            banned_nodes = {s.frm for s in root}
            spur_path = _dijkstra(adj, spur, y, banned_nodes, banned_steps)
            if spur_path is None:
                continue
            total = root + spur_path[1]
            cost = sum(COST[s.kind] for s in total)
            if all(total != p for _, p in found) and all(total != c for _, _, c in candidates):
                counter += 1
                heapq.heappush(candidates, (cost, counter, total))
        if not candidates:
            break
        cost, _, path = heapq.heappop(candidates)
        found.append((cost, path))
    return [p for _, p in found]


_ADJ: dict[int, tuple[GraphData, Adjacency]] = {}


def _adjacency(data: GraphData) -> Adjacency:
    hit = _ADJ.get(id(data))
    if hit is None or hit[0] is not data:
        hit = (data, adjacency(data))
        _ADJ[id(data)] = hit
    return hit[1]


def phrase(data: GraphData, step: Step) -> str:
    """The step in words, read from the ontology's phrases (kg.views.graphdata)."""
    return data.phrase(step.relation, step.forward)


def sentence(data: GraphData, path: list[Step]) -> str:
    """'Lumbar disc herniation can compress L5 nerve root, which is affected by ...'"""
    if not path:
        return ""
    first = path[0]
    text = f"{data.label(first.frm)} {phrase(data, first)} {data.label(first.to)}"
    for step in path[1:]:
        text += f", which {phrase(data, step)} {data.label(step.to)}"
    return text[0].upper() + text[1:] + "."


def relate(store: Store, x: str, y: str, k: int = 3) -> dict[str, Any]:
    """The paths as data and as sentences (for the education page and the JSON API)."""
    data = graph_data(store)
    paths = shortest_paths(store, x, y, k)
    return {
        "from": {"iri": x, "label": data.label(x)},
        "to": {"iri": y, "label": data.label(y)},
        "paths": [
            {
                "sentence": sentence(data, path),
                "length": len(path),
                "steps": [
                    {
                        "from": _ref(data, s.frm),
                        "relation": _ref(data, s.relation) | ({"label": "is a"} if s.relation == SUBCLASS else {}),
                        "to": _ref(data, s.to),
                        "direction": "forward" if s.forward else "backward",
                        "phrase": phrase(data, s),
                        "kind": s.kind,
                        "evidence": as_json(s.evidence, data.label) if s.evidence else None,
                        "sources": [_ref(data, src) for src in s.sources],
                    }
                    for s in path
                ],
            }
            for path in paths
        ],
    }


def _ref(data: GraphData, iri: str) -> dict[str, str]:
    local = iri[len(str(LBP)):] if iri.startswith(str(LBP)) else None
    return {"iri": iri, "label": data.label(iri)} | ({"id": f"lbp:{local}"} if local else {})
