"""Levels, roots and deficits, derived and explained, checked against the textbook.

For each lumbar disc level L1-L2 to L5-S1 and each zone of the level (central, subarticular,
foraminal, extraforaminal), the relation graph must derive, from where a herniation lies, the nerve
structure it is positioned to compress (located in o transmits) and the deficits to look for
(positioned to compress o has deficit sign), and every derived edge must have an explanation. The
dermatomes, myotomes and key muscles of L2 to S1 must receive fibres from the right roots.

The tables below are written from the sources, not from the ontology:

- Zones: Fardon DF et al., Lumbar disc nomenclature: version 2.0 (NASS/ASSR/ASNR), 2014: central
  (between the medial edges of the facets), subarticular (medial edge of the facet to the medial
  edge of the pedicle), foraminal (between the medial and lateral edges of the pedicles) and
  extraforaminal or far lateral (beyond the lateral edge of the pedicles).
- Exiting and traversing roots: Bogduk N, Clinical and Radiological Anatomy of the Lumbar Spine,
  5th edition, 2012 (the root numbered after the vertebra above leaves through the foramen of a
  level and runs on through its extraforaminal zone; the next root crosses the disc in the
  subarticular zone). The central zone holds the thecal sac with the cauda equina (Moore,
  Clinically Oriented Anatomy, 8th edition, 2018; Bogduk 2012); at L1-L2 the adult cord ends, at
  about L1-L2 but between T12 and L3 in different people (Moore 2018), so only the thecal sac is
  expected there.
- Key muscles (movements) and key sensory points: American Spinal Injury Association, International
  Standards for Neurological Classification of Spinal Cord Injury (ISNCSCI), revised 2019: L2 hip
  flexors and mid-anterior thigh; L3 knee extensors and medial femoral condyle; L4 ankle
  dorsiflexors and medial malleolus; L5 long toe extensors and dorsum of the foot at the third
  metatarsophalangeal joint; S1 ankle plantar flexors and lateral heel. Knee extension for L4 and
  ankle dorsiflexion for L5 are second movements that ISNCSCI does not assign to those roots: the
  quadriceps is supplied from L2-L4 and tibialis anterior from L4-L5 (Moore 2018, Hoppenfeld 1977).
- Other movements examined for a root: Hoppenfeld S, Orthopaedic Neurology: A Diagnostic Guide to
  Neurologic Levels, 1977: hip abduction (gluteus medius, superior gluteal nerve) for L5; foot
  eversion (peroneus longus and brevis, superficial peroneal nerve) for S1.
- Reflexes: Hoppenfeld 1977: the knee reflex carried by L2-L4, predominantly L4, and examined for
  L3 and L4 (it does not tell them apart), the ankle reflex S1; no tendon reflex reliably tests L2
  or L5, so those roots have no reflex in the table.
- Cauda equina: Lavy C et al., Cauda equina syndrome, BMJ 2009; Fraser S et al., Cauda equina
  syndrome: a literature review of its definition and clinical presentation, 2009: reduced saddle
  (perianal) sensation, urinary retention and loss of bowel control.
- Root values of the muscles: Moore 2018, Standring, Gray's Anatomy, 42nd edition, 2020, and
  Hoppenfeld 1977; only the segments these texts agree on are in the table (iliopsoas L2-L3, whose
  supply is given variously from T12 to L4; gluteus medius L5; the fibular muscles S1; extensor
  hallucis longus L5), so each muscle may receive fibres from more roots than are listed.
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

#: root -> weakness of the other movements examined for it (Hoppenfeld 1977)
OTHER_MOVEMENTS: dict[str, set[str]] = {
    "L5": {"WeakHipAbduction"},
    "S1": {"WeakFootEversion"},
}

#: the deficit signs of the cauda equina (Lavy 2009, Fraser 2009)
CAUDA_EQUINA_DEFICITS = {"SaddleAnaesthesia", "UrinaryRetention", "BowelIncontinence"}

CURATED_DEFICITS = ({d for moves, sense, reflex in ROOT_DEFICITS.values()
                     for d in moves | {sense} | ({reflex} if reflex else set())}
                    | {d for moves in OTHER_MOVEMENTS.values() for d in moves} | CAUDA_EQUINA_DEFICITS)

#: the nerve structures a herniation is checked against: the roots L1 to S1, the cauda equina, the
#: thecal sac and the conus medullaris (superclasses such as lumbosacral nerve root are left out)
STRUCTURES = {f"{r}NerveRoot" for r in ("L1", "L2", "L3", "L4", "L5", "S1")} | {
    "CaudaEquina", "ThecalSac", "ConusMedullaris"}

#: root -> its dermatome (ISNCSCI key sensory point in the definition) and myotome
DERMATOMES = {root: f"{root}Dermatome" for root in ROOT_DEFICITS}
MYOTOMES = {root: f"{root}Myotome" for root in ROOT_DEFICITS}

#: root -> ISNCSCI key muscles, and the muscles of the other movements (Hoppenfeld 1977)
KEY_MUSCLES: dict[str, set[str]] = {
    "L2": {"Iliopsoas"},
    "L3": {"QuadricepsFemoris"},
    "L4": {"TibialisAnterior"},
    "L5": {"ExtensorHallucisLongus"},
    "S1": {"Gastrocnemius", "Soleus"},
}
OTHER_MUSCLES: dict[str, set[str]] = {
    "L5": {"GluteusMedius"},
    "S1": {"FibularisLongus", "FibularisBrevis"},
}

#: muscle -> the roots it receives fibres from, as far as the texts agree (Moore 2018, Standring 2020)
MUSCLE_ROOTS: dict[str, set[str]] = {
    "Iliopsoas": {"L2", "L3"},
    "QuadricepsFemoris": {"L2", "L3", "L4"},
    "TibialisAnterior": {"L4", "L5"},
    "ExtensorHallucisLongus": {"L5"},
    "GluteusMedius": {"L5"},
    "Gastrocnemius": {"S1", "S2"},
    "Soleus": {"S1", "S2"},
    "FibularisLongus": {"S1"},
    "FibularisBrevis": {"S1"},
}

ALL_ROOTS = ("L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3")


def expected_deficits(root: str) -> set[str]:
    """Every deficit sign of a root: ISNCSCI key movements, sensory point and reflex, and the other
    movements examined for it."""
    if root not in ROOT_DEFICITS:  # L1: outside the table
        return set()
    return isncsci_deficits(root) | OTHER_MOVEMENTS.get(root, set())


def isncsci_deficits(root: str) -> set[str]:
    """The root's key movements, key sensory point and reflex."""
    if root not in ROOT_DEFICITS:
        return set()
    moves, sense, reflex = ROOT_DEFICITS[root]
    return moves | {sense} | ({reflex} if reflex else set())


def cases() -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """(herniation, the nerve structures it can compress, the deficits to look for) for each level
    and zone."""
    out = []
    for level, (exiting, traversing) in LEVELS.items():
        out.append((f"{level}SubarticularDiscHerniation", frozenset({f"{traversing}NerveRoot"}),
                    frozenset(expected_deficits(traversing))))
        for zone in ("Foraminal", "Extraforaminal"):
            out.append((f"{level}{zone}DiscHerniation", frozenset({f"{exiting}NerveRoot"}),
                        frozenset(expected_deficits(exiting))))
        if level == "L1L2":
            out.append((f"{level}CentralDiscHerniation", frozenset({"ThecalSac"}), frozenset()))
        else:
            out.append((f"{level}CentralDiscHerniation", frozenset({"ThecalSac", "CaudaEquina"}),
                        frozenset(CAUDA_EQUINA_DEFICITS)))
    return out


def root_cases() -> list[tuple[str, str]]:
    """(herniation, the one root it can compress) for the zones that meet a single root."""
    return [(h, next(iter(s))) for h, s, _ in cases() if len(s) == 1 and next(iter(s)).endswith("NerveRoot")]


CASE_IDS = [c[0] for c in cases()]


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


def _roots(names: set[str]) -> set[str]:
    return {n[:-len("NerveRoot")] for n in names if n.endswith("NerveRoot") and n[:-len("NerveRoot")] in ALL_ROOTS}


def test_every_level_has_a_herniation_class_in_each_zone() -> None:
    assert len(cases()) == 20
    assert {h for h, _, _ in cases()} == {f"{level}{zone}DiscHerniation" for level in LEVELS
                                         for zone in ("Central", "Subarticular", "Foraminal", "Extraforaminal")}


@pytest.mark.parametrize(("herniation", "structures", "deficits"), cases(), ids=CASE_IDS)
def test_what_each_herniation_can_compress_and_its_deficits_are_derived_as_the_textbook_says(
        store, herniation: str, structures: frozenset[str], deficits: frozenset[str]) -> None:  # noqa: ANN001
    compressed = _entailed(store, herniation, "positionedToCompress") & STRUCTURES
    assert compressed == structures, (herniation, compressed)
    derived = _entailed(store, herniation, "mayProduceDeficit") & CURATED_DEFICITS
    assert derived == deficits, (herniation, derived)


def test_far_lateral_and_posterolateral_herniations_of_one_disc_meet_different_roots(store) -> None:  # noqa: ANN001
    """The textbook example: at L4-L5 a far-lateral herniation meets the exiting L4 root (weak knee
    extension, reduced knee reflex), a posterolateral one the traversing L5 root."""
    far = _entailed(store, "L4L5ExtraforaminalDiscHerniation", "positionedToCompress")
    assert "L4NerveRoot" in far and "L5NerveRoot" not in far
    far_deficits = _entailed(store, "L4L5ExtraforaminalDiscHerniation", "mayProduceDeficit")
    assert {"WeakKneeExtension", "ReducedKneeReflex", "MedialLegSensoryLoss"} <= far_deficits
    assert not {"WeakGreatToeExtension", "WeakHipAbduction", "DorsumOfFootSensoryLoss"} & far_deficits
    posterolateral = _entailed(store, "L4L5SubarticularDiscHerniation", "positionedToCompress")
    assert "L5NerveRoot" in posterolateral and "L4NerveRoot" not in posterolateral
    pl_deficits = _entailed(store, "L4L5SubarticularDiscHerniation", "mayProduceDeficit")
    assert {"WeakGreatToeExtension", "WeakHipAbduction", "DorsumOfFootSensoryLoss"} <= pl_deficits
    assert not {"ReducedKneeReflex", "MedialLegSensoryLoss"} & pl_deficits


@pytest.mark.parametrize(("herniation", "structures", "deficits"), cases(), ids=CASE_IDS)
def test_each_derived_structure_and_deficit_is_explained(
        store, herniation: str, structures: frozenset[str], deficits: frozenset[str]) -> None:  # noqa: ANN001
    found = derivations(store)
    triples = [(_lbp(herniation), _lbp("positionedToCompress"), _lbp(s)) for s in sorted(structures)]
    triples += [(_lbp(herniation), _lbp("mayProduceDeficit"), _lbp(d)) for d in sorted(deficits)]
    assert triples
    for triple in triples:
        assert triple not in found.stated, triple  # derived, never written by hand
        why = explain(store, triple)
        assert why is not None and not why.stated and not why.cut, triple
        assert why.sentences and all(s.text for s in why.sentences), triple
        assert why.sentences[-1].triple == triple, triple
        assert "chain" in why.rules_used, triple


def test_the_radiculopathy_of_each_root_presents_with_that_roots_deficits(store) -> None:  # noqa: ANN001
    """The root's deficit signs (axioms: ISNCSCI key movement, sensory point and reflex, and the
    other movements examined for it, hip abduction for L5 and foot eversion for S1) and its
    radiculopathy's findings (sourced associations) say the same thing."""
    for root in ROOT_DEFICITS:
        result = store.query(
            "PREFIX lbp: <https://w3id.org/lbp-kg/> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> "
            f"SELECT ?finding WHERE {{ lbp:{root}Radiculopathy lbp:mayPresentWith ?finding . "
            f"?ax owl:annotatedSource lbp:{root}Radiculopathy ; owl:annotatedProperty lbp:mayPresentWith ; "
            "owl:annotatedTarget ?finding ; dcterms:source ?src . }")
        findings = {row["finding"].value[len(str(LBP)):] for row in result.rows}
        assert expected_deficits(root) <= findings, (root, expected_deficits(root) - findings)


@pytest.mark.parametrize("root", sorted(ROOT_DEFICITS))
def test_each_root_has_exactly_the_deficit_signs_of_the_table(store, root: str) -> None:  # noqa: ANN001
    signs = _entailed(store, f"{root}NerveRoot", "hasDeficitSign") & CURATED_DEFICITS
    assert signs == expected_deficits(root), (root, signs)


def test_the_cauda_equina_has_the_deficit_signs_of_cauda_equina_syndrome(store) -> None:  # noqa: ANN001
    assert _entailed(store, "CaudaEquina", "hasDeficitSign") & CURATED_DEFICITS == CAUDA_EQUINA_DEFICITS


def test_the_sciatic_and_femoral_nerves_receive_fibres_from_their_roots(store) -> None:  # noqa: ANN001
    """Moore, Clinically Oriented Anatomy, 8th edition, 2018: sciatic L4-S3, femoral L2-L4."""
    sciatic = _roots(_entailed(store, "SciaticNerve", "receivesFibresFrom"))
    femoral = _roots(_entailed(store, "FemoralNerve", "receivesFibresFrom"))
    assert sciatic == {"L4", "L5", "S1", "S2", "S3"}
    assert femoral == {"L2", "L3", "L4"}


@pytest.mark.parametrize("root", sorted(ROOT_DEFICITS))
def test_each_dermatome_and_myotome_receives_fibres_from_its_root(store, root: str) -> None:  # noqa: ANN001
    assert _roots(_entailed(store, DERMATOMES[root], "receivesFibresFrom")) == {root}
    assert _roots(_entailed(store, MYOTOMES[root], "receivesFibresFrom")) == {root}
    rows = store.query(
        "PREFIX lbp: <https://w3id.org/lbp-kg/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f"ASK {{ lbp:{DERMATOMES[root]} rdfs:subClassOf lbp:Dermatome . "
        f"lbp:{MYOTOMES[root]} rdfs:subClassOf lbp:Myotome . }}")
    assert rows.boolean


@pytest.mark.parametrize("root", sorted(ROOT_DEFICITS))
def test_each_key_sensory_point_finding_lies_in_its_roots_dermatome(store, root: str) -> None:  # noqa: ANN001
    """The sensory-loss deficit sign of each root is located in that root's dermatome, and in no
    other root's."""
    _, sense, _ = ROOT_DEFICITS[root]
    located = _entailed(store, sense, "locatedIn")
    assert DERMATOMES[root] in located, (sense, located)
    assert not (located & set(DERMATOMES.values())) - {DERMATOMES[root]}, (sense, located)


@pytest.mark.parametrize("root", sorted(ROOT_DEFICITS))
def test_each_key_muscle_receives_fibres_from_its_root(store, root: str) -> None:  # noqa: ANN001
    for muscle in KEY_MUSCLES[root] | OTHER_MUSCLES.get(root, set()):
        roots = _roots(_entailed(store, muscle, "receivesFibresFrom"))
        assert root in roots, (muscle, roots)
        assert roots == MUSCLE_ROOTS[muscle], (muscle, roots)


def test_the_psoas_major_is_part_of_the_iliopsoas(store) -> None:  # noqa: ANN001
    assert "Iliopsoas" in _entailed(store, "PsoasMajor", "partOf")


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
    for herniation, structures, deficits in cases():
        listed = set(structures) - {"ThecalSac"}  # the query lists roots and the cauda equina
        if listed:
            assert got.get(herniation) == (listed, set(deficits)), herniation
        else:
            assert herniation not in got, herniation
