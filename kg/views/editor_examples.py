"""What the SPARQL editor offers besides the endpoint: the query library as runnable examples and the
KG's own classes and properties for autocompletion (so the editor never asks an outside service)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from kg.namespaces import PREFIXES
from kg.query.library import LibraryQuery, get_query, render, scan_queries
from kg.store import Store
from kg.store.sparqltext import inject_values

CLASSES = "pages/vocabulary-classes"
PROPERTIES = "pages/vocabulary-properties"


@dataclass(frozen=True)
class VocabTerm:
    iri: str
    label: str | None


@dataclass(frozen=True)
class Example:
    """A library query as the editor shows it: defaults written in as a VALUES block, so the text
    runs as the library means it (values escaped as RDF terms by kg.store.sparqltext)."""

    name: str
    title: str
    description: str
    tags: tuple[str, ...]
    sparql: str


def _terms(store: Store, name: str) -> list[VocabTerm]:
    result = store.query(get_query(name).sparql)
    return [VocabTerm(row["iri"].value, row["label"].value if "label" in row else None) for row in result.rows]


def vocabulary(store: Store) -> dict[str, list[VocabTerm]]:
    """Every class and property named or used in the KG, with an English label where it has one."""
    return {"classes": _terms(store, CLASSES), "properties": _terms(store, PROPERTIES)}


def prefixes() -> dict[str, str]:
    """The project's prefixes, for the editor's PREFIX autocompletion."""
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def example_text(query: LibraryQuery) -> str:
    """The query's text with its default parameter values bound by a VALUES block, its `#+` header
    (test expectations and all) replaced by a comment with only its title and description."""
    rendered = render(query)
    body = "\n".join(line for line in inject_values(rendered.sparql, rendered.bindings).splitlines()
                     if not line.lstrip().startswith("#+")).lstrip("\n")
    head = [f"# {query.title}"] + [f"# {line}" for line in textwrap.wrap(" ".join(query.description.split()), 96)]
    for param in (p for p in query.params if p.default is not None):
        note = f" ({param.description})" if param.description else ""
        head.append(f"# ?{param.name}{note}: change it in the VALUES block")
    return "\n".join(head) + "\n" + body + ("\n" if not body.endswith("\n") else "")


def examples(root: Path | None = None) -> list[Example]:
    """The library's queries that run here (not the checks, not federated ones), as editor examples.
    Malformed files are left out: the library's own tests report them."""
    queries, _problems = scan_queries(root)
    return [
        Example(q.name, q.title, q.description, q.tags, example_text(q))
        for q in queries.values()
        if not q.check and not q.federated
    ]
