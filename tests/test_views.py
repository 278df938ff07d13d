"""The read models behind the pages (kg.views): search scoring, browse, relate, compare, term pages."""

from __future__ import annotations

import pytest

from kg.namespaces import LBP
from kg.store import open_store
from kg.views.browse import az_index, tree
from kg.views.compare import compare, tour_causes
from kg.views.graphdata import graph_data
from kg.views.how_related import relate, shortest_paths
from kg.views.search import Name, normalise, resolve, score, search
from kg.views.term_page import describe, term_page


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


def test_compare_and_tour_causes(store) -> None:  # noqa: ANN001
    kypho, vert = compare(store, [str(LBP.Kyphoplasty), str(LBP.Vertebroplasty)])
    assert [f.label for f in kypho.aspects["invasiveness"]] == ["minimally invasive"]
    assert "balloon kyphoplasty" in [f.label for f in vert.aspects["alternatives"]]
    assert str(LBP.LumbarDiscHerniation) in dict(tour_causes(store))
