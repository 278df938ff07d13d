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


def ids(client, q: str, n: int = 10) -> list[str]:  # noqa: ANN001
    return [h["id"] for h in suggest(client, q)[:n]]


def test_acronyms_rank_their_term_first_and_alone(full_client) -> None:  # noqa: ANN001
    for acronym, term in [("ESI", "EpiduralSteroidInjection"), ("RFA", "RadiofrequencyAblation"),
                          ("SCS", "SpinalCordStimulation"), ("MBB", "MedialBranchBlock"),
                          ("TFESI", "TransforaminalEpiduralSteroidInjection"), ("CES", "CaudaEquinaSyndrome"),
                          ("LSS", "LumbarSpinalStenosis"), ("NSAID", "NonsteroidalAntiInflammatoryDrug")]:
        hits = suggest(full_client, acronym)
        assert hits[0]["id"] == f"lbp:{term}", (acronym, hits[:3])
        assert hits[0]["how"] == "exact synonym" and hits[0]["matched"] == acronym
    # a short query never matches inside a word: "ESI" is not in obesity or spondylolisthesis
    esi = ids(full_client, "esi")
    assert "lbp:Obesity" not in esi and "lbp:Spondylolisthesis" not in esi
    assert all("part of" not in h["how"] for h in suggest(full_client, "esi"))


def test_lay_phrases_for_injections(client) -> None:  # noqa: ANN001
    for phrase in ("cortisone shot", "steroid injection", "Cortisone injection"):
        hits = suggest(client, phrase)
        assert hits and hits[0]["id"] == "lbp:EpiduralSteroidInjection", (phrase, hits[:3])
        # the public's words for any steroid injection: broader than the epidural one, not a synonym of it
        assert hits[0]["match_kind"] == "broad"
    assert suggest(client, "radiofrequency denervation")[0]["id"] == "lbp:RadiofrequencyAblation"


def test_multi_word_queries_find_the_best_subset(full_client) -> None:  # noqa: ANN001
    assert ids(full_client, "sciatica leg pain")[0] == "lbp:Sciatica"
    assert "lbp:LegPain" in ids(full_client, "sciatica leg pain")
    assert ids(full_client, "pain in the leg")[0] == "lbp:LegPain"  # small words do not count
    assert ids(full_client, "nerve root l5")[0] == "lbp:L5NerveRoot"  # any word order
    assert ids(full_client, "lumbar stenossis")[0] == "lbp:LumbarSpinalStenosis"  # a typo in one word of two
    # an exact label beats a longer name holding every word
    assert ids(full_client, "spinal stenosis")[0] == "lbp:SpinalStenosis"


def test_exact_names_rank_above_prefixes_and_words(full_client) -> None:  # noqa: ANN001
    hits = suggest(full_client, "facet joint")
    tiers = [h["score"] for h in hits]
    assert tiers == sorted(tiers, reverse=True)
    assert hits[0]["how"] == "exact label"
    assert all(h["how"] in ("label prefix", "exact synonym prefix", "related synonym prefix", "lay synonym prefix")
               for h in hits[1:4])


def test_results_show_definition_type_and_matched_synonym(client) -> None:  # noqa: ANN001
    hit = suggest(client, "ESI")[0]
    assert hit["definition"].startswith("A spinal injection in which a corticosteroid")
    assert len(hit["definition"]) <= 161 and hit["area"] == "intervention"
    page = client.get("/search?q=cortisone+shot").get_data(as_text=True)
    assert 'class="hit-definition">A spinal injection in which a corticosteroid' in page
    assert 'class="hit-type">intervention<' in page
    assert "matched “cortisone shot”, broad synonym" in page
    long_def = [h for h in suggest(client, "sciatica") if h["id"] == "lbp:Sciatica"][0]["definition"]
    assert long_def.endswith("…") and len(long_def) <= 161
