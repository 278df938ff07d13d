"""Representative pages on a phone (390x844): no sideways scrolling, a header under a quarter of the
screen, and the menu button opens the navigation; the same pages on a desktop pass axe-core with no
serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PageWatch

pytestmark = pytest.mark.browser

LBP = "https://w3id.org/lbp-kg/"
PAGES = [
    "/", "/term/Sciatica", "/term/CaudaEquinaSyndrome", "/search?q=sciatica", "/az", "/area/causes",
    f"/learn/compare?i={LBP}EpiduralSteroidInjection&i={LBP}Discectomy",
    "/learn/tour?cause=LumbarDiscHerniation", "/learn/relate?x=sciatica&y=slipped+disc", "/learn/red-flags", "/editor",
    "/graph/Sciatica", "/graph?term=sciatca", "/downloads", "/licence", "/evidence", "/api",
]


def _settle(watch: PageWatch, path: str) -> Any:
    page = watch.page
    response = watch.goto(path)
    assert response.status == 200, path
    if path.startswith("/graph/"):
        page.wait_for_selector("#cy[data-ready='true']")
    if path.startswith("/editor"):
        page.wait_for_selector(".yasqe .CodeMirror")
    return page


@pytest.mark.parametrize("path", PAGES)
def test_phone_no_sideways_scroll_and_a_small_header(watch: PageWatch, path: str) -> None:
    watch.page.set_viewport_size({"width": 390, "height": 844})
    page = _settle(watch, path)
    sizes = page.evaluate("({scroll: document.documentElement.scrollWidth, width: innerWidth, height: innerHeight,"
                          " header: document.querySelector('.site-header').getBoundingClientRect().height})")
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(e => {
        const r = e.getBoundingClientRect();
        if (r.right <= innerWidth + 1) return false;
        for (let p = e.parentElement; p; p = p.parentElement) {
          if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
        }
        return true; }).slice(0, 5).map(e => e.tagName + '.' + e.className)""")
    assert sizes["scroll"] <= sizes["width"], (sizes, wide)
    assert wide == []
    assert sizes["header"] < sizes["height"] / 4, sizes
    assert "For education, not medical advice." in page.inner_text(".site-header")


def test_phone_menu_opens_the_navigation(watch: PageWatch) -> None:
    page = watch.page
    page.set_viewport_size({"width": 390, "height": 844})
    watch.goto("/")
    assert page.is_hidden("#main-nav") and page.is_visible(".nav-toggle")
    page.click(".nav-toggle")
    assert page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    page.get_by_role("link", name="Downloads").first.click()
    page.wait_for_url("**/downloads")
    assert page.inner_text("h1") == "Downloads"


def test_desktop_navigation_is_always_shown(watch: PageWatch) -> None:
    watch.goto("/")
    assert watch.page.is_visible("#main-nav") and watch.page.is_hidden(".nav-toggle")


@pytest.mark.parametrize("path", PAGES)
def test_desktop_accessibility(watch: PageWatch, path: str) -> None:
    page = _settle(watch, path)
    page.add_script_tag(url=watch.base + "/vendor/axe.min.js")
    violations = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    assert violations == [], violations
