"""Read models behind the pages: what a term page, the A-Z and trees, the comparison, the tour,
"how are X and Y related", the graph view, search and the editor's examples show, computed from the
store through the query library. Each returns plain data; the web UI only renders it.

May import: the core modules of kg, kg.store and kg.query. Never kg.build, kg.cli, webui or Flask.
"""
