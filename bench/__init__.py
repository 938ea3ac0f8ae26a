"""Benchmarks (`python -m bench`) and the plain pandas reference the indicators are checked against."""
