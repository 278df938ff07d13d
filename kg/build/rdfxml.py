"""RDF/XML in the layout OWL tools expect: the owl:Ontology element first, then one typed node
element per entity (``<owl:Class rdf:about=...>``), grouped as the OWL API groups them
(annotation properties, object properties, data properties, classes, individuals), then the
axiom annotations (``<owl:Axiom>``) and other anonymous axioms.

rdflib's ``xml`` writer gives every subject an ``rdf:Description`` in no particular order, so a
parser that looks for the ``owl:Ontology`` element (pronto, hence OAK's pronto adapter) cannot
read it. rdflib's ``pretty-xml`` writer does the element writing, escaping, literals, nested
restrictions and ``rdf:parseType="Collection"`` lists; this module only chooses the order of
subjects, the element type of each node and the order of its properties, so the file is the
same from one build to the next. Named resources are always referenced (``rdf:resource``), never
nested; a blank node is nested where it is used once, and written with an ``rdf:nodeID`` only
when it is used more than once.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.plugins.parsers.RDFVOC import RDFVOC
from rdflib.plugins.serializers.rdfxml import PrettyXMLSerializer, fix
from rdflib.plugins.serializers.xmlwriter import XMLWriter
from rdflib.term import Node

#: Element types a node is written as, in order of preference when it has several types; the
#: file's groups follow the same order (the ontology header first).
TYPE_ORDER: tuple[URIRef, ...] = (
    OWL.Ontology,
    OWL.AnnotationProperty,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.Class,
    RDFS.Datatype,
    OWL.NamedIndividual,
    OWL.Axiom,
    OWL.AllDisjointClasses,
    OWL.Restriction,
)
_RANK = {t: i for i, t in enumerate(TYPE_ORDER)}
_UNTYPED = len(TYPE_ORDER) + 1


def _term_key(node: Node) -> tuple[int, str, str, str]:
    """A sort key for an IRI or literal: IRIs first, then literals by value, language, datatype."""
    if isinstance(node, Literal):
        return (1, str(node), node.language or "", str(node.datatype or ""))
    return (0, str(node), "", "")


class OwlXMLSerializer(PrettyXMLSerializer):
    """rdflib's pretty RDF/XML writer, with subjects, element types and properties in a fixed order."""

    def serialize(self, stream: IO[bytes], base: str | None = None, encoding: str | None = None,
                  **kwargs: Any) -> None:
        store = self.store
        self._PrettyXMLSerializer__serialized: dict[Any, int] = {}  # pretty-xml's record of the nodes written
        self._keys: dict[Node, tuple] = {}
        self._refs: dict[Any, int] = {}
        for obj in store.objects():
            if isinstance(obj, BNode):
                self._refs[obj] = self._refs.get(obj, 0) + 1
        self.max_depth = 1  # nest blank nodes only: a named resource is always a reference
        self.base = base if base is not None else store.base
        self.nm = store.namespace_manager
        self.writer = writer = XMLWriter(stream, self.nm, encoding)
        namespaces: dict[str, str] = {"rdf": str(RDF)}
        for node in set(store.predicates()) | set(store.objects(None, RDF.type)):
            prefix, namespace, _ = self.nm.compute_qname_strict(str(node))
            namespaces[prefix] = str(namespace)
        # Declared for readers that take their CURIE prefixes from the file (OAK does), so the
        # external IRIs compact as the mapping table writes them; unused prefixes are left out.
        iris = {str(n) for t in store for n in t if isinstance(n, URIRef)}
        taken = set(namespaces.values())
        for prefix, namespace in sorted((kwargs.get("prefixes") or {}).items()):
            if prefix not in namespaces and namespace not in taken and any(i.startswith(namespace) for i in iris):
                namespaces[prefix] = namespace
                taken.add(namespace)
        writer.push(RDFVOC.RDF)
        writer.namespaces(sorted(namespaces.items()))
        with warnings.catch_warnings():
            # pretty-xml warns on every rdf:List it writes as a collection; lists here carry nothing else.
            warnings.filterwarnings("ignore", message="Assertions on .* other than RDF.first", category=UserWarning)
            for subject in self._subject_order():
                self.subject(subject, 1)
            # Blank nodes only reachable from each other (never in OWL): written with their ids.
            # (The inner cells of an rdf:List were written with its head, as a collection.)
            done = self._PrettyXMLSerializer__serialized
            left = [s for s in set(store.subjects()) if s not in done and (None, RDF.rest, s) not in store]
            for subject in sorted(left, key=self._bnode_key):
                self._refs[subject] = 2
                self.subject(subject, 1)
        writer.pop(RDFVOC.RDF)
        stream.write(b"\n")

    # -- order -----------------------------------------------------------------------------------

    def _element_type(self, subject: Node) -> URIRef | None:
        types = [t for t in self.store.objects(subject, RDF.type) if isinstance(t, URIRef)]
        return min(types, key=lambda t: (_RANK.get(t, len(TYPE_ORDER)), str(t))) if types else None

    def _rank(self, subject: Node) -> int:
        kind = self._element_type(subject)
        return _UNTYPED if kind is None else _RANK.get(kind, len(TYPE_ORDER))

    def _subject_order(self) -> list[Node]:
        """Named subjects by group, then IRI; then the blank nodes not nested in another node."""
        named = [s for s in set(self.store.subjects()) if not isinstance(s, BNode)]
        named.sort(key=lambda s: (self._rank(s), str(s)))
        anonymous = [s for s in set(self.store.subjects()) if isinstance(s, BNode) and self._refs.get(s, 0) != 1]
        anonymous.sort(key=self._bnode_key)
        return named + anonymous

    def _bnode_key(self, node: Node, seen: frozenset[Node] = frozenset()) -> tuple:
        """A blank node's content (recursively through the blank nodes it uses) as a sort key."""
        if node in self._keys:
            return self._keys[node]
        parts = []
        for p, o in self.store.predicate_objects(node):
            if isinstance(o, BNode):
                parts.append((str(p), (2,) + (self._bnode_key(o, seen | {node}) if o not in seen else ())))
            else:
                parts.append((str(p), _term_key(o)))
        key = (self._rank(node), tuple(sorted(parts)))
        self._keys[node] = key
        return key

    def _pair_key(self, pair: tuple[Any, Any]) -> tuple:
        predicate, obj = pair
        obj_key = (2,) + self._bnode_key(obj) if isinstance(obj, BNode) else _term_key(obj)
        return (predicate != RDF.type, str(predicate), obj_key)

    # -- one node (pretty-xml's hook, called for top-level and nested nodes) ---------------------

    def subject(self, subject: Any, depth: int = 1) -> None:
        writer = self.writer
        serialized = self._PrettyXMLSerializer__serialized
        if subject in self.forceRDFAbout:
            # A named resource in an rdf:List: a reference here, its own node is written in its group.
            writer.push(RDFVOC.Description)
            writer.attribute(RDFVOC.about, self.relativize(subject))
            writer.pop(RDFVOC.Description)
            self.forceRDFAbout.discard(subject)
            return
        if subject in serialized:
            return
        serialized[subject] = 1
        kind = self._element_type(subject)
        if kind is not None:
            try:
                self.nm.qname_strict(kind)
            except ValueError:  # no XML name for the type: an rdf:Description with rdf:type
                kind = None
        element = kind or RDFVOC.Description
        writer.push(element)
        if not isinstance(subject, BNode):
            writer.attribute(RDFVOC.about, self.relativize(subject))
        elif self._refs.get(subject, 0) > 1:
            writer.attribute(RDFVOC.nodeID, fix(subject))
        pairs: list[tuple[Any, Any]] = [
            (p, o) for p, o in self.store.predicate_objects(subject) if not (p == RDF.type and o == kind)
        ]
        for predicate, obj in sorted(pairs, key=self._pair_key):
            self.predicate(predicate, obj, depth + 1)
        writer.pop(element)


def _stable_node_ids(graph: Graph) -> Graph:
    """The graph with each blank node used more than once (written with an rdf:nodeID) renamed
    b1, b2 ... in content order, so the file does not change from run to run; else the graph."""
    refs: dict[Any, int] = {}
    for obj in graph.objects():
        if isinstance(obj, BNode):
            refs[obj] = refs.get(obj, 0) + 1
    shared = [b for b, n in refs.items() if n > 1]
    if not shared:
        return graph
    probe = OwlXMLSerializer(graph)
    probe._keys, probe._refs = {}, refs
    names = {b: BNode(f"b{i}") for i, b in enumerate(sorted(shared, key=probe._bnode_key), start=1)}
    renamed = Graph(namespace_manager=graph.namespace_manager)
    for triple in graph:
        s_, p_, o_ = (names.get(n, n) for n in triple)
        renamed.add((s_, p_, o_))
    return renamed


def serialize_owl_xml(graph: Graph, destination: Path | str, prefixes: dict[str, str] | None = None) -> None:
    """Write `graph` as RDF/XML in the OWL API's layout to `destination` (UTF-8), declaring also
    those of `prefixes` (prefix -> namespace) that some IRI of the graph uses."""
    with Path(destination).open("wb") as stream:
        OwlXMLSerializer(_stable_node_ids(graph)).serialize(stream, encoding="utf-8", prefixes=prefixes)
