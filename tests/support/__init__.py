"""Test support shared by the tests and the benchmark: a Virtuoso server on loopback with its own
data folder, and the oracle that checks a library query's answer against its `expect:` header."""
