"""The small committed release the fast tests run on (tests/fixtures/) is still what the pipeline
builds from its committed sources, and its schema is still the ontology's: it cannot go stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.fixtures.make_release import FIXTURE_ONTOLOGY, FIXTURE_RELEASE, REAL_ONTOLOGY, make_release

RDF_FORMATS = {".nt": "nt", ".ttl": "turtle", ".owl": "xml", ".jsonld": "json-ld"}


def _graph(path: Path) -> Graph:
    return Graph().parse(path, format=RDF_FORMATS[path.suffix])


@pytest.mark.parametrize("name", ["lbp-core.ttl", "shapes.ttl", "mappings/prefixes.yaml"])
def test_the_fixture_has_the_ontologys_schema(name: str) -> None:
    """The core, the shapes and the prefix map are copies: a change there means regenerating."""
    hint = "run python -m tests.fixtures.make_release --derive"
    assert (FIXTURE_ONTOLOGY / name).read_bytes() == (REAL_ONTOLOGY / name).read_bytes(), f"{name} differs: {hint}"


@pytest.mark.reasoner
def test_the_committed_fixture_is_what_the_pipeline_builds(tmp_path: Path) -> None:
    fresh = make_release(FIXTURE_ONTOLOGY, tmp_path / "release")
    hint = "the committed fixture is stale: run python -m tests.fixtures.make_release"
    assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in FIXTURE_RELEASE.iterdir()), hint
    for path in sorted(fresh.iterdir()):
        committed = FIXTURE_RELEASE / path.name
        if path.suffix in RDF_FORMATS and path.name != "context.jsonld":
            # blank node labels differ from build to build: compare the graphs, not the bytes
            assert isomorphic(_graph(path), _graph(committed)), f"{path.name}: {hint}"
        elif path.name == "manifest.json":
            new, old = (json.loads(p.read_text(encoding="utf-8")) for p in (path, committed))
            for manifest in (new, old):
                manifest.pop("files")  # checksums of files whose blank node labels differ
                manifest.pop("package_version")
            assert new == old, hint
        else:
            assert path.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8"), f"{path.name}: {hint}"
