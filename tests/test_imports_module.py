"""The curated parents of external terms (ontology/mappings/external-parents.tsv) and the imports
module they place in the release: each mapped term under one direct parent from its own ontology."""

from __future__ import annotations

import csv

import simple_icd_10_cm as icd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.build.imports import IMPORTS_FILE, PARENTS_COLUMNS, load_parents
from kg.build.mappings import load_mappings, load_prefixes
from kg.build.pipeline import BuildResult
from tests.conftest import ONTOLOGY

MAPPINGS = ONTOLOGY / "mappings"
PARENTS = MAPPINGS / "external-parents.tsv"


def rows() -> list[dict[str, str]]:
    with PARENTS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        assert tuple(reader.fieldnames or ()) == PARENTS_COLUMNS
        return list(reader)


def test_the_parents_table_has_rows_and_no_duplicate_ids() -> None:
    ids = [row["id"] for row in rows()]
    assert len(ids) > 100
    assert len(ids) == len(set(ids))
    assert len(load_parents(PARENTS)) == len(ids)


def test_every_row_is_a_mapped_term_with_a_known_parent_and_a_source() -> None:
    table = load_mappings(MAPPINGS / "lbp-kg.sssom.tsv")
    labels = {m.object_id: m.object_label for m in table.mappings}
    prefixes = set(load_prefixes(MAPPINGS / "prefixes.yaml").prefix_map)
    problems = []
    parent_labels: dict[str, str] = {}
    for row in rows():
        if row["id"] not in labels:
            problems.append((row["id"], "not an object of the SSSOM table"))
        elif row["label"] != labels[row["id"]]:
            problems.append((row["id"], f"label {row['label']!r} is not the SSSOM label {labels[row['id']]!r}"))
        parent = row["parent_id"].strip()
        if not parent or ":" not in parent or parent.split(":", 1)[0] not in prefixes:
            problems.append((row["id"], f"parent {parent!r} has no prefix from prefixes.yaml"))
        if parent == row["id"]:
            problems.append((row["id"], "is its own parent"))
        if not row["parent_label"].strip() or "obsolete" in row["parent_label"].lower():
            problems.append((row["id"], f"parent label {row['parent_label']!r}"))
        if not row["verified_in"].strip():
            problems.append((row["id"], "no verified_in"))
        if parent in labels and row["parent_label"] != labels[parent]:
            problems.append((row["id"], f"parent label {row['parent_label']!r} differs from the SSSOM label"))
        if parent_labels.setdefault(parent, row["parent_label"]) != row["parent_label"]:
            problems.append((row["id"], f"parent {parent} labelled two ways"))
    assert problems == []


def test_icd10cm_parents_agree_with_the_code_tables() -> None:
    icd_rows = [row for row in rows() if row["id"].startswith("ICD10CM:")]
    assert icd_rows
    for row in icd_rows:
        code = row["id"].split(":", 1)[1]
        parent = icd.get_parent(code)
        assert row["parent_id"] == f"ICD10CM:{parent}", row["id"]
        assert row["parent_label"] == icd.get_description(parent), row["id"]


def test_the_release_imports_module_places_each_term_under_its_parent(release: BuildResult) -> None:
    imports = Graph().parse(release.release_dir / IMPORTS_FILE, format="xml")
    table = load_mappings(MAPPINGS / "lbp-kg.sssom.tsv")
    missing = []
    for row in rows():
        term, parent = URIRef(table.expand(row["id"])), URIRef(table.expand(row["parent_id"]))
        if (term, RDFS.subClassOf, parent) not in imports:
            missing.append((row["id"], "no subClassOf"))
        label = Literal(row["parent_label"])
        if (parent, RDF.type, OWL.Class) not in imports or (parent, RDFS.label, label) not in imports:
            missing.append((row["parent_id"], "parent not declared and labelled"))
    assert missing == []
