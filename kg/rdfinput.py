"""Reading RDF files that users hand to the CLI (`lbpkg build --with FILE`, `lbpkg diff OLD NEW`).

RDF/XML is XML, and XML can declare entities: an external entity reads a local file or a URL into
the document ("XXE"), nested entities expand a few kilobytes into gigabytes ("billion laughs").
rdflib parses RDF/XML with the standard library's SAX reader, which leaves such declarations to
expat. Here every XML-based format goes through defusedxml's reader instead, allowing only what
real ontologies use: internal entities whose text is short and names no other entity (Protégé
writes `<!ENTITY owl "http://www.w3.org/2002/07/owl#">`). External, parameter and nested entities
are refused with a clear error before anything is expanded or read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.sax import handler
from xml.sax.handler import ErrorHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from rdflib import Graph
from rdflib.parser import InputSource
from rdflib.plugins.parsers.rdfxml import RDFXMLHandler, RDFXMLParser
from rdflib.util import guess_format

from kg.errors import LbpError

MAX_ENTITY_TEXT = 2048  # characters of one internal entity's text (namespace IRIs are far shorter)
XML_FORMATS = {"xml", "application/rdf+xml", "trix", "application/trix"}


class UnsafeXML(LbpError):
    """The file declares an entity that could read other files or expand without bound."""


class SafeExpatParser(DefusedExpatParser):
    """A SAX reader that refuses external, parameter, unparsed and nested entities."""

    def __init__(self) -> None:
        super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)

    def defused_entity_decl(self, name: str, is_parameter_entity: bool, value: str | None, base: str | None,
                            sysid: str | None, pubid: str | None, notation_name: str | None) -> None:
        if is_parameter_entity:
            raise UnsafeXML(f"the XML declares a parameter entity %{name};, which is not accepted")
        if value is None or sysid or pubid or notation_name:
            raise UnsafeXML(f"the XML declares an external entity &{name}; ({sysid or pubid}), "
                            "which would read another file or URL")
        if "&" in value or "%" in value:
            raise UnsafeXML(f"the XML declares an entity &{name}; built from other entities "
                            "(nested entities can expand without bound)")
        if len(value) > MAX_ENTITY_TEXT:
            raise UnsafeXML(f"the XML declares an entity &{name}; of {len(value)} characters "
                            f"(at most {MAX_ENTITY_TEXT} are accepted)")


def _reader(content: handler.ContentHandler) -> SafeExpatParser:
    """Set up as rdflib's own create_parser does, on the safe reader."""
    parser = SafeExpatParser()
    parser.start_namespace_decl("xml", "http://www.w3.org/XML/1998/namespace")  # type: ignore[attr-defined]
    parser.setFeature(handler.feature_namespaces, 1)
    parser.setContentHandler(content)
    parser.setErrorHandler(ErrorHandler())
    return parser


class SafeRDFXMLParser(RDFXMLParser):
    """rdflib's RDF/XML parser on the safe SAX reader (registered as the rdflib plugin
    `safe-rdfxml`)."""

    def parse(self, source: InputSource, sink: Graph, **args: Any) -> None:
        content = RDFXMLHandler(sink)
        content.setDocumentLocator(source)  # type: ignore[arg-type]  # as rdflib does
        if args.get("preserve_bnode_ids") is not None:
            content.preserve_bnode_ids = args["preserve_bnode_ids"]
        self._parser = _reader(content)
        self._parser.parse(source)


def _register() -> None:
    from rdflib import plugin
    from rdflib.parser import Parser

    plugin.register("safe-rdfxml", Parser, __name__, "SafeRDFXMLParser")


_register()


def check_xml(path: Path) -> None:
    """Read an XML file once through the safe reader, refusing what SafeExpatParser refuses."""
    reader = _reader(handler.ContentHandler())
    reader.parse(str(path))


_XML_START = re.compile(r"<(?:\?xml|!DOCTYPE|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?[\s/>])")


def sniff_format(path: Path) -> str:
    """A file without a telling name: XML if it starts like XML, else Turtle (which covers
    N-Triples); an IRI such as <http://...> is not taken for a tag."""
    with open(path, "rb") as f:
        head = f.read(1024).decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    return "xml" if _XML_START.match(head) and not head.startswith("<http") else "turtle"


def parse_rdf_file(path: Path, fmt: str | None = None, graph: Graph | None = None) -> Graph:
    """Parse a user's RDF file (format from `fmt` or its name) into `graph`, never expanding
    external or nested XML entities. Raises FileNotFoundError, UnsafeXML, or rdflib's own errors."""
    graph = Graph() if graph is None else graph
    if not Path(path).is_file():
        raise FileNotFoundError(path)
    fmt = fmt or guess_format(str(path)) or sniff_format(Path(path))
    try:
        if fmt in ("xml", "application/rdf+xml"):
            return graph.parse(str(path), format="safe-rdfxml")
        if fmt in XML_FORMATS:
            check_xml(path)  # TriX: refuse unsafe declarations first, then let rdflib read it
    except DefusedXmlException as exc:
        raise UnsafeXML(f"{path}: {exc}") from None
    except UnsafeXML as exc:
        raise UnsafeXML(f"{path}: {exc}") from None
    return graph.parse(str(path), format=fmt)
