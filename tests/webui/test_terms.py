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
    assert "evidence-established" in page                          # association evidence links the level
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
