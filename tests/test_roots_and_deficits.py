"""Levels, roots and deficits, derived and explained, checked against the textbook.

For each lumbar disc level L1-L2 to L5-S1 the relation graph must derive, from where a herniation
lies, the root it is positioned to compress (located in o transmits) and the deficits to look for
(positioned to compress o has deficit sign), and every derived edge must have an explanation.

The table below is written from the sources, not from the ontology:

- Exiting and traversing roots: Bogduk N, Clinical and Radiological Anatomy of the Lumbar Spine,
  5th edition, 2012 (the root numbered after the vertebra above leaves through the foramen of a
  level; the next root crosses the disc in the subarticular zone), with the zones of Fardon DF et
  al., Lumbar disc nomenclature: version 2.0 (NASS/ASSR/ASNR), 2014.
- Key muscles (movements) and key sensory points: American Spinal Injury Association, International
  Standards for Neurological Classification of Spinal Cord Injury (ISNCSCI), revised 2019: L2 hip
  flexors and mid-anterior thigh; L3 knee extensors and medial femoral condyle; L4 ankle
  dorsiflexors and medial malleolus; L5 long toe extensors and dorsum of the foot at the third
  metatarsophalangeal joint; S1 ankle plantar flexors and lateral heel. Knee extension for L4 and
  ankle dorsiflexion for L5 are second movements that ISNCSCI does not assign to those roots: the
  quadriceps is supplied from L2-L4 and tibialis anterior from L4-L5 (Moore 2018, Hoppenfeld 1977).
- Reflexes: Hoppenfeld S, Orthopaedic Neurology: A Diagnostic Guide to Neurologic Levels, 1977:
  the knee reflex carried by L2-L4, predominantly L4, and examined for L3 and L4 (it does not tell
  them apart), the ankle reflex S1; no tendon reflex reliably tests L2 or L5, so those roots have
  no reflex in the table.
"""

from __future__ import annotations

import pytest

from kg.namespaces import LBP
from kg.query.library import get_query, render
from kg.store import open_store
from kg.views.explain import derivations, explain

pytestmark = pytest.mark.reasoner

#: disc level -> (exiting root, traversing root)
LEVELS: dict[str, tuple[str, str]] = {
    "L1L2": ("L1", "L2"),
    "L2L3": ("L2", "L3"),
    "L3L4": ("L3", "L4"),
    "L4L5": ("L4", "L5"),
    "L5S1": ("L5", "S1"),
}

#: root -> (key movements weakened, sensory loss at the key sensory point, reduced reflex or None)
ROOT_DEFICITS: dict[str, tuple[set[str], str, str | None]] = {
    "L2": ({"WeakHipFlexion"}, "AnteriorThighSensoryLoss", None),
    "L3": ({"WeakKneeExtension"}, "MedialKneeSensoryLoss", "ReducedKneeReflex"),
    "L4": ({"WeakAnkleDorsiflexion", "WeakKneeExtension"}, "MedialLegSensoryLoss", "ReducedKneeReflex"),
    "L5": ({"WeakGreatToeExtension", "WeakAnkleDorsiflexion"}, "DorsumOfFootSensoryLoss", None),
    "S1": ({"WeakAnklePlantarflexion"}, "LateralFootSensoryLoss", "ReducedAnkleReflex"),
}

CURATED_DEFICITS = {d for moves, sense, reflex in ROOT_DEFICITS.values()
                    for d in moves | {sense} | ({reflex} if reflex else set())}


def expected_deficits(root: str) -> set[str]:
    if root not in ROOT_DEFICITS:  # L1: outside the table
        return set()
    moves, sense, reflex = ROOT_DEFICITS[root]
    return moves | {sense} | ({reflex} if reflex else set())


def cases() -> list[tuple[str, str]]:
    """(herniation, root it can compress) for each level and zone."""
    out = []
    for level, (exiting, traversing) in LEVELS.items():
        out.append((f"{level}SubarticularDiscHerniation", traversing))
        out.append((f"{level}ForaminalDiscHerniation", exiting))
    return out


@pytest.fixture(scope="module")
def store(full_store_spec: str):  # noqa: ANN201 - a Store
    with open_store(full_store_spec) as s:
        yield s


def _lbp(name: str) -> str:
    return str(LBP[name])


def _entailed(store, subject: str, prop: str) -> set[str]:  # noqa: ANN001
    found = derivations(store)
    return {o[len(str(LBP)):] for s, p, o in found.entailed
            if s == _lbp(subject) and p == _lbp(prop) and o.startswith(str(LBP))}


@pytest.mark.parametrize(("herniation", "root"), cases())
def test_the_root_and_deficits_of_each_herniation_are_derived_as_the_textbook_says(
        store, herniation: str, root: str) -> None:  # noqa: ANN001
    roots = {r for r in _entailed(store, herniation, "positionedToCompress") if r.endswith("NerveRoot")
             and r[:-len("NerveRoot")] in {*ROOT_DEFICITS, "L1"}}
    assert roots == {f"{root}NerveRoot"}, (herniation, roots)
    deficits = _entailed(store, herniation, "mayProduceDeficit") & CURATED_DEFICITS
    assert deficits == expected_deficits(root), (herniation, deficits)


@pytest.mark.parametrize(("herniation", "root"), cases())
def test_each_derived_root_and_deficit_is_explained(store, herniation: str, root: str) -> None:  # noqa: ANN001
    found = derivations(store)
    triples = [(_lbp(herniation), _lbp("positionedToCompress"), _lbp(f"{root}NerveRoot"))]
    triples += [(_lbp(herniation), _lbp("mayProduceDeficit"), _lbp(d)) for d in expected_deficits(root)]
    for triple in triples:
        assert triple not in found.stated, triple  # derived, never written by hand
        why = explain(store, triple)
        assert why is not None and not why.stated and not why.cut, triple
        assert why.sentences and all(s.text for s in why.sentences), triple
        assert why.sentences[-1].triple == triple, triple
        assert "chain" in why.rules_used, triple


def test_the_radiculopathy_of_each_root_presents_with_that_roots_deficits(store) -> None:  # noqa: ANN001
    """The root's deficit signs (axioms) and its radiculopathy's findings (sourced associations)
    say the same thing."""
    for root in ROOT_DEFICITS:
        result = store.query(
            "PREFIX lbp: <https://w3id.org/lbp-kg/> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> "
            f"SELECT ?finding WHERE {{ lbp:{root}Radiculopathy lbp:mayPresentWith ?finding . "
            f"?ax owl:annotatedSource lbp:{root}Radiculopathy ; owl:annotatedProperty lbp:mayPresentWith ; "
            "owl:annotatedTarget ?finding ; dcterms:source ?src . }")
        findings = {row["finding"].value[len(str(LBP)):] for row in result.rows}
        assert expected_deficits(root) <= findings, (root, expected_deficits(root) - findings)


def test_the_sciatic_and_femoral_nerves_receive_fibres_from_their_roots(store) -> None:  # noqa: ANN001
    """Moore, Clinically Oriented Anatomy, 8th edition, 2018: sciatic L4-S3, femoral L2-L4."""
    sciatic = {r for r in _entailed(store, "SciaticNerve", "receivesFibresFrom") if r[:2] in
               {"L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3"}}
    femoral = {r for r in _entailed(store, "FemoralNerve", "receivesFibresFrom") if r[:2] in
               {"L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3"}}
    assert sciatic == {"L4NerveRoot", "L5NerveRoot", "S1NerveRoot", "S2NerveRoot", "S3NerveRoot"}
    assert femoral == {"L2NerveRoot", "L3NerveRoot", "L4NerveRoot"}


def test_the_root_of_lesion_query_agrees_with_the_table(store) -> None:  # noqa: ANN001
    rendered = render(get_query("anatomy/root-of-lesion"))
    rows = store.query(rendered.sparql, bindings=rendered.bindings).rows
    got: dict[str, tuple[set[str], set[str]]] = {}
    for row in rows:
        name = row["lesion"].value[len(str(LBP)):]
        roots, deficits = got.setdefault(name, (set(), set()))
        roots.add(row["root"].value[len(str(LBP)):])
        if "deficit" in row:
            deficits.add(row["deficit"].value[len(str(LBP)):])
    for herniation, root in cases():
        assert got.get(herniation) == ({f"{root}NerveRoot"}, expected_deficits(root)), herniation
