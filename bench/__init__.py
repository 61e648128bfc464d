"""Load benchmark helpers (see docs/benchmarks.md). Not part of the application."""
