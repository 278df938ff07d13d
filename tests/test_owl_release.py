"""The release as the field's OWL tools read it: the RDF/XML layout (kg.build.rdfxml), the OWL API's
OWL 2 DL profile check in the build (kg.build.owlprofile), and lbp-kg.owl read by rdflib, owlready2,
pronto and OAK's command line."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from kg.build.imports import IMPORTS_FILE
from kg.build.mappings import load_mappings
from kg.build.owlprofile import OwlApiMissing, check_release
from kg.build.pipeline import BuildResult, build
from kg.build.rdfxml import serialize_owl_xml
from kg.cli import main
from kg.errors import BuildError
from kg.namespaces import LBP, bind_prefixes
from tests.conftest import ONTOLOGY

RDF_NS = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
OWL_NS = "{http://www.w3.org/2002/07/owl#}"
RUNOAK = Path(sys.executable).with_name("runoak")


def canonical(graph: Graph) -> set[ox.Quad]:
    """The graph with its blank nodes canonically labelled (RDFC), to compare graphs as sets."""
    data = graph.serialize(format="nt", encoding="utf-8")
    dataset = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def top_level(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot())


# -- the writer, on small graphs -----------------------------------------------------------------


def small_graph() -> Graph:
    g = bind_prefixes(Graph())
    onto = LBP["test.owl"]
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, RDFS.comment, Literal("a test", lang="en")))
    for name in ("B", "A"):
        g.add((LBP[name], RDF.type, OWL.Class))
        g.add((LBP[name], RDFS.label, Literal(f"class {name}", lang="en")))
    g.add((LBP.B, RDFS.subClassOf, LBP.A))
    g.add((LBP.partOf, RDF.type, OWL.ObjectProperty))
    g.add((LBP.note, RDF.type, OWL.AnnotationProperty))
    restriction = BNode()
    g.add((LBP.B, RDFS.subClassOf, restriction))
    g.add((restriction, RDF.type, OWL.Restriction))
    g.add((restriction, OWL.onProperty, LBP.partOf))
    g.add((restriction, OWL.someValuesFrom, LBP.A))
    chain = BNode()
    Collection(g, chain, [LBP.partOf, LBP.partOf])
    g.add((LBP.partOf, OWL.propertyChainAxiom, chain))
    g.add((LBP.x, RDF.type, LBP.A))
    g.add((LBP.x, RDF.type, OWL.NamedIndividual))
    g.add((LBP.x, LBP.note, Literal("3", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))))
    axiom = BNode()
    for p, o in ((RDF.type, OWL.Axiom), (OWL.annotatedSource, LBP.B), (OWL.annotatedProperty, RDFS.subClassOf),
                 (OWL.annotatedTarget, LBP.A), (LBP.note, Literal("why"))):
        g.add((axiom, p, o))
    shared = BNode()  # used twice: written once, with an rdf:nodeID
    g.add((LBP.x, LBP.note, shared))
    g.add((LBP.A, LBP.note, shared))
    g.add((shared, RDFS.label, Literal("shared")))
    return g


def test_writer_puts_the_ontology_first_and_writes_typed_nodes_by_kind(tmp_path: Path) -> None:
    path = tmp_path / "t.owl"
    serialize_owl_xml(small_graph(), path)
    tags = [(el.tag, el.get(f"{RDF_NS}about")) for el in top_level(path)]
    assert tags[:6] == [
        (f"{OWL_NS}Ontology", str(LBP["test.owl"])),
        (f"{OWL_NS}AnnotationProperty", str(LBP.note)),
        (f"{OWL_NS}ObjectProperty", str(LBP.partOf)),
        (f"{OWL_NS}Class", str(LBP.A)),
        (f"{OWL_NS}Class", str(LBP.B)),
        (f"{OWL_NS}NamedIndividual", str(LBP.x)),
    ]
    assert f"{OWL_NS}Axiom" in [t for t, _ in tags[6:]]
    assert all(t != f"{RDF_NS}Description" or el.get(f"{RDF_NS}nodeID") for (t, _), el in
               zip(tags, top_level(path), strict=True))


def test_writer_round_trips_and_is_deterministic(tmp_path: Path) -> None:
    graph = small_graph()
    serialize_owl_xml(graph, tmp_path / "a.owl")
    reread = Graph().parse(tmp_path / "a.owl", format="xml")
    assert len(reread) == len(graph)
    assert canonical(reread) == canonical(graph)
    # the same triples with fresh blank nodes: the same bytes
    serialize_owl_xml(bind_prefixes(Graph()).parse(data=graph.serialize(format="nt"), format="nt"), tmp_path / "b.owl")
    assert (tmp_path / "a.owl").read_bytes() == (tmp_path / "b.owl").read_bytes()


def test_writer_declares_only_the_extra_prefixes_in_use(tmp_path: Path) -> None:
    graph = small_graph()
    graph.add((LBP.A, RDFS.seeAlso, URIRef("http://purl.obolibrary.org/obo/MONDO_0000001")))
    serialize_owl_xml(graph, tmp_path / "t.owl", {"MONDO": "http://purl.obolibrary.org/obo/MONDO_",
                                                 "HP": "http://purl.obolibrary.org/obo/HP_"})
    text = (tmp_path / "t.owl").read_text(encoding="utf-8")
    assert 'xmlns:MONDO="http://purl.obolibrary.org/obo/MONDO_"' in text and "xmlns:HP=" not in text


# -- the OWL 2 DL profile check in the build -------------------------------------------------------


@pytest.mark.reasoner
def test_a_profile_violation_fails_the_build_and_keeps_the_previous_release(mini_ontology: Path,
                                                                           tmp_path: Path) -> None:
    out = tmp_path / "release"
    build(mini_ontology, out, version="good")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    core = mini_ontology / "lbp-core.ttl"
    core.write_text(core.read_text(encoding="utf-8") + '\nlbp:Disorder <http://example.org/undeclared> "x" .\n',
                    encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build(mini_ontology, out, version="bad")
    message = str(caught.value)
    assert "lbp-kg.owl is not in the OWL 2 DL profile (OWL API), 1 problem(s):" in message
    assert "UseOfUndeclaredAnnotationProperty" in message and "<http://example.org/undeclared>" in message
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # the same sources build without the check when asked
    build(mini_ontology, out, version="unchecked", owl_profile=False)


@pytest.mark.reasoner
def test_without_the_owl_api_the_build_stops_with_what_to_install(mini_ontology: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LBPKG_JAVA_LIBS", str(tmp_path / "no-java-libs"))
    with pytest.raises(OwlApiMissing, match=r"apt-get install libowlapi-java"):
        build(mini_ontology, tmp_path / "release", version="t")
    assert not (tmp_path / "release").exists()
    args = ["build", "--quiet", "--ontology", str(mini_ontology), "--out", str(tmp_path / "release"), "--no-store"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "libowlapi-java" in result.output and "--skip-owl-profile" in result.output
    result = CliRunner().invoke(main, [*args, "--skip-owl-profile"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "release" / "lbp-kg.owl").exists()


@pytest.mark.reasoner
def test_the_release_is_owl2_dl_for_the_owl_api(release: BuildResult) -> None:
    report = check_release(release.release_dir)
    assert report.ok
    assert len(report.formats) == 2 and all("RDF/XML" in f for f in report.formats)
    assert any("lbp-kg-imports.owl" in f for f in report.formats)


# -- lbp-kg.owl as other tools read it ------------------------------------------------------------


@pytest.mark.reasoner
@pytest.mark.parametrize("name", ["lbp-kg.owl", IMPORTS_FILE])
def test_release_rdfxml_layout_and_round_trip(release: BuildResult, name: str) -> None:
    path = release.release_dir / name
    elements = top_level(path)
    assert elements[0].tag == f"{OWL_NS}Ontology"
    assert not [el for el in elements if el.tag == f"{RDF_NS}Description"]
    reread = Graph().parse(path, format="xml")
    nt = Graph().parse(path.with_suffix(".nt"), format="nt")
    assert len(reread) == len(nt)
    assert canonical(reread) == canonical(nt)


@pytest.mark.reasoner
def test_owlready2_reads_the_release_with_its_import(release: BuildResult) -> None:
    import owlready2

    world = owlready2.World()
    owlready2.onto_path.insert(0, str(release.release_dir))
    try:
        onto = world.get_ontology((release.release_dir / "lbp-kg.owl").as_uri()).load(only_local=True)
        sciatica = world[str(LBP.Sciatica)]
        assert sciatica is not None and "sciatica" in [str(x) for x in sciatica.label]
        assert ["lbp-kg-imports.owl" in o.base_iri for o in onto.imported_ontologies] == [True]
        assert len(list(world.classes())) > 600  # the KG's classes and the imported external terms
    finally:
        owlready2.onto_path.remove(str(release.release_dir))
        world.close()


@pytest.mark.reasoner
def test_pronto_reads_the_release(release: BuildResult) -> None:
    import warnings

    import pronto

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pronto warns about axiom annotations on individuals
        onto = pronto.Ontology(str(release.release_dir / "lbp-kg.owl"), import_depth=0)
    assert onto.metadata.ontology == str(LBP["lbp-kg.owl"])
    labelled = [t for t in onto.terms() if t.name]
    assert len(labelled) > 400
    sciatica = onto.get_term(str(LBP.Sciatica))
    assert sciatica.name == "sciatica"
    assert str(LBP.SpinalDisorder) in {t.id for t in sciatica.superclasses(distance=1)}
    assert "MONDO:0024333" in {x.id for x in sciatica.xrefs}


def runoak(*args: str) -> str:
    proc = subprocess.run([str(RUNOAK), *args], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def tsv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


@pytest.mark.reasoner
def test_runoak_reads_labels_search_ancestors_and_mappings(release: BuildResult) -> None:
    owl = str(release.release_dir / "lbp-kg.owl")
    rows = tsv(runoak("-i", owl, "labels", "lbp:Sciatica", "lbp:LumbarDiscHerniation"))
    assert {(r["id"], r["label"]) for r in rows} == {("lbp:Sciatica", "sciatica"),
                                                     ("lbp:LumbarDiscHerniation", "lumbar disc herniation")}
    assert "lbp:Sciatica ! sciatica" in runoak("-i", owl, "search", "sciatica").splitlines()
    ancestors = {r["id"] for r in tsv(runoak("-i", owl, "ancestors", "-p", "i", "lbp:LumbarDiscHerniation"))}
    asserted = {str(a) for a in release.asserted.transitive_objects(LBP.LumbarDiscHerniation, RDFS.subClassOf)
                if isinstance(a, URIRef)}
    assert {"lbp:DiscHerniation", "lbp:SpinalDisorder", "lbp:Disorder"} <= ancestors
    assert {str(LBP) + a.split(":", 1)[1] for a in ancestors} <= asserted
    mappings = {(r["predicate_id"], r["object_id"]) for r in tsv(runoak("-i", owl, "mappings", "lbp:Sciatica",
                                                                      "-O", "csv"))}
    table = load_mappings(ONTOLOGY / "mappings" / "lbp-kg.sssom.tsv")
    expected = {(m.predicate_id, m.object_id) for m in table.mappings if m.subject_id == "lbp:Sciatica"}
    assert ("skos:exactMatch", "MONDO:0024333") in expected
    assert expected <= mappings
    assert {("oio:hasDbXref", o) for _, o in expected} <= mappings
