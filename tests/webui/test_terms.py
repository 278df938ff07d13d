"""Term pages: content, kinds of edges, evidence, mappings, SPARQL; linked data by Accept header."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

LBP = "https://w3id.org/lbp-kg/"


def test_term_page_shows_everything(client) -> None:  # noqa: ANN001
    page = client.get("/term/LumbarDiscHerniation").get_data(as_text=True)
    assert "<h1>lumbar disc herniation</h1>" in page
    assert "A disc herniation at a lumbar level" in page          # definition
    assert "Deyo RA 2016" in page                                  # its source
    assert "slipped disc in the lower back" in page                # lay synonym
    assert 'href="/term/DiscHerniation"' in page                   # parent
    assert "may compress" in page and 'href="/term/L5NerveRoot"' in page
    assert "cert-established" in page and "established knowledge (not graded)" in page   # certainty of each association
    assert 'badge-inferred">inferred' in page and 'badge-asserted">asserted' in page
    assert 'href="http://purl.obolibrary.org/obo/HP_0008441"' in page   # mapping resolver
    assert "The SPARQL behind this page" in page and "VALUES ?term" in page
    assert "/editor?query=" in page


def test_incoming_relations_and_children(client) -> None:  # noqa: ANN001
    page = client.get("/term/Sciatica").get_data(as_text=True)
    assert "Relations to sciatica" in page and 'href="/term/DiscHerniation"' in page
    parent = client.get("/term/DiscHerniation").get_data(as_text=True)
    assert "Kinds of disc herniation" in parent and 'href="/term/LumbarDiscHerniation"' in parent


def test_claims_are_marked(client) -> None:  # noqa: ANN001
    page = client.get("/term/EndoscopicSpineProcedure").get_data(as_text=True)
    assert 'badge-claim">claim' in page


def test_unknown_term_is_404_with_search(client) -> None:  # noqa: ANN001
    resp = client.get("/term/NoSuchThing")
    assert resp.status_code == 404
    assert 'action="/search"' in resp.get_data(as_text=True)
    assert client.get("/term/NoSuchThing", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize(("accept", "media", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/n-triples", "application/n-triples", "nt"),
])
def test_term_dereferences_as_rdf(client, accept: str, media: str, rdflib_format: str) -> None:  # noqa: ANN001
    resp = client.get("/term/Sciatica", headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == media
    assert "Accept" in resp.headers["Vary"]
    g = Graph().parse(data=resp.get_data(as_text=True), format=rdflib_format)
    assert (URIRef(LBP + "Sciatica"), RDFS.label, Literal("sciatica", lang="en")) in g
    assert (URIRef(LBP + "Sciatica"), URIRef(LBP + "laySynonym"), Literal("pinched nerve", lang="en")) in g


def test_browsers_get_html_and_format_parameter_wins(client) -> None:  # noqa: ANN001
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/term/Sciatica", headers={"Accept": browser}).mimetype == "text/html"
    assert client.get("/term/Sciatica", headers={"Accept": "*/*"}).mimetype == "text/html"
    assert client.get("/term/Sciatica?format=ttl").mimetype == "text/turtle"
    data = json.loads(client.get("/term/Sciatica?format=jsonld").data)
    assert "@context" in data or isinstance(data, list)
    assert client.get("/term/Sciatica?format=docx").status_code == 400


def test_turtle_keeps_restrictions_and_axiom_annotations(client) -> None:  # noqa: ANN001
    g = Graph().parse(data=client.get("/term/LumbarDiscHerniation?format=ttl").get_data(as_text=True), format="turtle")
    q = """PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX lbp: <https://w3id.org/lbp-kg/>
    ASK { lbp:LumbarDiscHerniation rdfs:subClassOf [ owl:onProperty lbp:locatedIn ;
            owl:someValuesFrom lbp:LumbarIntervertebralDisc ] .
          [] owl:annotatedSource lbp:LumbarDiscHerniation ; owl:annotatedProperty lbp:mayCompress }"""
    assert g.query(q).askAnswer


def test_an_intervention_page_shows_evidence_recommendations_and_caveats(client) -> None:  # noqa: ANN001
    page = client.get("/term/EpiduralSteroidInjection").get_data(as_text=True)
    assert 'class="cert cert-moderate"' in page or 'class="cert cert-low"' in page   # GRADE certainty
    assert 'class="dir dir-benefit"' in page                                         # direction of effect
    assert "graded by" in page
    assert 'class="caveat"' in page
    assert "severity-catastrophic" in page                                          # a rare, catastrophic risk
    assert "contraindicated in" in page


def test_a_do_not_offer_recommendation_reads_as_one(client) -> None:  # noqa: ANN001
    page = client.get("/term/GabapentinoidTherapy").get_data(as_text=True)
    assert "not recommended for" in page and "Recommends against" in page
    assert "NICE" in page


def test_a_source_page_shows_its_citation_and_what_it_supports(client) -> None:  # noqa: ANN001
    page = client.get("/term/source-nice-ng59-2016").get_data(as_text=True)
    assert 'class="citation"' in page and "NG59" in page
    assert "Statements that cite this source" in page
    assert "recommendation text" in page and "not recommended for" in page
    assert "cited by author, title and year; no identifier verified" in page
    assert "Statements citing this source" in page                     # and the SPARQL behind the list
    api = client.get("/api/terms/source-nice-ng59-2016").get_json()
    assert api["citation"] and len(api["cited_by"]) > 10


def test_the_evidence_guide_lists_every_scale(client) -> None:  # noqa: ANN001
    page = client.get("/evidence").get_data(as_text=True)
    for words in ("very low certainty", "no benefit", "catastrophic", "absolute contraindication",
                  "only in research", "established knowledge (not graded)"):
        assert words in page
    assert "obsolete" not in page
