"""The evidence model on a small ontology: each rule of the validation pass fires on a broken
example, names the file, line and term, and is the same pass for `lbpkg check` and `lbpkg build`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from kg.build.compile import SourceTree, compile_ontology
from kg.build.pipeline import build
from kg.build.validate import validate_sources
from kg.cli import main
from kg.errors import SourceError
from kg.namespaces import LBP

TERMS = "terms/test.yaml"
USE = """    - relation: usedFor
      target: Pain
      source: [leaflet]
      certainty: low
      graded_by: leaflet
      direction: benefit
"""


def _edit(root: Path, old: str, new: str, file: str = TERMS) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _add_association(root: Path, block: str) -> None:
    _edit(root, USE, USE + block)


def _problems(root: Path) -> list[str]:
    with pytest.raises(SourceError) as info:
        validate_sources(SourceTree(root))
    return [str(p) for p in info.value.problems]


def _write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")


def test_the_mini_ontology_passes(mini_ontology: Path) -> None:
    compiled = validate_sources(SourceTree(mini_ontology))
    axiom = next(compiled.graph.subjects(OWL.annotatedProperty, LBP.usedFor))
    assert (axiom, LBP.certainty, LBP["certainty-low"]) in compiled.graph
    assert (axiom, LBP.direction, LBP["direction-benefit"]) in compiled.graph
    assert (axiom, LBP.gradedBy, LBP["source-leaflet"]) in compiled.graph


def test_old_evidence_field_is_refused_with_the_way_forward(mini_ontology: Path) -> None:
    _edit(mini_ontology, "      certainty: low\n", "      evidence: low\n")
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/terms/test.yaml:42: [Shot] 'evidence' was replaced by 'certainty'")
               for p in problems)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("      direction: benefit\n", "", "usedFor -> Pain has no direction (one of benefit, uncertain)"),
    ("      direction: benefit\n", "      direction: no-benefit\n",
     "usedFor -> Pain: direction 'no-benefit' is not one of benefit, uncertain"),
    ("      certainty: low\n      graded_by: leaflet\n", "      certainty: established\n",
     "usedFor -> Pain: whether an intervention works needs a graded certainty"),
    ("      graded_by: leaflet\n", "", "usedFor -> Pain: certainty 'low' needs graded_by"),
    ("      graded_by: leaflet\n", "      graded_by: nice-ng59-2016\n",
     "usedFor -> Pain: graded_by 'nice-ng59-2016' is not one of the statement's sources"),
    ("      certainty: low\n", "      certainty: strong\n", "usedFor -> Pain: certainty 'strong' is not one of"),
])
def test_effect_statement_rules(mini_ontology: Path, old: str, new: str, message: str) -> None:
    _edit(mini_ontology, old, new)
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/terms/test.yaml:42: [Shot]") and message in p for p in problems), problems


def test_no_benefit_is_its_own_relation(mini_ontology: Path) -> None:
    _add_association(mini_ontology, """    - relation: noBenefitFor
      target: Tear
      source: [leaflet]
      certainty: moderate
      graded_by: leaflet
      direction: no-benefit
""")
    compiled = validate_sources(SourceTree(mini_ontology))
    assert (LBP.Shot, LBP.noBenefitFor, LBP.Tear) in compiled.graph
    assert (LBP.Shot, LBP.usedFor, LBP.Tear) not in compiled.graph


def test_risk_needs_severity_and_contraindication_its_kind(mini_ontology: Path) -> None:
    _add_association(mini_ontology, """    - relation: hasRisk
      target: Pain
      source: [leaflet]
      certainty: established
      frequency: sometimes
    - relation: contraindicatedIn
      target: Tear
      source: [leaflet]
      certainty: established
      severity: minor
""")
    problems = _problems(mini_ontology)
    assert "ontology/terms/test.yaml:48: [Shot] hasRisk -> Pain has no severity (one of minor, moderate, serious, " \
           "catastrophic)" in problems
    assert any(p.startswith("ontology/terms/test.yaml:48:") and "frequency 'sometimes' is not one of" in p
               for p in problems)
    assert any(p.startswith("ontology/terms/test.yaml:53:") and "has no contraindication (one of absolute, relative)"
               in p for p in problems)
    assert any(p.startswith("ontology/terms/test.yaml:53:") and "frequency and severity belong to hasRisk only" in p
               for p in problems)


def test_generated_relations_are_not_written_by_hand(mini_ontology: Path) -> None:
    _add_association(mini_ontology, """    - relation: notRecommendedFor
      target: Pain
      source: [nice-ng59-2016]
      certainty: established
""")
    problems = _problems(mini_ontology)
    assert any("[Shot] 'notRecommendedFor' comes from ontology/recommendations.yaml" in p for p in problems)


RECOMMENDATION = """- id: rec-test-against
  source: nice-ng59-2016
  interventions: [Shot]
  population: [Tear]
  direction: against
  strength: strong
  text: Do not offer the test injection for the test tear.
"""


def test_a_recommendation_becomes_an_individual_and_a_statement(mini_ontology: Path) -> None:
    _write(mini_ontology, "recommendations.yaml", RECOMMENDATION)
    graph = validate_sources(SourceTree(mini_ontology)).graph
    rec = LBP["rec-test-against"]
    assert (rec, RDF.type, LBP.Recommendation) in graph
    assert (rec, LBP.issuedBy, Literal("NICE")) in graph
    assert (rec, DCTERMS.issued, Literal("2016", datatype=XSD.gYear)) in graph
    assert (rec, LBP.recommendationStrength, LBP["strength-strong"]) in graph
    assert (LBP.Shot, LBP.notRecommendedFor, LBP.Tear) in graph
    axiom = next(graph.subjects(OWL.annotatedProperty, LBP.notRecommendedFor))
    assert (axiom, LBP.recommendation, rec) in graph
    assert (axiom, DCTERMS.source, LBP["source-nice-ng59-2016"]) in graph


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  strength: strong\n", "", "strength must be one of strong, conditional"),
    ("  direction: against\n", "  direction: maybe\n", "direction must be one of for, against"),
    ("  source: nice-ng59-2016\n", "  source: leaflet\n", "recommendation source 'leaflet' is a patient leaflet, "
                                                          "not a guideline"),
    ("  text: Do not offer the test injection for the test tear.\n", "", "recommendation has no text"),
    ("  population: [Tear]\n", "  population: [Tare]\n", "'Tare' is not a defined term"),
])
def test_recommendation_rules(mini_ontology: Path, old: str, new: str, message: str) -> None:
    _write(mini_ontology, "recommendations.yaml", RECOMMENDATION.replace(old, new))
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/recommendations.yaml:1: [rec-test-against]") and message in p
               for p in problems), problems


def test_a_use_the_cited_guideline_advises_against_is_rejected(mini_ontology: Path) -> None:
    """The library check, run in the validation pass, located at the statement's line."""
    _write(mini_ontology, "recommendations.yaml", RECOMMENDATION.replace("[Tear]", "[Pain]"))
    _edit(mini_ontology, "      source: [leaflet]\n      certainty: low",
          "      source: [leaflet, nice-ng59-2016]\n      certainty: low")
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/terms/test.yaml:42: [Shot] Uses that the cited guideline itself says not to "
                            "offer (checks/used-for-against-guideline-violation): usedFor Pain") for p in problems)
    # citing only other sources, the use stands beside the guideline's "do not offer": a disagreement
    _edit(mini_ontology, "[leaflet, nice-ng59-2016]", "[leaflet]")
    validate_sources(SourceTree(mini_ontology))


def test_a_benefit_contradicted_by_its_own_caveat_is_rejected(mini_ontology: Path) -> None:
    _edit(mini_ontology, "      direction: benefit\n",
          "      direction: benefit\n      note: In the sham-controlled trial it was no better than placebo.\n")
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/terms/test.yaml:42: [Shot] Benefits whose own caveat says there is none")
               for p in problems)


def test_warning_signs_must_be_red_flags(mini_ontology: Path) -> None:
    _edit(mini_ontology, "  axioms:\n    locatedIn: [Annulus]\n", """  axioms:
    locatedIn: [Annulus]
  red_flag: true
  associations:
    - relation: hasWarningSign
      target: Pain
      source: [nice-ng59-2016]
      certainty: established
""")
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/terms/test.yaml:30: [Tear] Warning signs of a serious condition not marked")
               and "hasWarningSign Pain" in p for p in problems)
    _edit(mini_ontology, "  definition: A test symptom.\n", "  definition: A test symptom.\n  red_flag: true\n")
    validate_sources(SourceTree(mini_ontology))


def test_a_red_flag_condition_needs_a_warning_sign(mini_ontology: Path) -> None:
    axioms = "  axioms:\n    locatedIn: [Annulus]\n"
    _edit(mini_ontology, axioms, axioms + "  red_flag: true\n")
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/terms/test.yaml:") and "[Tear]" in p and "hasWarningSign none" in p
               for p in problems)


def test_superseded_sources(mini_ontology: Path) -> None:
    sources = mini_ontology / "sources" / "test.yaml"
    sources.write_text("""- id: old-guideline
  type: guideline
  author: Test Body
  title: Old guidance
  year: 2008
  superseded_by: new-guideline
- id: new-guideline
  type: guideline
  author: Test Body
  title: New guidance
  year: 2023
- id: lost-guideline
  type: guideline
  author: Test Body
  title: Lost guidance
  year: 2001
  superseded_by: nowhere
""", encoding="utf-8")
    _edit(mini_ontology, "  definition: A test symptom.\n  definition_source: [leaflet]",
          "  definition: A test symptom.\n  definition_source: [old-guideline]")
    problems = _problems_compiled_or_checked(mini_ontology)
    assert "ontology/sources/test.yaml:12: [lost-guideline] superseded_by 'nowhere' is not another known source" \
        in problems
    (sources.parent / "test.yaml").write_text(sources.read_text().split("- id: lost-guideline")[0], encoding="utf-8")
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/terms/test.yaml:28: [Pain] Superseded sources cited without their replacement")
               for p in problems)
    _edit(mini_ontology, "definition_source: [old-guideline]", "definition_source: [old-guideline, new-guideline]")
    validate_sources(SourceTree(mini_ontology))


def _problems_compiled_or_checked(root: Path) -> list[str]:
    with pytest.raises(SourceError) as info:
        compile_ontology(SourceTree(root))
    return [str(p) for p in info.value.problems]


def test_check_and_build_share_the_pass(mini_ontology: Path, tmp_path: Path) -> None:
    """`lbpkg check` and `lbpkg build` report the same problems, and the build writes nothing."""
    _edit(mini_ontology, "      direction: benefit\n",
          "      direction: benefit\n      note: Trials found no benefit over sham.\n")
    expected = _problems(mini_ontology)
    checked = CliRunner().invoke(main, ["check", "--ontology", str(mini_ontology)])
    built = CliRunner().invoke(main, ["build", "--quiet", "--ontology", str(mini_ontology),
                                      "--out", str(tmp_path / "release"), "--no-store"])
    assert checked.exit_code == built.exit_code == 1
    for problem in expected:
        assert f"error: {problem}" in checked.output
        assert f"error: {problem}" in built.output
    assert "Traceback" not in checked.output + built.output
    assert not (tmp_path / "release").exists()
    with pytest.raises(SourceError):
        build(mini_ontology, tmp_path / "release2", version="t")


def test_accuracy_figures_are_numbers_in_range_on_test_statements(mini_ontology: Path) -> None:
    _add_association(mini_ontology, """    - relation: testFor
      target: Tear
      source: [leaflet]
      certainty: established
      sensitivity: 0.92
      specificity: 0.28
      positive_likelihood_ratio: 1.3
      reference_standard: surgical findings
""")
    compiled = validate_sources(SourceTree(mini_ontology))
    axiom = next(a for a in compiled.graph.subjects(OWL.annotatedProperty, LBP.testFor))
    assert (axiom, LBP.sensitivity, Literal("0.92", datatype=XSD.decimal)) in compiled.graph
    assert (axiom, LBP.positiveLikelihoodRatio, Literal("1.3", datatype=XSD.decimal)) in compiled.graph
    assert (axiom, LBP.referenceStandard, Literal("surgical findings", lang="en")) in compiled.graph


@pytest.mark.parametrize(("field", "message"), [
    ("      sensitivity: 92\n", "sensitivity 92 is out of range (from 0.0, at most 1.0)"),
    ("      specificity: high\n", "specificity must be a number, not 'high'"),
    ("      positive_likelihood_ratio: 0\n", "positive_likelihood_ratio 0 is out of range (from 0.0, above 0)"),
])
def test_accuracy_figures_out_of_range_are_refused(mini_ontology: Path, field: str, message: str) -> None:
    _add_association(mini_ontology, """    - relation: testFor
      target: Tear
      source: [leaflet]
      certainty: established
""" + field)
    problems = _problems(mini_ontology)
    assert any(p.startswith("ontology/terms/test.yaml:48: [Shot] testFor -> Tear: ") and message in p
               for p in problems), problems


def test_accuracy_and_mcid_belong_to_their_relations(mini_ontology: Path) -> None:
    _edit(mini_ontology, "      direction: benefit\n", "      direction: benefit\n      sensitivity: 0.5\n"
          "      mcid: 2 points\n")
    problems = _problems(mini_ontology)
    assert any("usedFor -> Pain: sensitivity belong to" in p for p in problems), problems
    assert any("usedFor -> Pain: mcid belongs to measures only" in p for p in problems), problems


def test_urgency_is_for_red_flags_and_needs_its_source(mini_ontology: Path) -> None:
    axioms = "  axioms:\n    locatedIn: [Annulus]\n"
    _edit(mini_ontology, axioms, axioms + "  urgency: soon\n  natural_history_source: [leaflet]\n")
    problems = _problems(mini_ontology)
    assert any("[Tear] urgency 'soon' is not one of emergency, urgent" in p for p in problems), problems
    assert any("[Tear] natural_history_source without natural_history" in p for p in problems), problems
    _edit(mini_ontology, "  urgency: soon\n", "  urgency: emergency\n")
    problems = _problems(mini_ontology)
    assert any("[Tear] urgency belongs to red-flag terms" in p for p in problems), problems
    assert any("[Tear] urgency has no source" in p for p in problems), problems


def test_urgency_and_natural_history_are_sourced_annotations(mini_ontology: Path) -> None:
    axioms = "  axioms:\n    locatedIn: [Annulus]\n"
    _edit(mini_ontology, axioms, axioms + """  red_flag: true
  urgency: emergency
  urgency_source: [nice-ng59-2016]
  natural_history: Most test tears heal.
  natural_history_source: [leaflet]
  associations:
    - relation: hasWarningSign
      target: Pain
      source: [nice-ng59-2016]
      certainty: established
""")
    _edit(mini_ontology, "  definition: A test symptom.\n", "  definition: A test symptom.\n  red_flag: true\n")
    graph = validate_sources(SourceTree(mini_ontology)).graph
    assert (LBP.Tear, LBP.urgency, LBP["urgency-emergency"]) in graph
    axiom = next(a for a in graph.subjects(OWL.annotatedProperty, LBP.urgency))
    assert (axiom, DCTERMS.source, LBP["source-nice-ng59-2016"]) in graph
    history = next(graph.objects(LBP.Tear, LBP.naturalHistory))
    assert str(history) == "Most test tears heal."
    axiom = next(a for a in graph.subjects(OWL.annotatedProperty, LBP.naturalHistory))
    assert (axiom, DCTERMS.source, LBP["source-leaflet"]) in graph


def test_the_association_shape_covers_every_association_relation() -> None:
    """A relation added to lbp-core.ttl without a place in the shape's targets would go unchecked."""
    from rdflib import Graph, Namespace
    from rdflib.namespace import RDFS

    sh = Namespace("http://www.w3.org/ns/shacl#")
    root = Path(__file__).resolve().parents[1] / "ontology"
    core = Graph().parse(root / "lbp-core.ttl")
    shapes = Graph().parse(root / "shapes.ttl")
    relations = set(core.subjects(RDFS.subPropertyOf, LBP.associationRelation))
    shape = URIRef("https://w3id.org/lbp-kg/shapes/AssociationShape")
    targets = set(shapes.objects(shape, sh.targetSubjectsOf))
    assert len(relations) >= 20
    assert relations == targets, relations ^ targets
