"""Differential-test generators of the sets family (generators.py imports this file)."""
