"""OAK's SPARQL adapter against the app's /sparql endpoint, served by waitress on a free port:
labels, ancestors (the store holds the reasoner's inferences) and search.

OAK's `mappings` command cannot be run this way: its query writes "..."^^xsd:string without
declaring the xsd: prefix, which a SPARQL 1.1 endpoint must refuse (ours answers 400 with the
parser's message); endpoints that predeclare xsd: (Virtuoso) accept it."""

from __future__ import annotations

import pytest

from tests.servers import LiveServer
from tests.test_owl_release import runoak, tsv

pytestmark = pytest.mark.reasoner
PREFIX = "lbp=https://w3id.org/lbp-kg/"


@pytest.fixture(scope="module")
def live_server(full_app):  # noqa: ANN001, ANN201 - the real build, with the reasoner's inferences
    with LiveServer(full_app) as server:
        yield server


def oak(server: LiveServer, *args: str) -> str:
    return runoak("--prefix", PREFIX, "-i", f"sparql:{server.url}/sparql", *args)


def test_oak_reads_labels_and_ancestors_from_the_endpoint(live_server: LiveServer) -> None:
    rows = tsv(oak(live_server, "labels", "lbp:Sciatica"))
    assert [(r["id"], r["label"]) for r in rows] == [("lbp:Sciatica", "sciatica")]
    ancestors = {r["id"] for r in tsv(oak(live_server, "ancestors", "-p", "i", "lbp:Sciatica"))}
    # Sciatica under NerveRootDisorder is inferred by HermiT, not asserted
    assert {"lbp:SpinalDisorder", "lbp:NerveRootDisorder", "lbp:Disorder"} <= ancestors


def test_oak_searches_the_endpoint(live_server: LiveServer) -> None:
    assert "lbp:Sciatica ! sciatica" in oak(live_server, "search", "sciatica").splitlines()
