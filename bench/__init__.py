"""Benchmarks: each bench_*.py prints one JSON object of figures; ``python -m bench.run`` runs
them all and writes docs/benchmarks.md. Never part of the test suite."""
