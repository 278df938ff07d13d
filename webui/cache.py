"""A bounded in-memory cache of rendered GET responses (term pages, the JSON API, browsing pages).


The store is read-only while the site is served, so a page rendered once is the same for every
later request with the same address and Accept header until the process restarts with a new
release. Rendering a term page costs several store queries and a template (milliseconds); a hit
costs a dictionary look-up. Every cached answer carries an ETag (the release version and a hash of
the body) and Last-Modified (when the release was written), so clients revalidate with a 304, and
Cache-Control so they and proxies may keep it a while.

Only successful (200) GET answers of fixed bytes are kept, never: /sparql (its answers depend on
the query and are not cheap to hold), errors, streamed or file answers, answers that set cookies,
or requests that carry credentials. The site's own checks (before_request hooks registered earlier,
such as a rate limit) still run for every hit; after_request hooks run on hits too.
Config: RESPONSE_CACHE_ENTRIES (2048; 0 turns the cache off), RESPONSE_CACHE_BYTES (64 MB),
RESPONSE_CACHE_MAX_AGE seconds for Cache-Control (300).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

from flask import Flask, Response, current_app, request

from kg.release_files import MANIFEST

DEFAULTS = {"RESPONSE_CACHE_ENTRIES": 2048, "RESPONSE_CACHE_BYTES": 64 * 1024 * 1024, "RESPONSE_CACHE_MAX_AGE": 300}
EXCLUDED_PREFIXES = ("/sparql", "/static/", "/downloads/", "/vendor/")
MAX_BODY = 2 * 1024 * 1024  # bytes: a larger answer is rendered each time rather than crowd out pages
_KEY = "lbp_kg_response_cache"
_DROPPED_HEADERS = {"date", "content-length", "set-cookie"}

Key = tuple[str, str, str, bytes, str]


@dataclass(frozen=True)
class Entry:
    """One stored answer: its status, headers (without Date / Content-Length) and body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str


class ResponseCache:
    """A thread-safe LRU of answers, bounded by entry count and by total body bytes."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Key) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: Key, entry: Entry) -> None:
        if len(entry.body) > min(MAX_BODY, self.max_bytes):
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes


def release_stamp(release_dir: str | None) -> tuple[str, str]:
    """The release version (for ETags) and when it was written (an HTTP date, for Last-Modified)."""
    manifest = Path(release_dir or "") / MANIFEST
    try:
        version = str(json.loads(manifest.read_text(encoding="utf-8")).get("version", "dev"))
        written = manifest.stat().st_mtime
    except (OSError, ValueError):
        import time

        version, written = "dev", time.time()
    return version, formatdate(written, usegmt=True)


def _key() -> Key:
    """Scheme and host (pages hold absolute links), path, raw query string and Accept header."""
    return (request.scheme, request.host, request.path, request.query_string, request.headers.get("Accept", ""))


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and not request.path.startswith(EXCLUDED_PREFIXES)
        and "Authorization" not in request.headers
        and "Cookie" not in request.headers
    )


def _not_modified(entry: Entry) -> bool:
    tags = request.headers.get("If-None-Match", "")
    return bool(tags) and (tags.strip() == "*" or entry.etag in [t.strip().removeprefix("W/") for t in tags.split(",")])


def _client_headers(resp: Response, etag: str) -> None:
    max_age = int(current_app.config.get("RESPONSE_CACHE_MAX_AGE", DEFAULTS["RESPONSE_CACHE_MAX_AGE"]))
    resp.headers["ETag"] = etag
    resp.headers["Last-Modified"] = current_app.extensions[_KEY + "_stamp"][1]
    resp.headers["Cache-Control"] = f"public, max-age={max_age}"
    vary = {v.strip() for v in resp.headers.get("Vary", "").split(",") if v.strip()}
    resp.headers["Vary"] = ", ".join(sorted(vary | {"Accept"}))


def _answer(entry: Entry) -> Response:
    if _not_modified(entry):
        resp = Response(status=304)
        _client_headers(resp, entry.etag)
        return resp
    resp = Response(entry.body, status=entry.status, headers=list(entry.headers))
    resp.headers["X-Cache"] = "hit"
    return resp


def lookup() -> Response | None:
    """before_request: a stored answer (or a 304) for a request that has one; None renders."""
    cache: ResponseCache = current_app.extensions[_KEY]
    if not _cacheable_request():
        return None
    entry = cache.get(_key())
    return None if entry is None else _answer(entry)


def store(resp: Response) -> Response:
    """after_request: keep a fresh successful answer, give it validators, and answer a 304 when
    the client already has it."""
    if resp.headers.get("X-Cache") == "hit" or resp.status_code != 200 or not _cacheable_request():
        return resp
    if resp.is_streamed or resp.direct_passthrough or "Set-Cookie" in resp.headers:
        return resp
    body = resp.get_data()
    version = current_app.extensions[_KEY + "_stamp"][0]
    etag = f'"{version}-{hashlib.blake2b(body, digest_size=8).hexdigest()}"'
    _client_headers(resp, etag)
    headers = tuple((k, v) for k, v in resp.headers.items() if k.lower() not in _DROPPED_HEADERS)
    entry = Entry(resp.status_code, headers, body, etag)
    current_app.extensions[_KEY].put(_key(), entry)
    resp.headers["X-Cache"] = "miss"
    return _answer(entry) if _not_modified(entry) else resp


def init_app(app: Flask) -> None:
    """Register the cache's hooks (after the site's own checks, so they still run for every hit)."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    entries = int(app.config["RESPONSE_CACHE_ENTRIES"])
    if entries <= 0:
        return
    app.extensions[_KEY] = ResponseCache(entries, int(app.config["RESPONSE_CACHE_BYTES"]))
    app.extensions[_KEY + "_stamp"] = release_stamp(app.config.get("RELEASE_DIR"))
    app.before_request(lookup)
    app.after_request(store)


def get_cache(app: Flask) -> ResponseCache | None:
    """The app's response cache (None when it is off)."""
    return app.extensions.get(_KEY)
