"""The JSON API and its OpenAPI document, every route and its errors."""

from __future__ import annotations

import json
import re

import pytest


def get_json(client, url: str, status: int = 200, **params: object) -> dict:  # noqa: ANN001
    resp = client.get(url, query_string=params)
    assert resp.status_code == status, resp.data
    assert resp.mimetype == "application/json"
    return json.loads(resp.data)


def test_openapi_document_covers_every_api_route(app, client) -> None:  # noqa: ANN001
    doc = get_json(client, "/api/openapi.json")
    assert doc["openapi"].startswith("3.")
    routes = {re.sub(r"<(?:\w+:)?local>", "{id}", r.rule) for r in app.url_map.iter_rules()
              if r.endpoint.startswith("api.")}
    assert routes - {"/api/"} == set(doc["paths"])
    assert "/api/openapi.json" in client.get("/api/").get_data(as_text=True)


def test_terms_list_and_area(client) -> None:  # noqa: ANN001
    all_terms = get_json(client, "/api/terms", limit=1000)
    causes = get_json(client, "/api/terms", area="causes", limit=1000)
    assert causes["total"] < all_terms["total"]
    assert "lbp:LumbarDiscHerniation" in [t["id"] for t in causes["terms"]]
    assert get_json(client, "/api/terms", 400, area="elsewhere")["status"] == 400
    assert get_json(client, "/api/terms", 400, limit="many")["error"] == "Bad Request"


def test_term(client) -> None:  # noqa: ANN001
    term = get_json(client, "/api/terms/LumbarDiscHerniation")
    assert term["label"] == "lumbar disc herniation"
    assert "slipped disc in the lower back" in term["synonyms"]["lay"]
    compress = next(g for g in term["outgoing"] if g["relation"]["iri"].endswith("mayCompress"))
    l5 = next(s for s in compress["statements"] if s["other"]["id"] == "lbp:L5NerveRoot")
    assert l5["kind"] == "association" and l5["evidence"] and l5["sources"]
    assert get_json(client, "/api/terms/lbp:LumbarDiscHerniation")["iri"] == term["iri"]
    assert get_json(client, "/api/terms/Nope", 404)["status"] == 404


def test_neighbourhood(client) -> None:  # noqa: ANN001
    data = get_json(client, "/api/terms/Sciatica/neighbourhood")
    kinds = {e["kind"] for e in data["edges"]}
    assert {"association", "asserted"} <= kinds
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    deeper = get_json(client, "/api/terms/Sciatica/neighbourhood", depth=2)
    assert len(deeper["nodes"]) > len(data["nodes"])
    get_json(client, "/api/terms/Sciatica/neighbourhood", 400, depth=7)


def test_search(client) -> None:  # noqa: ANN001
    hits = get_json(client, "/api/search", q="siatica")["results"]
    assert hits[0]["id"] == "lbp:Sciatica"
    get_json(client, "/api/search", 400)


def test_paths(client) -> None:  # noqa: ANN001
    data = get_json(client, "/api/paths", **{"from": "DiscHerniation", "to": "L5NerveRoot"})
    assert data["paths"] and data["paths"][0]["sentence"].startswith("Disc herniation")
    assert "L5 nerve root" in data["paths"][0]["sentence"]
    lengths = [p["length"] for p in data["paths"]]
    assert lengths[0] == min(lengths)
    get_json(client, "/api/paths", 400, to="L5NerveRoot")
    get_json(client, "/api/paths", 404, **{"from": "Nope", "to": "L5NerveRoot"})


@pytest.mark.parametrize(("ids", "status"), [(["Kyphoplasty"], 400), (["Kyphoplasty", "Sciatica"], 400),
                                             (["Kyphoplasty", "Nope"], 404)])
def test_compare_errors(client, ids: list[str], status: int) -> None:  # noqa: ANN001
    get_json(client, "/api/compare", status, id=ids)


def test_compare(client) -> None:  # noqa: ANN001
    data = get_json(client, "/api/compare", id=["Kyphoplasty", "Vertebroplasty"])
    kypho = data["interventions"][0]
    assert kypho["id"] == "lbp:Kyphoplasty"
    assert "inflatable bone tamp" in [f["label"] for f in kypho["aspects"]["uses"]]
    assert any(f["evidence"] for f in kypho["aspects"]["used for"])
