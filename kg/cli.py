"""The `lbpkg` command: thin click wrappers over the kg library."""

from __future__ import annotations

from pathlib import Path

import click

from kg import __version__
from kg.build.compile import SourceTree
from kg.build.progress import Progress
from kg.errors import LbpError, exit_with
from kg.settings import get_settings


@click.group()
@click.version_option(__version__, prog_name="lbpkg")
def main() -> None:
    """LBP-KG: build, query and serve the lower back pain knowledge graph."""




@main.command()
@click.option("--ontology", "ontology_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of curated sources (default: the installed ontology, or LBPKG_ONTOLOGY).")
def check(ontology_dir: Path | None) -> None:
    """Check the curated sources quickly: syntax, references, evidence fields, and every quality
    check of the query library (the same pass `lbpkg build` runs first)."""
    from kg.build.validate import validate_sources

    try:
        compiled = validate_sources(SourceTree(ontology_dir or get_settings().require("ontology")))
    except LbpError as exc:
        exit_with(exc)
    click.echo(f"ok: {len(compiled.classes)} terms, {len(compiled.graph)} triples")


@main.command()
@click.option("--ontology", "ontology_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of curated sources (default: the installed ontology, or LBPKG_ONTOLOGY).")
@click.option("--out", "release_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Release folder to (re)write (default: release/ in the build folder).")
@click.option("--version", "version", default=None, help="Release version (default: today's date).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Embedded (oxigraph) store to (re)load (default: store/ in the build folder).")
@click.option("--no-store", is_flag=True, help="Write the release files only.")
@click.option("--quiet", is_flag=True, help="No progress lines.")
@click.option("--with", "with_external", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="An external ontology (e.g. uberon.owl) to load beside the KG in its own graph. Repeatable.")
@click.option("--skip-owl-profile", is_flag=True,
              help="Do not check OWL 2 DL with the OWL API (for a machine without libowlapi-java).")
def build(ontology_dir: Path | None, release_dir: Path | None, version: str | None, store_dir: Path | None,
          no_store: bool, quiet: bool, with_external: tuple[Path, ...], skip_owl_profile: bool) -> None:
    """Compile, reason (HermiT), materialise, validate (SHACL) and write the release atomically."""
    from kg.build.pipeline import build as run_build

    settings = get_settings()
    try:
        ontology_dir = ontology_dir or settings.require("ontology")
        release_dir = release_dir or settings.release_dir
        store_dir = store_dir or settings.store_dir
        result = run_build(ontology_dir, release_dir, version, Progress(total=6 if no_store else 7, quiet=quiet),
                           list(with_external), None if no_store else store_dir,
                           owl_profile=not skip_owl_profile)
    except LbpError as exc:
        exit_with(exc)
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.counts.items())
    click.echo(f"built release {result.version} in {result.release_dir}: {counts}")


@main.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
def diff(old: Path, new: Path) -> None:
    """Terms added, removed, deprecated, relabelled and re-mapped between two releases."""
    from kg.build.diff import diff_graphs, load_release_graph

    try:
        result = diff_graphs(load_release_graph(old), load_release_graph(new))
    except LbpError as exc:
        exit_with(exc)
    for line in result.lines():
        click.echo(line)
    if result.is_empty():
        click.echo("no changes to terms")


from kg.query.cli import queries_command, query_command  # noqa: E402 - registered after the group exists

main.add_command(query_command)
main.add_command(queries_command)


def _add_plugin_commands() -> None:
    """Commands other packages add to `lbpkg` through the `lbpkg.commands` entry point group (the
    web UI adds `serve`), so this library never imports them."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="lbpkg.commands"):
        if entry.name not in main.commands:
            main.add_command(entry.load(), entry.name)


_add_plugin_commands()
