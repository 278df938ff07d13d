"""Regenerate ontology/mappings/external-parents.tsv: the direct parent of each external term that
lbp-kg.sssom.tsv maps to, read from the term's own ontology file (the imports module places each
mapped term under it).

    python scripts/external_parents.py --obo uberon_import.obo="UBERON release 2021-08-03" \
        --obo maxo.obo="MAxO release 2024-07-29" --icd10cm

Each --obo file is read with pronto; --icd10cm reads the ICD-10-CM tables of simple-icd-10-cm.
A mapped term found in a file given gets its row rewritten (its current parent kept when still a
direct parent, else the first by identifier); rows of terms in files not given are kept as they
are, so the table can be refreshed one ontology at a time. An obsolete or missing term is reported
and its row dropped, so the build stops placing it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TABLE = REPO / "ontology" / "mappings" / "external-parents.tsv"
SSSOM = REPO / "ontology" / "mappings" / "lbp-kg.sssom.tsv"
COLUMNS = ("id", "label", "parent_id", "parent_label", "verified_in")


def read_table(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = [line for line in lines if line.startswith("#")]
    rows = csv.DictReader((line for line in lines if not line.startswith("#")), delimiter="\t")
    return header, {row["id"]: row for row in rows}


def mapped_ids(path: Path) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return sorted({row["object_id"] for row in csv.DictReader(lines, delimiter="\t")})


def from_obo(path: Path, note: str, wanted: list[str], old: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    import pronto

    ontology = pronto.Ontology(str(path))
    found: dict[str, dict[str, str]] = {}
    for curie in wanted:
        if curie not in ontology:
            continue
        term = ontology[curie]
        if term.obsolete:
            print(f"{curie}: obsolete in {path.name}; row dropped", file=sys.stderr)
            found[curie] = {}
            continue
        parents = sorted(t.id for t in term.superclasses(distance=1, with_self=False))
        if not parents:
            continue
        keep = old.get(curie, {}).get("parent_id")
        parent = keep if keep in parents else parents[0]
        found[curie] = {"id": curie, "label": term.name or "", "parent_id": parent,
                        "parent_label": ontology[parent].name or "", "verified_in": f"{path.name} ({note})"}
    return found


def from_icd10cm(wanted: list[str]) -> dict[str, dict[str, str]]:
    from importlib.metadata import version

    import simple_icd_10_cm as icd

    source = f"simple-icd-10-cm {version('simple-icd-10-cm')} (PyPI; ICD-10-CM code tables), get_parent/get_description"
    found: dict[str, dict[str, str]] = {}
    for curie in wanted:
        prefix, _, code = curie.partition(":")
        if prefix != "ICD10CM" or not icd.is_valid_item(code):
            continue
        parent = icd.get_parent(code)
        if parent:
            found[curie] = {"id": curie, "label": icd.get_description(code), "parent_id": f"ICD10CM:{parent}",
                            "parent_label": icd.get_description(parent),
                            "verified_in": source}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--obo", action="append", default=[], metavar="FILE=RELEASE NOTE",
                        help="An OBO file of an ontology the mappings use, with the release it is (repeatable).")
    parser.add_argument("--icd10cm", action="store_true", help="Read ICD-10-CM parents from simple-icd-10-cm.")
    parser.add_argument("--out", type=Path, default=TABLE)
    args = parser.parse_args(argv)
    header, rows = read_table(args.out)
    wanted = mapped_ids(SSSOM)
    for spec in args.obo:
        file, _, note = spec.partition("=")
        rows.update(from_obo(Path(file), note or "release not stated", wanted, rows))
    if args.icd10cm:
        rows.update(from_icd10cm(wanted))
    rows = {curie: row for curie, row in rows.items() if row and curie in wanted}
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(header)
        writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for curie in sorted(rows):
            writer.writerow({c: rows[curie].get(c, "") for c in COLUMNS})
    tmp.replace(args.out)
    print(f"{len(rows)} rows written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
