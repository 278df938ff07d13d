"""How are X and Y related? The best few chains of relations between two terms, told in sentences.

The walk follows what the graph says, both ways round (each step keeps its direction, so the sentence
reads the right way): the curators' restrictions and the sourced associations ("stated"), asserted
is-a, and the relation graph's inferred edges ("inferred", marked so on the page). Never through the
upper classes ("anatomical entity"), which would join everything to everything in two steps, and
never along a use that the graph contradicts (kg.views.safety.blockers).

Chains are ranked by cost, not only by length (Yen's k-shortest loopless paths over weighted steps):
anatomical and causal steps (part of, located in, may cause, has mechanism, affects, can compress)
are cheapest; a step into or out of an intervention (its mechanisms of action and agents too) costs
more, so a chain through a treatment comes only when nothing anatomical or causal is as short; an
is-a step up costs more the more general its parent class, and an inferred step more than a stated one.

Two special answers come first: the same term twice is said to be the same term, and when one term
is a kind of the other, that is the first chain (is-a steps, up or down).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from kg.namespaces import LBP
from kg.store import Store
from kg.views.evidence import SUPPORTING, Evidence, as_json
from kg.views.graphdata import SUBCLASS, UPPER, GraphData, graph_data
from kg.views.safety import blockers

MAX_PATHS = 5
MAX_LENGTH = 6

# What a step costs: its kind, plus a surcharge for a treatment on the way and for a general class.
STATED, IS_A, INFERRED = 1.0, 1.2, 1.6
WEAK = 0.3  # a shared sign, risk factor or finding relates two terms less closely than a cause or a part
INTERVENTION = 2.0  # per step that enters or leaves an intervention, its mechanism of action or agent
GENERAL = 0.3  # per doubling of how general the object of an is-a or inferred step is (see adjacency)
HUB = 0.1  # per doubling of the terms stated to relate to the term a step enters
WEAK_RELATIONS = frozenset(str(LBP[n]) for n in ("mayPresentWith", "hasRiskFactor", "hasWarningSign", "hasFinding"))
TREATMENT_ROOTS = tuple(str(LBP[n]) for n in ("Intervention", "MechanismOfAction", "TherapeuticAgent"))

# kinds of step: stated (a curator's restriction), association (a sourced statement, with evidence),
# is-a (asserted subclass), inferred (an edge of the relation graph), inferred-is-a (the reasoner's)
INFERRED_KINDS = frozenset({"inferred", "inferred-is-a"})


@dataclass(frozen=True)
class Step:
    """One step of a chain, read from `frm` to `to`; forward when the statement runs that way."""

    frm: str
    relation: str
    to: str
    forward: bool
    kind: str
    evidence: tuple[Evidence, ...] = ()
    sources: tuple[str, ...] = ()
    cost: float = 1.0
    treatment: bool = False  # enters or leaves an intervention, its mechanism of action or agent

    @property
    def inferred(self) -> bool:
        return self.kind in INFERRED_KINDS

    @property
    def statement(self) -> tuple[str, str, str]:
        """(subject, relation, object) as the graph states it."""
        return (self.frm, self.relation, self.to) if self.forward else (self.to, self.relation, self.frm)


Adjacency = dict[str, list[Step]]


def treatment_terms(data: GraphData) -> set[str]:
    """Interventions, mechanisms of action and therapeutic agents: the terms a chain should avoid."""
    out: set[str] = set()
    for root in TREATMENT_ROOTS:
        out |= data.descendants(root) | {root}
    return out


def adjacency(data: GraphData) -> Adjacency:
    """The walkable graph: stated, is-a and inferred edges both ways, each step with its cost; upper
    classes and contradicted uses left out; parallel statements of one triple (two sources) merged."""
    treatments = treatment_terms(data)
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(s: str, rel: str, o: str, kind: str, evidence: Evidence | None = None,
            sources: tuple[str, ...] = ()) -> None:
        if s in UPPER or o in UPPER or s == o:
            return
        item = merged.setdefault((s, rel, o), {"kind": kind, "evidence": [], "sources": []})
        if evidence is not None and evidence not in item["evidence"]:
            item["evidence"].append(evidence)
        item["sources"] += [x for x in sources if x not in item["sources"]]

    for e in data.edges:
        # a use that the graph also says not to make (kg.views.safety) is not a chain to suggest
        if e.relation in SUPPORTING and blockers(data, e.source, e.target):
            continue
        if e.kind in ("asserted", "association", "inferred"):
            add(e.source, e.relation, e.target, e.kind, e.evidence, e.sources)
    for child, parents in data.asserted_parents.items():
        for parent in parents:
            add(child, SUBCLASS, parent, "is-a")

    # How general a class is: its kinds, or the terms the relation graph infers to relate to it
    # ("vertebral column": everything in the spine is located in it); how much of a hub a term is:
    # the terms stated to relate to it.
    inferred_in: dict[str, set[str]] = defaultdict(set)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for (s, _, o), item in merged.items():
        if item["kind"] == "inferred":
            inferred_in[o].add(s)
        else:
            neighbours[s].add(o)
            neighbours[o].add(s)

    def general(iri: str) -> float:
        return GENERAL * math.log2(1 + max(len(data.descendants(iri)), len(inferred_in.get(iri, ()))))

    def hub(iri: str) -> float:
        return HUB * math.log2(1 + len(neighbours.get(iri, ())))

    generality = {o: general(o) for (_, _, o) in merged}
    adj: Adjacency = defaultdict(list)
    for (s, rel, o), item in merged.items():
        kind = item["kind"]
        cost = {"is-a": IS_A, "inferred": INFERRED}.get(kind, STATED)
        if rel in WEAK_RELATIONS:
            cost += WEAK
        treatment = s in treatments or o in treatments
        if treatment:
            cost += INTERVENTION
        # a step up to a very general class says little; a step down from one (a kind of it) is
        # how a chain that starts at a general term gets specific, so only the way up pays for it
        up = generality[o] if kind in ("is-a", "inferred") else 0.0
        evidence, sources = tuple(item["evidence"]), tuple(item["sources"])
        adj[s].append(Step(s, rel, o, True, kind, evidence, sources, cost + up + hub(o), treatment))
        adj[o].append(Step(o, rel, s, False, kind, evidence, sources, cost + hub(s), treatment))
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
            heapq.heappush(queue, (cost + step.cost, counter, step.to, path + [step]))
    return None


def _cost(path: list[Step]) -> float:
    return sum(s.cost for s in path)


def shortest_paths(store: Store, x: str, y: str, k: int = 3) -> list[list[Step]]:
    """Up to k loopless cheapest chains from x to y (Yen's algorithm), best first."""
    data = graph_data(store)
    adj = _adjacency(data)
    k = max(1, min(k, MAX_PATHS))
    if x == y:
        return []
    first = _dijkstra(adj, x, y, set(), set())
    if first is None:
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
            if len(total) > MAX_LENGTH:
                continue
            if all(total != p for _, p in found) and all(total != c for _, _, c in candidates):
                counter += 1
                heapq.heappush(candidates, (_cost(total), counter, total))
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


def kind_of_chain(data: GraphData, x: str, y: str) -> list[Step] | None:
    """When one term is a kind of the other: the is-a steps from x up to y ("is a kind of") or down
    to y ("includes"), through asserted parents where they reach, else one step the reasoner inferred."""
    if y in data.ancestors.get(x, ()):
        up = _asserted_route(data, x, y)
        return [Step(c, SUBCLASS, p, True, "is-a") for c, p in up] if up else [
            Step(x, SUBCLASS, y, True, "inferred-is-a")]
    if x in data.ancestors.get(y, ()):
        up = _asserted_route(data, y, x)
        return [Step(p, SUBCLASS, c, False, "is-a") for c, p in reversed(up)] if up else [
            Step(x, SUBCLASS, y, False, "inferred-is-a")]
    return None


def _asserted_route(data: GraphData, child: str, ancestor: str) -> list[tuple[str, str]] | None:
    """The fewest asserted (child, parent) links from child up to ancestor, if they reach it."""
    back: dict[str, str] = {child: child}
    queue = deque([child])
    while queue:
        node = queue.popleft()
        if node == ancestor:
            route = []
            while node != child:
                route.append((back[node], node))
                node = back[node]
            return list(reversed(route))
        for parent in sorted(data.asserted_parents.get(node, ())):
            if parent not in back:
                back[parent] = node
                queue.append(parent)
    return None


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


@dataclass(frozen=True)
class Chain:
    """One chain as the page shows it: the sentence, the steps, and what kind of chain it is."""

    sentence: str
    steps: tuple[Step, ...]
    phrases: tuple[str, ...]  # each step in words, as the sentence reads it
    kind_of: bool = False  # the chain that says one term is a kind of the other
    through_treatment: bool = False  # passes through an intervention, its mechanism of action or agent


@dataclass(frozen=True)
class Relation:
    """How x and y are related: the same term, one a kind of the other, and the chains, best first."""

    x: str
    y: str
    same: bool
    chains: tuple[Chain, ...] = field(default_factory=tuple)

    @property
    def kind_of(self) -> Chain | None:
        return self.chains[0] if self.chains and self.chains[0].kind_of else None


def relation(store: Store, x: str, y: str, k: int = 3) -> Relation:
    """The read model of the relate page: the kind-of chain first when there is one, then the k
    cheapest chains (one fewer when the kind-of chain is among them)."""
    data = graph_data(store)
    if x == y:
        return Relation(x, y, True)
    treatments = treatment_terms(data)

    def chain(path: list[Step], kind_of: bool = False) -> Chain:
        through = any(s.to in treatments for s in path[:-1])
        return Chain(sentence(data, path), tuple(path), tuple(phrase(data, s) for s in path), kind_of, through)

    chains: list[Chain] = []
    kind_of = kind_of_chain(data, x, y)
    if kind_of is not None:
        chains.append(chain(kind_of, kind_of=True))
    for path in shortest_paths(store, x, y, k + 1 if kind_of else k):
        if kind_of is not None and _same_statements(path, kind_of):
            continue
        chains.append(chain(path))
    return Relation(x, y, False, tuple(chains[: k + (1 if kind_of else 0)]))


def _same_statements(a: list[Step], b: list[Step]) -> bool:
    return [s.statement for s in a] == [s.statement for s in b]


def relate(store: Store, x: str, y: str, k: int = 3) -> dict[str, Any]:
    """The chains as data and as sentences (for the JSON API)."""
    data = graph_data(store)
    rel = relation(store, x, y, k)
    return {
        "from": _ref(data, x),
        "to": _ref(data, y),
        "same": rel.same,
        "kind_of": rel.kind_of is not None,
        "paths": [
            {
                "sentence": chain.sentence,
                "length": len(chain.steps),
                "kind_of": chain.kind_of,
                "steps": [
                    {
                        "from": _ref(data, s.frm),
                        "relation": _ref(data, s.relation) | ({"label": "is a"} if s.relation == SUBCLASS else {}),
                        "to": _ref(data, s.to),
                        "direction": "forward" if s.forward else "backward",
                        "phrase": ph,
                        "kind": s.kind,
                        "inferred": s.inferred,
                        "evidence": as_json(s.evidence[0], data.label) if s.evidence else None,
                        "all_evidence": [as_json(ev, data.label) for ev in s.evidence],
                        "sources": [_ref(data, src) for src in s.sources],
                    }
                    for s, ph in zip(chain.steps, chain.phrases, strict=True)
                ],
            }
            for chain in rel.chains
        ],
    }


def _ref(data: GraphData, iri: str) -> dict[str, str]:
    local = iri[len(str(LBP)):] if iri.startswith(str(LBP)) else None
    return {"iri": iri, "label": data.label(iri)} | ({"id": f"lbp:{local}"} if local else {})
