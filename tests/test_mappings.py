"""The cross-ontology mappings (ontology/mappings/lbp-kg.sssom.tsv) and kg/build/mappings.py.

These tests read only the repository: the mapping table, the prefix map, the term files and
lbp-core.ttl. ICD-10-CM codes are checked against the code tables of the simple-icd-10-cm package.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.build.mappings import (
    ALLOWED_PREDICATES,
    AXIOM_SLOTS,
    SSSOM,
    MappingTable,
    load_mappings,
    load_prefixes,
    mapped_subjects,
    mapping_graph,
    write_release,
    write_sssom_release,
)
from kg.errors import SourceError
from kg.namespaces import LBP, OIO

REPO = Path(__file__).resolve().parent.parent
MAPPINGS = REPO / "ontology" / "mappings" / "lbp-kg.sssom.tsv"
PREFIXES = REPO / "ontology" / "mappings" / "prefixes.yaml"
TERMS = REPO / "ontology" / "terms"
CORE = REPO / "ontology" / "lbp-core.ttl"

COVERAGE_GOAL = 0.90

#: The leaflet's core concepts, and the target ontologies each must be mapped to (every ontology
#: in which a counterpart was found and verified).
CORE_CONCEPTS: dict[str, set[str]] = {
    "DiscHerniation": {"MESH", "HP", "ICD10CM"},
    "SpinalStenosis": {"MONDO", "DOID", "HP", "ICD10CM", "MESH", "NCIT", "SNOMEDCT"},
    "DegenerativeDiscDisease": {"MONDO", "DOID", "HP", "ICD10CM", "MESH", "NCIT", "SNOMEDCT"},
    "Sciatica": {"MONDO", "HP", "ICD10CM", "MESH", "SNOMEDCT"},
    "MuscleStrain": {"MESH"},
    "EpiduralSteroidInjection": {"MESH", "MAXO"},
    "FacetJointInjection": {"MESH"},
    "RadiofrequencyAblation": {"MESH", "MAXO"},
    "PercutaneousLaserDiscDecompression": {"MESH", "MAXO", "NCIT"},
    "EndoscopicSpineProcedure": {"MESH", "MAXO", "NCIT"},
    "SpinalFusion": {"MESH"},
    "PercutaneousSpinalFusion": {"MESH"},
    "Kyphoplasty": {"MESH", "MAXO"},
    "SpinalCordStimulation": {"MESH", "MAXO"},
    "LowBackPain": {"HP", "MESH", "ICD10CM"},
    "IntervertebralDisc": {"UBERON", "FMA", "NCIT", "SNOMEDCT", "MESH"},
    "FacetJoint": {"UBERON", "FMA", "NCIT", "SNOMEDCT", "MESH"},
    "EpiduralSpace": {"UBERON", "FMA", "NCIT", "SNOMEDCT", "MESH"},
    "VertebralBody": {"UBERON", "FMA", "NCIT", "SNOMEDCT"},
    "SciaticNerve": {"UBERON", "FMA", "NCIT", "SNOMEDCT", "MESH"},
}

#: Near misses that must never be mapped to these classes.
NEAR_MISSES: list[tuple[str, str, str]] = [
    ("Sciatica", "MONDO:0006960", "sciatic neuropathy is a nerve lesion, not the symptom complex"),
    ("Sciatica", "MONDO:0001543", "lesion of sciatic nerve"),
    ("Sciatica", "ICD10CM:G57.0", "lesion of sciatic nerve"),
    ("AnnulusFibrosus", "UBERON:0006444", "generic fibrous ring, not the disc's annulus"),
    ("Sacrum", "UBERON:0005473", "sacral region, not the bone"),
    ("Sacrum", "UBERON:0006075", "sacral region of vertebral column, not the bone"),
    ("HeightLoss", "HP:0004322", "short stature is not loss of height"),
]


@pytest.fixture(scope="module")
def table() -> MappingTable:
    return load_mappings(MAPPINGS, PREFIXES)


@pytest.fixture(scope="module")
def yaml_classes() -> dict[str, str]:
    """Every class defined in ontology/terms/*.yaml: id -> label."""
    classes: dict[str, str] = {}
    for path in sorted(TERMS.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            classes[item["id"]] = item["label"]
    return classes


@pytest.fixture(scope="module")
def core_entities() -> dict[str, str]:
    """Classes and properties of lbp-core.ttl: local name -> label."""
    graph = Graph().parse(CORE)
    entities: dict[str, str] = {}
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.AnnotationProperty):
        for node in graph.subjects(RDF.type, kind):
            if isinstance(node, URIRef) and str(node).startswith(str(LBP)):
                label = graph.value(node, RDFS.label)
                if label is not None:
                    entities[str(node)[len(str(LBP)) :]] = str(label)
    return entities


@pytest.fixture(scope="module")
def by_subject(table: MappingTable) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for row in table.mappings:
        grouped[row.subject_id.split(":", 1)[1]].append(row)
    return grouped


def test_table_parses_and_validates_with_sssom_py() -> None:
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(MAPPINGS)
    assert len(msdf.df) > 0
    reports = validate(
        msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness], fail_on_error=False
    )
    for kind, report in reports.items():
        assert not report.results, f"{kind}: {report.results}"
    assert msdf.metadata["mapping_set_id"] == "https://w3id.org/lbp-kg/mappings/lbp-kg.sssom.tsv"
    assert msdf.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    for key in ("mapping_set_title", "mapping_set_version", "publication_date"):
        assert msdf.metadata.get(key), key


def test_metadata_block_has_the_mapping_date(table: MappingTable) -> None:
    # sssom-py keeps publication_date but drops a set-level mapping_date, so read the block directly
    assert str(table.metadata["mapping_date"]) == str(table.metadata["publication_date"])


def test_metadata_curie_map_is_the_curated_prefix_map(table: MappingTable) -> None:
    curated = yaml.safe_load(PREFIXES.read_text(encoding="utf-8"))
    used = {"lbp", "skos", "semapv"} | {row.object_prefix for row in table.mappings}
    assert used <= set(table.metadata["curie_map"])
    for prefix, uri_prefix in table.metadata["curie_map"].items():
        assert curated[prefix] == uri_prefix


def test_every_row_is_complete(table: MappingTable) -> None:
    curated = set(yaml.safe_load(PREFIXES.read_text(encoding="utf-8")))
    for row in table.mappings:
        where = f"line {row.line} ({row.subject_id} -> {row.object_id})"
        assert row.predicate_id in ALLOWED_PREDICATES, where
        assert row.mapping_justification == "semapv:ManualMappingCuration", where
        assert row.comment.startswith("verified:") and len(row.comment) > 40, where
        assert row.object_source_version, where
        assert row.subject_id.startswith("lbp:"), where
        assert row.object_prefix in curated, where


def test_every_curie_expands_to_a_url(table: MappingTable) -> None:
    converter = load_prefixes(PREFIXES)
    for row in table.mappings:
        for curie in (row.subject_id, row.predicate_id, row.object_id, row.mapping_justification):
            iri = converter.expand(curie)
            assert iri is not None and iri.startswith(("http://", "https://")), f"line {row.line}: {curie}"


def test_no_duplicate_or_contradictory_rows(table: MappingTable) -> None:
    pairs: dict[tuple[str, str], str] = {}
    for row in table.mappings:
        key = (row.subject_id, row.object_id)
        assert key not in pairs, f"line {row.line}: {key} mapped twice ({pairs.get(key)}, {row.predicate_id})"
        pairs[key] = row.predicate_id


def test_icd10cm_objects_are_valid_codes_with_their_official_description(table: MappingTable) -> None:
    import simple_icd_10_cm as icd

    rows = [row for row in table.mappings if row.object_prefix == "ICD10CM"]
    assert rows
    for row in rows:
        code = row.object_id.split(":", 1)[1]
        assert icd.is_valid_item(code), f"line {row.line}: {code} is not an ICD-10-CM code"
        assert row.object_label == icd.get_description(code), f"line {row.line}: label of {code}"


def test_subjects_are_defined_with_the_same_label(
    table: MappingTable, yaml_classes: dict[str, str], core_entities: dict[str, str]
) -> None:
    for row in table.mappings:
        local = row.subject_id.split(":", 1)[1]
        label = yaml_classes.get(local, core_entities.get(local))
        assert label is not None, f"line {row.line}: {row.subject_id} is not defined in ontology/terms or lbp-core.ttl"
        assert row.subject_label == label, f"line {row.line}: {row.subject_id} is labelled {label!r}"


def test_coverage_of_the_term_files(table: MappingTable, yaml_classes: dict[str, str]) -> None:
    mapped = mapped_subjects(table.mappings) & set(yaml_classes)
    coverage = len(mapped) / len(yaml_classes)
    unmapped = sorted(set(yaml_classes) - mapped)
    assert coverage >= COVERAGE_GOAL, f"{coverage:.1%} mapped; unmapped: {unmapped}"


@pytest.mark.parametrize("concept", sorted(CORE_CONCEPTS))
def test_core_seed_concepts_are_mapped_in_every_ontology_that_has_them(concept: str, by_subject: dict) -> None:
    prefixes = {row.object_prefix for row in by_subject.get(concept, [])}
    missing = CORE_CONCEPTS[concept] - prefixes
    assert not missing, f"{concept} lacks mappings to {sorted(missing)}"


def test_core_anatomy_and_conditions_have_an_exact_or_close_match(by_subject: dict) -> None:
    for concept in ("IntervertebralDisc", "FacetJoint", "EpiduralSpace", "SciaticNerve", "VertebralBody"):
        assert any(r.object_prefix == "UBERON" and r.predicate_id == "skos:exactMatch" for r in by_subject[concept])
    for concept in ("SpinalStenosis", "DegenerativeDiscDisease", "Sciatica"):
        assert any(r.object_prefix == "MONDO" and r.predicate_id == "skos:exactMatch" for r in by_subject[concept])


@pytest.mark.parametrize(("concept", "wrong", "why"), NEAR_MISSES)
def test_near_misses_are_not_mapped(concept: str, wrong: str, why: str, by_subject: dict) -> None:
    assert wrong not in {row.object_id for row in by_subject.get(concept, [])}, why


def test_mapping_graph_has_skos_triples_and_xrefs(table: MappingTable) -> None:
    graph = mapping_graph(MAPPINGS, PREFIXES)
    disc = LBP.IntervertebralDisc
    uberon_disc = URIRef("http://purl.obolibrary.org/obo/UBERON_0001066")
    assert (disc, SKOS.exactMatch, uberon_disc) in graph
    assert (disc, OIO.hasDbXref, Literal("UBERON:0001066")) in graph
    assert len(set(graph.subject_objects(OIO.hasDbXref))) == len(table.mappings)
    skos = {SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch}
    axiom = {OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget, RDFS.comment, *AXIOM_SLOTS}
    assert {p for p in graph.predicates() if p not in (OIO.hasDbXref, RDF.type)} <= skos | axiom
    # each row's label, justification and verification comment ride on an axiom of its SKOS triple
    found = [a for a in graph.subjects(OWL.annotatedSource, disc)
             if (a, OWL.annotatedTarget, uberon_disc) in graph and (a, OWL.annotatedProperty, SKOS.exactMatch) in graph]
    assert len(found) == 1 and (found[0], RDF.type, OWL.Axiom) in graph
    assert graph.value(found[0], SSSOM.object_label) == Literal("intervertebral disk")
    assert "verified" in str(graph.value(found[0], RDFS.comment))
    for slot in AXIOM_SLOTS:
        assert (slot, RDF.type, OWL.AnnotationProperty) in graph
    # declared annotation properties, so the merged ontology stays in OWL 2 DL
    for predicate in skos | {OIO.hasDbXref}:
        assert (predicate, RDF.type, OWL.AnnotationProperty) in graph


def test_write_release_writes_sssom_tsv_and_json(tmp_path: Path, table: MappingTable) -> None:
    written = write_release(tmp_path / "release", MAPPINGS, PREFIXES)
    assert [p.name for p in written] == ["lbp-kg.sssom.tsv", "lbp-kg.sssom.json"]
    data = json.loads(written[1].read_text(encoding="utf-8"))
    assert len(data["mappings"]) == len(table.mappings)
    reread = load_mappings(written[0], PREFIXES)
    assert len(reread.mappings) == len(table.mappings)
    assert write_sssom_release(MAPPINGS, tmp_path / "build")[0].name == "lbp-kg.sssom.tsv"


def _bad_table(tmp_path: Path, rows: list[str]) -> Path:
    """A copy of the real table's metadata and header with the given rows, next to the prefix map."""
    folder = tmp_path / "mappings"
    folder.mkdir()
    shutil.copy(PREFIXES, folder / "prefixes.yaml")
    lines = MAPPINGS.read_text(encoding="utf-8").splitlines()
    head = [line for line in lines if line.startswith("#")]
    header = lines[len(head)]
    path = folder / "lbp-kg.sssom.tsv"
    path.write_text("\n".join([*head, header, *rows]) + "\n", encoding="utf-8")
    return path


GOOD = (
    "lbp:IntervertebralDisc\tintervertebral disc\tskos:exactMatch\tUBERON:0001066\tintervertebral disk\t"
    "semapv:ManualMappingCuration\tUBERON 2021-08-03\tverified: a test row"
)


def test_bad_rows_are_reported_with_file_and_line(tmp_path: Path) -> None:
    rows = [
        GOOD,
        GOOD.replace("UBERON:0001066", "FOO:0001066"),
        GOOD.replace("skos:exactMatch", "owl:sameAs"),
        GOOD.replace("verified: a test row", "").replace("UBERON:0001066", "UBERON:0007255"),
        GOOD,
    ]
    path = _bad_table(tmp_path, rows)
    first = len([line for line in path.read_text().splitlines() if line.startswith("#")]) + 2
    with pytest.raises(SourceError) as caught:
        load_mappings(path)
    message = str(caught.value)
    assert f"{path}:{first + 1}: [lbp:IntervertebralDisc] unknown prefix in 'FOO:0001066'" in message
    assert f"{path}:{first + 2}:" in message and "predicate 'owl:sameAs' is not one of" in message
    assert f"{path}:{first + 3}:" in message and "missing comment" in message
    assert f"{path}:{first + 4}:" in message and f"duplicate of the mapping on line {first}" in message
    assert len(caught.value.problems) == 4
    with pytest.raises(SourceError):
        mapping_graph(path)


def test_short_row_and_unknown_curie_map_prefix_are_reported(tmp_path: Path) -> None:
    path = _bad_table(tmp_path, ["lbp:IntervertebralDisc\tintervertebral disc\tskos:exactMatch"])
    text = path.read_text(encoding="utf-8").replace(
        "# curie_map:\n", "# curie_map:\n#   XYZ: http://example.org/xyz/\n"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_mappings(path)
    message = str(caught.value)
    assert "curie_map prefix 'XYZ' is not in prefixes.yaml" in message
    assert "tab-separated cells, found 3" in message


def test_subject_source_is_a_curie_of_the_curie_map(table: MappingTable) -> None:
    """SSSOM's subject_source is an EntityReference: a CURIE, here the ontology's own IRI."""
    assert table.metadata["subject_source"] == "lbp:lbp-kg.owl"
    assert table.expand(table.metadata["subject_source"]) == "https://w3id.org/lbp-kg/lbp-kg.owl"


def test_a_full_iri_as_subject_source_is_reported(tmp_path: Path) -> None:
    path = _bad_table(tmp_path, [GOOD])
    text = path.read_text(encoding="utf-8").replace(
        "# subject_source: lbp:lbp-kg.owl", "# subject_source: https://w3id.org/lbp-kg/lbp-kg.owl"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_mappings(path)
    (problem,) = caught.value.problems
    assert "subject_source 'https://w3id.org/lbp-kg/lbp-kg.owl' must be a CURIE" in str(problem)
