"""Reporting rules with no I/O: periods, placements, comparisons and governance metrics."""
