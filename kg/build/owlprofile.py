"""Check the release against the OWL 2 DL profile with the OWL API, the reference implementation
that Protégé, ROBOT and the OBO tools are built on.

The check is a small Java program (``OwlDlProfile.java`` beside this module) run with Java's
single-file source launcher against the OWL API jars that Debian's ``libowlapi-java`` installs in
/usr/share/java, with the jars of the packages it depends on. It loads ``lbp-kg.owl`` with its
``owl:imports`` resolved to local files through the release's catalog-v001.xml (never the
network), and reports every profile violation and every triple the OWL API could not turn into
an axiom. The build fails on any of them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import BuildError

#: Where Debian installs Java libraries; LBPKG_JAVA_LIBS overrides it.
JAVA_LIBS = Path("/usr/share/java")
OWLAPI_JAR = "owlapi-distribution.jar"
#: The jars of the packages libowlapi-java depends on (its own jar bundles api, impl, parsers).
DEPENDENCY_JARS: tuple[str, ...] = (
    "atinject-jsr330-api.jar",
    "caffeine.jar",
    "commons-codec.jar",
    "commons-io.jar",
    "commons-logging.jar",
    "commons-rdf-api.jar",
    "guava.jar",
    "hppcrt.jar",
    "httpclient.jar",
    "httpcore.jar",
    "jackson-annotations.jar",
    "jackson-core.jar",
    "jackson-databind.jar",
    "jsr305.jar",
    "slf4j-api.jar",
    "slf4j-nop.jar",  # the OWL API logs through slf4j; without a binding slf4j warns on stderr
    "xz.jar",
)
DEPENDENCY_GLOBS: tuple[str, ...] = ("rdf4j-*.jar",)
CHECKER = Path(__file__).with_name("OwlDlProfile.java")
INSTALL_HINT = (
    "the OWL 2 DL profile check needs the OWL API: install it (Debian: apt-get install libowlapi-java) "
    "or run `make setup`; on a machine without it, `lbpkg build --skip-owl-profile` builds without the check"
)
TIMEOUT_S = 600


class OwlApiMissing(BuildError):
    """The OWL API (or a Java that can run the checker) is not installed."""


@dataclass
class ProfileReport:
    """What the OWL API said about an ontology and its imports closure."""

    formats: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations and not self.unparsed


def java_libs() -> Path:
    return Path(os.environ.get("LBPKG_JAVA_LIBS") or JAVA_LIBS)


def owlapi_classpath(libs: Path | None = None) -> list[Path]:
    """The OWL API jar and its dependencies' jars; OwlApiMissing names what is not there."""
    libs = libs or java_libs()
    jars = [libs / OWLAPI_JAR] + [libs / name for name in DEPENDENCY_JARS]
    missing = [j.name for j in jars if not j.is_file()]
    for pattern in DEPENDENCY_GLOBS:
        found = sorted(libs.glob(pattern))
        if not found:
            missing.append(pattern)
        jars += found
    if missing:
        raise OwlApiMissing(f"{INSTALL_HINT} (not found in {libs}: {', '.join(missing)})")
    return jars


def owlapi_available() -> bool:
    """True when the OWL API jars are installed and a Java runtime is on PATH."""
    try:
        owlapi_classpath()
    except OwlApiMissing:
        return False
    return shutil.which("java") is not None


def require_owlapi() -> None:
    """Stop at once, before any work, when the check cannot run."""
    owlapi_classpath()
    if shutil.which("java") is None or shutil.which("javac") is None:
        raise OwlApiMissing(
            "the OWL 2 DL profile check runs a Java source file, which needs a JDK "
            "(Debian: apt-get install default-jdk-headless); "
            "`lbpkg build --skip-owl-profile` builds without the check"
        )


def catalog_mappings(folder: Path) -> dict[str, Path]:
    """Import IRI -> local file, from an XML catalog (catalog-v001.xml, as Protégé reads it)."""
    from defusedxml import ElementTree

    path = folder / "catalog-v001.xml"
    if not path.exists():
        return {}
    ns = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
    root = ElementTree.parse(path).getroot()
    if root is None:
        return {}
    pairs = ((uri.get("name"), uri.get("uri")) for uri in root.iter(f"{ns}uri"))
    return {name: folder / file for name, file in pairs if name and file}


def check_profile(ontology: Path, imports: dict[str, Path] | None = None) -> ProfileReport:
    """Run the OWL API's OWL 2 DL profile checker on `ontology` and its imports closure."""
    classpath = os.pathsep.join(str(j) for j in owlapi_classpath())
    java = shutil.which("java")
    if java is None:
        require_owlapi()
        raise BuildError("no java on the PATH")  # require_owlapi says what to install first
    args = [java, "-cp", classpath, str(CHECKER), str(ontology)]
    args += [f"{iri}={path}" for iri, path in sorted((imports or {}).items())]
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise BuildError(f"the OWL API profile check of {ontology.name} did not finish in {TIMEOUT_S} s") from None
    report = ProfileReport()
    errors: list[str] = []
    for line in proc.stdout.splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "FORMAT":
            report.formats.append(rest)
        elif kind == "VIOLATION":
            report.violations.append(rest.replace("\t", ": ", 1))
        elif kind == "UNPARSED":
            report.unparsed.append(rest)
        elif kind == "ERROR":
            errors.append(rest)
    report.violations.sort()
    report.unparsed.sort()
    if proc.returncode not in (0, 1) or errors:
        detail = "; ".join(errors) or _last_lines(proc.stderr)
        if "jdk.compiler" in proc.stderr or "source-file mode" in proc.stderr:
            raise OwlApiMissing(
                "the OWL 2 DL profile check runs a Java source file, which needs a JDK "
                f"(Debian: apt-get install default-jdk-headless): {detail}"
            )
        raise BuildError(f"the OWL API could not load {ontology.name}: {detail}")
    return report


def _last_lines(text: str, n: int = 5) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:]) or "no message"


def check_release(folder: Path, name: str = "lbp-kg.owl") -> ProfileReport:
    """Check a release folder's OWL file (imports through its catalog); BuildError lists each problem."""
    report = check_profile(folder / name, catalog_mappings(folder))
    if not report.ok:
        lines = [f"  violation: {v}" for v in report.violations]
        lines += [f"  triple the OWL API cannot read as OWL: {t}" for t in report.unparsed]
        count = len(report.violations) + len(report.unparsed)
        raise BuildError(f"{name} is not in the OWL 2 DL profile (OWL API), {count} problem(s):\n" + "\n".join(lines))
    return report
