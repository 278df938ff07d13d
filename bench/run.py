"""Benchmark LBP-KG's stores: the query library on each backend, and oxigraph at scale.

    .venv/bin/python bench/run.py            # full run: KG on 3 backends, then 1e5, 1e6, 1e7 triples
    .venv/bin/python bench/run.py --quick    # fewer repetitions, scale 1e5 and 1e6 only

Each measurement runs in its own subprocess so that peak memory (ru_maxrss) belongs to it alone.
Results are printed and written to bench/results.md. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RELEASE = ROOT / "build" / "release"
STORE = ROOT / "build" / "store"
GEN = "https://w3id.org/lbp-kg/gen/"
LBP = "https://w3id.org/lbp-kg/"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DEF = "http://purl.obolibrary.org/obo/IAO_0000115"
DCT_SOURCE = "http://purl.org/dc/terms/source"
UPPER = ["AnatomicalEntity", "Disorder", "PathophysiologicalMechanism", "Intervention", "ClinicalFinding"]


def library() -> list[tuple[str, str, dict]]:
    """(name, text, bindings) for every runnable library query (not federated, not external)."""
    from kg.querylib import load_queries, render

    out = []
    for name, query in sorted(load_queries(ROOT / "queries").items()):
        if query.federated or "graph/external" in query.sparql or name.startswith("examples/"):
            continue
        rendered = render(query)
        out.append((name, rendered.sparql, rendered.bindings))
    return out


def time_queries(store, reps: int, limit: float = 20.0) -> dict[str, dict[str, float]]:  # noqa: ANN001
    """Median and p99 (ms) of each library query over `reps` runs, after one warm-up run; a query
    past `limit` seconds is recorded as a timeout (inf) rather than holding up the whole run."""
    from kg.store import QueryTimeout, StoreError

    results = {}
    for name, text, bindings in library():
        try:
            store.query(text, bindings=bindings, timeout=limit)
        except QueryTimeout:
            results[name] = {"median": float("inf"), "p99": float("inf")}
            continue
        except StoreError as exc:  # an engine that cannot run this query: reported, not fatal
            print(f"bench: {name}: {str(exc).splitlines()[0][:200]}", file=sys.stderr)
            continue
        samples = []
        for _ in range(reps):
            start = time.perf_counter()
            store.query(text, bindings=bindings, timeout=limit)
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        p99 = samples[min(len(samples) - 1, int(round(0.99 * (len(samples) - 1))))]
        results[name] = {"median": statistics.median(samples), "p99": p99}
    return results


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- phases, each run in a subprocess -----------------------------------------------------------


def phase_backend(backend: str, reps: int) -> dict:
    from kg.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="lbpkg-bench-"))
    start = time.perf_counter()
    if backend == "oxigraph":
        from kg.store import create_oxigraph_store

        create_oxigraph_store(RELEASE, tmp / "store")
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        store = open_store(f"oxigraph:{tmp / 'store'}")
        store.query("ASK { ?s ?p ?o }")
        open_s = time.perf_counter() - start
        return {"load_s": load_s, "open_s": open_s, "queries": time_queries(store, reps), "peak_mib": peak_mib()}
    if backend == "rdflib":
        store = open_store(f"rdflib:{RELEASE}")
        load_s = time.perf_counter() - start
        return {"load_s": load_s, "queries": time_queries(store, reps), "peak_mib": peak_mib()}
    from kg.store.virtuoso_local import local_virtuoso

    with local_virtuoso(tmp / "virtuoso") as server:
        store = server.store()
        start = time.perf_counter()
        store.load_release(RELEASE)
        load_s = time.perf_counter() - start
        # the server's memory is not ours: report the client's only
        return {"load_s": load_s, "queries": time_queries(store, reps), "peak_mib": peak_mib()}


def generate(path: Path, triples: int) -> int:
    """An ontology-shaped graph: classes with label, definition, parent, part-of and located-in edges,
    and associations reified by owl:Axiom nodes with a source, about 14 triples a class."""
    written = 0
    n = 0
    with path.open("w", encoding="utf-8") as out:
        while written < triples:
            c = f"<{GEN}C{n}>"
            parent = f"<{LBP}{UPPER[n % len(UPPER)]}>" if n < 50 else f"<{GEN}C{n // 10}>"
            other = f"<{GEN}C{(n * 7919) % (n + 1)}>"
            ax = f"_:a{n}"
            out.write(
                f"{c} <{RDF_TYPE}> <{OWL}Class> .\n"
                f'{c} <{RDFS}label> "generated class {n}"@en .\n'
                f'{c} <{DEF}> "A generated class number {n}, for benchmarking only."@en .\n'
                f"{c} <{RDFS}subClassOf> {parent} .\n"
                f"{c} <{LBP}partOf> {other} .\n"
                f"{c} <{LBP}locatedIn> {other} .\n"
                f"{c} <{LBP}mayCause> {other} .\n"
                f"{ax} <{RDF_TYPE}> <{OWL}Axiom> .\n"
                f"{ax} <{OWL}annotatedSource> {c} .\n"
                f"{ax} <{OWL}annotatedProperty> <{LBP}mayCause> .\n"
                f"{ax} <{OWL}annotatedTarget> {other} .\n"
                f"{ax} <{DCT_SOURCE}> <{GEN}source{n % 1000}> .\n"
                f"{ax} <{LBP}evidenceLevel> <{LBP}evidence-low> .\n"
                f'{c} <{LBP}laySynonym> "gen {n}"@en .\n'
            )
            written += 14
            n += 1
    return written


def phase_scale(triples: int, reps: int) -> dict:
    import pyoxigraph as ox

    from kg.namespaces import ASSERTED_GRAPH
    from kg.store import OxigraphStore, create_oxigraph_store

    tmp = Path(tempfile.mkdtemp(prefix="lbpkg-bench-scale-"))
    data = tmp / "gen.nt"
    start = time.perf_counter()
    written = generate(data, triples)
    gen_s = time.perf_counter() - start
    start = time.perf_counter()
    create_oxigraph_store(RELEASE, tmp / "store")
    raw = ox.Store(str(tmp / "store"))
    raw.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(ASSERTED_GRAPH)))
    raw.flush()
    raw.optimize()
    del raw
    load_s = time.perf_counter() - start
    data.unlink()
    store = OxigraphStore(tmp / "store")
    total = store.triple_count()
    return {"generated": written, "total": total, "gen_s": gen_s, "load_s": load_s,
            "queries": time_queries(store, reps), "peak_mib": peak_mib()}


def run_phase(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- report ---------------------------------------------------------------------------------------


def summary(queries: dict[str, dict[str, float]]) -> tuple[float, float, str]:
    medians = [q["median"] for q in queries.values()]
    worst = max(queries.items(), key=lambda kv: kv[1]["p99"])
    return statistics.median(medians), worst[1]["p99"], worst[0]


def report(backends: dict[str, dict], scale: dict[int, dict], command: str) -> str:
    lines = [
        "# LBP-KG benchmark",
        "",
        f"`{command}` on {time.strftime('%Y-%m-%d')}, {platform.machine()}, 2 cores, "
        f"Python {platform.python_version()}.",
        "",
        "## The query library on the KG, per backend",
        "",
        "| backend | load (s) | median of query medians (ms) | worst p99 (ms) | worst query | peak RSS (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in backends.items():
        if "error" in r:
            lines.append(f"| {name} | error: {r['error']} | | | | |")
            continue
        med, p99, worst = summary(r["queries"])
        load = f"{r['load_s']:.2f}" + (f" (open {r['open_s'] * 1000:.0f} ms)" if "open_s" in r else "")
        lines.append(f"| {name} | {load} | {med:.2f} | {p99:.1f} | {worst} | {r['peak_mib']:.0f} |")
    if "error" not in backends.get("oxigraph", {"error": 1}) and "error" not in backends.get("rdflib", {"error": 1}):
        ox_med = summary(backends["oxigraph"]["queries"])[0]
        rd_med = summary(backends["rdflib"]["queries"])[0]
        lines += ["", f"oxigraph is **{rd_med / ox_med:.0f}x** faster than rdflib on the median query (target 20x)."]
    lines += [
        "",
        "## oxigraph at scale (KG + generated ontology-shaped graph)",
        "",
        "| generated triples | store triples | load (s) | peak RSS (MiB) | median of query medians (ms) "
        "| worst p99 (ms) | worst query |",
        "|---|---|---|---|---|---|---|",
    ]
    for size, r in scale.items():
        if "error" in r:
            lines.append(f"| {size:.0e} | error: {r['error']} | | | | | |")
            continue
        med, p99, worst = summary(r["queries"])
        lines.append(f"| {r['generated']:,} | {r['total']:,} | {r['load_s']:.1f} | {r['peak_mib']:.0f} | "
                     f"{med:.2f} | {p99:.1f} | {worst} |")
    lines += ["", "Targets: every library query under 10 ms p99 on the KG and under 100 ms at 10^7 triples; "
              "10^7 triples loaded in under 60 s with peak memory under 4 GiB.", ""]
    ox = backends.get("oxigraph", {})
    if "queries" in ox:
        lines += ["## Per query on oxigraph (KG alone)", "", "| query | median (ms) | p99 (ms) |", "|---|---|---|"]
        for name, q in sorted(ox["queries"].items(), key=lambda kv: -kv[1]["p99"]):
            lines.append(f"| {name} | {q['median']:.2f} | {q['p99']:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; scale 1e5 and 1e6 only")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    if args.phase:
        kind, value, reps = args.phase[0], args.phase[1], int(args.phase[2])
        result = phase_backend(value, reps) if kind == "backend" else phase_scale(int(float(value)), reps)
        print(json.dumps(result))
        return
    if not (RELEASE / "lbp-kg.nt").exists():
        build = [sys.executable, "-c", "from kg.cli import main; main()", "build", "--quiet"]
        subprocess.run(build, cwd=ROOT, check=True)
    reps = 10 if args.quick else 50
    backends = {}
    for backend, n in (("oxigraph", reps), ("rdflib", max(3, reps // 10)), ("virtuoso", reps // 2)):
        print(f"bench: {backend} ...", file=sys.stderr, flush=True)
        backends[backend] = run_phase(["backend", backend, str(n)])
    sizes = [100_000, 1_000_000] if args.quick else [100_000, 1_000_000, 10_000_000]
    scale = {}
    for size in sizes:
        print(f"bench: scale {size:,} ...", file=sys.stderr, flush=True)
        scale[size] = run_phase(["scale", str(size), str(max(3, reps // 10))])
    command = "python bench/run.py" + (" --quick" if args.quick else "")
    text = report(backends, scale, command)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
