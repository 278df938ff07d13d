"""The graph view in headless Chromium: expanding a term updates the counts, collapsing it and undoing
restore them; the details panel is in the window on a desktop and on a phone; a term can be added by
its label, a synonym or an acronym (and a clear message when nothing matches); no two node labels
overlap on the first view of representative terms."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import PageWatch

pytestmark = pytest.mark.browser

OVERLAPS = """() => {
  const nodes = window.lbpGraph.cy.nodes().filter(n => !n.hasClass('filtered'));
  const boxes = nodes.map(n => [n.data('label'),
    n.boundingBox({includeNodes: false, includeLabels: true, includeEdges: false})]);
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i][1], b = boxes[j][1];
    if (Math.min(a.x2, b.x2) > Math.max(a.x1, b.x1) && Math.min(a.y2, b.y2) > Math.max(a.y1, b.y1)) {
      out.push(boxes[i][0] + ' / ' + boxes[j][0]);
    }
  }
  return out;
}"""


def _open(watch: PageWatch, term: str) -> Any:
    watch.goto(f"/graph/{term}")
    watch.page.wait_for_selector("#cy[data-ready='true']")
    return watch.page


def _counts(page: Any) -> tuple[int, int, str]:
    shown = page.inner_text("#graph-counts")
    drawn = page.evaluate("[window.lbpGraph.cy.nodes(':visible').length, window.lbpGraph.cy.edges(':visible').length]")
    numbers = [int(n) for n in re.findall(r"\d+", shown)]
    assert numbers == drawn, (shown, drawn)  # the sentence says what is drawn
    return drawn[0], drawn[1], shown


def _tap_neighbour(page: Any, kind: str = "disorder") -> str:
    node = page.evaluate("(kind) => window.lbpGraph.cy.nodes().filter(n => n.data('center') !== 1 && "
                         "n.data('type') === kind)[0].id()", kind)
    page.evaluate("(id) => window.lbpGraph.cy.getElementById(id).emit('tap')", node)
    return node


def _in_window(page: Any, selector: str) -> None:
    box = page.evaluate(f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect(); "
                        "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, "
                        "w: innerWidth, h: innerHeight}; })()")
    assert box["top"] >= 0 and box["bottom"] <= box["h"] + 1, box
    assert box["left"] >= 0 and box["right"] <= box["w"] + 1, box


def test_expand_collapse_undo_update_the_counts(watch: PageWatch) -> None:
    page = _open(watch, "Sciatica")
    nodes0, edges0, text0 = _counts(page)
    assert nodes0 > 5 and f"{nodes0} terms" in text0
    node = _tap_neighbour(page)
    page.wait_for_selector("#cy[data-expanded='2']")
    nodes1, edges1, _ = _counts(page)
    assert nodes1 > nodes0 and edges1 > edges0
    assert "Added" in page.inner_text("#graph-message")

    page.click("#graph-info button:has-text('Collapse')")
    assert _counts(page)[:2] == (nodes0, edges0)
    assert page.get_attribute("#cy", "data-expanded") == "1"
    assert page.evaluate("(id) => window.lbpGraph.cy.getElementById(id).nonempty()", node)  # the term itself stays

    page.click("#graph-undo")  # undo the collapse
    assert _counts(page)[:2] == (nodes1, edges1)
    page.click("#graph-undo")  # undo the expansion
    assert _counts(page)[:2] == (nodes0, edges0)
    assert page.is_disabled("#graph-undo")
    assert watch.errors == []


def test_collapse_takes_what_later_expansions_added(watch: PageWatch) -> None:
    page = _open(watch, "LumbarDiscHerniation")
    nodes0, edges0, _ = _counts(page)
    first = _tap_neighbour(page)
    page.wait_for_selector("#cy[data-expanded='2']")
    # expand one of the terms that the first expansion brought in
    second = page.evaluate("(id) => window.lbpGraph.cy.getElementById(id).neighborhood('node')"
                           ".filter(n => n.data('center') !== 1 && !n.hasClass('expanded'))[0].id()", first)
    page.evaluate("(id) => window.lbpGraph.expand(window.lbpGraph.cy.getElementById(id))", second)
    page.wait_for_selector("#cy[data-expanded='3']")
    page.evaluate("(id) => window.lbpGraph.collapse(window.lbpGraph.cy.getElementById(id))", first)
    nodes, edges, _ = _counts(page)
    assert nodes <= page.evaluate("window.lbpGraph.cy.nodes().length") and nodes >= 1
    page.evaluate("window.lbpGraph.undo()")
    page.evaluate("window.lbpGraph.undo()")
    page.evaluate("window.lbpGraph.undo()")
    assert _counts(page)[:2] == (nodes0, edges0)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_details_panel_is_in_the_window(watch: PageWatch, viewport: dict) -> None:
    watch.page.set_viewport_size(viewport)
    page = _open(watch, "Sciatica")
    page.evaluate("document.getElementById('cy').scrollIntoView({block: 'start'})")
    _tap_neighbour(page, "finding")
    page.wait_for_selector("#graph-info:not([hidden]) h2")
    _in_window(page, "#graph-info")
    assert page.inner_text("#graph-info h2")
    page.evaluate("window.scrollTo(0, 0)")
    edge = page.evaluate("window.lbpGraph.cy.edges()[0].id()")
    page.evaluate("(id) => window.lbpGraph.cy.getElementById(id).emit('tap')", edge)
    _in_window(page, "#graph-info")
    page.click("#graph-info .graph-info-close")
    assert page.is_hidden("#graph-info")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize(("typed", "label"), [("lumbar disc herniation", "lumbar disc herniation"),
                                              ("slipped disc", "disc herniation"),
                                              ("LDH", "lumbar disc herniation")],
                         ids=["label", "synonym", "acronym"])
def test_add_a_term_by_any_name(watch: PageWatch, typed: str, label: str) -> None:
    page = _open(watch, "SpinalStenosis")
    nodes0 = _counts(page)[0]
    page.fill("#graph-add-term", typed[:3])
    page.wait_for_selector("#graph-add .suggest li")  # suggestions as you type
    page.fill("#graph-add-term", typed)
    page.click("#graph-add button[type=submit]")
    for _ in range(100):
        if "Added" in page.inner_text("#graph-message") or "already" in page.inner_text("#graph-message"):
            break
        page.wait_for_timeout(100)
    assert label in page.inner_text("#graph-message")
    assert page.evaluate("(l) => window.lbpGraph.cy.nodes().some(n => n.data('label') === l)", label)
    assert _counts(page)[0] > nodes0
    assert page.inner_text("#graph-info h2") == label
    page.click("#graph-undo")
    assert _counts(page)[0] == nodes0


def test_adding_a_term_that_nothing_matches_says_so(watch: PageWatch) -> None:
    page = _open(watch, "Sciatica")
    nodes0 = _counts(page)[0]
    page.fill("#graph-add-term", "qwzxv blorft")
    page.click("#graph-add button[type=submit]")
    for _ in range(50):
        if page.inner_text("#graph-message"):
            break
        page.wait_for_timeout(100)
    assert "Nothing in LBP-KG matches" in page.inner_text("#graph-message")
    assert _counts(page)[0] == nodes0


@pytest.mark.parametrize("typed", ["sciatica", "slipped disc", "LDH", "lbp:Sciatica"])
def test_another_term_by_name(watch: PageWatch, typed: str) -> None:
    page = watch.page
    watch.goto("/graph")
    page.fill("#graph-term", typed)
    page.click("form.pair-form button[type=submit]")
    page.wait_for_selector("#cy[data-ready='true']")
    assert re.search(r"/graph/\w+$", page.url)
    assert page.inner_text("h1").startswith("Graph view: ")


def test_another_term_near_and_no_match(watch: PageWatch) -> None:
    page = watch.page
    response = watch.goto("/graph?term=sciatca")
    assert response.status == 200 and "Did you mean" in page.inner_text("main")
    page.get_by_role("link", name="sciatica", exact=True).first.click()
    page.wait_for_selector("#cy[data-ready='true']")
    response = watch.goto("/graph?term=qwzxv+blorft")
    assert response.status == 404 and "Nothing in LBP-KG matches" in page.inner_text("main")


@pytest.mark.parametrize("term", ["Sciatica", "LumbarDiscHerniation", "CaudaEquinaSyndrome",
                                  "EpiduralSteroidInjection", "LumbarSpinalStenosis", "LowBackPain"])
@pytest.mark.parametrize("width", [1280, 390])
def test_node_labels_do_not_overlap(watch: PageWatch, term: str, width: int) -> None:
    watch.page.set_viewport_size({"width": width, "height": 844})
    page = _open(watch, term)
    assert page.evaluate("window.lbpGraph.cy.nodes().length") > 3
    assert page.evaluate(OVERLAPS) == []
