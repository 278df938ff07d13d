"""The query layer: the query library (queries/**/*.rq with their headers), running queries with
time limits in worker processes (executor, sandbox), the SPARQL 1.1 Protocol (endpoint), and the
`lbpkg query` / `lbpkg queries` commands.

May import: the core modules of kg and kg.store. Never kg.build, kg.views, kg.cli or webui.
"""
