"""Classify the ontology with HermiT (through owlready2) and return what it infers.

owlready2 reads RDF/XML or N-Triples, not Turtle, so the compiled rdflib graph is handed over as
N-Triples in a temporary file. HermiT needs Java; its absence is reported plainly.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg.errors import BuildError
from kg.namespaces import LBP
from kg.release_files import ONTOLOGY_NT


@dataclass
class Reasoned:
    """HermiT's verdict: inferred (sub, super) pairs between named LBP-KG classes."""

    subclass_pairs: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    equivalent_pairs: set[tuple[URIRef, URIRef]] = field(default_factory=set)


def java_available() -> bool:
    """True when a Java runtime is on PATH (HermiT runs in the JVM)."""
    return shutil.which("java") is not None


def _label(graph: Graph, iri: str) -> str:
    from rdflib.namespace import RDFS

    label = graph.value(URIRef(iri), RDFS.label)
    return f"{iri} ({label})" if label else iri


def classify(graph: Graph) -> Reasoned:
    """Run HermiT; raise BuildError naming the problem if inconsistent or any class is unsatisfiable."""
    if not java_available():
        raise BuildError(
            "the reasoner needs Java, which is not installed: install a Java runtime "
            "(Debian: apt-get install default-jre-headless) or run `make setup`"
        )
    import owlready2
    from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner

    with tempfile.TemporaryDirectory(prefix="lbpkg-reason-") as tmp:
        nt = Path(tmp) / ONTOLOGY_NT
        graph.serialize(nt, format="nt", encoding="utf-8")
        world = World()
        onto = world.get_ontology(nt.as_uri()).load(format="ntriples")
        asserted = {
            (c.iri, p.iri)
            for c in onto.classes()
            for p in c.is_a
            if isinstance(p, owlready2.ThingClass)
        }
        try:
            with onto:
                sync_reasoner(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError:
            raise BuildError("the ontology is inconsistent (HermiT): no model satisfies all axioms") from None
        except owlready2.OwlReadyJavaError as exc:
            raise BuildError(f"HermiT failed: {str(exc).strip().splitlines()[-1]}") from None
        unsat = [c.iri for c in world.inconsistent_classes() if c.iri.startswith(str(LBP))]
        if unsat:
            names = ", ".join(_label(graph, iri) for iri in sorted(unsat))
            raise BuildError(f"unsatisfiable classes (HermiT): {names}")
        result = Reasoned()
        for cls in onto.classes():
            if not cls.iri.startswith(str(LBP)):
                continue
            for parent in cls.is_a:
                if (
                    isinstance(parent, owlready2.ThingClass)
                    and parent.iri.startswith(str(LBP))
                    and (cls.iri, parent.iri) not in asserted
                ):
                    result.subclass_pairs.add((URIRef(cls.iri), URIRef(parent.iri)))
            for eq in cls.equivalent_to:
                if isinstance(eq, owlready2.ThingClass) and eq.iri.startswith(str(LBP)):
                    result.equivalent_pairs.add((URIRef(cls.iri), URIRef(eq.iri)))
        world.close()
    return result
