"""Benchmarks and evaluation helpers shared with the tests."""
