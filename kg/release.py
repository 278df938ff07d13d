"""Write release files atomically: everything goes to a temporary sibling folder first, and the
previous good release is swapped out only once the new one is complete."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph

from kg.errors import BuildError
from kg.rdfxml import serialize_owl_xml

# Release file name -> rdflib serialisation format.
GRAPH_FORMATS: dict[str, str] = {
    "lbp-kg.owl": "xml",
    "lbp-kg.ttl": "turtle",
    "lbp-kg.nt": "nt",
    "lbp-kg.jsonld": "json-ld",
}
INFERRED_FORMATS: dict[str, str] = {
    "lbp-kg-inferred.ttl": "turtle",
    "lbp-kg-inferred.nt": "nt",
}


def recover(final: Path) -> None:
    """Put back a previous release if a swap was interrupted between its two renames."""
    old = final.with_name(final.name + ".old")
    if old.exists() and not final.exists():
        os.replace(old, final)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)


def atomic_dir(final: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a fresh temporary folder, then swap it in place of `final`.

    If write raises, the temporary folder is removed and `final` is untouched.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    recover(final)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        write(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = final.with_name(final.name + ".old")
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def write_graphs(folder: Path, asserted: Graph, inferred: Graph, context: dict[str, str]) -> None:
    """Serialise the asserted graph in every release format and the relation graph beside it."""
    try:
        for name, fmt in GRAPH_FORMATS.items():
            if fmt == "xml":
                serialize_owl_xml(asserted, folder / name, context)  # OWL API layout, every prefix used
            elif fmt == "json-ld":
                asserted.serialize(folder / name, format=fmt, context=context, indent=1)
            else:
                asserted.serialize(folder / name, format=fmt, encoding="utf-8")
        for name, fmt in INFERRED_FORMATS.items():
            inferred.serialize(folder / name, format=fmt, encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"cannot write release files: {exc}") from None
    (folder / "context.jsonld").write_text(
        json.dumps({"@context": context}, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def write_manifest(folder: Path, info: dict[str, object]) -> None:
    """manifest.json: version, counts and a SHA-256 per file, so downloads can be checked."""
    files = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "manifest.json"
    }
    payload = dict(info, files=files)
    (folder / "manifest.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
