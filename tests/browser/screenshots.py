"""The README's screenshots, taken only when asked: `python -m tests.browser.screenshots` serves the
built KG (run `lbpkg build` first) and writes docs/screenshots/*.png at 1280x800, and one page at
390 px wide. `--base URL` shoots a site that is already running instead."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

LBP = "https://w3id.org/lbp-kg/"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# name -> (path, viewport, what to wait for)
SHOTS = {
    "term-page": ("/term/Sciatica", DESKTOP, "h1"),
    "explanation": ("/why?s=Sciatica&p=is-a&o=NerveRootDisorder", DESKTOP, "ol.derivation"),
    "tour": ("/learn/tour?cause=LumbarDiscHerniation", DESKTOP, "main h2"),
    "compare": (f"/learn/compare?i={LBP}EpiduralSteroidInjection&i={LBP}Discectomy", DESKTOP, "table.compare"),
    "graph-view": ("/graph/Sciatica", DESKTOP, "#cy[data-ready='true']"),
    "term-page-phone": ("/term/Sciatica", PHONE, "h1"),
}


@contextlib.contextmanager
def _site(base: str | None) -> Iterator[str]:
    if base:
        yield base.rstrip("/")
        return
    from tests.servers import LiveServer
    from webui import create_app

    with LiveServer(create_app(), threads=4) as server:
        yield server.url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", help="a running site, e.g. http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with _site(args.base) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for name, (path, viewport, ready) in SHOTS.items():
            page = browser.new_page(viewport=viewport, device_scale_factor=1)
            page.goto(base + path, wait_until="load")
            page.wait_for_selector(ready)
            if name == "graph-view":  # show the details panel and an expanded term
                node = page.evaluate("window.lbpGraph.cy.nodes().filter(n => n.data('center') !== 1 && "
                                     "n.data('type') === 'disorder')[0].id()")
                page.evaluate("(id) => window.lbpGraph.cy.getElementById(id).emit('tap')", node)
                page.wait_for_selector("#cy[data-expanded='2']")
                page.evaluate("document.querySelector('.graph-layout').scrollIntoView({block: 'start'})")
            target = SCREENSHOTS / f"{name}.png"
            page.screenshot(path=str(target), full_page=False)
            print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
