"""Multi-day delivery simulation (SimPy) of the joint and independent policies."""
