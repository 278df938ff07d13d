"""The editor page, its examples, its autocompletion data and the front-end files it loads."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from kg.namespaces import EXTERNAL_GRAPH
from kg.query.library import load_queries
from kg.store import open_store
from kg.views.editor_examples import example_text
from tests.support.expect import check_expect
from webui.assets import ASSETS

QUERY_DIR = "queries"


def _config(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page, re.DOTALL)
    assert match, "the editor page carries its configuration"
    return json.loads(match.group(1))


def test_editor_page_lists_library_examples(client) -> None:  # noqa: ANN001
    page = client.get("/editor").get_data(as_text=True)
    assert "For education, not medical advice." in page
    library = {q.name: q for q in load_queries() if not q.startswith("checks/")} if False else load_queries()
    runnable = [q for q in library.values() if not q.check and not q.federated]
    config = _config(page)
    assert {ex["name"] for ex in config["examples"]} == {q.name for q in runnable}
    assert config["endpoint"].endswith("/sparql")
    for q in runnable[:5]:
        assert f'data-example="{q.name}"' in page


def test_default_example_is_in_the_plain_form(client) -> None:  # noqa: ANN001
    page = client.get("/editor").get_data(as_text=True)
    textarea = re.search(r'<textarea id="plain-query"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert textarea and "lbp:mayCause" in unescape(textarea.group(1))
    assert "<https://w3id.org/lbp-kg/Sciatica>" in unescape(textarea.group(1))


def test_example_and_query_links(client) -> None:  # noqa: ANN001
    page = client.get("/editor", query_string={"example": "examples/term-labels"}).get_data(as_text=True)
    assert _config(page)["query"] == example_text(load_queries()["examples/term-labels"])
    mine = "SELECT ?x WHERE { ?x a <https://w3id.org/lbp-kg/Nope> } # shared"
    config = _config(client.get("/editor", query_string={"query": mine}).get_data(as_text=True))
    assert config["query"] == mine and config["fromUrl"] is True
    missing = client.get("/editor", query_string={"example": "no/such-query"})
    assert missing.status_code == 404


def test_every_example_runs_at_the_endpoint_as_its_header_expects(full_client, full_store_spec: str) -> None:  # noqa: ANN001
    """The editor's text (defaults written in as VALUES) answers on the real KG as the library's
    expectations say.
    Queries over an external ontology released beside the KG need a release built --with it:
    tests/test_query_library.py runs those."""
    examples = full_client.get("/editor/examples.json").get_json()
    library = load_queries()
    store = open_store(full_store_spec)
    failures = {}
    for ex in examples:
        if str(EXTERNAL_GRAPH) in library[ex["name"]].sparql:
            continue
        result = store.query(ex["query"])
        problems = check_expect(library[ex["name"]], result)
        if problems:
            failures[ex["name"]] = problems
    assert failures == {}
    # ...and through the endpoint, as the editor sends it (POST form).
    ex = next(e for e in examples if e["name"] == "causes/causes-of-sciatica")
    resp = full_client.post("/sparql", data={"query": ex["query"]},
                            headers={"Accept": "application/sparql-results+json"})
    causes = [b["cause"]["value"] for b in resp.get_json()["results"]["bindings"]]
    assert "https://w3id.org/lbp-kg/DiscHerniation" in causes


def test_vocabulary_lists_the_kgs_own_classes_and_properties(client) -> None:  # noqa: ANN001
    vocab = client.get("/editor/vocabulary.json").get_json()
    classes = {t["iri"]: t["label"] for t in vocab["classes"]}
    properties = {t["iri"]: t["label"] for t in vocab["properties"]}
    assert classes["https://w3id.org/lbp-kg/Sciatica"] == "sciatica"
    assert "https://w3id.org/lbp-kg/mayCause" in properties
    assert "http://www.w3.org/2000/01/rdf-schema#subClassOf" in properties
    assert not any(iri.startswith("http://dbpedia.org") for iri in classes)


def test_prefixes(client) -> None:  # noqa: ANN001
    assert client.get("/editor/prefixes.json").get_json()["lbp"] == "https://w3id.org/lbp-kg/"


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_allow_listed_assets_are_served_from_node_modules(client, name: str) -> None:  # noqa: ANN001
    resp = client.get(f"/vendor/{name}")
    assert resp.status_code == 200, f"{name} missing: run `npm ci`"
    assert len(resp.data) > 10_000
    resp.close()


@pytest.mark.parametrize("path", ["/vendor/package.json", "/vendor/../package.json", "/vendor/cytoscape/package.json",
                                  "/vendor/%2e%2e/package-lock.json", "/vendor/axe-core/axe.js"])
def test_nothing_else_is_served_from_node_modules(client, path: str) -> None:  # noqa: ANN001
    assert client.get(path).status_code == 404


def test_editor_script_names_no_outside_service() -> None:
    """The editor's own script points completion and requests at this app only."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "webui" / "static" / "editor.js").read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text
    assert "lbp-class" in text and "prefixCcApi: cfg.prefixes" in text
