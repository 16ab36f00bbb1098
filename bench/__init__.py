"""Performance benchmarks against a PostgreSQL database of their own; `make bench` runs them.

Results are merged into ``var/bench/results.json`` and summarized in ``docs/benchmarks.md``.
"""
