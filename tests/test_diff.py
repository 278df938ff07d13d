"""`lbpkg diff` between two small releases made from the mini ontology."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.build.compile import SourceTree, compile_ontology
from kg.build.diff import diff_graphs
from kg.cli import main
from kg.namespaces import LBP


def _graph(root: Path) -> Graph:
    return compile_ontology(SourceTree(root)).graph


def test_diff_reports_each_kind_of_change(mini_ontology: Path, tmp_path: Path) -> None:
    old = _graph(mini_ontology)
    new = Graph()
    for t in old:
        new.add(t)
    new.remove((LBP.Pain, None, None))  # removed
    new.add((LBP.NewThing, RDF.type, OWL.Class))  # added
    new.set((LBP.Disc, RDFS.label, Literal("test disk", lang="en")))  # relabelled
    new.add((LBP.Tear, OWL.deprecated, Literal(True)))  # deprecated
    new.add((LBP.Annulus, SKOS.exactMatch, URIRef("http://purl.obolibrary.org/obo/UBERON_0000001")))
    result = diff_graphs(old, new)
    assert result.added == ["lbp:NewThing"]
    assert result.removed == ["lbp:Pain"]
    assert result.deprecated == ["lbp:Tear"]
    assert result.relabelled == [("lbp:Disc", "test disc", "test disk")]
    assert result.remapped == [("lbp:Annulus", [], ["exactMatch http://purl.obolibrary.org/obo/UBERON_0000001"])]

    a, b = tmp_path / "old.nt", tmp_path / "new.nt"
    old.serialize(a, format="nt")
    new.serialize(b, format="nt")
    out = CliRunner().invoke(main, ["diff", str(a), str(b)])
    assert out.exit_code == 0
    assert "relabelled lbp:Disc: 'test disc' -> 'test disk'" in out.output
    same = CliRunner().invoke(main, ["diff", str(a), str(a)])
    assert same.output.strip() == "no changes to terms"


def test_diff_of_missing_release_is_a_clear_error(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["diff", str(tmp_path), str(tmp_path)])
    assert out.exit_code == 1
    assert "no release here" in out.output and "Traceback" not in out.output
