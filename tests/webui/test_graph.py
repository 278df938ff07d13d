"""The graph view and its JSON: nodes, edges with kinds and evidence, parallel edges, filters."""

from __future__ import annotations

import collections
import json
import re

import pytest

LBP = "https://w3id.org/lbp-kg/"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


def _edges(data: dict, source: str, target: str) -> list[dict]:
    return [e for e in data["edges"] if e["source"] == LBP + source and e["target"] == LBP + target]


def test_json_of_disc_herniation(client) -> None:  # noqa: ANN001
    data = client.get("/graph/DiscHerniation.json").get_json()
    assert data["center"] == LBP + "DiscHerniation"
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    assert {e["kind"] for e in data["edges"]} <= {"asserted", "inferred", "association"}
    cause = _edges(data, "DiscHerniation", "Sciatica")
    assert [e["relation_label"] for e in cause] == ["may cause"]
    assert cause[0]["kind"] == "association" and cause[0]["evidence"] and cause[0]["sources"]
    parent = _edges(data, "DiscHerniation", "IntervertebralDiscDisorder")
    assert parent and parent[0]["relation"] == SUBCLASS and parent[0]["kind"] == "asserted"
    types = {n["id"]: n["type"] for n in data["nodes"]}
    assert types[LBP + "DiscHerniation"] == "disorder" and types[LBP + "Sciatica"] in ("disorder", "finding")
    assert types[LBP + "IntervertebralDisc"] == "anatomy"


def test_no_upper_classes_in_a_neighbourhood(client) -> None:  # noqa: ANN001
    data = client.get("/graph/DiscHerniation.json").get_json()
    ids = {n["id"] for n in data["nodes"]}
    assert LBP + "AnatomicalEntity" not in ids and LBP + "Disorder" not in ids


def test_parallel_edges_are_kept(client) -> None:  # noqa: ANN001
    data = client.get("/graph/CaudaEquina.json").get_json()
    pairs = collections.Counter(frozenset((e["source"], e["target"])) for e in data["edges"])
    parallel = [pair for pair, n in pairs.items() if n > 1]
    assert parallel, "two terms joined by two relations get two edges"
    for pair in parallel:
        relations = {e["relation"] for e in data["edges"] if frozenset((e["source"], e["target"])) == pair}
        assert len(relations) > 1


def test_depth_two_is_larger_and_bounded(client) -> None:  # noqa: ANN001
    one = client.get("/graph/Sciatica.json").get_json()
    two = client.get("/graph/Sciatica.json", query_string={"depth": 2}).get_json()
    assert len(two["nodes"]) > len(one["nodes"])
    assert len(two["nodes"]) <= 80
    assert client.get("/graph/Sciatica.json", query_string={"depth": 7}).status_code == 400
    assert client.get("/graph/Sciatica.json", query_string={"depth": "x"}).status_code == 400


def test_page_has_graph_filters_legend_and_table(client) -> None:  # noqa: ANN001
    resp = client.get("/graph/DiscHerniation")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "For education, not medical advice." in page
    assert 'id="cy"' in page and "cytoscape.min.js" in page or "graph.js" in page
    assert 'name="type" value="disorder"' in page and 'name="type" value="anatomy"' in page
    assert 'name="relation" value="may cause"' in page and 'name="kind" value="association"' in page
    embedded = json.loads(re.search(r'id="graph-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert embedded == client.get("/graph/DiscHerniation.json").get_json()
    # The table lists the same relations for readers without JavaScript.
    assert page.count("<tr>") == len(embedded["edges"]) + 1


def test_json_by_accept_header(client) -> None:  # noqa: ANN001
    resp = client.get("/graph/Sciatica", headers={"Accept": "application/json"})
    assert resp.mimetype == "application/json" and resp.get_json()["center"] == LBP + "Sciatica"


@pytest.mark.parametrize("url,status", [("/graph/NoSuchTerm", 404), ("/graph/NoSuchTerm.json", 404),
                                        ("/graph?term=http://example.org/x", 404)])
def test_unknown_terms(client, url: str, status: int) -> None:  # noqa: ANN001
    resp = client.get(url)
    assert resp.status_code == status and "Traceback" not in resp.get_data(as_text=True)


def test_pick_form_and_redirect(client) -> None:  # noqa: ANN001
    assert 'name="term"' in client.get("/graph").get_data(as_text=True)
    for text in ("lbp:Sciatica", "Sciatica", LBP + "Sciatica"):
        resp = client.get("/graph", query_string={"term": text})
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/graph/Sciatica")
