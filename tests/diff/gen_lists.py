"""Differential-test generators of the lists family (generators.py imports this file)."""
