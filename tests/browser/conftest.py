"""Headless Chromium (Debian's package) driven by Playwright's Python package, against the app
served by waitress on a free port. Playwright's own browser download is never used.

Without chromium or playwright these tests skip on a developer's machine and fail under CI
(the CI environment variable is set), so CI cannot pass them by skipping."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.webui.conftest import LiveServer

CHROMIUM = os.environ.get("LBPKG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
SCREENSHOTS = REPO / "docs" / "screenshots"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install playwright)")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"no chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def site(full_app) -> Iterator[LiveServer]:  # noqa: ANN001
    """The app over the real KG under waitress, as `lbpkg serve` runs it (the screenshots show it)."""
    with LiveServer(full_app, threads=8) as server:
        yield server


class PageWatch:
    """A page plus what went wrong on it: console errors, failed requests, requests that tried to
    leave the site (blocked: the site must need no outside service)."""

    def __init__(self, page: Any, base: str):
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        host = urlparse(base).netloc
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("response", lambda resp: self.failed.append(
            f"{resp.status} {resp.request.method} {resp.url} {resp.request.post_data or ''}"[:600])
            if resp.status >= 400 else None)

        def route(r: Any) -> None:
            url = r.request.url
            if urlparse(url).netloc in (host, "") or url.startswith(("data:", "blob:")):
                r.continue_()
            else:
                self.outside.append(url)
                r.abort()

        page.route("**/*", route)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path, wait_until="load")


@pytest.fixture
def watch(browser, site: LiveServer) -> Iterator[PageWatch]:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1200, "height": 860}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield PageWatch(page, site.url)
    context.close()


def save_screenshot(page: Any, name: str, readme: str | None = None) -> Path:
    """Full page into tests/artifacts/ (ignored by git). With readme="viewport" or a CSS selector, and
    only when LBPKG_SCREENSHOTS=1, also a shot of the window or of that part of the page into
    docs/screenshots/ for the README; `python -m tests.browser.screenshots` takes the README's set."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if readme and os.environ.get("LBPKG_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{name}.png"
        if readme == "viewport":
            page.screenshot(path=str(target), full_page=False)
        else:
            page.locator(readme).first.screenshot(path=str(target))
    return path
