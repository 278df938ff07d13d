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
    assert "<h3>Can compress</h3>" in page and 'href="/term/L5NerveRoot"' in page
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
    assert "Is recommended against by a guideline for" in page and "Recommends against" in page
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


def _section(page: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has the id."""
    start = page.index(f'id="{heading_id}"')
    return page[start:page.index("</section>", start)]


def test_most_specific_statements_first_the_rest_behind_a_toggle(client) -> None:  # noqa: ANN001
    page = client.get("/term/Sciatica").get_data(as_text=True)
    out = _section(page, "out-h")
    shown, _, hidden = out.partition('<details class="more-statements">')
    assert 'href="/term/LumbosacralNerveRoot"' in shown and "<h3>Affects</h3>" in shown
    assert "anatomical entity" not in shown and 'href="/term/AnatomicalEntity"' in hidden
    assert '<span class="badge badge-type">condition</span>' in page and 'href="/area/causes"' in page
    assert "is the object of" not in page and "<h3>May be caused by</h3>" in page
    assert 'class="evidence"' in shown                            # the evidence macro still shows
    kypho = client.get("/term/Kyphoplasty").get_data(as_text=True)
    shown = _section(kypho, "out-h").partition("<details")[0]
    assert "invasiveness (display)" not in kypho and 'href="/term/Invasiveness"' not in shown


def test_red_flag_page_warns_with_its_signs(full_client) -> None:  # noqa: ANN001
    page = full_client.get("/term/CaudaEquinaSyndrome").get_data(as_text=True)
    start = page.index('class="warning red-flag"')
    box = page[start:page.index("</div>", start)]
    # cauda equina syndrome is an emergency (GIRFT 2023), and the page says so with the source
    assert "Red flag: needs emergency assessment" in box and 'href="/term/SaddleAnaesthesia"' in box
    assert 'href="/term/source-girft-2023-cauda-equina-pathway"' in box
    assert "is red flag" not in page
    assert "Red flag" not in full_client.get("/term/Sciatica").get_data(as_text=True)


def test_mapping_card_with_label_and_resolver(client) -> None:  # noqa: ANN001
    cards = _section(client.get("/term/Sciatica").get_data(as_text=True), "map-h")
    assert cards.count('class="mapping-card"') == 5
    start = cards.index("HP:0011868")
    card = cards[cards.rindex('<li class="mapping-card">', 0, start):cards.index("</li>", start)]
    assert "exact match" in card and '<strong class="mapping-label">Sciatica</strong>' in card
    assert 'href="http://purl.obolibrary.org/obo/HP_0011868"' in card and "HPO label table" in card
    assert "icd10cmtool" not in cards and "bioregistry.io" not in cards


def test_every_mapping_link_uses_the_prefix_map(full_client) -> None:  # noqa: ANN001
    """On the page of every mapped term, each mapping appears once and links through the resolver
    the curated prefix map gives its prefix (ontology/mappings/prefixes.yaml), and nowhere else."""
    import csv
    import re

    import yaml

    from tests.conftest import ONTOLOGY

    prefixes = yaml.safe_load((ONTOLOGY / "mappings" / "prefixes.yaml").read_text(encoding="utf-8"))
    lines = (ONTOLOGY / "mappings" / "lbp-kg.sssom.tsv").read_text(encoding="utf-8").splitlines()
    rows = list(csv.DictReader([x for x in lines if not x.startswith("#")], delimiter="\t"))
    wanted: dict[str, set[str]] = {}
    for row in rows:
        wanted.setdefault(row["subject_id"].removeprefix("lbp:"), set()).add(row["object_id"])
    link = re.compile(r'<a class="mapping-link" href="([^"]+)" rel="external">([^<]+)</a>')
    for local, curies in sorted(wanted.items()):
        cards = _section(full_client.get(f"/term/{local}").get_data(as_text=True), "map-h")
        found = link.findall(cards)
        shown = [curie for _, curie in found]
        assert sorted(shown) == sorted(curies), local                  # each mapping once
        for href, curie in found:
            prefix, _, ident = curie.partition(":")
            assert href == prefixes[prefix] + ident, (local, curie, href)
        assert cards.count("<a ") == len(found), local                  # no second resolver
