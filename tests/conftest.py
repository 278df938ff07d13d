"""Shared fixtures: the repository's ontology, a small editable copy of it, one real build (HermiT)
with a store and app over it (`full_*`), and the small committed release with a store and app over it
(`store_spec`, `app`, `client`), which the fast tests use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.build.pipeline import BuildResult, build

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY = REPO / "ontology"
FIXTURE_RELEASE = REPO / "tests" / "fixtures" / "release"

MINI_TERMS = """\
- id: Disc
  label: test disc
  parents: [AnatomicalEntity]
  definition: A test structure.
  definition_source: [leaflet]
- id: Annulus
  label: test annulus
  parents: [AnatomicalEntity]
  definition: A test part of the test disc.
  definition_source: [leaflet]
  axioms:
    partOf: [Disc]
- id: DiscDisorder
  label: test disc disorder
  parents: [Disorder]
  definition: A test disorder located in the test disc.
  definition_source: [leaflet]
  equivalent:
    genus: Disorder
    some: {locatedIn: Disc}
- id: Tear
  label: test tear
  parents: [Disorder]
  definition: A test tear of the test annulus.
  definition_source: [leaflet]
  axioms:
    locatedIn: [Annulus]
- id: Pain
  label: test pain
  parents: [ClinicalFinding]
  definition: A test symptom.
  definition_source: [leaflet]
- id: Shot
  label: test injection
  parents: [Intervention]
  definition: A test injection.
  definition_source: [leaflet]
  axioms:
    targets: [Annulus]
    hasInvasiveness: [MinimallyInvasive]
  associations:
    - relation: usedFor
      target: Pain
      source: [leaflet]
      certainty: low
      graded_by: leaflet
      direction: benefit
"""


@pytest.fixture
def mini_ontology(tmp_path: Path) -> Path:
    """A copy of the core ontology with a handful of test terms instead of the real content."""
    root = tmp_path / "ontology"
    root.mkdir()
    shutil.copy(ONTOLOGY / "lbp-core.ttl", root)
    shutil.copy(ONTOLOGY / "shapes.ttl", root)
    shutil.copytree(ONTOLOGY / "sources", root / "sources")
    (root / "terms").mkdir()
    (root / "terms" / "test.yaml").write_text(MINI_TERMS, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One full build of the real ontology (HermiT), shared by every test that reads the real KG.
    Every test that needs it, directly or through another fixture, is marked `reasoner`."""
    out = tmp_path_factory.mktemp("release") / "release"
    return build(ONTOLOGY, out, version="test")


@pytest.fixture(scope="session")
def full_store_spec(release: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An oxigraph store loaded from the real release, as `lbpkg build` makes it."""
    from kg.store import create_oxigraph_store

    store_dir = tmp_path_factory.mktemp("store") / "store"
    create_oxigraph_store(release.release_dir, store_dir)
    return f"oxigraph:{store_dir}"


@pytest.fixture(scope="session")
def full_app(full_store_spec: str, release: BuildResult):  # noqa: ANN201 - Flask app
    """The web app over the real KG, for tests whose assertions are about the whole graph's content."""
    from webui import create_app

    return create_app({"TESTING": True, "STORE": full_store_spec, "RELEASE_DIR": str(release.release_dir)})


@pytest.fixture
def full_client(full_app):  # noqa: ANN001, ANN201
    return full_app.test_client()


@pytest.fixture(scope="session")
def fixture_release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the small committed release (tests/fixtures/release, see its README): built by the
    real pipeline from a subset of the real terms, so no test waits for HermiT to read it."""
    out = tmp_path_factory.mktemp("fixture") / "release"
    shutil.copytree(FIXTURE_RELEASE, out)
    return out


@pytest.fixture(scope="session")
def store_spec(fixture_release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An oxigraph store on disk loaded from the fixture release (no HermiT, no network)."""
    from kg.store import create_oxigraph_store

    store_dir = tmp_path_factory.mktemp("fixture-store") / "store"
    create_oxigraph_store(fixture_release_dir, store_dir)
    return f"oxigraph:{store_dir}"


@pytest.fixture(scope="session")
def app(store_spec: str, fixture_release_dir: Path):  # noqa: ANN201 - Flask app
    """The web app over the fixture store (Flask's tutorial `app` fixture)."""
    from webui import create_app

    return create_app({"TESTING": True, "STORE": store_spec, "RELEASE_DIR": str(fixture_release_dir)})


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()


def _uses_real_build(item: pytest.Item) -> bool:
    """Whether the test needs this module's `release` (a module may define its own, such as the
    toy release of test_store_compliance.py)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None or "release" not in info.names_closure:
        return False
    defs = info.name2fixturedefs.get("release") or ()
    return bool(defs) and defs[-1].func.__module__ == __name__


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `reasoner` every test that needs the real build, directly or through another fixture, so
    `-m "not reasoner"` never builds it. Every `reasoner` test (marked so here or by its module)
    skips, with the reason, on a machine without Java or the OWL API; under CI the session fails
    first (pytest_sessionstart), so nothing is skipped there."""
    from kg.build.owlprofile import owlapi_available
    from kg.build.reason import java_available

    missing: str | None = None
    for item in items:
        if _uses_real_build(item):
            item.add_marker(pytest.mark.reasoner)
        if item.get_closest_marker("reasoner") is None:
            continue
        if missing is None:
            missing = ("" if java_available() and owlapi_available()
                       else "the build runs HermiT and the OWL API, which need Java and libowlapi-java")
        if missing:
            item.add_marker(pytest.mark.skip(reason=missing))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under CI nothing may be skipped for a missing tool: fail at once with what to install."""
    import os
    import shutil

    from kg.build.owlprofile import owlapi_available
    from kg.build.reason import java_available

    if "CI" not in os.environ:
        return
    missing = [] if java_available() else ["a Java runtime (default-jre-headless) for HermiT"]
    if not owlapi_available() or shutil.which("javac") is None:
        missing.append("the OWL API (libowlapi-java) and a JDK (default-jdk-headless) for the OWL 2 DL check")
    if shutil.which("virtuoso-t") is None:
        missing.append("virtuoso-opensource for the remote-store tests")
    if shutil.which("chromium") is None:
        missing.append("chromium for the browser tests")
    if missing:
        raise pytest.UsageError("CI needs " + "; ".join(missing) + ": run scripts/setup.sh test")
