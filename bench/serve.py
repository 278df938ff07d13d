"""Benchmark serving: `lbpkg serve` against a Virtuoso loaded with the same release, over loopback.

    .venv/bin/python bench/serve.py                    # about 3 minutes; writes bench/results-serve.md
    .venv/bin/python bench/serve.py --quick            # 3 s per phase
    .venv/bin/python bench/serve.py --duration 5 --no-virtuoso
    .venv/bin/python bench/serve.py --code OTHER_CHECKOUT --label before   # another version's server

Phases, each for --duration seconds with --connections concurrent connections (wrk when installed,
else a Python thread generator):

- /sparql on the query library mix (every library query that runs on the KG alone, parameters
  written in as constants, rotating), on `lbpkg serve --rate-limit 0` and on Virtuoso; before the
  run, every query's row count is compared between the two (they must be identical);
- term pages (/term/X) and the JSON API (/api/terms/X), rotating over every lbp class;
- under 16 concurrent pathological queries (a cross product that never ends, sent again as soon as
  it is refused): term pages' p99, light queries (an ASK) answered or refused within 1 s, and the
  server alive afterwards.

Results go to stdout and, with --label, into bench/results-serve.md (one section per label).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RELEASE = ROOT / "build" / "release"
STORE = ROOT / "build" / "store"
OUT = ROOT / "bench" / "results-serve.md"
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIGHT = "PREFIX lbp: <https://w3id.org/lbp-kg/> ASK { lbp:DiscHerniation lbp:mayCause lbp:Sciatica }"
TERMS_QUERY = ("SELECT DISTINCT ?c WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> "
               "FILTER(STRSTARTS(STR(?c), 'https://w3id.org/lbp-kg/')) }")
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = (i % #paths) + 1
  return wrk.format("GET", paths[i], {["Accept"] = os.getenv("BENCH_ACCEPT")})
end
"""


# -- the query library, as self-contained texts ---------------------------------------------------


def library() -> list[tuple[str, str]]:
    """(name, text) of every library query that runs on the KG alone, parameters written in."""
    from kg.namespaces import EXTERNAL_GRAPH
    from kg.query.library import load_queries, render
    from kg.store.base import check_bindings
    from kg.store.sparqltext import inject_values, substitute_terms

    out = []
    for name, query in sorted(load_queries(ROOT / "queries").items()):
        if name.startswith("examples/") or query.federated or str(EXTERNAL_GRAPH) in query.sparql:
            continue
        rendered = render(query)
        text, rest = substitute_terms(rendered.sparql, check_bindings(rendered.bindings))
        out.append((name, inject_values(text, rest)))
    return out


def virtuoso_params() -> list[tuple[str, str]]:
    """The dataset the remote store sends (kg.store.sparql_store): the union the embedded store sees."""
    from kg.namespaces import IMPORTS_GRAPH
    from kg.store.base import KG_GRAPHS, OPTIONAL_RELEASE_GRAPHS

    params = [("default-graph-uri", g) for g in (*KG_GRAPHS, str(IMPORTS_GRAPH))]
    params += [("named-graph-uri", g) for g in (*KG_GRAPHS, *OPTIONAL_RELEASE_GRAPHS.values())]
    return params


def query_path(text: str, extra: list[tuple[str, str]]) -> str:
    return "/sparql?" + urllib.parse.urlencode([("query", text), *extra])


def get(url: str, accept: str = ACCEPT, timeout: float = 60) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - loopback servers only
            return resp.status, resp.headers.get_content_type(), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read()


def rows_of(media: str, body: bytes) -> int:
    """Solutions (or triples) in an answer; Virtuoso's ASK comes as one row of __ASK_RETVAL."""
    from rdflib import Graph

    if media in ("application/sparql-results+json", "application/json"):
        data = json.loads(body)
        if "boolean" in data:
            return 1
        bindings = data["results"]["bindings"]
        if data["head"].get("vars") == ["__ASK_RETVAL"]:
            return 1
        return len(bindings)
    fmt = {"application/ld+json": "json-ld", "application/n-triples": "nt", "text/plain": "nt"}.get(media, "turtle")
    return len(Graph().parse(data=body, format=fmt))


# -- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    from tests.support.virtuoso import free_port as port

    return port()


@contextmanager
def lbpkg_server(code: Path, threads: int) -> Iterator[str]:
    """`lbpkg serve` from a checkout (its kg and webui packages first on the path), on a free port."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(code))
    base = [sys.executable, "-c", "from kg.cli import main; main()", "serve"]
    help_text = subprocess.run([*base, "--help"], env=env, capture_output=True, text=True, check=True).stdout
    cmd = [*base, "--port", str(port), "--store", f"oxigraph:{STORE}"]
    if threads:
        cmd += ["--threads", str(threads)]
    if "--rate-limit" in help_text:
        cmd += ["--rate-limit", "0"]
    proc = subprocess.Popen(cmd, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(url + query_path(LIGHT, []), timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("bench: lbpkg serve did not start")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(15)


@contextmanager
def virtuoso_server(tmp: Path) -> Iterator[str]:
    from tests.support.virtuoso import local_virtuoso

    with local_virtuoso(tmp / "virtuoso") as server:
        server.store().load_release(RELEASE)
        yield server.query_url.rsplit("/sparql", 1)[0]


# -- load generators ------------------------------------------------------------------------------


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def load(base: str, paths: list[str], seconds: float, connections: int, accept: str = ACCEPT) -> dict:
    """Requests/s, p50/p99 in ms and non-2xx count for GETs rotating over `paths`."""
    if shutil.which("wrk"):
        return _wrk(base, paths, seconds, connections, accept)
    return _threads(base, paths, seconds, connections, accept)


def _wrk(base: str, paths: list[str], seconds: float, connections: int, accept: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "rotate.lua", Path(tmp) / "paths.txt"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        env = dict(os.environ, BENCH_PATHS=str(listing), BENCH_ACCEPT=accept)
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "--latency",
                              "-s", str(script), base], env=env, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = int(bad.group(1)) if bad else 0
    return {"rps": rps, "ok_rps": rps * (total - non_2xx) / max(total, 1), "p50_ms": p50, "p99_ms": p99,
            "non_2xx": non_2xx,
            "socket_errors": errors.group(1) if errors else "", "tool": "wrk"}


def _threads(base: str, paths: list[str], seconds: float, connections: int, accept: str) -> dict:
    import http.client

    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    stop = time.monotonic() + seconds
    samples: list[float] = []
    bad = [0]

    def run(offset: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        i = offset
        while time.monotonic() < stop:
            i = (i + 1) % len(paths)
            start = time.perf_counter()
            conn.request("GET", paths[i], headers={"Accept": accept})
            resp = conn.getresponse()
            resp.read()
            samples.append((time.perf_counter() - start) * 1000)
            if resp.status >= 300:
                bad[0] += 1

    workers = [threading.Thread(target=run, args=(n * 7,)) for n in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    samples.sort()
    return {"rps": len(samples) / seconds, "ok_rps": (len(samples) - bad[0]) / seconds,
            "p50_ms": statistics.median(samples),
            "p99_ms": samples[int(0.99 * (len(samples) - 1))], "non_2xx": bad[0], "tool": "python threads"}


# -- phases ---------------------------------------------------------------------------------------


def warm(base: str, paths: list[str], accept: str) -> dict:
    """One pass over every path, one at a time: what a first visit costs (the server renders each
    page; with a response cache it keeps them for the timed phases that follow)."""
    times = []
    for path in paths:
        start = time.perf_counter()
        get(base + path, accept=accept)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"pages": len(times), "mean_ms": statistics.fmean(times), "p99_ms": times[int(0.99 * (len(times) - 1))]}


def compare_rows(ours: str, virtuoso: str | None, queries: list[tuple[str, str]]) -> dict:
    """Every library query once on each server: row counts, which must be identical."""
    rows: dict[str, dict] = {}
    for name, text in queries:
        status, media, body = get(ours + query_path(text, []))
        entry: dict = {"ours": rows_of(media, body) if status == 200 else f"HTTP {status}"}
        if virtuoso:
            status, media, body = get(virtuoso + query_path(text, virtuoso_params()))
            entry["virtuoso"] = rows_of(media, body) if status == 200 else f"HTTP {status}"
        rows[name] = entry
    return rows


def pathological(base: str, term_paths: list[str], seconds: float, connections: int) -> dict:
    """16 never-ending queries kept in flight while term pages are loaded and light queries timed."""
    stop = threading.Event()
    heavy_status: dict[int, int] = {}

    def hammer() -> None:
        while not stop.is_set():
            status = get(base + query_path(RUNAWAY, []), timeout=60)[0]
            heavy_status[status] = heavy_status.get(status, 0) + 1

    threads = [threading.Thread(target=hammer) for _ in range(16)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    light: list[tuple[int, float]] = []

    def probe() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            status = get(base + query_path(LIGHT, []), timeout=30)[0]
            light.append((status, time.perf_counter() - start))
            time.sleep(0.1)

    prober = threading.Thread(target=probe)
    prober.start()
    pages = load(base, term_paths, seconds, connections, accept="text/html")
    stop.set()
    prober.join(30)
    for t in threads:
        t.join(60)
    alive = get(base + query_path(LIGHT, []))[0] == 200
    times = sorted(t for _, t in light)
    return {
        "pages": pages,
        "light": {"count": len(light), "answered": sum(1 for s, _ in light if s == 200),
                  "refused_503": sum(1 for s, _ in light if s == 503),
                  "max_s": max(times) if times else None, "within_1s": all(t <= 1.0 for t in times)},
        "heavy_statuses": heavy_status,
        "alive_after": alive,
    }


def run(args: argparse.Namespace) -> dict:
    from kg.store import open_store

    if not (STORE / "CURRENT").is_file():
        raise SystemExit("bench: no build/store; run `lbpkg build` first")
    queries = library()
    terms = [row["c"].value.rsplit("/", 1)[1] for row in open_store(f"oxigraph:{STORE}").query(TERMS_QUERY).rows]
    term_paths = [f"/term/{t}" for t in terms]
    api_paths = [f"/api/terms/{t}" for t in terms]
    result: dict = {"label": args.label, "duration_s": args.duration, "connections": args.connections,
                    "queries": len(queries), "terms": len(terms)}
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        ours = stack.enter_context(lbpkg_server(Path(args.code).resolve(), args.threads))
        virtuoso = None
        if not args.no_virtuoso and shutil.which("virtuoso-t"):
            virtuoso = stack.enter_context(virtuoso_server(tmp))
        rows = compare_rows(ours, virtuoso, queries)
        result["rows"] = rows
        result["row_mismatches"] = sorted(n for n, r in rows.items() if virtuoso and r["ours"] != r["virtuoso"])
        print(f"bench: {len(queries)} queries, row counts compared; mismatches: {result['row_mismatches']}")
        ours_paths = [query_path(text, []) for _, text in queries]
        result["sparql_ours"] = load(ours, ours_paths, args.duration, args.connections)
        print("bench: /sparql lbpkg", result["sparql_ours"])
        if virtuoso:
            v_paths = [query_path(text, virtuoso_params()) for _, text in queries]
            result["sparql_virtuoso"] = load(virtuoso, v_paths, args.duration, args.connections)
            print("bench: /sparql Virtuoso", result["sparql_virtuoso"])
        result["term_pages_cold"] = warm(ours, term_paths, "text/html")
        result["api_cold"] = warm(ours, api_paths, "application/json")
        print("bench: first pass (renders every page once)", result["term_pages_cold"], result["api_cold"])
        result["term_pages"] = load(ours, term_paths, args.duration, args.connections, accept="text/html")
        print("bench: term pages", result["term_pages"])
        result["api_terms"] = load(ours, api_paths, args.duration, args.connections, accept="application/json")
        print("bench: JSON API", result["api_terms"])
        result["pathological"] = pathological(ours, term_paths, args.duration, args.connections)
        print("bench: under 16 pathological queries", result["pathological"])
    return result


def report(result: dict) -> str:
    s_ours, s_v = result["sparql_ours"], result.get("sparql_virtuoso")
    ratio = f"{s_ours['ok_rps'] / s_v['ok_rps']:.2f}x" if s_v else "-"  # answered queries only
    path = result["pathological"]
    lines = [
        f"## {result['label']}",
        "",
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores; {result['duration_s']:g} s per"
        f" phase, {result['connections']} connections ({s_ours['tool']}); {result['queries']} library queries,"
        f" {result['terms']} term pages.",
        "",
        "| measure | figure | target |",
        "|---|---|---|",
        f"| /sparql library mix, lbpkg serve | {s_ours['rps']:.0f} req/s, p50 {s_ours['p50_ms']:.1f} ms,"
        f" p99 {s_ours['p99_ms']:.1f} ms, non-2xx {s_ours['non_2xx']} | - |",
    ]
    if s_v:
        lines.append(f"| /sparql library mix, Virtuoso | {s_v['rps']:.0f} req/s, p50 {s_v['p50_ms']:.1f} ms,"
                     f" p99 {s_v['p99_ms']:.1f} ms, non-2xx {s_v['non_2xx']} | - |")
        lines.append(f"| lbpkg / Virtuoso throughput (2xx answers per second) | {ratio} | >= 1.0x |")
        lines.append(f"| row counts differing from Virtuoso | {len(result['row_mismatches'])}"
                     f" {result['row_mismatches'] or ''} | 0 |")
    t, a = result["term_pages"], result["api_terms"]
    if "term_pages_cold" in result:
        c = result["term_pages_cold"]
        lines.append(f"| first visit of each term page (one client) | mean {c['mean_ms']:.1f} ms,"
                     f" p99 {c['p99_ms']:.1f} ms | - |")
    lines += [
        f"| term pages | {t['rps']:.0f} req/s, p99 {t['p99_ms']:.1f} ms | >= 1,000 req/s, p99 < 50 ms |",
        f"| JSON API /api/terms/X | {a['rps']:.0f} req/s, p99 {a['p99_ms']:.1f} ms | - |",
        f"| term pages under 16 pathological queries | {path['pages']['rps']:.0f} req/s,"
        f" p99 {path['pages']['p99_ms']:.1f} ms | p99 < 50 ms |",
        f"| light queries under 16 pathological queries | {path['light']['answered']} answered,"
        f" {path['light']['refused_503']} refused (503) of {path['light']['count']}; slowest"
        f" {path['light']['max_s'] or 0:.2f} s | all within 1 s |",
        f"| answers to the pathological queries | {path['heavy_statuses']} | 503 only |",
        f"| server alive afterwards | {'yes' if path['alive_after'] else 'NO'} | yes |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--quick", action="store_true", help="3 s per phase (a smoke run, about a minute)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=0, help="lbpkg serve --threads (default: its own)")
    parser.add_argument("--code", default=str(ROOT), help="checkout whose server to run (default: this one)")
    parser.add_argument("--label", default=None, help="write a section with this title to bench/results-serve.md")
    parser.add_argument("--no-virtuoso", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.duration = 3.0
    args.label = args.label or "lbpkg serve"
    result = run(args)
    text = report(result)
    print(text)
    (ROOT / "build").mkdir(exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", args.label.lower())
    (ROOT / "build" / f"bench-serve-{slug}.json").write_text(
        json.dumps(result, indent=1, default=str), encoding="utf-8")
    if args.label:
        old = OUT.read_text(encoding="utf-8") if OUT.is_file() else "# Serving benchmark (bench/serve.py)\n\n"
        section = re.compile(rf"^## {re.escape(args.label)}\n.*?(?=^## |\Z)", re.S | re.M)
        new = section.sub(text + "\n", old) if section.search(old) else old.rstrip("\n") + "\n\n" + text
        OUT.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
