"""The build on a small ontology: reasoning, relation graph, SHACL, atomic writes, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import RDFS

from kg.build.compile import SourceTree, compile_ontology
from kg.build.pipeline import build
from kg.cli import main
from kg.errors import BuildError, SourceError
from kg.namespaces import LBP


def needs_java(test):  # noqa: ANN001, ANN201
    """A test that runs HermiT: marked `reasoner` (left out of `make test-fast`; skipped without Java
    by tests/conftest.py)."""
    return pytest.mark.reasoner(test)


def _problems(root: Path) -> list[str]:
    with pytest.raises(SourceError) as info:
        compile_ontology(SourceTree(root))
    return [str(p) for p in info.value.problems]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_mini_ontology_compiles(mini_ontology: Path) -> None:
    compiled = compile_ontology(SourceTree(mini_ontology))
    assert set(compiled.classes) == {"Disc", "Annulus", "DiscDisorder", "Tear", "Pain", "Shot"}


def test_turtle_syntax_error_names_file_and_line(mini_ontology: Path) -> None:
    core = mini_ontology / "lbp-core.ttl"
    lines = core.read_text(encoding="utf-8").splitlines()
    target = next(i for i, t in enumerate(lines) if t.startswith("lbp:Disorder a owl:Class"))
    lines[target] = 'lbp:Disorder a owl:Class ; rdfs:label "x"@en "y" ;'
    core.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (problem,) = _problems(mini_ontology)
    assert problem.startswith(f"ontology/lbp-core.ttl:{target + 1}:")
    assert "Turtle syntax error" in problem


def test_yaml_syntax_error_names_file_and_line(mini_ontology: Path) -> None:
    _edit(mini_ontology / "terms" / "test.yaml", "  label: test tear", "  label: [test tear")
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/terms/test.yaml:") and "YAML syntax error" in p for p in problems)


def test_undefined_reference_names_file_line_and_term(mini_ontology: Path) -> None:
    _edit(mini_ontology / "terms" / "test.yaml", "locatedIn: [Annulus]", "locatedIn: [Anulus]")
    (problem,) = _problems(mini_ontology)
    assert problem == "ontology/terms/test.yaml:27: [Tear] locatedIn target 'Anulus' is not a defined term"


def test_duplicate_label(mini_ontology: Path) -> None:
    _edit(mini_ontology / "terms" / "test.yaml", "label: test pain", "label: Test Disc")
    (problem,) = _problems(mini_ontology)
    assert "ontology/terms/test.yaml:28: [Pain] duplicate label 'Test Disc'" in problem
    assert "Disc at ontology/terms/test.yaml:1" in problem


def test_missing_definition(mini_ontology: Path) -> None:
    _edit(mini_ontology / "terms" / "test.yaml", "  definition: A test symptom.\n", "")
    (problem,) = _problems(mini_ontology)
    assert problem == "ontology/terms/test.yaml:28: [Pain] term has no definition"


def test_association_without_source(mini_ontology: Path) -> None:
    _edit(mini_ontology / "terms" / "test.yaml", "      source: [leaflet]\n", "")
    problems = _problems(mini_ontology)
    assert "ontology/terms/test.yaml:42: [Shot] association usedFor -> Pain has no source" in problems


def test_unknown_source_and_relation(mini_ontology: Path) -> None:
    _edit(mini_ontology / "terms" / "test.yaml", "relation: usedFor", "relation: cures")
    _edit(mini_ontology / "terms" / "test.yaml", "definition_source: [leaflet]", "definition_source: [nobody-2020]")
    problems = _problems(mini_ontology)
    assert "ontology/terms/test.yaml:1: [Disc] definition cites unknown source 'nobody-2020'" in problems
    assert "ontology/terms/test.yaml:42: [Shot] unknown association relation 'cures'" in problems


def test_cli_check_reports_without_traceback(mini_ontology: Path) -> None:
    _edit(mini_ontology / "terms" / "test.yaml", "  definition: A test symptom.\n", "")
    result = CliRunner().invoke(main, ["check", "--ontology", str(mini_ontology)])
    assert result.exit_code == 1
    assert "error: " in result.output and "[Pain] term has no definition" in result.output
    assert "Traceback" not in result.output


@needs_java
def test_reasoner_infers_what_was_not_asserted(mini_ontology: Path, tmp_path: Path) -> None:
    """Tear is located in the annulus, part of the disc: only the reasoner (with the property
    chain locatedIn o partOf) puts it under the defined class DiscDisorder."""
    result = build(mini_ontology, tmp_path / "release", version="t")
    assert (LBP.Tear, RDFS.subClassOf, LBP.DiscDisorder) not in result.asserted
    assert (LBP.Tear, LBP.DiscDisorder) in result.inferred_subclasses
    assert (LBP.Tear, RDFS.subClassOf, LBP.DiscDisorder) in result.inferred
    # relation graph: chain and filler generalisation as plain edges
    assert (LBP.Tear, LBP.locatedIn, LBP.Disc) in result.inferred
    assert (LBP.Shot, LBP.targets, LBP.Disc) in result.inferred
    assert (LBP.Tear, LBP.locatedIn, LBP.Annulus) in result.inferred


@needs_java
def test_unsatisfiable_class_fails_the_build_and_is_named(mini_ontology: Path, tmp_path: Path) -> None:
    _edit(mini_ontology / "terms" / "test.yaml", "parents: [ClinicalFinding]", "parents: [ClinicalFinding, Disorder]")
    with pytest.raises(BuildError, match=r"unsatisfiable classes \(HermiT\): .*Pain \(test pain\)"):
        build(mini_ontology, tmp_path / "release", version="t")


@needs_java
def test_failed_build_keeps_previous_release(mini_ontology: Path, tmp_path: Path) -> None:
    out = tmp_path / "release"
    build(mini_ontology, out, version="good")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _edit(mini_ontology / "terms" / "test.yaml", "hasInvasiveness: [MinimallyInvasive]",
          "hasInvasiveness: [MinimallyInvasive, OpenSurgical]")
    args = ["build", "--quiet", "--ontology", str(mini_ontology), "--out", str(out), "--no-store"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "unsatisfiable classes" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ontology", "release"]


@needs_java
def test_shacl_failure_fails_the_build(mini_ontology: Path, tmp_path: Path) -> None:
    """An association whose target lies outside the relation's range is caught by SHACL."""
    _edit(mini_ontology / "terms" / "test.yaml", "      target: Pain", "      target: Disc")
    with pytest.raises(BuildError, match=r"SHACL validation failed:\n.*Shot.*usedFor.*Disc"):
        build(mini_ontology, tmp_path / "release", version="t")
    assert not (tmp_path / "release").exists()


@needs_java
def test_release_files_and_version_iri(mini_ontology: Path, tmp_path: Path) -> None:
    import json

    from rdflib import Graph

    out = tmp_path / "release"
    build(mini_ontology, out, version="9.9")
    names = {p.name for p in out.iterdir()}
    assert {"lbp-kg.owl", "lbp-kg.ttl", "lbp-kg.nt", "lbp-kg.jsonld", "lbp-kg-inferred.nt", "manifest.json"} <= names
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version_iri"] == "https://w3id.org/lbp-kg/releases/9.9/lbp-kg.owl"
    g = Graph().parse(out / "lbp-kg.owl", format="xml")
    owl_version = URIRef("http://www.w3.org/2002/07/owl#versionIRI")
    assert str(g.value(LBP["lbp-kg.owl"], owl_version)) == manifest["version_iri"]
    assert len(Graph().parse(out / "lbp-kg.jsonld", format="json-ld")) == len(g)
