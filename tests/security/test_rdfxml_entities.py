"""User RDF/XML is read without entity expansion: a billion-laughs file and an external-entity
(XXE) file get a clear error from `lbpkg diff` and `lbpkg build --with`, nothing is expanded and
no other file is read; an ordinary Protégé-style file with simple entities still parses."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from kg.build.pipeline import load_external
from kg.cli import main
from kg.errors import BuildError
from kg.rdfinput import UnsafeXML, parse_rdf_file, sniff_format

HEAD = '<?xml version="1.0"?>\n'
RDF_OPEN = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n')
SECRET = "TOP-SECRET-CONTENT-7f3a"


def _laughs() -> str:
    lines = ['<!ENTITY lol "lol">']
    lines += [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    return (HEAD + "<!DOCTYPE rdf:RDF [\n" + "\n".join(lines) + "\n]>\n" + RDF_OPEN
            + '<rdf:Description rdf:about="http://example.org/x"><rdfs:label>&lol9;</rdfs:label></rdf:Description>\n'
            + "</rdf:RDF>\n")


def _external(target: Path) -> str:
    return (HEAD + f'<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "file://{target}"> ]>\n' + RDF_OPEN
            + '<rdf:Description rdf:about="http://example.org/x"><rdfs:label>&xxe;</rdfs:label></rdf:Description>\n'
            + "</rdf:RDF>\n")


def _parameter(target: Path) -> str:
    return (HEAD + f'<!DOCTYPE rdf:RDF [ <!ENTITY % p SYSTEM "file://{target}"> %p; ]>\n' + RDF_OPEN
            + "</rdf:RDF>\n")


PROTEGE = (HEAD + '<!DOCTYPE rdf:RDF [\n  <!ENTITY ex "http://example.org/" >\n]>\n' + RDF_OPEN
           + '<rdf:Description rdf:about="&ex;x"><rdfs:label>fine</rdfs:label></rdf:Description>\n</rdf:RDF>\n')


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    out = {"secret": secret}
    for name, text in (("laughs", _laughs()), ("xxe", _external(secret)), ("param", _parameter(secret)),
                       ("ok", PROTEGE)):
        out[name] = tmp_path / f"{name}.owl"
        out[name].write_text(text)
    (tmp_path / "noext").write_text(_external(secret))
    out["noext"] = tmp_path / "noext"
    return out


@pytest.mark.parametrize(("name", "words"), [
    ("laughs", "built from other entities"),
    ("xxe", "external entity &xxe;"),
    ("param", "parameter entity"),
    ("noext", "external entity &xxe;"),   # no telling file name: sniffed as XML all the same
])
def test_unsafe_xml_is_refused(files: dict[str, Path], name: str, words: str) -> None:
    with pytest.raises(UnsafeXML, match=words):
        parse_rdf_file(files[name])


def test_lbpkg_diff_refuses_with_one_clear_line(files: dict[str, Path]) -> None:
    for name in ("laughs", "xxe"):
        result = CliRunner().invoke(main, ["diff", str(files[name]), str(files["ok"])])
        assert result.exit_code == 1
        assert result.output.startswith("error: refused ") and "Traceback" not in result.output
        assert SECRET not in result.output and "lollollol" not in result.output


def test_build_with_refuses_unsafe_external_files(files: dict[str, Path]) -> None:
    for name in ("laughs", "xxe"):
        with pytest.raises(BuildError, match="refused external ontology"):
            load_external([files[name]])


def test_ordinary_entities_still_parse(files: dict[str, Path]) -> None:
    graph = parse_rdf_file(files["ok"])
    assert str(graph.value(URIRef("http://example.org/x"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) \
        == "fine"
    assert len(load_external([files["ok"]])) == 1
    result = CliRunner().invoke(main, ["diff", str(files["ok"]), str(files["ok"])])
    assert result.exit_code == 0 and "no changes" in result.output


def test_the_release_owl_file_still_parses(release) -> None:  # noqa: ANN001
    owl = Path(release.release_dir) / "lbp-kg.owl"
    assert len(parse_rdf_file(owl)) == len(Graph().parse(owl, format="xml"))


def test_sniffing() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for text, expected in (("<?xml version='1.0'?><a/>", "xml"), ("<rdf:RDF>", "xml"),
                               ("<http://x> <http://y> <http://z> .", "turtle"), ("@prefix x: <y> .", "turtle")):
            path = Path(folder) / "f"
            path.write_text(text)
            assert sniff_format(path) == expected, text
