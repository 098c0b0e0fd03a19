"""Fault injection: the whole pipeline on the 3-node cluster while faults are injected."""
