"""Site-wide limits and headers (webui.security), end to end through waitress on loopback: body
and URL sizes, encodings, the per-address rate limit, 406, the security headers, and the error
answers (no traceback, the log keeps it)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask

from tests.security.site_helpers import (
    LiveServer,
    assert_alive,
    assert_no_traceback,
    make_app,
    raw_request,
    request,
    served,
)
from webui.security import CSP, RateLimiter, safe_href

# --- headers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/term/Sciatica", "/api/terms/Sciatica", "/static/site.css",
                                  "/graph/Sciatica.json", "/editor", "/term/NoSuchThing", "/downloads/lbp-kg.ttl"])
def test_security_headers_on_every_answer(server: LiveServer, path: str) -> None:
    answer = request(server, "GET", path)
    assert answer.status in (200, 404)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP and "'unsafe-eval'" not in CSP
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script(server: LiveServer) -> None:
    """script-src 'self' holds only if no page relies on inline script: data blocks only."""
    import re

    for path in ("/", "/term/Sciatica", "/graph/Sciatica", "/editor", "/search?q=disc", "/learn/tour"):
        page = request(server, "GET", path).text
        for attrs, content in re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S):
            assert "src=" in attrs or 'type="application/json"' in attrs, f"{path}: inline script {attrs!r}"
            if "src=" in attrs:
                assert not content.strip()
        assert not re.search(r"\son[a-z]+\s*=", page), f"{path}: an inline event handler"


def test_policy_is_configurable(store_spec: str, fixture_release_dir: Path) -> None:  # noqa: ANN001
    app = make_app(store_spec, str(fixture_release_dir), CONTENT_SECURITY_POLICY="default-src 'none'",
                   REFERRER_POLICY="no-referrer")
    resp = app.test_client().get("/az")
    assert resp.headers["Content-Security-Policy"] == "default-src 'none'"
    assert resp.headers["Referrer-Policy"] == "no-referrer"


# --- sizes -------------------------------------------------------------------------------------

def test_a_3_mb_body_is_413(server: LiveServer) -> None:
    big = "x" * (3 * 1024 * 1024)
    for path, media in (("/sparql", "application/sparql-query"), ("/search", "application/x-www-form-urlencoded")):
        answer = request(server, "POST", path, data=big, headers={"Content-Type": media})
        assert answer.status == 413, (path, answer.status)
        assert_no_traceback(answer, path)
    assert_alive(server)


def test_the_app_refuses_a_large_body_itself(site_app: Flask) -> None:
    """Without waitress in front (another WSGI server), the app's own check answers 413."""
    resp = site_app.test_client().post("/search", data=b"x" * (1024 * 1024 + 1),
                                       headers={"Content-Type": "application/octet-stream"})
    assert resp.status_code == 413
    assert "larger than this site accepts" in resp.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/search", "/search/suggest", "/api/search", "/learn/relate"])
def test_a_100_kb_parameter_is_414(server: LiveServer, path: str) -> None:
    answer = request(server, "GET", path, params={"q": "a" * 100_000, "x": "disc", "y": "nerve"})
    assert answer.status == 414
    assert "longer than this site accepts" in answer.text
    assert_no_traceback(answer, path)


def test_url_limit_is_configurable(store_spec: str, fixture_release_dir: Path) -> None:  # noqa: ANN001
    client = make_app(store_spec, str(fixture_release_dir), MAX_URL_LENGTH=64).test_client()
    assert client.get("/search", query_string={"q": "disc"}).status_code == 200
    assert client.get("/search", query_string={"q": "d" * 80}).status_code == 414


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    b"/term/%00", b"/term/Sciatica%00", b"/term/%ff", b"/term/%C0%AF", b"/term/\xff\xfe", b"/term/a%0Db",
    b"/term/a%1Bb", b"/api/terms/%00", b"/graph/%ff.json", b"/search?q=%00", b"/search?q=%ff",
    b"/search/suggest?q=a%00b", b"/api/search?q=%C3%28", b"/learn/relate?x=%00&y=disc",
    b"/api/paths?from=Sciatica&to=%ED%A0%80", b"/search?%ff=1", b"/downloads/%00manifest.json",
])
def test_bad_utf8_and_control_characters_are_400(server: LiveServer, target: bytes) -> None:
    answer = raw_request(server, target)
    assert answer.status == 400, (target, answer.status, answer.text[:200])
    assert_no_traceback(answer, repr(target))
    # the app says which; raw non-ASCII bytes in the request line are refused by waitress itself
    assert "UTF-8" in answer.text or "control character" in answer.text or "Bad URI" in answer.text


def test_text_with_newlines_and_tabs_is_fine(server: LiveServer) -> None:
    assert request(server, "GET", "/search", params={"q": "slipped\tdisc\r\n"}).status == 200


def test_invalid_iri_characters_are_404_not_500(server: LiveServer) -> None:
    for local in ("a%20b", "a%3Cb%3E", "a%22b", "%7Bx%7D", "a%5Cb", "a%5Eb", "a%60b", "a%25zz", "%5B1%5D"):
        for prefix in ("/term/", "/api/terms/", "/graph/"):
            answer = raw_request(server, prefix.encode() + local.encode())
            assert answer.status == 404, (prefix + local, answer.status)
            assert_no_traceback(answer, local)


# --- Accept ------------------------------------------------------------------------------------

def test_unsupported_accept_is_406_on_negotiated_pages(server: LiveServer) -> None:
    for path in ("/term/Sciatica", "/graph/Sciatica"):
        answer = request(server, "GET", path, headers={"Accept": "image/png"})
        assert answer.status == 406, path
        assert "text/html" in answer.text
    assert request(server, "GET", "/term/Sciatica", headers={"Accept": "text/turtle"}).media_type == "text/turtle"
    assert request(server, "GET", "/term/Sciatica", headers={"Accept": "*/*"}).media_type == "text/html"
    assert request(server, "GET", "/term/Sciatica").media_type == "text/html"
    # the documented default elsewhere: each route answers its one format whatever Accept says
    assert request(server, "GET", "/api/terms/Sciatica", headers={"Accept": "image/png"}).media_type == \
        "application/json"
    assert request(server, "GET", "/az", headers={"Accept": "image/png"}).media_type == "text/html"


# --- rate limit --------------------------------------------------------------------------------

def test_rate_limit_answers_429_with_retry_after(store_spec: str, fixture_release_dir: Path) -> None:  # noqa: ANN001
    app = make_app(store_spec, str(fixture_release_dir), RATE_LIMIT=6)
    with served(app) as live:
        statuses = []
        for _ in range(20):  # 6 a minute with bursts of 6: the 7th comes back 429 however slow we are
            answer = request(live, "GET", "/static/site.css")
            statuses.append(answer.status)
            if answer.status == 429:
                break
        assert statuses[:6] == [200] * 6 and statuses[-1] == 429
        assert int(answer.headers["retry-after"]) >= 1
        assert "Too many requests" in answer.text
        assert request(live, "GET", "/api/terms", headers={}).status == 429
        # another client address is not held back by the first one's use
        assert request(live, "GET", "/static/site.css", source="127.0.0.2").status == 200


def test_rate_limiter_token_bucket() -> None:
    now = [0.0]
    limiter = RateLimiter(60, max_clients=3, clock=lambda: now[0])
    assert all(limiter.take("a") == 0 for _ in range(60))
    assert limiter.take("a") == pytest.approx(1.0)   # one token a second
    now[0] += 0.5
    assert limiter.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert limiter.take("a") == 0
    for client in "bcd":  # the table stays bounded: "a" is forgotten
        limiter.take(client)
    assert len(limiter._buckets) == 3 and "a" not in limiter._buckets


def test_rate_limit_is_off_by_default_in_the_app(site_app: Flask) -> None:
    client = site_app.test_client()
    assert site_app.config["RATE_LIMIT"] == 0
    assert all(client.get("/static/site.css").status_code == 200 for _ in range(80))


def test_serve_passes_its_rate_limit_to_the_app(monkeypatch: pytest.MonkeyPatch, store_spec: str) -> None:
    import waitress
    from click.testing import CliRunner

    from kg.cli import main

    seen: dict[str, object] = {}

    def fake_serve(app: Flask, **kwargs: object) -> None:
        seen.update(kwargs, rate=app.config["RATE_LIMIT"], store=app.config["STORE"])

    monkeypatch.setattr(waitress, "serve", fake_serve)
    result = CliRunner().invoke(main, ["serve", "--store", store_spec, "--rate-limit", "42", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert seen["rate"] == 42 and seen["store"] == store_spec
    assert seen["max_request_body_size"] == 1024 * 1024
    assert CliRunner().invoke(main, ["serve", "--rate-limit", "-1"]).exit_code == 2


# --- errors ------------------------------------------------------------------------------------

def test_unexpected_errors_are_logged_not_shown(store_spec: str, fixture_release_dir: Path, caplog) -> None:  # noqa: ANN001
    app = make_app(store_spec, str(fixture_release_dir))

    def boom() -> str:
        raise RuntimeError("secret internals /etc/passwd")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/boom", "api_boom", boom)
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="webui"):
        page = client.get("/boom")
        api = client.get("/api/boom")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert api.status_code == 500 and api.get_json()["status"] == 500
    for resp in (page, api):
        body = resp.get_data(as_text=True)
        assert "secret internals" not in body and "Traceback" not in body and "RuntimeError" not in body
        assert "has been logged" in body
    assert "Traceback" in caplog.text and "secret internals" in caplog.text


def test_method_not_allowed_keeps_allow(server: LiveServer) -> None:
    answer = request(server, "DELETE", "/term/Sciatica")
    assert answer.status == 405 and "GET" in answer.headers["allow"]


def test_safe_href_only_links_http() -> None:
    assert safe_href("https://example.org/x") == "https://example.org/x"
    assert safe_href("http://purl.obolibrary.org/obo/HP_1") == "http://purl.obolibrary.org/obo/HP_1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>", "vbscript:x",
                "//evil.example/x", "http://", "https://a\nb", None, ""):
        assert safe_href(bad) is None, bad


def test_trusted_hosts_refuse_other_host_headers(store_spec: str, fixture_release_dir: Path) -> None:  # noqa: ANN001
    client = make_app(store_spec, str(fixture_release_dir), TRUSTED_HOSTS=["lbp.example"]).test_client()
    refused = client.get("/az", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "not trusted" in refused.get_data(as_text=True)
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/az", headers={"Host": "lbp.example"}).status_code == 200


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(store_spec: str,  # noqa: ANN001
                                                                          fixture_release_dir: Path) -> None:
    app = make_app(store_spec, str(fixture_release_dir), RATE_LIMIT=2, TRUSTED_PROXIES=1)
    client = app.test_client()

    def get(forwarded: str) -> int:
        return client.get("/static/site.css", headers={"X-Forwarded-For": forwarded},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code

    assert [get("192.0.2.1") for _ in range(3)] == [200, 200, 429]
    assert get("192.0.2.2") == 200   # another client behind the same proxy


def test_a_chunked_body_over_the_limit_is_413(server: LiveServer) -> None:
    """No Content-Length to check up front: the limit still holds while the body arrives."""
    import select
    import socket

    chunk = b"x" * 65536
    head = (f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n"
            "Content-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    data = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head)
        for _ in range(40):  # up to 2.5 MiB, stopping as soon as the server answers
            if select.select([sock], [], [], 0.05)[0]:
                break
            try:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
        try:
            while piece := sock.recv(65536):
                data += piece
                if b"\r\n" in data:
                    break
        except ConnectionResetError:
            pass
    assert data.split(b"\r\n", 1)[0].split()[1] == b"413", data[:200]
    assert_alive(server)
