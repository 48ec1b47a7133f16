"""Benchmarks against the tools people would use instead: `python -m bench [--quick] [--only NAME]`."""
