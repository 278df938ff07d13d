"""Every inferred statement a page shows opens its explanation: the stated axioms and the rules
that entail it, checked over the whole graph; and the rules have one home (the build's relation
graph and the explanations come from the same kg.entailment)."""

from __future__ import annotations

import re

import pytest

from kg.entailment import SUBCLASS, Rules, close
from kg.namespaces import LBP
from kg.store import open_store
from kg.views.explain import derivations, explain
from kg.views.graphdata import graph_data

pytestmark = pytest.mark.reasoner


@pytest.fixture(scope="module")
def store(full_store_spec: str):  # noqa: ANN201 - a Store
    with open_store(full_store_spec) as s:
        yield s


def test_the_rules_record_how_each_edge_was_entailed() -> None:
    a, b, c, d = "A", "B", "C", "D"
    rules = Rules({a: {b}}, transitive={"partOf"}, chains=[("locatedIn", "partOf", "locatedIn")])
    why: dict = {}
    edges = close({(b, "locatedIn", c), (c, "partOf", d)}, rules, why)
    assert (a, "locatedIn", d) in edges
    assert why[(b, "locatedIn", d)].rule == "chain"
    assert why[(a, "locatedIn", c)].premises == ((a, SUBCLASS, b), (b, "locatedIn", c))
    assert (b, "locatedIn", c) not in why  # stated edges need no derivation


def test_every_inferred_edge_has_an_explanation_from_stated_axioms(store) -> None:  # noqa: ANN001
    data = graph_data(store)
    found = derivations(store)
    inferred = [(e.source, e.relation, e.target) for e in data.edges if e.kind == "inferred"]
    assert len(inferred) > 500
    for triple in inferred:
        why = explain(store, triple)
        assert why is not None and not why.stated, triple
        assert why.sentences[-1].triple == triple and not why.cut, triple
        numbers = {s.number for s in why.sentences}
        for s in why.sentences:
            assert set(s.uses) <= numbers and all(u < s.number for u in s.uses), (triple, s)
            if s.kind == "stated":
                assert s.triple in found.stated, (triple, s.triple)
            if s.kind == "hierarchy":
                assert s.triple[2] in data.asserted_parents.get(s.triple[0], set()), (triple, s.triple)
            if s.kind == "rule" and s.triple[1] != SUBCLASS:
                assert s.rule and s.uses, (triple, s)


def test_the_explanation_reads_as_sentences_and_sparql(store) -> None:  # noqa: ANN001
    why = explain(store, (str(LBP.LumbarDiscHerniation), str(LBP.locatedIn), str(LBP.LumbarSpine)))
    assert why is not None
    texts = [s.text for s in why.sentences]
    assert "lumbar disc herniation is located in lumbar intervertebral disc" in texts
    assert texts[-1] == "so lumbar disc herniation is located in lumbar spine"
    assert "chain" in why.rules_used
    assert "lbp:LumbarDiscHerniation lbp:locatedIn lbp:LumbarIntervertebralDisc ." in why.sparql
    assert store.query(why.sparql.split("# The conclusion")[0]).boolean is True
    assert explain(store, (str(LBP.Sciatica), str(LBP.locatedIn), str(LBP.Brain))) is None


def test_every_why_link_on_term_pages_opens(full_client, store) -> None:  # noqa: ANN001
    data = graph_data(store)
    checked = 0
    for local in ("LumbarDiscHerniation", "Sciatica", "EpiduralSteroidInjection", "LumbarIntervertebralDisc",
                  "CaudaEquinaSyndrome", "LumbarMedialBranchRadiofrequencyAblation"):
        page = full_client.get(f"/term/{local}").get_data(as_text=True)
        links = re.findall(r'href="(/why\?[^"]+)"', page)
        inferred_here = [e for e in data.out_edges.get(str(LBP[local]), []) if e.kind == "inferred"]
        assert links or not inferred_here, local
        for link in links:
            resp = full_client.get(link.replace("&amp;", "&"))
            assert resp.status_code == 200, link
            assert "derivation" in resp.get_data(as_text=True)
            checked += 1
    assert checked > 10
    assert full_client.get("/why?s=Sciatica&p=locatedIn&o=Brain").status_code == 404
    assert full_client.get("/why?s=x%00&p=y&o=z").status_code == 400
    assert full_client.get("/why?s=Sciatica").status_code == 400


def test_every_inferred_is_a_is_explained_by_a_definition(store) -> None:  # noqa: ANN001
    """What HermiT adds to the hierarchy comes from the defined classes: each inferred is-a shows
    the definition, and how the class meets each of its conditions."""
    from kg.views.explain import _hierarchy_path

    data = graph_data(store)
    lbp = str(LBP)
    pairs = [(c, a) for c, anc in data.ancestors.items() for a in anc
             if c.startswith(lbp) and a.startswith(lbp) and _hierarchy_path(data, c, a) is None]
    assert len(pairs) > 20
    for sub, sup in pairs:
        why = explain(store, (sub, SUBCLASS, sup))
        assert why is not None and not why.cut, (sub, sup)
        assert any(s.rule == "classification" for s in why.sentences), (sub, sup)
        assert not any(s.kind == "reasoner" for s in why.sentences), (sub, sup)
    sciatica = explain(store, (str(LBP.Sciatica), SUBCLASS, str(LBP.NerveRootDisorder)))
    texts = [s.text for s in sciatica.sentences]
    assert texts[0] == "spinal nerve root disorder is defined as: a disorder that affects some spinal nerve root"
    assert texts[-1] == "so sciatica is a kind of spinal nerve root disorder"
