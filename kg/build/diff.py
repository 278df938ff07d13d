"""`lbpkg diff OLD NEW`: what changed between two releases, in the terms users depend on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import LbpError
from kg.namespaces import LBP
from kg.release_files import ONTOLOGY_NT

MAPPING_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


@dataclass
class ReleaseDiff:
    """Terms added, removed, deprecated, relabelled and re-mapped between two releases."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    deprecated: list[str] = field(default_factory=list)
    relabelled: list[tuple[str, str, str]] = field(default_factory=list)
    remapped: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.deprecated or self.relabelled or self.remapped)

    def lines(self) -> list[str]:
        out = [f"added {t}" for t in self.added]
        out += [f"removed {t}" for t in self.removed]
        out += [f"deprecated {t}" for t in self.deprecated]
        out += [f"relabelled {t}: '{a}' -> '{b}'" for t, a, b in self.relabelled]
        for t, gone, new in self.remapped:
            change = [f"-{m}" for m in gone] + [f"+{m}" for m in new]
            out.append(f"re-mapped {t}: {' '.join(change)}")
        return out


def load_release_graph(path: Path) -> Graph:
    """A release folder (its lbp-kg.nt) or any RDF file rdflib can guess the format of."""
    target = path / ONTOLOGY_NT if path.is_dir() else path
    if not target.exists():
        raise LbpError(f"{path}: no release here (expected a release folder or an RDF file)")
    from kg.rdfinput import UnsafeXML, parse_rdf_file

    try:
        return parse_rdf_file(target)
    except UnsafeXML as exc:
        raise LbpError(f"refused {exc}") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for bad input
        raise LbpError(f"{target}: cannot parse: {exc}") from None


def _terms(g: Graph) -> dict[str, Graph]:
    return {str(s): g for s in g.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef) and str(s).startswith(str(LBP))}


def _curie(iri: str) -> str:
    return "lbp:" + iri[len(str(LBP)):] if iri.startswith(str(LBP)) else iri


def _mappings(g: Graph, s: URIRef) -> set[str]:
    return {f"{p.split('#')[-1]} {o}" for p in MAPPING_PREDICATES for o in g.objects(s, p)}


def diff_graphs(old: Graph, new: Graph) -> ReleaseDiff:
    """Compare by IRI: IRIs are stable, so a changed label is a relabel, never a new term."""
    before, after = _terms(old), _terms(new)
    result = ReleaseDiff()
    result.added = sorted(_curie(t) for t in after.keys() - before.keys())
    result.removed = sorted(_curie(t) for t in before.keys() - after.keys())
    for iri in sorted(before.keys() & after.keys()):
        s = URIRef(iri)
        was_dep = (s, OWL.deprecated, Literal(True)) in old
        is_dep = (s, OWL.deprecated, Literal(True)) in new
        if is_dep and not was_dep:
            result.deprecated.append(_curie(iri))
        a, b = old.value(s, RDFS.label), new.value(s, RDFS.label)
        if str(a) != str(b):
            result.relabelled.append((_curie(iri), str(a), str(b)))
        ma, mb = _mappings(old, s), _mappings(new, s)
        if ma != mb:
            result.remapped.append((_curie(iri), sorted(ma - mb), sorted(mb - ma)))
    return result
