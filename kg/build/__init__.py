"""The build pipeline: curated sources (ontology/) in, a release folder and a loaded store out.

compile (YAML and Turtle to one graph) -> validate (the one validation pass: field checks and the
query library's quality checks) -> mappings and imports (SSSOM, the imports module) -> reason
(HermiT) -> relation_graph (materialised edges) -> release (files, manifest) -> store. `pipeline`
runs the steps; `diff` compares two releases.

May import: the core modules of kg (errors, namespaces, settings, formats, release_files, results,
serialize, rdfinput, atomic), kg.store and kg.query. Never kg.views, kg.cli or webui.
"""
