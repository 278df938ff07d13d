"""Site-wide limits and response headers, applied before any view runs.

The site is meant to be public, so every request is checked here once instead of in each view:
its size (body, URL), its encoding (UTF-8, no control characters), and how many requests its
client has made lately (a token bucket per address). Every response gets the browser-side
protections (Content-Security-Policy, nosniff, no framing, a referrer policy). Each limit is a
config key with a default in DEFAULTS; README "Serving in public" documents them.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, abort, current_app, request
from werkzeug.exceptions import TooManyRequests
from werkzeug.routing import BaseConverter, ValidationError

from kg.namespaces import LBP, is_iri

# Scripts and styles come from this site only (no inline script: page data travels in
# <script type="application/json"> blocks, which are not executed). Inline *styles* are allowed
# because YASGUI and CodeMirror position their widgets with style attributes; images may be data:
# URLs (YASGUI's icons, Chart.js exports).
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

DEFAULTS: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # bytes of a request body (413 beyond)
    "MAX_URL_LENGTH": 8192,  # bytes of path + query string, as received (414 beyond)
    "RATE_LIMIT": 0,  # requests per minute per client address; 0 = off (`lbpkg serve` turns it on)
    "RATE_LIMIT_CLIENTS": 10000,  # addresses remembered at once (least recently seen forgotten first)
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-For names the client
    "CONTENT_SECURITY_POLICY": CSP,
    "REFERRER_POLICY": "strict-origin-when-cross-origin",
}

# C0 controls and DEL; tab, line feed and carriage return are text (SPARQL queries span lines).
_CONTROL_PATH = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_PARAM = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# U+FFFD is what a decoder leaves of broken UTF-8: refused like the broken bytes themselves.
_REPLACEMENT = "\ufffd"


class TermConverter(BaseConverter):
    """`<term:local>`: one path segment that makes a valid IRI in the LBP namespace. Anything else
    (spaces, angle brackets, bad percent escapes) cannot name a term, so the route does not match
    (404) and the text never reaches a query."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        if not is_iri(str(LBP) + value):
            raise ValidationError()
        return value


class RateLimiter:
    """A token bucket per client address, in memory: `per_minute` requests a minute on average,
    bursts of up to `per_minute`. The table is bounded; the least recently seen address goes first
    (a forgotten client starts again with a full bucket, which only ever errs towards serving)."""

    def __init__(self, per_minute: int, max_clients: int = 10000, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds until it would."""
        now = self.clock()
        with self._lock:
            tokens, seen = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - seen) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait


def _utf8(raw: str, what: str) -> str:
    """WSGI hands over bytes as latin-1 text; the site speaks UTF-8 only."""
    try:
        text = raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        text = _REPLACEMENT
    if _REPLACEMENT in text:
        abort(400, description=f"The {what} is not valid UTF-8.")
    return text


def _check_query_string(raw: str) -> None:
    """Every name and value of the query string: valid UTF-8 once percent-decoded, no controls."""
    data = raw.encode("latin-1", "replace")
    for pair in data.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                text = unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeError:
                text = _REPLACEMENT
            if _REPLACEMENT in text:
                abort(400, description="A parameter is not valid UTF-8 (after percent-decoding).")
            if _CONTROL_PARAM.search(text):
                abort(400, description="A parameter contains a control character (such as a null byte).")


def _client() -> str:
    return request.remote_addr or "unknown"


def check_request() -> None:
    """Runs before every view: rate, size, then encoding; the first failure answers."""
    config = current_app.config
    limiter: RateLimiter | None = current_app.extensions.get("lbp_kg_rate_limiter")
    if limiter is not None:
        wait = limiter.take(_client())
        if wait > 0:
            seconds = math.ceil(wait)
            raise TooManyRequests(f"Too many requests from your address; try again in {seconds} s.",
                                  retry_after=seconds)
    environ = request.environ
    path_raw, query_raw = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    limit = int(config["MAX_URL_LENGTH"])
    if limit and len(path_raw) + len(query_raw) > limit:
        abort(414, description=f"The address is longer than this site accepts ({limit} bytes); "
                               "send long SPARQL queries to /sparql by POST.")
    most = config.get("MAX_CONTENT_LENGTH")
    if most and request.content_length is not None and request.content_length > most:
        abort(413, description=f"The request body is larger than this site accepts ({most} bytes).")
    path = _utf8(path_raw, "address")
    if _CONTROL_PATH.search(path):
        abort(400, description="The address contains a control character (such as a null byte).")
    if query_raw:
        _check_query_string(query_raw)


def add_headers(resp: Response) -> Response:
    """Browser-side protections on every response (a view may set its own first)."""
    config = current_app.config
    headers = resp.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    if config.get("CONTENT_SECURITY_POLICY"):
        headers.setdefault("Content-Security-Policy", config["CONTENT_SECURITY_POLICY"])
    if config.get("REFERRER_POLICY"):
        headers.setdefault("Referrer-Policy", config["REFERRER_POLICY"])
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return resp


def safe_href(url: object) -> str | None:
    """A URL from the data fit for an href: http(s) only, so a `javascript:` or `data:` IRI in the
    graph is shown as text, never made a link (templates: `{% if x|safe_href %}`)."""
    text = str(url or "").strip()
    if re.match(r"(?i)https?://[^\s]", text) and not _CONTROL_PATH.search(text):
        return text
    return None


def init_app(app: Flask) -> None:
    """Defaults for the keys left unset, the converter, the checks and the headers."""
    for key, value in DEFAULTS.items():
        if app.config.get(key) is None:
            app.config[key] = value
    app.url_map.converters["term"] = TermConverter
    per_minute = int(app.config["RATE_LIMIT"] or 0)
    if per_minute < 0:
        raise ValueError("RATE_LIMIT must be 0 (off) or a number of requests per minute")
    if per_minute:
        app.extensions["lbp_kg_rate_limiter"] = RateLimiter(per_minute, int(app.config["RATE_LIMIT_CLIENTS"]))
    proxies = int(app.config["TRUSTED_PROXIES"] or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    app.before_request(check_request)
    app.after_request(add_headers)
    app.add_template_filter(safe_href, "safe_href")
