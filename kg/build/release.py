"""Write the release files (into the temporary folder kg.atomic gives the build) and the manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rdflib import Graph

from kg.build.rdfxml import serialize_owl_xml
from kg.errors import BuildError
from kg.release_files import ASSERTED_FILES, BY_NAME, CONTEXT, INFERRED_FILES, MANIFEST, RELEASE_FILES


def write_graphs(folder: Path, asserted: Graph, inferred: Graph, context: dict[str, str]) -> None:
    """Serialise the asserted graph in every release format and the relation graph beside it."""
    try:
        for name in ASSERTED_FILES:
            fmt = BY_NAME[name].rdflib_format
            if fmt == "xml":
                serialize_owl_xml(asserted, folder / name, context)  # OWL API layout, every prefix used
            elif fmt == "json-ld":
                asserted.serialize(folder / name, format=fmt, context=context, indent=1)
            else:
                asserted.serialize(folder / name, format=fmt, encoding="utf-8")
        for name in INFERRED_FILES:
            inferred.serialize(folder / name, format=BY_NAME[name].rdflib_format, encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"cannot write release files: {exc}") from None
    (folder / CONTEXT).write_text(
        json.dumps({"@context": context}, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def write_manifest(folder: Path, info: dict[str, object]) -> None:
    """manifest.json: version, counts, a SHA-256 per file (so downloads can be checked), and what
    each file is, from kg.release_files. A file the table does not know is a bug: the build fails."""
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)
    unknown = [name for name in present if name not in BY_NAME]
    if unknown:
        raise BuildError(f"release files missing from kg.release_files: {', '.join(unknown)}")
    files = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in present}
    contents = [
        {"name": f.name, "media_type": f.media_type, "description": f.description}
        | ({"graph": f.graph} if f.graph else {})
        for f in RELEASE_FILES
        if f.name in files or f.name == MANIFEST
    ]
    payload = dict(info, files=files, contents=contents)
    (folder / MANIFEST).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
