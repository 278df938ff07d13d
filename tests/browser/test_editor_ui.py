"""The editor's results and controls in headless Chromium: literals shown as values with a small
datatype or language hint, row numbers clear of the first cell, LBP-KG IRIs linking to this site's
term pages, a chart that picks a label and a numeric column (and lets you choose), a timeout message
shown in full, elapsed time and a cancel button, and examples without their test metadata."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import PageWatch, save_screenshot
from tests.webui.conftest import LiveServer
from webui import create_app
from webui.sparql import close_executor

pytestmark = pytest.mark.browser

COUNTS = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
          "SELECT ?c ?label (COUNT(?x) AS ?n) (COUNT(?x) * 2 AS ?double) WHERE {\n"
          "  ?c rdfs:label ?label . ?x rdfs:subClassOf ?c } GROUP BY ?c ?label ORDER BY DESC(?n) LIMIT 12")
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _until(page: Any, script: str, timeout: float = 20.0) -> Any:
    """Poll a script (the site's CSP forbids Playwright's string-eval waits)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = page.evaluate(script)
        if value:
            return value
        time.sleep(0.1)
    save_screenshot(page, "editor-wait-failed")
    raise AssertionError(f"timed out waiting for {script}")


def _elapsed(page: Any, prefix: str) -> float:
    """The seconds the editor's status line shows after `prefix` ("Response after 1.6 s")."""
    text = page.inner_text("#query-elapsed")
    assert text.startswith(prefix), text
    return float(text[len(prefix):].split()[0])


def _run(page: Any) -> None:
    page.click(".tabPanel.active .yasqe_queryButton")


class Plain:
    """A page with its uncaught errors recorded (no request routing, so timings are the site's)."""

    def __init__(self, page: Any, base: str):
        self.page, self.base, self.errors = page, base, []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path, wait_until="load")


def _plain(browser, url: str) -> Iterator[Plain]:  # noqa: ANN001
    """A page in a fresh browser context on the site at `url`, closed after the test."""
    context = browser.new_context(viewport={"width": 1200, "height": 860})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield Plain(page, url)
    context.close()


@pytest.fixture
def plain(browser, site: LiveServer) -> Iterator[Plain]:  # noqa: ANN001
    yield from _plain(browser, site.url)


def _open(watch: Any, query: str) -> Any:
    """The editor with the query in a tab of its own (an example's tab, then edited). The page's
    first tab is avoided: on a fresh load its first run can be aborted (a YASGUI start-up race
    not covered here)."""
    page = watch.page
    watch.goto("/editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click("#examples a[data-example='examples/term-labels']")
    page.evaluate("(q) => { window.lbpEditor.getTab().setQuery(q); }", query)
    return page


def test_results_show_values_local_links_and_clear_row_numbers(plain: Plain) -> None:
    page = _open(plain, COUNTS)
    _run(page)
    _until(page, "document.querySelectorAll('.tabPanel.active .yasr table tbody tr').length > 3")
    text = page.inner_text(".tabPanel.active .yasr table tbody")
    assert "^^" not in text and "XMLSchema" not in text and '"' not in text
    first = page.locator(".tabPanel.active .yasr table tbody tr").first
    cells = first.locator("td")
    assert cells.nth(3).locator(".literal").inner_text().isdigit()
    assert cells.nth(3).locator(".lit-hint").inner_text() == "integer"
    assert cells.nth(2).locator(".lit-hint").inner_text() == "@en"
    href = cells.nth(1).locator("a").get_attribute("href")
    assert href.startswith("/term/"), href
    hrefs = page.evaluate("Array.from(document.querySelectorAll('.tabPanel.active .yasr a.iri')).map(a => a.href)")
    assert hrefs and not any("w3id.org" in h for h in hrefs)
    # the row number ends before the first cell's text starts
    gap = page.evaluate("""(() => {
      const tr = document.querySelector('.tabPanel.active .yasr table tbody tr');
      const range = document.createRange();
      range.selectNodeContents(tr.querySelector('.rowNumber'));
      const num = range.getBoundingClientRect();
      const link = tr.querySelectorAll('td')[1].querySelector('a').getBoundingClientRect();
      return link.left - num.right; })()""")
    assert gap >= 4, gap
    page.click(".tabPanel.active .yasr table tbody tr td a.iri")
    page.wait_for_url("**/term/**")
    assert plain.errors == []


def test_chart_picks_label_and_numeric_columns_and_offers_a_choice(plain: Plain) -> None:
    page = _open(plain, COUNTS)
    _run(page)
    _until(page, "document.querySelectorAll('.tabPanel.active .yasr table tbody tr').length > 3")
    page.click(".tabPanel.active .select_chart")
    page.wait_for_selector(".tabPanel.active .yasr-chart canvas")
    chart = page.locator(".tabPanel.active .yasr-chart")
    assert chart.get_attribute("data-label-var") == "label"  # not the IRI column ?c, the first one
    assert chart.get_attribute("data-value-var") == "n"
    value_select = chart.locator("select").nth(1)
    assert value_select.locator("option").all_inner_texts() == ["?n", "?double"]
    value_select.select_option("double")
    _until(page, "document.querySelector('.tabPanel.active .yasr-chart').dataset.valueVar === 'double'")
    label_select = page.locator(".tabPanel.active .yasr-chart select").first
    label_select.select_option("c")
    _until(page, "document.querySelector('.tabPanel.active .yasr-chart').dataset.labelVar === 'c'")


def test_examples_open_without_test_metadata(watch: PageWatch) -> None:
    page = watch.page
    watch.goto("/editor?example=causes/causes-of-sciatica")
    page.wait_for_selector(".yasqe .CodeMirror")
    for name in ("causes/causes-of-sciatica", "examples/term-labels"):
        page.click(f"#examples a[data-example='{name}']")
        text = page.evaluate("window.lbpEditor.getTab().getQuery()")
        assert "#+" not in text and "expect:" not in text and "min_rows" not in text
        assert text.startswith("# ")  # the title stays, as a plain comment
    assert page.evaluate("window.lbpEditor.getTab().getQuery()").startswith("# Labels of a term\n")


def _site_with_limit(store_spec: str, release, seconds: float) -> Iterator[LiveServer]:  # noqa: ANN001
    """The site with a query time limit of its own, two query workers, stopped after the module."""
    app = create_app({"TESTING": True, "STORE": store_spec, "RELEASE_DIR": str(release.release_dir),
                      "QUERY_TIMEOUT": seconds, "QUERY_WORKERS": 2})
    with LiveServer(app, threads=8) as server:
        yield server
    close_executor(app)


@pytest.fixture(scope="module")
def slow_site(store_spec: str, release) -> Iterator[LiveServer]:  # noqa: ANN001
    yield from _site_with_limit(store_spec, release, 1.5)


@pytest.fixture(scope="module")
def patient_site(store_spec: str, release) -> Iterator[LiveServer]:  # noqa: ANN001
    """A 30 s time limit: a cancel after 0.4 s comes seconds before any answer, on any machine."""
    yield from _site_with_limit(store_spec, release, 30.0)


@pytest.fixture
def slow_watch(browser, slow_site: LiveServer) -> Iterator[Plain]:  # noqa: ANN001
    yield from _plain(browser, slow_site.url)


@pytest.fixture
def patient_watch(browser, patient_site: LiveServer) -> Iterator[Plain]:  # noqa: ANN001
    yield from _plain(browser, patient_site.url)


def test_timeout_message_is_shown_in_full_with_elapsed_time(slow_watch: Plain) -> None:
    page = _open(slow_watch, SLOW)
    _run(page)
    _until(page, "document.querySelector('.query-status').dataset.state === 'running'")
    assert page.is_visible("#query-cancel")
    assert page.inner_text("#query-elapsed").startswith("Running")
    _until(page, "document.querySelector('.query-status').dataset.state === 'done'")
    # the answer is the server's time-limit message, so it cannot come before the 1.5 s limit
    assert _elapsed(page, "Response after ") >= 1.4
    assert not page.is_visible("#query-cancel")
    error = page.locator(".tabPanel.active .yasr .errorResult")
    assert "time limit" in error.inner_text() and "make it more selective" in error.inner_text()
    clipped = page.evaluate("""Array.from(document.querySelectorAll(
        '.tabPanel.active .yasr .errorResult, .tabPanel.active .yasr .errorResult *'))
      .filter(e => e.clientHeight > 0 && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1))
      .map(e => e.tagName + '.' + e.className)""")
    assert clipped == []


def test_cancel_aborts_a_running_query(patient_watch: Plain) -> None:
    page = _open(patient_watch, SLOW)
    _run(page)
    _until(page, "document.querySelector('.query-status').dataset.state === 'running'")
    time.sleep(0.4)
    page.click("#query-cancel")
    _until(page, "document.querySelector('.query-status').dataset.state === 'cancelled'", timeout=10.0)
    assert 0.4 <= _elapsed(page, "Cancelled after ") < 30  # cancelled, not answered at the limit
    assert not page.is_visible("#query-cancel")
