"""The test oracle of the query library: does an answer hold what the query's `expect:` header
says? Used by the tests (every backend) and the benchmark's sanity checks, never by the library."""

from __future__ import annotations

from kg.query.library import LibraryQuery, expand_curie
from kg.results import QueryResult, Term


def _matches(row: dict[str, Term], expected: dict[str, str]) -> bool:
    for var, want in expected.items():
        term = row.get(var)
        if term is None:
            return False
        iri = expand_curie(want) if term.type == "uri" else None
        if term.value != (iri if iri is not None else want):
            return False
    return True


def check_expect(query: LibraryQuery, result: QueryResult) -> list[str]:
    """What in the answer breaks the header's `expect:`; empty when it holds. Values may be CURIEs
    (compared as IRIs) or literals (compared by lexical value)."""
    exp = query.expect
    failures: list[str] = []
    if query.check and len(result) > 0:
        failures.append(f"check fired: {len(result)} violations, e.g. {_show(result.rows[0]) if result.rows else ''}")
    if exp.boolean is not None:
        if result.kind != "ask":
            failures.append(f"expected an ASK answer, got a {result.kind} result")
        elif result.boolean != exp.boolean:
            failures.append(f"expected {str(exp.boolean).lower()}, got {str(result.boolean).lower()}")
    n = len(result)
    if exp.min_rows is not None and n < exp.min_rows:
        failures.append(f"expected at least {exp.min_rows} rows, got {n}")
    if exp.max_rows is not None and n > exp.max_rows:
        failures.append(f"expected at most {exp.max_rows} rows, got {n}")
    for want in exp.contains:
        if not any(_matches(row, want) for row in result.rows):
            failures.append(f"no row matches {want}")
    for unwanted in exp.not_contains:
        if any(_matches(row, unwanted) for row in result.rows):
            failures.append(f"a row matches {unwanted}, which should not be in the answer")
    if exp.equals_rows is not None:
        remaining = list(result.rows)
        for want in exp.equals_rows:
            hit = next((i for i, row in enumerate(remaining) if _matches(row, want)), None)
            if hit is None:
                failures.append(f"no row matches {want}")
            else:
                remaining.pop(hit)
        if remaining:
            failures.append(f"{len(remaining)} unexpected rows, e.g. {_show(remaining[0])}")
    return failures


def _show(row: dict[str, Term]) -> dict[str, str]:
    return {k: v.value for k, v in row.items()}
