"""The release as other tools see it: imports module, catalog, xrefs, JSON-LD context, SSSOM."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.build.imports import IMPORTS_FILE, IMPORTS_IRI
from kg.build.mappings import load_prefixes
from kg.build.pipeline import BuildResult
from kg.namespaces import LBP, OIO
from tests.conftest import ONTOLOGY

pytestmark = pytest.mark.reasoner
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


def test_owl_imports_resolves_offline_through_the_catalog(release: BuildResult) -> None:
    folder = release.release_dir
    main = Graph().parse(folder / "lbp-kg.owl", format="xml")
    assert (LBP["lbp-kg.owl"], OWL.imports, IMPORTS_IRI) in main
    catalog = ET.parse(folder / "catalog-v001.xml").getroot()
    uris = {u.get("name"): u.get("uri") for u in catalog}
    assert uris == {str(IMPORTS_IRI): IMPORTS_FILE}
    imports = Graph().parse(folder / uris[str(IMPORTS_IRI)], format="xml")
    assert (IMPORTS_IRI, RDF.type, OWL.Ontology) in imports


def test_every_mapped_external_term_is_declared_and_labelled(release: BuildResult) -> None:
    imports = Graph().parse(release.release_dir / IMPORTS_FILE, format="xml")
    targets = {o for p in MATCHES for o in release.asserted.objects(None, p) if isinstance(o, URIRef)}
    assert len(targets) > 300
    undeclared = [t for t in targets if not set(imports.objects(t, RDF.type)) & {OWL.Class, OWL.ObjectProperty}]
    assert undeclared == []
    assert (URIRef("http://purl.obolibrary.org/obo/BFO_0000050"), RDF.type, OWL.ObjectProperty) in imports
    # a few codes are verified in a published mapping file that gives no label; they stay unlabelled
    unlabelled = [t for t in targets if imports.value(t, RDFS.label) is None]
    assert len(unlabelled) < 0.1 * len(targets)
    assert all(str(label).strip() for label in imports.objects(None, RDFS.label))


def test_every_xref_expands_to_a_resolvable_url(release: BuildResult) -> None:
    converter = load_prefixes(ONTOLOGY / "mappings" / "prefixes.yaml")
    xrefs = {str(o) for o in release.asserted.objects(None, OIO.hasDbXref)}
    assert xrefs
    for curie in xrefs:
        url = converter.expand(curie)
        assert url is not None and url.startswith(("http://", "https://")), curie
    context = json.loads((release.release_dir / "context.jsonld").read_text())["@context"]
    assert {c.split(":")[0] for c in xrefs} <= set(context)


def test_sssom_release_files(release: BuildResult) -> None:
    tsv = (release.release_dir / "lbp-kg.sssom.tsv").read_text(encoding="utf-8")
    assert "mapping_set_id" in tsv and "skos:exactMatch" in tsv
    data = json.loads((release.release_dir / "lbp-kg.sssom.json").read_text(encoding="utf-8"))
    assert len(data["mappings"]) == sum(1 for p in MATCHES for _ in release.asserted.subject_objects(p))
