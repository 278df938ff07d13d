"""For educators: relate, compare, tour, as pages that work without JavaScript."""

from __future__ import annotations

import re

import pytest


def _relate(client, x: str, y: str, status: int = 200) -> str:  # noqa: ANN001
    resp = client.get("/learn/relate", query_string={"x": x, "y": y})
    assert resp.status_code == status
    return resp.get_data(as_text=True)


def _radios(page: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{name}" id="[^"]*" value="([^"]*)"', page)


def test_relate_tells_paths_in_sentences(client) -> None:  # noqa: ANN001
    page = _relate(client, "slipped disc", "L5 nerve root")
    assert "Disc herniation includes lumbar disc herniation, which can compress L5 nerve root." in page
    assert "Read “slipped disc” as" in page  # never silently
    # each step says whether it is stated or inferred; a sourced statement shows its evidence and sources
    assert "stated, with evidence" in page and 'class="evidence"' in page and "Sources:" in page
    assert "Which term do you mean?" not in page


def test_relate_asks_which_term_an_ambiguous_word_means(client) -> None:  # noqa: ANN001
    page = _relate(client, "disc", "L5 nerve root")
    assert "Which term do you mean?" in page and "could be" in page
    choices = _radios(page, "x")
    assert choices[0] == "IntervertebralDisc" and "DiscHerniation" in choices
    assert 'name="y" value="L5NerveRoot"' in page  # the word that was clear is kept, as its term
    assert "anatomical entity" in page  # each candidate's type, and its definition
    assert "fibrocartilaginous" in page or "vertebrae" in page
    assert "No chain" not in page and '<ol class="paths">' not in page
    # choosing re-runs the page (GET) with the term's local name
    chosen = _relate(client, "DiscHerniation", "L5NerveRoot")
    assert "Disc herniation includes lumbar disc herniation, which can compress L5 nerve root." in chosen
    assert 'value="disc herniation"' in chosen  # the form shows the chosen term's label
    both = _relate(client, "pinched nerve", "disc")
    assert set(_radios(both, "x")) == {"Sciatica", "LumbosacralRadiculopathy"} and _radios(both, "y")


def test_relate_same_term_and_kind_of(client) -> None:  # noqa: ANN001
    same = _relate(client, "sciatica", "Sciatica")
    assert "These are the same term" in same and "No chain" not in same
    synonyms = _relate(client, "slipped disc", "disc herniation")
    assert "“slipped disc” and “disc herniation” both name the same term" in synonyms
    kind = _relate(client, "lumbar disc herniation", "disc herniation")
    assert "One is a kind of the other" in kind
    first = re.findall(r'<p class="sentence">([^<]*)</p>', kind)
    assert first[0] == "Lumbar disc herniation is a kind of disc herniation." and len(first) > 1


def test_relate_needs_both_terms_and_known_words(client) -> None:  # noqa: ANN001
    assert client.get("/learn/relate").status_code == 200
    assert client.get("/learn/relate", query_string={"x": "sciatica"}).status_code == 400
    assert client.get("/learn/relate", query_string={"x": "sciatica", "y": "zzqqxx"}).status_code == 404
    assert client.get("/learn/relate", query_string={"x": "disc", "y": "zzqqxx"}).status_code == 404
    assert client.get("/learn/relate", query_string={"x": "", "y": "disc"}).status_code == 400
    page = _relate(client, "<script>alert(1)</script>disc", "nerve", status=200)  # search finds disc terms
    assert "<script>alert(1)" not in page


# -- the real graph -------------------------------------------------------------------------------

@pytest.mark.reasoner
def test_real_relate_asks_for_disc_and_takes_nerve(full_client) -> None:  # noqa: ANN001
    """The users' case: "disc" and "nerve" became discitis and nerve without a word."""
    page = _relate(full_client, "disc", "nerve")
    assert "Which term do you mean?" in page
    choices = _radios(page, "x")
    assert {"IntervertebralDisc", "Discitis", "DiscHerniation"} <= set(choices)
    assert not _radios(page, "y") and 'name="y" value="Nerve"' in page
    assert "adverse event" in page and "disorder" in page  # the candidates' types tell them apart


@pytest.mark.reasoner
def test_real_relate_slipped_disc_to_l5_is_anatomical(full_client) -> None:  # noqa: ANN001
    page = _relate(full_client, "slipped disc", "L5 nerve root")
    sentences = re.findall(r'<p class="sentence">([^<]*)</p>', page)
    assert sentences[0] == "Disc herniation includes lumbar disc herniation, which can compress L5 nerve root."
    assert not any("treated with" in s or "is used for" in s or "recommended" in s for s in sentences)
    assert "This chain goes through a treatment" not in page


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
