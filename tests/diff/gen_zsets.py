"""Differential-test generators of the zsets family (generators.py imports this file)."""
