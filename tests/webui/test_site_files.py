"""Site-wide files: the licence page linked from every page, the favicon, and the release files a
Protégé user needs to open the ontology with its imports (served, and at the imports IRI's path)."""

from __future__ import annotations

import re

import pytest

from kg.release_files import BY_NAME

PAGES = ["/", "/az", "/search?q=sciatica", "/term/Sciatica", "/area/findings", "/downloads", "/editor", "/licence"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_licence_and_icon(client, path: str) -> None:  # noqa: ANN001
    page = client.get(path).get_data(as_text=True)
    assert re.search(r'<footer[^>]*>.*href="/licence".*</footer>', page, re.S)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_licence_page_states_both_licences(client) -> None:  # noqa: ANN001
    page = client.get("/licence").get_data(as_text=True)
    assert "CC BY 4.0" in page and "https://creativecommons.org/licenses/by/4.0/" in page
    assert "MIT licence" in page and "Permission is hereby granted" in page
    assert client.get("/license").status_code == 301


def test_favicon(client) -> None:  # noqa: ANN001
    for path in ("/favicon.ico", "/static/favicon.svg"):
        resp = client.get(path)
        assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
        assert resp.get_data(as_text=True).startswith("<svg")


@pytest.mark.parametrize("name", ["lbp-kg-imports.owl", "catalog-v001.xml", "lbp-kg-imports.nt"])
def test_downloads_list_and_serve_the_imports_module(client, name: str) -> None:  # noqa: ANN001
    page = client.get("/downloads").get_data(as_text=True)
    assert f'href="/downloads/{name}"' in page
    resp = client.get(f"/downloads/{name}")
    assert resp.status_code == 200 and resp.mimetype == BY_NAME[name].media_type
    assert len(resp.data) > 100


def test_owl_imports_resolves_from_the_site(client) -> None:  # noqa: ANN001
    owl = client.get("/downloads/lbp-kg.owl").get_data(as_text=True)
    imported = re.search(r'<owl:imports rdf:resource="https://w3id.org/lbp-kg/([^"]+)"', owl).group(1)
    assert imported == "lbp-kg-imports.owl"
    resp = client.get(f"/{imported}")  # where the w3id IRI lands on this site
    assert resp.status_code == 200 and resp.mimetype == "application/rdf+xml"
    header = r'<owl:Ontology rdf:about="https://w3id.org/lbp-kg/lbp-kg-imports.owl"'
    assert re.search(header, resp.get_data(as_text=True))
    catalog = client.get("/downloads/catalog-v001.xml").get_data(as_text=True)
    assert "https://w3id.org/lbp-kg/lbp-kg-imports.owl" in catalog and 'uri="lbp-kg-imports.owl"' in catalog
    assert client.get("/no-such-release-file.owl").status_code == 404
