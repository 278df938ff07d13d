"""The read models behind the pages (kg.views): search scoring, browse, relate, compare, term pages."""

from __future__ import annotations

import pytest

from kg.namespaces import LBP
from kg.store import open_store
from kg.views.browse import az_index, tree
from kg.views.compare import compare
from kg.views.graphdata import graph_data
from kg.views.how_related import relate, relation, shortest_paths
from kg.views.search import Name, choose, normalise, resolve, score, search
from kg.views.term_page import describe, term_page
from kg.views.tour import tour_causes


@pytest.fixture(scope="module")
def store(store_spec: str):  # noqa: ANN201
    with open_store(store_spec) as s:
        yield s


def test_normalise_folds_case_punctuation_and_variants() -> None:
    assert normalise("  Herniated-DISK ") == "herniated disc"
    assert normalise("Névralgie") == "nevralgie"


def test_score_tiers() -> None:
    label = Name("x", "sciatica", "sciatica", "label")
    lay = Name("x", "sciatica", "sciatica", "lay")
    exact = Name("x", "sciatica", "sciatica", "exact")
    # a whole name beats a prefix of one: label, then exact synonym (acronyms), then other synonyms
    assert score("sciatica", label)[0] > score("sciatica", exact)[0] > score("sciatica", lay)[0]
    assert score("sciatica", lay)[0] > score("sciat", label)[0] > score("siatica", label)[0] > 0
    assert score("esi", Name("x", "obesity", "obesity", "label")) is None  # never inside a word when short
    assert score("zzzz", label) is None


def test_search_and_resolve(store) -> None:  # noqa: ANN001
    assert search(store, "slipped disc")[0].iri == str(LBP.DiscHerniation)
    sciatica = str(LBP.Sciatica)
    assert resolve(store, "lbp:Sciatica") == resolve(store, "Sciatica") == resolve(store, "siatica") == sciatica


def test_choose_asks_when_a_word_is_ambiguous(store) -> None:  # noqa: ANN001
    """A label, an exact synonym or a clearly best lay name is taken; a word several terms match
    about equally well gives the candidates, best first; nothing matched gives neither."""
    assert choose(store, "nerve").iri == str(LBP.Nerve)  # a label
    assert choose(store, "L5 nerve root").iri == str(LBP.L5NerveRoot)
    assert choose(store, "slipped disc").iri == str(LBP.DiscHerniation)  # a lay synonym far ahead of the rest
    assert choose(store, "lbp:Sciatica").iri == choose(store, "Sciatica").iri == str(LBP.Sciatica)
    disc = choose(store, "disc")  # a lay name of intervertebral disc, and the start of many labels
    assert disc.ambiguous and disc.iri is None
    candidates = [h.iri for h in disc.candidates]
    assert candidates[0] == str(LBP.IntervertebralDisc) and str(LBP.DiscHerniation) in candidates
    assert all(h.short_definition for h in disc.candidates)
    pinched = choose(store, "pinched nerve")  # the lay name of two terms
    assert {h.iri for h in pinched.candidates} == {str(LBP.Sciatica), str(LBP.LumbosacralRadiculopathy)}
    nothing = choose(store, "zzqqxx")
    assert nothing.iri is None and not nothing.ambiguous


def test_snapshot_kinds(store) -> None:  # noqa: ANN001
    data = graph_data(store)
    kinds = {e.kind for e in data.out_edges[str(LBP.LumbarDiscHerniation)]}
    assert kinds == {"asserted", "inferred", "association"}
    assert str(LBP.DiscHerniation) in data.direct_parents(str(LBP.LumbarDiscHerniation))


def test_term_page_and_describe(store) -> None:  # noqa: ANN001
    assert term_page(store, str(LBP) + "Nope") is None and describe(store, str(LBP) + "Nope") is None
    page = term_page(store, str(LBP.Sciatica))
    assert page is not None and page.synonyms["lay"] == ["pinched nerve", "trapped nerve"]


def test_tree_has_both_relations(store) -> None:  # noqa: ANN001
    root = tree(store, str(LBP.AnatomicalEntity))
    seen: set[str | None] = set()

    def walk(n) -> None:  # noqa: ANN001
        seen.add(n.relation)
        for c in n.children:
            walk(c)

    walk(root)
    assert {"is a", "part of"} <= seen
    assert "S" in az_index(store)


def test_paths_avoid_upper_classes_and_are_shortest_first(store) -> None:  # noqa: ANN001
    paths = shortest_paths(store, str(LBP.DiscHerniation), str(LBP.L5NerveRoot), k=3)
    assert [len(p) for p in paths] == sorted(len(p) for p in paths)
    upper = {str(LBP.AnatomicalEntity), str(LBP.Disorder)}
    assert not any(s.to in upper for p in paths for s in p)
    assert relate(store, str(LBP.Sciatica), str(LBP.Sciatica))["paths"] == []


def test_relate_prefers_anatomy_and_causes_to_treatments(store) -> None:  # noqa: ANN001
    chains = relation(store, str(LBP.LumbarDiscHerniation), str(LBP.Sciatica)).chains
    assert chains[0].sentence == "Lumbar disc herniation is a kind of disc herniation, which may cause sciatica."
    assert not any(c.through_treatment for c in chains)
    assert [s.kind for s in chains[0].steps] == ["is-a", "association"]
    assert chains[0].steps[1].evidence  # a sourced statement carries its evidence
    costs = [sum(s.cost for s in c.steps) for c in chains]
    assert costs == sorted(costs)


def test_relate_same_term_and_kind_of(store) -> None:  # noqa: ANN001
    same = relation(store, str(LBP.Sciatica), str(LBP.Sciatica))
    assert same.same and not same.chains
    assert relate(store, str(LBP.Sciatica), str(LBP.Sciatica))["same"] is True
    up = relation(store, str(LBP.LumbarDiscHerniation), str(LBP.DiscHerniation))
    assert up.kind_of is not None and up.kind_of is up.chains[0]
    assert up.kind_of.sentence == "Lumbar disc herniation is a kind of disc herniation."
    assert len(up.chains) > 1 and not any(c.kind_of for c in up.chains[1:])
    down = relation(store, str(LBP.DiscHerniation), str(LBP.LumbarDiscHerniation))
    assert down.kind_of is not None and down.kind_of.sentence == "Disc herniation includes lumbar disc herniation."
    # more than one is-a step, through the asserted parents
    far = relation(store, str(LBP.Sciatica), str(LBP.Disorder)).kind_of
    assert far is not None and len(far.steps) >= 2 and {s.kind for s in far.steps} == {"is-a"}
    assert relation(store, str(LBP.Sciatica), str(LBP.L5NerveRoot)).kind_of is None


def test_relate_marks_inferred_steps(store) -> None:  # noqa: ANN001
    chains = relation(store, str(LBP.LumbarDiscHerniation), str(LBP.DiscHerniation), k=5).chains
    steps = [s for c in chains for s in c.steps]
    inferred = [s for s in steps if s.inferred]
    assert inferred and all(s.kind == "inferred" and not s.evidence for s in inferred)
    assert any(s.kind in ("asserted", "association", "is-a") for s in steps)


def test_compare_and_tour_causes(store) -> None:  # noqa: ANN001
    kypho, vert = compare(store, [str(LBP.Kyphoplasty), str(LBP.Vertebroplasty)])
    assert [f.label for f in kypho.aspects["invasiveness"]] == ["minimally invasive"]
    assert "balloon kyphoplasty" in [f.label for f in vert.aspects["alternatives"]]
    assert str(LBP.LumbarDiscHerniation) in dict(tour_causes(store))


def test_every_relation_in_use_reads_both_ways(store) -> None:  # noqa: ANN001
    """Each relation of an association or an axiom has a phrase and an inverse phrase in the
    ontology (lbp:phrase, lbp:inversePhrase), and no phrase is the old fallback."""
    data = graph_data(store)
    used = {e.relation for e in data.edges} | {str(LBP.claimAbout)}
    assert used and not used - set(data.phrases)
    assert data.phrases[str(LBP.usedFor)] == ("is used for", "can be treated with")
    for forward, inverse in data.phrases.values():
        assert forward and inverse and "object of" not in forward + inverse
    sentences = [p["sentence"] for x, y in (("LumbarDiscHerniation", "EpiduralSteroidInjection"),
                                             ("Sciatica", "L5NerveRoot"), ("Kyphoplasty", "Vertebroplasty"))
                 for p in relate(store, str(LBP[x]), str(LBP[y]))["paths"]]
    assert sentences and not any("is the object of" in s for s in sentences)


def test_term_page_shows_the_most_specific_statements(store) -> None:  # noqa: ANN001
    page = term_page(store, str(LBP.Sciatica))
    assert page is not None and page.badge == "condition" and page.area == ("causes", "Causes")
    affects = str(LBP.affects)
    main = {s.other.iri for s in page.outgoing_main[affects]}
    more = {s.other.iri for s in page.outgoing_more[affects]}
    assert str(LBP.LumbosacralNerveRoot) in main
    assert {str(LBP.AnatomicalEntity), str(LBP.SpinalNerveRoot)} <= more and not main & more
    assert page.phrases_out[affects] == "affects" and page.phrases_in[str(LBP.mayCause)] == "may be caused by"
    disc = term_page(store, str(LBP.LumbarDiscHerniation))
    assert disc is not None
    located = {s.other.iri for s in disc.outgoing_main[str(LBP.locatedIn)]}
    assert str(LBP.LumbarIntervertebralDisc) in located and str(LBP.AnatomicalEntity) not in located
    # no tautology: an inferred statement to the value partition's upper class stays out of sight
    kypho = term_page(store, str(LBP.Kyphoplasty))
    assert kypho is not None and kypho.badge == "intervention"
    assert [s.other.label for s in kypho.outgoing_main[str(LBP.hasInvasiveness)]] == ["minimally invasive"]
    assert ("invasiveness (display)", "minimally invasive") not in kypho.other


@pytest.fixture(scope="module")
def full_store(full_store_spec: str):  # noqa: ANN201
    with open_store(full_store_spec) as s:
        yield s


def test_red_flag_and_mapping_cards(full_store) -> None:  # noqa: ANN001
    store = full_store
    ces = term_page(store, str(LBP.CaudaEquinaSyndrome))
    assert ces is not None and ces.red_flag and str(LBP.SaddleAnaesthesia) in {w.iri for w in ces.warning_signs}
    assert not any(k == "is red flag" for k, _ in ces.other)
    sciatica = term_page(store, str(LBP.Sciatica))
    assert sciatica is not None
    hp = [m for m in sciatica.mappings if m.target == "HP:0011868"]
    assert len(hp) == 1 and hp[0].url == "http://purl.obolibrary.org/obo/HP_0011868"
    assert hp[0].kind == "exact match" and hp[0].label == "Sciatica" and "HPO label table" in (hp[0].comment or "")
    assert len({m.target for m in sciatica.mappings}) == len(sciatica.mappings)
