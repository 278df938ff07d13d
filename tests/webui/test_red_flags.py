"""Red flags over the whole graph: every red-flag condition on the teaching page with its urgency and
every warning sign; every condition that may lead to one names it on its page; every red-flag sign's
page names what it points to. Expectations are read from the graph, not written here."""

from __future__ import annotations

import html
import re

import pytest

from kg.namespaces import LBP
from kg.store import open_store
from kg.views.graphdata import graph_data
from kg.views.red_flags import red_flag_page

pytestmark = pytest.mark.reasoner

DISORDER = str(LBP.Disorder)


@pytest.fixture(scope="module")
def data(full_store_spec: str):  # noqa: ANN201 - GraphData
    with open_store(full_store_spec) as store:
        yield graph_data(store)


@pytest.fixture(scope="module")
def red_flag_html(full_app) -> str:  # noqa: ANN001
    return html.unescape(full_app.test_client().get("/learn/red-flags").get_data(as_text=True))


def _conditions(data) -> list[str]:  # noqa: ANN001
    return sorted(c for c in data.red_flags if DISORDER in data.ancestors.get(c, set()))


def _section(page: str, iri: str) -> str:
    local = iri.rsplit("/", 1)[-1]
    match = re.search(rf'<section class="red-flag-condition" id="{local}".*?</section>', page, re.S)
    assert match, f"no section for {local}"
    return match.group(0)


def test_every_red_flag_condition_has_an_urgency_and_a_section(data, red_flag_html: str) -> None:  # noqa: ANN001
    conditions = _conditions(data)
    assert len(conditions) >= 5
    for iri in conditions:
        assert iri in data.urgency, f"{data.label(iri)} has no urgency"
        section = _section(red_flag_html, iri)
        assert f'>{data.label(iri)}</a>' in section
        assert f'>{data.label(data.urgency[iri])}</span>' in section
        assert data.urgency_sources.get(iri), f"{data.label(iri)}: urgency without its source"


def test_every_warning_sign_is_listed_under_its_condition(data, red_flag_html: str) -> None:  # noqa: ANN001
    signs = [(e.source, e.target) for e in data.edges if e.relation == str(LBP.hasWarningSign)]
    assert len(signs) >= 10
    for condition, sign in signs:
        if condition in _conditions(data):
            assert f">{data.label(sign)}</a>" in _section(red_flag_html, condition), (condition, sign)


def test_emergencies_come_first(full_store_spec: str) -> None:
    with open_store(full_store_spec) as store:
        page = red_flag_page(store)
    ranks = [{str(LBP["urgency-emergency"]): 0, str(LBP["urgency-urgent"]): 1}.get(c.urgency or "", 2)
             for c in page.conditions]
    assert ranks == sorted(ranks) and ranks[0] == 0


def test_conditions_that_may_lead_to_a_red_flag_say_so_on_their_pages(data, full_app) -> None:  # noqa: ANN001
    """A condition whose own or more general statement says it may cause a red-flag condition shows that
    condition, with its urgency, in the box of serious conditions on its page."""
    client = full_app.test_client()
    edges = [e for e in data.edges if e.kind == "association" and e.relation == str(LBP.mayCause)
             and e.target in data.red_flags and e.source not in data.red_flags]
    assert edges, "no condition leads to a red-flag condition"
    for edge in edges:
        for holder in {edge.source} | data.descendants(edge.source):
            if holder in data.red_flags or edge.target in data.ancestors.get(holder, set()):
                continue
            page = html.unescape(client.get(f"/term/{holder.rsplit('/', 1)[-1]}").get_data(as_text=True))
            box = re.search(r'<div class="warning complications".*?</div>', page, re.S)
            assert box and f">{data.label(edge.target)}</a>" in box.group(0), (holder, edge.target)


def test_red_flag_signs_name_what_they_point_to(data, full_app) -> None:  # noqa: ANN001
    client = full_app.test_client()
    signs: dict[str, set[str]] = {}
    for e in data.edges:
        if e.relation == str(LBP.hasWarningSign) and DISORDER not in data.ancestors.get(e.target, set()):
            signs.setdefault(e.target, set()).add(e.source)
    for sign, conditions in signs.items():
        page = html.unescape(client.get(f"/term/{sign.rsplit('/', 1)[-1]}").get_data(as_text=True))
        box = re.search(r'<div class="warning red-flag".*?</div>', page, re.S)
        assert box, data.label(sign)
        for condition in conditions:
            assert f">{data.label(condition)}</a>" in box.group(0), (sign, condition)


def test_every_mimic_is_on_both_pages_with_how_to_tell_them_apart(data, full_app) -> None:  # noqa: ANN001
    """Each `mimics` statement shows on the page of what is mimicked ("can be mimicked by") and of the
    mimic ("can mimic"), with its caveat: the features that tell them apart."""
    client = full_app.test_client()
    edges = [e for e in data.edges if e.relation == str(LBP.mimics)]
    assert len(edges) >= 5
    for edge in edges:
        assert edge.evidence and edge.evidence.notes, (edge.source, edge.target)
        note = edge.evidence.notes[0]
        for here, there, phrase in ((edge.target, edge.source, data.phrase(edge.relation, False)),
                                    (edge.source, edge.target, data.phrase(edge.relation, True))):
            page = html.unescape(client.get(f"/term/{here.rsplit('/', 1)[-1]}").get_data(as_text=True))
            assert phrase.capitalize() in page, (here, phrase)
            assert f">{data.label(there)}</a>" in page and note in page, (here, there)
