"""`lbpkg build`: sources -> reasoned, validated release files (and the embedded store).

Nothing is written until every check has passed, and then only through an atomic swap, so a
failed build leaves the previous good release in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from kg import __version__
from kg.atomic import atomic_dir
from kg.build.compile import Compiled, SourceTree
from kg.errors import BuildError
from kg.namespaces import LBP, ONTOLOGY_IRI, PREFIXES, version_iri
from kg.build.progress import Progress
from kg.build.reason import classify
from kg.build.relation_graph import materialise
from kg.build.release import write_graphs, write_manifest
from kg.release_files import EXTERNAL_NT, IMPORTS_NT, ONTOLOGY_NT
from kg.build.validate import shacl_violations, validate_sources
from kg.build.rdfxml import serialize_owl_xml


@dataclass
class BuildResult:
    """What a build produced, for the CLI's summary and for tests."""

    release_dir: Path
    version: str
    asserted: Graph
    inferred: Graph
    inferred_subclasses: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)


def _stamp_header(graph: Graph, version: str) -> None:
    graph.add((ONTOLOGY_IRI, RDF.type, OWL.Ontology))
    graph.add((ONTOLOGY_IRI, OWL.versionIRI, URIRef(version_iri(version))))
    graph.add((ONTOLOGY_IRI, OWL.versionInfo, Literal(version)))
    graph.add((ONTOLOGY_IRI, DCTERMS.modified, Literal(dt.date.today().isoformat(), datatype=XSD.date)))


def _counts(compiled: Compiled, asserted: Graph, inferred: Graph,
            inferred_subclasses: set[tuple[URIRef, URIRef]]) -> dict[str, int]:
    assoc = {p for p in asserted.transitive_subjects(RDFS.subPropertyOf, LBP.associationRelation)}
    assoc.discard(LBP.associationRelation)
    return {
        "classes": len(compiled.classes),
        "asserted_triples": len(asserted),
        "inferred_triples": len(inferred),
        "associations": sum(1 for p in assoc for _ in asserted.subject_objects(p)),
        "inferred_subclass_axioms": len(inferred_subclasses),
        "sources": sum(1 for _ in asserted.subjects(RDF.type, LBP.SourceDocument)),
        "claims": sum(1 for _ in asserted.subjects(RDF.type, LBP.Claim)),
    }


def _mappings(src: SourceTree, version: str) -> tuple[Graph, Graph] | None:
    """The mapping triples and the imports module, or None when the ontology has no mapping table."""
    if not src.mappings.exists():
        return None
    from kg.build.imports import imports_module, load_parents
    from kg.build.mappings import load_mappings, mapping_graph

    table = load_mappings(src.mappings)
    parents = load_parents(src.mappings.parent / "external-parents.tsv")
    return mapping_graph(src.mappings), imports_module(table, version_iri(version), parents)


def load_external(paths: list[Path]) -> Graph:
    """Parse external ontologies (UBERON, MONDO ...) to be released beside the KG, not merged into it."""
    from kg.rdfinput import UnsafeXML, parse_rdf_file

    graph = Graph()
    for path in paths:
        fmt = "xml" if path.suffix in (".owl", ".rdf") else None
        try:
            parse_rdf_file(path, fmt, graph)
        except FileNotFoundError:
            raise BuildError(f"{path}: external ontology not found") from None
        except UnsafeXML as exc:
            raise BuildError(f"refused external ontology {exc}") from None
        except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for bad input
            raise BuildError(f"{path}: cannot parse external ontology: {exc}") from None
    return graph


def build(
    ontology_dir: Path,
    release_dir: Path,
    version: str | None = None,
    progress: Progress | None = None,
    with_external: list[Path] | None = None,
    store_dir: Path | None = None,
    owl_profile: bool = True,
) -> BuildResult:
    """Compile, reason, materialise, validate, then write the release atomically.

    External ontologies given in `with_external` are not reasoned over; they are written to
    lbp-kg-external.nt so stores load them into their own named graph, next to the KG.
    With `owl_profile` (the default) the written lbp-kg.owl, with its imports module, must pass
    the OWL API's OWL 2 DL profile check before it replaces the previous release.
    """
    progress = progress or Progress(total=7 if store_dir else 6, quiet=True)
    if owl_profile:
        from kg.build.owlprofile import require_owlapi

        require_owlapi()  # stop before any work when the check cannot run
    version = version or dt.date.today().isoformat()
    src = SourceTree(ontology_dir)
    with progress.step("compiling and checking sources"):
        compiled = validate_sources(src)
        asserted = compiled.graph
        _stamp_header(asserted, version)
    with progress.step("adding mappings"):
        mapped = _mappings(src, version)
        if mapped is not None:
            asserted += mapped[0]
    with progress.step("reasoning with HermiT"):
        reasoned = classify(asserted)
    with progress.step("materialising the relation graph"):
        inferred = materialise(asserted, reasoned.subclass_pairs)
    with progress.step("validating with SHACL"):
        violations = shacl_violations(asserted + inferred, src.shapes)
        if violations:
            raise BuildError("SHACL validation failed:\n" + "\n".join(violations))
    if mapped is not None:
        from kg.build.imports import IMPORTS_IRI

        # Added after reasoning: the reasoner must not try to fetch the import over the network.
        asserted.add((ONTOLOGY_IRI, OWL.imports, IMPORTS_IRI))
    external = load_external(with_external or [])
    counts = _counts(compiled, asserted, inferred, reasoned.subclass_pairs)
    if with_external:
        counts["external_triples"] = len(external)
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    if src.mappings.exists():
        from kg.build.mappings import load_prefixes, prefix_file

        # The JSON-LD context covers every prefix of the curated map, so each xref compacts.
        context |= dict(load_prefixes(prefix_file(src.mappings)).bimap)

    def write(folder: Path) -> None:
        write_graphs(folder, asserted, inferred, context)
        if with_external:
            external.serialize(folder / EXTERNAL_NT, format="nt", encoding="utf-8")
        if mapped is not None:
            from kg.build.imports import IMPORTS_FILE, write_catalog
            from kg.build.mappings import write_sssom_release

            write_sssom_release(src.mappings, folder)
            serialize_owl_xml(mapped[1], folder / IMPORTS_FILE, context)
            mapped[1].serialize(folder / IMPORTS_NT, format="nt", encoding="utf-8")
            write_catalog(folder)
        if owl_profile:
            from kg.build.owlprofile import check_release

            check_release(folder)
        write_manifest(folder, {"version": version, "package_version": __version__,
                                "version_iri": version_iri(version), "counts": counts})

    checked = " and checking OWL 2 DL (OWL API)" if owl_profile else ""
    with progress.step(f"writing release to {release_dir}{checked}"):
        atomic_dir(release_dir, write)
    if store_dir is not None:
        from kg.store import create_oxigraph_store

        with progress.step(f"loading the embedded store {store_dir}"):
            create_oxigraph_store(release_dir, store_dir)
    return BuildResult(release_dir, version, asserted, inferred, reasoned.subclass_pairs, counts)


def require_release(release_dir: Path) -> Path:
    """Fail clearly when a command needs a release that has not been built yet."""
    if not (release_dir / ONTOLOGY_NT).exists():
        raise BuildError(f"no release in {release_dir}: run `lbpkg build` first")
    return release_dir
