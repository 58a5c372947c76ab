"""Benchmarks against the local production stack; see README.md and RESULTS.md here."""
