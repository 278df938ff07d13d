"""For educators: relate, compare, tour, as pages that work without JavaScript."""

from __future__ import annotations


def test_relate_tells_paths_in_sentences(client) -> None:  # noqa: ANN001
    page = client.get("/learn/relate", query_string={"x": "slipped disc", "y": "L5 nerve root"}).get_data(as_text=True)
    assert "Disc herniation includes lumbar disc herniation, which can compress L5 nerve root." in page
    assert "sources:" in page


def test_relate_needs_both_terms_and_known_words(client) -> None:  # noqa: ANN001
    assert client.get("/learn/relate").status_code == 200
    assert client.get("/learn/relate", query_string={"x": "sciatica"}).status_code == 400
    assert client.get("/learn/relate", query_string={"x": "sciatica", "y": "zzqqxx"}).status_code == 404


def test_compare_side_by_side(client) -> None:  # noqa: ANN001
    form = client.get("/learn/compare").get_data(as_text=True)
    assert "<select" in form and "balloon kyphoplasty" in form
    page = client.get("/learn/compare?i=Kyphoplasty&i=Vertebroplasty").get_data(as_text=True)
    for aspect in ("targets", "mechanism of action", "invasiveness", "used for", "benefits", "risks"):
        assert f'<th scope="row">{aspect}</th>' in page
    assert "cement leakage" in page and "minimally invasive" in page
    assert client.get("/learn/compare?i=Kyphoplasty&i=Sciatica").status_code == 400


def test_tour_from_cause_to_interventions(client) -> None:  # noqa: ANN001
    page = client.get("/learn/tour?cause=LumbarDiscHerniation").get_data(as_text=True)
    assert "nerve root compression" in page and "neural decompression" in page
    assert 'href="/term/Discectomy"' in page
    fracture = client.get("/learn/tour?cause=OsteoporoticVertebralCompressionFracture").get_data(as_text=True)
    assert "cement augmentation" in fracture and 'href="/term/Kyphoplasty"' in fracture
    # only the stated mechanisms: no cement for a disc herniation
    assert "cement augmentation" not in page
