"""Browse pages, downloads and error pages (over the fixture release)."""

from __future__ import annotations

import hashlib
import json

import pytest

NOTICE = "For education, not medical advice."


@pytest.mark.parametrize("path", ["/", "/area/anatomy", "/area/causes", "/area/mechanisms", "/area/interventions",
                                  "/az", "/tree", "/tree?area=interventions", "/downloads", "/learn/", "/api/"])
def test_pages_answer_with_notice_and_landmarks(client, path: str) -> None:  # noqa: ANN001
    resp = client.get(path)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert NOTICE in page
    assert '<main id="content"' in page and 'role="search"' in page and "<h1>" in page


def test_home_links_areas_with_counts(client) -> None:  # noqa: ANN001
    page = client.get("/").get_data(as_text=True)
    for key in ("anatomy", "causes", "mechanisms", "interventions"):
        assert f'href="/area/{key}"' in page


def test_every_class_is_reachable_from_an_area_page(full_client, full_app) -> None:  # noqa: ANN001
    """Whole graph: every class of the namespace is linked from some area page the home page links."""
    import re

    from kg.namespaces import LBP
    from kg.views.graphdata import graph_data
    from webui.kgaccess import get_kg

    with full_app.app_context():
        data = graph_data(get_kg())
    wanted = {c[len(str(LBP)):] for c in data.classes if c.startswith(str(LBP)) and c not in data.deprecated}
    home = full_client.get("/").get_data(as_text=True)
    keys = sorted(set(re.findall(r'href="/area/([a-z0-9-]+)"', home)))
    for key in ("findings", "risk-factors", "outcomes", "adverse-events"):
        assert key in keys
    reached: set[str] = set()
    for key in keys:
        resp = full_client.get(f"/area/{key}")
        assert resp.status_code == 200
        reached |= set(re.findall(r'href="/term/([^"#?]+)"', resp.get_data(as_text=True)))
        assert full_client.get(f"/tree?area={key}").status_code == 200
    missing = wanted - reached
    assert not missing, f"{len(missing)} classes in no area: {sorted(missing)[:20]}"
    assert len(wanted) > 400


def test_area_lists_its_terms_only(client) -> None:  # noqa: ANN001
    causes = client.get("/area/causes").get_data(as_text=True)
    assert 'href="/term/LumbarDiscHerniation"' in causes
    assert 'href="/term/Kyphoplasty"' not in causes
    assert client.get("/area/nothing").status_code == 404


def test_az_index_groups_by_letter(client) -> None:  # noqa: ANN001
    page = client.get("/az").get_data(as_text=True)
    s_section = page[page.index('id="letter-S"'):]
    assert 'href="/term/Sciatica"' in s_section.split('id="letter-T"')[0]


def test_tree_marks_is_a_and_part_of_and_multiple_parents(client) -> None:  # noqa: ANN001
    page = client.get("/tree?area=anatomy").get_data(as_text=True)
    assert 'class="rel rel-isa">is a<' in page
    assert 'class="rel rel-partof">part of<' in page
    assert "also under" in page
    assert client.get("/tree?area=elsewhere").status_code == 404


def test_unknown_page_offers_search(client) -> None:  # noqa: ANN001
    resp = client.get("/no/such/page")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404 and 'action="/search"' in page and NOTICE in page


def test_downloads_lists_and_serves_release_files(client) -> None:  # noqa: ANN001
    """Every file a build with mappings writes is listed and served, the SSSOM mappings included."""
    page = client.get("/downloads").get_data(as_text=True)
    for name in ("lbp-kg.owl", "lbp-kg.ttl", "lbp-kg.jsonld", "lbp-kg.nt", "lbp-kg-inferred.ttl", "lbp-kg-inferred.nt",
                 "lbp-kg.sssom.tsv", "lbp-kg.sssom.json", "context.jsonld", "manifest.json"):
        assert f'href="/downloads/{name}"' in page
    manifest = json.loads(client.get("/downloads/manifest.json").data)
    ttl = client.get("/downloads/lbp-kg.ttl")
    assert ttl.mimetype == "text/turtle"
    assert hashlib.sha256(ttl.data).hexdigest() == manifest["files"]["lbp-kg.ttl"]
    sssom = client.get("/downloads/lbp-kg.sssom.tsv")
    assert sssom.status_code == 200 and sssom.mimetype == "text/tab-separated-values"
    assert hashlib.sha256(sssom.data).hexdigest() == manifest["files"]["lbp-kg.sssom.tsv"]
    assert sssom.data.decode().splitlines()[-1].startswith("lbp:")  # mapping rows, not only the header
    assert client.get("/downloads/..%2Fsecret").status_code == 404
    assert client.get("/downloads/conftest.py").status_code == 404
