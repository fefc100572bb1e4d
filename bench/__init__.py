"""Benchmarks that run outside the app packages (`make bench-engine`)."""
