"""End to end in headless Chromium: search -> term page -> graph -> editor runs a library query and
shows rows; the graph expands and filters; the editor draws a chart; pages pass axe-core with no
serious or critical violations. Screenshots go to tests/artifacts/ (and, with LBPKG_SCREENSHOTS=1, two
to docs/screenshots/)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import PageWatch, save_screenshot

pytestmark = pytest.mark.browser

LBP = "https://w3id.org/lbp-kg/"
AXE_PAGES = ["/", "/area/causes", "/az", "/search?q=slipped+disc", "/term/DiscHerniation", "/graph/DiscHerniation",
             "/editor"]


def _wait_graph(page: Any) -> int:
    page.wait_for_selector("#cy[data-ready='true']")
    return page.evaluate("window.lbpGraph.cy.nodes().length")


def test_search_term_graph_editor(watch: PageWatch) -> None:
    page = watch.page
    watch.goto("/")
    assert "For education, not medical advice." in page.inner_text("body")

    # Search with lay words, from the search box every page has.
    page.fill("input[name='q']", "slipped disc")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    page.get_by_role("link", name=re.compile("disc herniation", re.I)).first.click()

    # The term page.
    page.wait_for_url(re.compile(r"/term/"))
    assert re.search("herniat", page.inner_text("h1"), re.I)
    term_url = page.url
    save_screenshot(page, "term-page", readme="viewport")

    # Its graph: drawn, expandable on click, filterable.
    page.get_by_role("link", name=re.compile("as a graph", re.I)).click()
    page.wait_for_url(re.compile(r"/graph/"))
    before = _wait_graph(page)
    assert before > 5
    neighbour = page.evaluate(
        "window.lbpGraph.cy.nodes().filter(n => n.data('center') !== 1 && n.data('type') === 'disorder')[0].id()")
    page.evaluate(f"window.lbpGraph.cy.getElementById({neighbour!r}).emit('tap')")
    page.wait_for_selector("#cy[data-expanded='2']")
    after = page.evaluate("window.lbpGraph.cy.nodes().length")
    assert after > before
    assert page.is_visible("#graph-info") and page.inner_text("#graph-info h2")
    page.uncheck("input[name='type'][value='anatomy']")
    hidden = page.evaluate("window.lbpGraph.cy.nodes('.filtered').map(n => n.data('type'))")
    assert hidden and set(hidden) == {"anatomy"}
    page.check("input[name='type'][value='anatomy']")
    page.uncheck("input[name='kind'][value='inferred']")
    assert page.evaluate("window.lbpGraph.cy.edges('.filtered').every(e => e.data('kind') === 'inferred' || "
                         "e.source().hasClass('filtered') || e.target().hasClass('filtered'))")
    page.click("#graph-reset")
    page.evaluate("window.lbpGraph.cy.fit(undefined, 20)")
    save_screenshot(page, "graph-view", readme=".graph-layout")

    # Back on the term page, "the SPARQL behind this page" opens in the editor.
    page.goto(term_url)
    page.click("#sparql-h ~ details summary")  # the queries sit in closed <details>
    editor_links = page.locator("a", has_text=re.compile("open in the editor", re.I))
    assert editor_links.count() > 0
    editor_links.first.click()
    page.wait_for_url(re.compile(r"/editor\?query="))
    page.wait_for_selector(".yasqe .CodeMirror")
    assert "VALUES" in page.evaluate("window.lbpEditor.getTab().getQuery()")

    # A library example: open it, run it, see rows.
    page.click("#examples a[data-example='causes/causes-of-sciatica']")
    assert "lbp:mayCause" in page.evaluate("window.lbpEditor.getTab().getQuery()")
    page.click(".tabPanel.active .yasqe_queryButton")
    page.wait_for_selector(".tabPanel.active .yasr table tbody tr")
    rows = page.locator(".tabPanel.active .yasr table tbody tr")
    assert rows.count() > 3
    assert "disc herniation" in page.inner_text(".tabPanel.active .yasr table").lower()
    assert "example=causes" in page.url  # the address can be shared
    save_screenshot(page, "editor-results")
    assert watch.outside == [], "the site asked an outside service"
    assert [f for f in watch.failed if "favicon" not in f] == []
    assert [e for e in watch.errors if not e.startswith("Failed to load resource")] == []


def test_editor_chart_and_shared_link(watch: PageWatch) -> None:
    page = watch.page
    query = ("PREFIX lbp: <https://w3id.org/lbp-kg/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?area (COUNT(?c) AS ?classes) WHERE {\n  VALUES ?area { lbp:Disorder lbp:Intervention "
             "lbp:AnatomicalEntity }\n  ?c rdfs:subClassOf ?area } GROUP BY ?area")
    page.goto(watch.base + "/editor?" + urlencode({"query": query}))
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.evaluate("window.lbpEditor.getTab().getQuery()").strip() == query.strip()
    page.click(".tabPanel.active .yasqe_queryButton")
    page.wait_for_selector(".tabPanel.active .yasr table tbody tr")
    page.click(".tabPanel.active .select_chart")
    page.wait_for_selector(".tabPanel.active .yasr-chart canvas")
    save_screenshot(page, "editor-chart")
    assert watch.outside == []


def test_editor_autocompletes_from_the_kg(watch: PageWatch) -> None:
    page = watch.page
    watch.goto("/editor?example=examples/term-labels")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("window.lbpEditor.getTab().setQuery('PREFIX lbp: <https://w3id.org/lbp-kg/>\\n"
                  "SELECT * WHERE { ?x a lbp:Scia'); null")
    page.evaluate("(() => { const y = window.lbpEditor.getTab().getYasqe(); y.focus(); "
                  "y.setCursor({line: 1, ch: 100}); y.autocomplete(); })()")
    page.wait_for_selector(".CodeMirror-hints li")
    hints = page.locator(".CodeMirror-hints li").all_inner_texts()
    assert any("lbp:Sciatica" in h for h in hints), hints
    assert watch.outside == []


@pytest.mark.parametrize("path", AXE_PAGES)
def test_accessibility(watch: PageWatch, path: str) -> None:
    page = watch.page
    watch.goto(path)
    if path.startswith("/graph/"):
        _wait_graph(page)
    if path.startswith("/editor"):
        page.wait_for_selector(".yasqe .CodeMirror")
        page.click(".tabPanel.active .yasqe_queryButton")  # check the results table too
        page.wait_for_selector(".tabPanel.active .yasr table tbody tr")
    page.add_script_tag(url=watch.base + "/vendor/axe.min.js")
    violations = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    name = "axe" + (path.replace("/", "-").replace("?", "-").replace("=", "-").replace("+", "-") or "-home")
    save_screenshot(page, name)
    assert violations == [], violations
