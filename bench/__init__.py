"""Benchmarks, run by hand (never by the test suite); numbers go to docs/benchmarks.md."""
