"""Where LBP-KG finds its curated sources and query library and writes its build: one settings
object, so every command and page finds the same folders from any working directory.

The query library and the ontology sources ship inside the distribution (as the package data
``lbp_kg_data.queries`` and ``lbp_kg_data.ontology``, mapped from the repository's top-level
``queries/`` and ``ontology/``), so they are found from the installed package, editable or not.
The build folder is the repository's ``build/`` in a checkout, else a per-user data folder.
Environment variables override each: ``LBPKG_ONTOLOGY``, ``LBPKG_QUERIES``, ``LBPKG_BUILD``,
``LBPKG_RELEASE``, ``LBPKG_STORE`` (a store spec, see ``kg.store.open_store``).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import LbpError

DATA_PACKAGE = "lbp_kg_data"
ENV = {
    "ontology": "LBPKG_ONTOLOGY",
    "queries": "LBPKG_QUERIES",
    "build": "LBPKG_BUILD",
    "release": "LBPKG_RELEASE",
    "store": "LBPKG_STORE",
}


class SettingsError(LbpError):
    """A folder LBP-KG needs is missing: the message says which, and how to point at it."""


def checkout_root() -> Path | None:
    """The repository this package runs from (an editable install or no install), else None."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "kg" / "__init__.py").is_file() else None


def packaged_dir(name: str) -> Path | None:
    """A resource folder shipped in the distribution (``queries`` or ``ontology``), or None."""
    try:
        spec = importlib.util.find_spec(f"{DATA_PACKAGE}.{name}")
    except ModuleNotFoundError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    root = checkout_root()
    return root / name if root is not None and (root / name).is_dir() else None


def user_data_dir() -> Path:
    """Where an installed (non-checkout) LBP-KG keeps its build: the XDG data home."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lbp-kg"


@dataclass(frozen=True)
class Settings:
    """The folders of one LBP-KG installation. Folders are checked when used (``require``), so a
    command that needs no query library runs where there is none."""

    ontology_dir: Path
    queries_dir: Path
    build_dir: Path
    release_dir: Path
    store_spec: str

    @property
    def store_dir(self) -> Path:
        """The embedded store's folder (``oxigraph:PATH`` specs only)."""
        scheme, _, arg = self.store_spec.partition(":")
        if scheme != "oxigraph" or not arg:
            raise SettingsError(f"the store {self.store_spec!r} is not an embedded oxigraph folder")
        return Path(arg)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def given(key: str) -> Path | None:
            value = env.get(ENV[key])
            return Path(value).expanduser().resolve() if value else None

        root = checkout_root()
        build = given("build") or (root / "build" if root is not None else user_data_dir())
        missing = Path("<not installed>")
        return cls(
            ontology_dir=given("ontology") or packaged_dir("ontology") or missing,
            queries_dir=given("queries") or packaged_dir("queries") or missing,
            build_dir=build,
            release_dir=given("release") or build / "release",
            store_spec=env.get(ENV["store"]) or f"oxigraph:{build / 'store'}",
        )

    def require(self, what: str) -> Path:
        """The folder `what` names (ontology, queries, release), or a SettingsError saying how to
        set it: never an empty listing that looks like a real answer."""
        path = {"ontology": self.ontology_dir, "queries": self.queries_dir, "release": self.release_dir}[what]
        if not path.is_dir():
            hint = "run `lbpkg build` first, or " if what == "release" else ""
            raise SettingsError(f"the {what} folder {path} does not exist: {hint}set {ENV[what]} to the right folder")
        return path


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings.from_env()
