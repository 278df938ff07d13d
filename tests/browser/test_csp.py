"""The Content-Security-Policy in headless Chromium: the pages with scripts (search suggestions,
the Cytoscape graph view, the YASGUI editor running a query) work under it with no violation, and
the policy is really enforced (an injected inline script is refused and reported)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PageWatch

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _violations(page: Any) -> list[str]:
    return page.evaluate("window.__csp")


def test_pages_work_under_the_policy(watch: PageWatch) -> None:
    page = watch.page
    page.add_init_script(RECORD_VIOLATIONS)

    response = watch.goto("/term/Sciatica")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.fill("#site-q", "slipped")
    page.wait_for_selector("ul.suggest li")          # search.js fetched suggestions
    assert _violations(page) == []

    watch.goto("/graph/DiscHerniation")
    page.wait_for_selector("#cy[data-ready='true']")  # Cytoscape drew the graph
    assert page.evaluate("window.lbpGraph.cy.nodes().length") > 1
    assert _violations(page) == []

    watch.goto("/editor?example=causes/causes-of-sciatica")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(".tabPanel.active .yasqe_queryButton")
    page.wait_for_selector(".tabPanel.active .yasr table tbody tr")  # YASGUI ran the query and drew rows
    assert _violations(page) == []
    assert watch.outside == []
    assert [e for e in watch.errors if "Content Security Policy" in e] == []


def _wait_until(page, condition: str, seconds: float = 10.0) -> None:  # noqa: ANN001
    """Poll `condition` with page.evaluate: wait_for_function evaluates a string, which the very
    policy under test forbids, so it fails or hangs depending on timing."""
    import time

    deadline = time.monotonic() + seconds
    while not page.evaluate(f"() => Boolean({condition})"):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {condition}"
        time.sleep(0.05)


def test_the_policy_is_enforced(watch: PageWatch) -> None:
    page = watch.page
    page.add_init_script(RECORD_VIOLATIONS)
    watch.goto("/az")
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.__ran = true";
        document.body.appendChild(s);
    }""")
    _wait_until(page, "window.__csp.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in _violations(page))
    # a javascript: link (as YASGUI would draw for such an IRI in results) does not run either
    page.evaluate("""() => {
        const a = document.createElement("a");
        a.id = "js-link"; a.href = "javascript:window.__clicked = true"; a.textContent = "x";
        document.body.appendChild(a);
    }""")
    page.click("#js-link")
    _wait_until(page, "window.__csp.length > 1")
    assert page.evaluate("window.__clicked === undefined")
