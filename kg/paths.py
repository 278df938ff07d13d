"""Default locations, relative to the current directory (the repository when run from it)."""

from __future__ import annotations

from pathlib import Path

DEFAULT_ONTOLOGY = Path("ontology")
DEFAULT_BUILD = Path("build")
DEFAULT_RELEASE = DEFAULT_BUILD / "release"
DEFAULT_STORE = DEFAULT_BUILD / "store"
