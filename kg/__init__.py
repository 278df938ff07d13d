"""LBP-KG library: build, reason, validate, store and query the knowledge graph.

This package never imports Flask; the web UI and the CLI are thin layers over it.
"""

__version__ = "0.1.0"
