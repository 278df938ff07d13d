"""Why an inferred statement holds: the stated axioms and the rules (kg.entailment) that entail an
edge of the relation graph, as numbered sentences a student can follow, and as a SPARQL query
that finds every premise in the graph.

The derivation is recomputed from the store (the stated edges, the class hierarchy and the
relations' logic, queries/pages/property-rules.rq) with the same rules the build used, once per
store, so every inferred edge a page shows has its explanation.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from kg.entailment import RULES, SUBCLASS, Rules, Step, close
from kg.namespaces import LBP
from kg.query.library import get_query, render
from kg.store import Store
from kg.views.graphdata import GraphData, graph_data, per_store

Triple = tuple[str, str, str]
MAX_STEPS = 40  # a derivation longer than this is cut, and says so


@dataclass(frozen=True)
class Sentence:
    number: int
    triple: Triple
    text: str
    kind: str  # stated | hierarchy | definition | reasoner | rule
    rule: str | None = None  # the rule's name, for a conclusion
    uses: tuple[int, ...] = ()  # the numbers of the sentences it follows from


@dataclass
class Explanation:
    triple: Triple
    text: str
    stated: bool
    sentences: list[Sentence] = field(default_factory=list)
    cut: bool = False
    sparql: str = ""

    @property
    def rules_used(self) -> dict[str, str]:
        return {s.rule: RULES[s.rule] for s in self.sentences if s.rule}


@dataclass
class Derivations:
    stated: set[Triple]
    entailed: set[Triple]
    why: dict[Triple, Step]
    definitions: dict[str, tuple[str, list[tuple[str, str]]]] = field(default_factory=dict)  # class -> genus, some
    rules: Rules | None = None


def _lbp(iri: str) -> bool:
    return iri.startswith(str(LBP))


def derivations(store: Store) -> Derivations:
    """Every entailed edge of the store's graph with its first derivation (computed once per store)."""
    return per_store(store, "derivations", _derive)


def _derive(store: Store) -> Derivations:
    data = graph_data(store)
    transitive: set[str] = set()
    supers: dict[str, set[str]] = {}
    chains: list[tuple[str, str, str]] = []
    rendered = render(get_query("pages/property-rules"))
    for row in store.query(rendered.sparql, bindings=rendered.bindings).rows:
        prop = row["property"].value
        if "type" in row:
            transitive.add(prop)
        if "super" in row:
            supers.setdefault(prop, set()).add(row["super"].value)
        if "first" in row and "second" in row:
            chains.append((row["first"].value, row["second"].value, prop))
    hierarchy = {c: {a for a in anc if _lbp(a)} for c, anc in data.ancestors.items() if _lbp(c)}
    rules = Rules(hierarchy, transitive, supers, chains)
    stated = {(e.source, e.relation, e.target) for e in data.edges if e.kind == "asserted"}
    why: dict[Triple, Step] = {}
    entailed = close(stated, rules, why)
    definitions: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    rendered = render(get_query("pages/class-definitions"))
    for row in store.query(rendered.sparql, bindings=rendered.bindings).rows:
        genus, some = definitions.setdefault(row["class"].value, (row["genus"].value, []))
        some.append((row["property"].value, row["filler"].value))
    return Derivations(stated, entailed, why, definitions, rules)


def _sentence(data: GraphData, triple: Triple) -> str:
    s, p, o = triple
    return f"{data.label(s)} {data.phrase(p, True)} {data.label(o)}"


def _hierarchy_path(data: GraphData, sub: str, sup: str) -> list[str] | None:
    """The stated is-a links from sub up to sup (breadth first), or None if the reasoner alone
    puts sub under sup."""
    queue: deque[list[str]] = deque([[sub]])
    seen = {sub}
    while queue:
        path = queue.popleft()
        if path[-1] == sup:
            return path
        for parent in sorted(data.asserted_parents.get(path[-1], ())):
            if parent not in seen:
                seen.add(parent)
                queue.append(path + [parent])
    return None


def _without_classification(data: GraphData, found: Derivations,
                            sub: str) -> tuple[set[str], set[Triple], dict[Triple, Step]]:
    """sub's stated ancestors, and what the rules entail when sub has only those (not the classes
    the reasoner puts it under), with how."""
    stated_up = {a for a in data.ancestors.get(sub, set()) if _hierarchy_path(data, sub, a) is not None}
    rules = found.rules
    assert rules is not None
    own = Rules({**rules.superclasses, sub: {a for a in stated_up if a.startswith(str(LBP))}},
                rules.transitive, rules.superproperties, rules.chains)
    why_own: dict[Triple, Step] = {}
    return stated_up, close(found.stated, own, why_own), why_own


def explain(store: Store, triple: Triple) -> Explanation | None:
    """The explanation of an edge of the relation graph (or of a stated one); None when the
    graph holds no such edge."""
    data = graph_data(store)
    found = derivations(store)
    s, p, o = triple
    is_a = p == SUBCLASS
    if is_a and o not in data.ancestors.get(s, set()):
        return None
    if not is_a and triple not in found.entailed:
        return None
    out = Explanation(triple, _sentence(data, triple), triple in found.stated)
    numbers: dict[Triple, int] = {}

    def add(t: Triple, text: str, kind: str, rule: str | None = None, uses: tuple[int, ...] = ()) -> int:
        if t in numbers:
            return numbers[t]
        if len(out.sentences) >= MAX_STEPS:
            out.cut = True
            return 0
        number = len(out.sentences) + 1
        out.sentences.append(Sentence(number, t, text, kind, rule, uses))
        numbers[t] = number
        return number

    def hierarchy(sub: str, sup: str) -> int:
        path = _hierarchy_path(data, sub, sup)
        if path is None:
            return classified(sub, sup)
        last = 0
        for a, b in zip(path, path[1:], strict=False):
            last = add((a, SUBCLASS, b), f"{data.label(a)} is a kind of {data.label(b)}", "hierarchy")
        if len(path) > 2:
            last = add((sub, SUBCLASS, sup), f"so {data.label(sub)} is a kind of {data.label(sup)}", "rule",
                       None, tuple(numbers[(a, SUBCLASS, b)] for a, b in zip(path, path[1:], strict=False)))
        return last

    active: set[Triple] = set()  # the derivations under way: a premise never rests on its conclusion

    def reasoner(sub: str, sup: str) -> int:
        return add((sub, SUBCLASS, sup), f"{data.label(sub)} is a kind of {data.label(sup)}: the reasoner "
                   "(HermiT) classifies it there from the classes' definitions", "reasoner")

    def classified(sub: str, sup: str) -> int:
        """sub under sup by the reasoner: through a defined class at or below sup whose genus sub
        is a kind of and whose every condition sub meets without the classification itself (the
        conditions are derived again with sub's stated ancestors only)."""
        if (sub, SUBCLASS, sup) in active or found.rules is None:
            return reasoner(sub, sup)
        stated_up, entailed_own, why_own = _without_classification(data, found, sub)
        for defined in sorted(found.definitions):
            genus, conditions = found.definitions[defined]
            below = defined == sup or _hierarchy_path(data, defined, sup) is not None
            meets = genus in stated_up and all((sub, p, f) in entailed_own for p, f in conditions)
            if not (below and meets) or defined == sub:
                continue
            active.add((sub, SUBCLASS, sup))
            text = " and ".join(f"{data.phrase(p, True)} some {data.label(f)}" for p, f in conditions)
            first = add((defined, "definition", genus), f"{data.label(defined)} is defined as: a "
                        f"{data.label(genus)} that {text}", "definition")
            uses = (first, hierarchy(sub, genus), *(derive((sub, p, f), why_own) for p, f in conditions))
            last = add((sub, SUBCLASS, defined), f"so {data.label(sub)} is a kind of {data.label(defined)}", "rule",
                       "classification", tuple(u for u in uses if u))
            if defined != sup:
                up = hierarchy(defined, sup)
                last = add((sub, SUBCLASS, sup), f"so {data.label(sub)} is a kind of {data.label(sup)}", "rule",
                           None, (last, up))
            active.discard((sub, SUBCLASS, sup))
            return last
        return reasoner(sub, sup)

    def derive(t: Triple, why: dict[Triple, Step] | None = None, depth: int = 0) -> int:
        if t in numbers:
            return numbers[t]
        if t[1] == SUBCLASS:
            return hierarchy(t[0], t[2])
        step = (found.why if why is None else why).get(t)
        if t in found.stated or step is None or depth > MAX_STEPS:
            return add(t, _sentence(data, t), "stated")
        uses = tuple(derive(premise, why, depth + 1) for premise in step.premises)
        return add(t, "so " + _sentence(data, t), "rule", step.rule, tuple(u for u in uses if u))

    if is_a:
        hierarchy(s, o)
    elif found.rules is not None and triple not in found.stated:
        # derived, where it can be, from what is stated about the subject and its stated kinds,
        # so the reasoner's classification of the subject is not a premise of its own consequences
        _, entailed_own, why_own = _without_classification(data, found, s)
        derive(triple, why_own if triple in entailed_own else None)
    else:
        derive(triple)
    out.sparql = _premises_query(out)
    return out


def _premises_query(explanation: Explanation) -> str:
    """An ASK over the relation graph that holds when every premise does (the stated and
    hierarchy sentences): a query the student can run and vary."""
    def term(iri: str) -> str:
        return f"lbp:{iri[len(str(LBP)):]}" if iri.startswith(str(LBP)) and "/" not in iri[len(str(LBP)):] \
            else f"<{iri}>"

    lines = [f"  {term(s)} {'rdfs:subClassOf' if p == SUBCLASS else term(p)} {term(o)} .  # {x.number}"
             for x in explanation.sentences if x.kind in ("stated", "hierarchy")
             for s, p, o in [x.triple]]
    s, p, o = explanation.triple
    conclusion = f"{term(s)} {'rdfs:subClassOf' if p == SUBCLASS else term(p)} {term(o)} ."
    return ("PREFIX lbp: <https://w3id.org/lbp-kg/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
            "# The premises of the explanation: true when each holds in the graph\nASK {\n"
            + "\n".join(lines) + "\n}\n\n# The conclusion, as the relation graph holds it:\n# ASK { "
            + conclusion + " }\n")
