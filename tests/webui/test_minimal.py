"""The home page and the SPARQL endpoint answer over the real store."""

from __future__ import annotations

import json


def test_home_shows_areas_and_notice(client) -> None:  # noqa: ANN001
    page = client.get("/").get_data(as_text=True)
    assert "For education, not medical advice." in page
    for area in ("Anatomy", "Causes", "Mechanisms", "Interventions"):
        assert f"{area}: " in page


def test_sparql_get_select_json(client) -> None:  # noqa: ANN001
    q = "PREFIX lbp: <https://w3id.org/lbp-kg/> SELECT ?c WHERE { ?c lbp:mayCause lbp:Sciatica }"
    resp = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200
    rows = json.loads(resp.data)["results"]["bindings"]
    assert {"type": "uri", "value": "https://w3id.org/lbp-kg/DiscHerniation"} in [r["c"] for r in rows]


def test_sparql_rejects_update_and_bad_query(client) -> None:  # noqa: ANN001
    assert client.post("/sparql", data={"update": "DROP ALL"}).status_code == 403
    bad = client.get("/sparql", query_string={"query": "SELEC ?x"})
    assert bad.status_code == 400 and "syntax error" in bad.get_data(as_text=True)
