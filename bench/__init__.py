"""Benchmarks: `make bench` (python -m bench) measures and rewrites docs/PERFORMANCE.md."""
