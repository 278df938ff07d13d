"""The leaflet's statements as tests, on the real release: each cause, technique, benefit and risk
is present and linked as the leaflet says; plus what a clinician would expect beyond it."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg.build.pipeline import BuildResult
from kg.namespaces import DEFINITION, LBP

pytestmark = [
    pytest.mark.reasoner,
]
LEAFLET = LBP["source-leaflet"]


def _desc_or_self(r: BuildResult, cls: URIRef) -> set[URIRef]:
    return {cls} | {s for s in r.inferred.subjects(RDFS.subClassOf, cls) if isinstance(s, URIRef)}


def _anc_or_self(r: BuildResult, cls: URIRef) -> set[URIRef]:
    return {cls} | {o for o in r.inferred.objects(cls, RDFS.subClassOf) if isinstance(o, URIRef)}


def _axiom_sources(g: Graph, s: URIRef, p: URIRef, o: object) -> set[URIRef]:
    found: set[URIRef] = set()
    for ax in g.subjects(OWL.annotatedSource, s):
        if (ax, OWL.annotatedProperty, p) in g and (ax, OWL.annotatedTarget, o) in g:
            found |= {x for x in g.objects(ax, DCTERMS.source) if isinstance(x, URIRef)}
    return found


def association(r: BuildResult, s: URIRef, rel: URIRef, o: URIRef, cites: URIRef | None = None) -> bool:
    """True if `s` (or an ancestor of s) has the association to `o` or to a subclass of `o`."""
    for subj in _anc_or_self(r, s):
        for obj in _desc_or_self(r, o):
            if (subj, rel, obj) in r.asserted:
                if cites is None or cites in _axiom_sources(r.asserted, subj, rel, obj):
                    return True
    return False


def edge(r: BuildResult, s: URIRef, rel: URIRef, o: URIRef) -> bool:
    """True if the relation graph entails `s rel o` (an axiom, inherited or inferred)."""
    return (s, rel, o) in r.inferred


def test_size_and_definitions(release: BuildResult) -> None:
    classes = [c for c in release.asserted.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(str(LBP))]
    assert len(classes) >= 200
    undefined = [c for c in classes if release.asserted.value(c, DEFINITION) is None]
    assert undefined == []


@pytest.mark.parametrize("cause", ["DiscHerniation", "SpinalStenosis", "DegenerativeDiscDisease", "Sciatica",
                                   "MuscleStrain"])
def test_leaflet_causes_are_disorders_defined_from_the_leaflet(release: BuildResult, cause: str) -> None:
    cls = LBP[cause]
    assert LBP.Disorder in _anc_or_self(release, cls)
    statements = [ax for ax in release.asserted.subjects(OWL.annotatedSource, cls)
                  if (ax, DCTERMS.source, LEAFLET) in release.asserted]
    assert statements, f"nothing about {cause} cites the leaflet"


def test_herniated_disc_and_stenosis_can_cause_sciatica(release: BuildResult) -> None:
    assert association(release, LBP.DiscHerniation, LBP.mayCause, LBP.Sciatica, cites=LEAFLET)
    assert association(release, LBP.SpinalStenosis, LBP.mayCause, LBP.Sciatica, cites=LEAFLET)


def test_herniated_disc_presses_on_nerves(release: BuildResult) -> None:
    assert association(release, LBP.DiscHerniation, LBP.mayInvolveMechanism, LBP.NerveRootCompression)
    assert association(release, LBP.DiscHerniation, LBP.mayInvolveMechanism, LBP.ChemicalRadiculitis)
    assert edge(release, LBP.LumbarDiscHerniation, LBP.locatedIn, LBP.IntervertebralDisc)
    assert association(release, LBP.LumbarDiscHerniation, LBP.mayCompress, LBP.L5NerveRoot)


def test_stenosis_is_narrowing_of_the_canal(release: BuildResult) -> None:
    narrowing = {LBP.SpinalCanalNarrowing, LBP.ForaminalNarrowing}
    assert any(edge(release, LBP.SpinalStenosis, LBP.hasMechanism, m) for m in narrowing) or any(
        association(release, LBP.SpinalStenosis, LBP.mayInvolveMechanism, m) for m in narrowing)


def test_degenerative_disc_disease_is_degeneration_of_the_disc(release: BuildResult) -> None:
    assert edge(release, LBP.DegenerativeDiscDisease, LBP.locatedIn, LBP.IntervertebralDisc) or edge(
        release, LBP.DegenerativeDiscDisease, LBP.affects, LBP.IntervertebralDisc)
    assert edge(release, LBP.DegenerativeDiscDisease, LBP.hasMechanism, LBP.DiscDegenerationProcess) or association(
        release, LBP.DegenerativeDiscDisease, LBP.mayInvolveMechanism, LBP.DiscDegenerationProcess)


def test_sciatica_involves_the_sciatic_nerve_or_its_roots(release: BuildResult) -> None:
    structures = _desc_or_self(release, LBP.SciaticNerve) | _desc_or_self(release, LBP.LumbosacralNerveRoot)
    linked = {o for p in (LBP.affects, LBP.locatedIn) for o in release.inferred.objects(LBP.Sciatica, p)}
    assert linked & structures
    assert association(release, LBP.Sciatica, LBP.mayPresentWith, LBP.RadicularPain) or edge(
        release, LBP.Sciatica, LBP.hasFinding, LBP.RadicularPain)


@pytest.mark.parametrize(("factor", "words"), [("Overuse", "overuse"), ("PoorPosture", "poor posture"),
                                              ("SuddenMovement", "sudden movement")])
def test_muscle_strain_risk_factors_from_the_leaflet(release: BuildResult, factor: str, words: str) -> None:
    """Each factor the leaflet names is a graded association citing it, or, where the literature does
    not establish it (poor posture), a claim attributed to the leaflet with an assessment."""
    graph = release.asserted
    stated = association(release, LBP.MuscleStrain, LBP.hasRiskFactor, LBP[factor], cites=LEAFLET)
    claimed = any(
        words in str(graph.value(claim, LBP.claimText)).lower() and graph.value(claim, LBP.assessment) is not None
        and (claim, DCTERMS.source, LEAFLET) in graph
        for claim in graph.subjects(LBP.claimAbout, LBP.MuscleStrain))
    assert stated or claimed


def test_compression_fracture_causes_from_the_leaflet(release: BuildResult) -> None:
    vcf = LBP.VertebralCompressionFracture
    assert association(release, LBP.Osteoporosis, LBP.mayCause, vcf) or association(
        release, vcf, LBP.hasRiskFactor, LBP.Osteoporosis)
    assert association(release, vcf, LBP.hasRiskFactor, LBP.Trauma) or association(
        release, LBP.TraumaticVertebralCompressionFracture, LBP.hasRiskFactor, LBP.Trauma)
    assert association(release, LBP.SpinalMetastasis, LBP.mayCause, vcf) or association(
        release, vcf, LBP.hasRiskFactor, LBP.HistoryOfCancer)


TECHNIQUES = {
    # technique: (a target it must reach, a mechanism of action it must have)
    "EpiduralSteroidInjection": (LBP.EpiduralSpace, LBP.AntiInflammatoryAction),
    "FacetJointInjection": (LBP.FacetJoint, None),
    "RadiofrequencyAblation": (None, LBP.ThermalNeurotomy),
    "PercutaneousLaserDiscDecompression": (LBP.IntervertebralDisc, None),
    "EndoscopicSpineProcedure": (None, None),
    "PercutaneousSpinalFusion": (None, LBP.SegmentalFusion),
    "Kyphoplasty": (LBP.VertebralBody, LBP.CementAugmentation),
    "SpinalCordStimulation": (None, LBP.ElectricalNeuromodulation),
}


@pytest.mark.parametrize("technique", sorted(TECHNIQUES))
def test_leaflet_techniques(release: BuildResult, technique: str) -> None:
    cls = LBP[technique]
    assert LBP.Intervention in _anc_or_self(release, cls)
    target, moa = TECHNIQUES[technique]
    if target is not None:
        assert edge(release, cls, LBP.targets, target)
    if moa is not None:
        assert edge(release, cls, LBP.hasMechanismOfAction, moa)
    assert [ax for ax in release.asserted.subjects(OWL.annotatedSource, cls)
            if (ax, DCTERMS.source, LEAFLET) in release.asserted]


def test_epidural_steroid_injection_uses_steroid_and_reduces_inflammation(release: BuildResult) -> None:
    assert edge(release, LBP.EpiduralSteroidInjection, LBP.usesAgent, LBP.Corticosteroid)
    assert edge(release, LBP.AntiInflammatoryAction, LBP.counteracts, LBP.Inflammation)


def test_kyphoplasty_for_compression_fractures_with_balloon_and_cement(release: BuildResult) -> None:
    assert association(release, LBP.Kyphoplasty, LBP.usedFor, LBP.VertebralCompressionFracture, cites=LEAFLET)
    assert edge(release, LBP.Kyphoplasty, LBP.usesAgent, LBP.BoneCement)
    assert edge(release, LBP.Kyphoplasty, LBP.usesAgent, LBP.InflatableBoneTamp)
    assert association(release, LBP.Vertebroplasty, LBP.alternativeTo, LBP.Kyphoplasty) or association(
        release, LBP.Kyphoplasty, LBP.alternativeTo, LBP.Vertebroplasty)


def test_medial_branch_block_precedes_radiofrequency_ablation(release: BuildResult) -> None:
    assert association(release, LBP.MedialBranchBlock, LBP.diagnosticBlockFor, LBP.RadiofrequencyAblation)


def test_variants_beyond_the_leaflet(release: BuildResult) -> None:
    for variant in ("TransforaminalEpiduralSteroidInjection", "InterlaminarEpiduralSteroidInjection",
                    "CaudalEpiduralSteroidInjection"):
        assert LBP.EpiduralSteroidInjection in _anc_or_self(release, LBP[variant])
    assert LBP.Neuromodulation in _anc_or_self(release, LBP.DorsalRootGanglionStimulation)
    assert LBP.VertebralAugmentation in _anc_or_self(release, LBP.Vertebroplasty)


@pytest.mark.parametrize("benefit", ["TargetedPainRelief", "ImprovedFunction", "ReducedRecoveryTime"])
def test_leaflet_benefits(release: BuildResult, benefit: str) -> None:
    holders = [s for s in release.asserted.subjects(LBP.hasBenefit, LBP[benefit])]
    assert any(LEAFLET in _axiom_sources(release.asserted, s, LBP.hasBenefit, LBP[benefit]) for s in holders)


@pytest.mark.parametrize("component", ["Pharmacotherapy", "PhysicalTherapy", "LifestyleModification",
                                       "PatientEducation"])
def test_comprehensive_approach(release: BuildResult, component: str) -> None:
    assert association(release, LBP[component], LBP.componentOfCare, LBP.ComprehensivePainManagement, cites=LEAFLET)


def test_procedures_carry_risks(release: BuildResult) -> None:
    assert association(release, LBP.InterventionalPainProcedure, LBP.hasRisk, LBP.ProceduralComplication,
                       cites=LEAFLET)
    assert association(release, LBP.TransforaminalEpiduralSteroidInjection, LBP.hasRisk, LBP.SpinalCordInfarction)


def test_cauda_equina_syndrome_is_a_red_flag(release: BuildResult) -> None:
    assert (LBP.CaudaEquinaSyndrome, LBP.isRedFlag, Literal(True)) in release.asserted
    assert association(release, LBP.CaudaEquinaSyndrome, LBP.mayPresentWith, LBP.SaddleAnaesthesia) or edge(
        release, LBP.CaudaEquinaSyndrome, LBP.hasFinding, LBP.SaddleAnaesthesia)


def test_success_rate_is_a_claim_not_a_fact(release: BuildResult) -> None:
    g = release.asserted
    claims = [c for c in g.subjects(RDF.type, LBP.Claim) if "95%" in str(g.value(c, LBP.claimText))]
    assert len(claims) == 1
    (claim,) = claims
    assert (claim, DCTERMS.source, LEAFLET) in g
    assert str(g.value(claim, LBP.claimStatus)) == "unverified"
    assert g.value(claim, LBP.claimAbout) in _desc_or_self(release, LBP.EndoscopicSpineProcedure)
    assert not any("95" in str(o) for s, p, o in g if p == DEFINITION)


def test_lay_synonyms(release: BuildResult) -> None:
    lay = {str(o).lower(): s for s, o in release.asserted.subject_objects(LBP.laySynonym)}
    assert LBP.DiscHerniation in _anc_or_self(release, lay["slipped disc"])
    assert "pinched nerve" in lay


def test_reasoner_places_disc_disorders_that_curators_did_not(release: BuildResult) -> None:
    """AnnularTear is asserted only under SpinalDisorder and located in the annulus fibrosus;
    HermiT (with the chain locatedIn o partOf) infers it is an intervertebral disc disorder."""
    assert (LBP.AnnularTear, RDFS.subClassOf, LBP.IntervertebralDiscDisorder) not in release.asserted
    assert (LBP.AnnularTear, LBP.IntervertebralDiscDisorder) in release.inferred_subclasses


def test_reasoner_classifies_minimally_invasive_procedures(release: BuildResult) -> None:
    members = _desc_or_self(release, LBP.MinimallyInvasiveIntervention)
    assert {LBP.Kyphoplasty, LBP.EpiduralSteroidInjection, LBP.PercutaneousSpinalCordStimulation} <= members
    assert LBP.OpenSpinalFusion not in members
    assert not any((m, RDFS.subClassOf, LBP.MinimallyInvasiveIntervention) in release.asserted for m in members)


def test_release_conforms_to_shacl(release: BuildResult) -> None:
    from kg.build.validate import shacl_violations
    from tests.conftest import ONTOLOGY

    assert shacl_violations(release.asserted + release.inferred, ONTOLOGY / "shapes.ttl") == []
