"""Package list for setuptools (the rest is in pyproject.toml): the code packages, and the top-level
queries/ and ontology/ folders shipped as package data under lbp_kg_data, every subfolder listed so
the installed library is complete (kg.settings finds it)."""

from pathlib import Path

from setuptools import find_namespace_packages, setup

DATA = {"lbp_kg_data.queries": "queries", "lbp_kg_data.ontology": "ontology"}


def data_packages(package: str, folder: str) -> list[str]:
    subfolders = sorted(p for p in Path(folder).rglob("*") if p.is_dir() and "__pycache__" not in p.parts)
    return [package] + [".".join([package, *p.relative_to(folder).parts]) for p in subfolders]


setup(
    packages=find_namespace_packages(include=["kg", "kg.*", "webui", "webui.*"], exclude=["*.__pycache__"])
    + [name for package, folder in DATA.items() for name in data_packages(package, folder)],
    package_dir=DATA,
)
