"""The experiment layer: the main command, the solver registry, and (later) the runner."""
