"""Search: lay words, typos, ranking; the page works without JavaScript; suggestions as JSON."""

from __future__ import annotations

import json


def suggest(client, q: str) -> list[dict]:  # noqa: ANN001
    resp = client.get("/search/suggest", query_string={"q": q})
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return json.loads(resp.data)["results"]


def test_lay_words_find_clinical_terms(client) -> None:  # noqa: ANN001
    assert suggest(client, "slipped disc")[0]["id"] == "lbp:DiscHerniation"
    hits = suggest(client, "pinched nerve")
    assert "lbp:LumbosacralRadiculopathy" in [h["id"] for h in hits]
    assert all(h["match_kind"] == "lay" for h in hits[:2])


def test_typos_are_tolerated(client) -> None:  # noqa: ANN001
    assert suggest(client, "siatica")[0]["id"] == "lbp:Sciatica"
    assert suggest(client, "radiofrequncy ablation")[0]["id"] == "lbp:RadiofrequencyAblation"


def test_ranking_exact_label_then_prefix_then_synonym_then_fuzzy(client) -> None:  # noqa: ANN001
    hits = suggest(client, "sciatica")
    assert hits[0]["id"] == "lbp:Sciatica" and hits[0]["how"] == "exact label"
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    hows = [h["how"] for h in hits]
    assert hows.index("exact label") < min(i for i, h in enumerate(hows) if "synonym" in h)
    prefix = suggest(client, "facet joint")
    assert prefix[0]["how"] == "exact label" and prefix[1]["how"] == "label prefix"


def test_results_page_without_javascript(client) -> None:  # noqa: ANN001
    page = client.get("/search?q=slipped+disc").get_data(as_text=True)
    assert 'href="/term/DiscHerniation"' in page and "matched “slipped disc”" in page
    none = client.get("/search?q=zzqqxx").get_data(as_text=True)
    assert "No term matches" in none
    assert client.get("/search").status_code == 200


def test_go_jumps_to_an_exact_label(client) -> None:  # noqa: ANN001
    resp = client.get("/search?q=sciatica&go=1")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/term/Sciatica")


def test_long_and_odd_queries_are_harmless(client) -> None:  # noqa: ANN001
    assert suggest(client, "x" * 5000) == []
    assert suggest(client, "   ") == []
    resp = client.get("/search", query_string={"q": "<script>alert(1)</script>"})
    assert resp.status_code == 200 and "<script>alert(1)</script>" not in resp.get_data(as_text=True)
