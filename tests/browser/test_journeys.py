"""A student's journey, on a desktop and on a phone: search "sciatica", open the term, open its graph,
expand a term and collapse it, relate two terms, compare two interventions, tour a cause, open the
tour's query in the editor and run it. Each step asserts real content, not just a status."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PageWatch

pytestmark = pytest.mark.browser

LBP = "https://w3id.org/lbp-kg/"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_student_journey(watch: PageWatch, viewport: dict) -> None:
    page = watch.page
    page.set_viewport_size(viewport)

    # 1. Search from the box in the header.
    watch.goto("/")
    page.fill("#site-q", "sciatica")
    page.press("#site-q", "Enter")  # no suggestion chosen: the form goes to the results page
    page.wait_for_url(re.compile(r"/search\?q=sciatica"))
    assert page.locator(".hits li").count() > 1
    page.locator(".hits a", has_text=re.compile(r"^sciatica$")).first.click()

    # 2. The term page: a definition with a source, and relations.
    page.wait_for_url(re.compile(r"/term/Sciatica$"))
    assert page.inner_text("h1").lower().startswith("sciatica")
    body = page.inner_text("main").lower()
    assert "disc herniation" in body and "radicular" in body

    # 3. Its graph: expand a neighbour, then collapse it from the details panel.
    page.get_by_role("link", name=re.compile("as a graph", re.I)).click()
    page.wait_for_selector("#cy[data-ready='true']")
    before = page.inner_text("#graph-counts")
    node = page.evaluate("window.lbpGraph.cy.nodes().filter(n => n.data('center') !== 1 && "
                         "n.data('type') === 'disorder')[0].id()")
    page.evaluate("(id) => window.lbpGraph.cy.getElementById(id).emit('tap')", node)
    page.wait_for_selector("#cy[data-expanded='2']")
    assert page.inner_text("#graph-counts") != before
    page.wait_for_selector("#graph-info button:has-text('Collapse')")
    page.click("#graph-info button:has-text('Collapse')")
    assert page.inner_text("#graph-counts") == before

    # 4. Relate two terms, typed in lay words.
    watch.goto("/learn/relate")
    page.fill("#rel-x", "sciatica")
    page.fill("#rel-y", "slipped disc")
    page.keyboard.press("Escape")
    page.click("form.pair-form button[type=submit]")
    page.wait_for_url(re.compile(r"/learn/relate\?"))
    assert re.search(r"sciatica and disc herniation", page.inner_text("main h2"), re.I)
    assert "may be caused by disc herniation" in page.inner_text("main")

    # 5. Compare two interventions.
    watch.goto("/learn/compare")
    page.select_option("#cmp-0", value=f"{LBP}EpiduralSteroidInjection")
    page.select_option("#cmp-1", value=f"{LBP}Discectomy")
    page.click("form.pair-form button[type=submit]")
    page.wait_for_selector("table.compare")
    headers = page.locator("table.compare thead th").all_inner_texts()
    assert any("epidural" in h.lower() for h in headers) and any("discectomy" in h.lower() for h in headers)
    assert page.locator("table.compare tbody tr").count() > 2

    # 6. Tour a cause.
    watch.goto("/learn/tour")
    page.select_option("#tour-cause", value=f"{LBP}LumbarDiscHerniation")
    page.click("form.pair-form button[type=submit]")
    page.wait_for_url(re.compile(r"cause="))
    assert "lumbar disc herniation" in page.inner_text("main h2").lower()
    assert page.locator("main li").count() > 3

    # 7. The tour's query in the editor: run it and see rows.
    page.click("main details summary")  # the query sits in a closed <details>
    assert "SELECT" in page.inner_text("main details pre")
    page.get_by_role("link", name="Open in the editor").click()
    page.wait_for_url(re.compile(r"/editor\?example="))
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(".tabPanel.active .yasqe_queryButton")
    page.wait_for_selector(".tabPanel.active .yasr table tbody tr")
    assert page.locator(".tabPanel.active .yasr table tbody tr").count() > 2
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert watch.outside == []
    assert [e for e in watch.errors if not e.startswith("Failed to load resource")] == []
