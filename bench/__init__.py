"""Benchmarks: ratios against baselines run in the same process (see docs/performance.md)."""
