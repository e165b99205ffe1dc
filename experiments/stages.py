"""Wall time and memory per stage of a run (issue 16's scaling benchmark reads them).

Memory is the process's peak resident set so far (`getrusage`'s high-water mark, in
MB) at the end of each stage, and that of its largest finished child process (the
routing workers, or the exact solver's children they fork): a stage that raises the
peak shows as the step up. Python has no cheaper way to know a stage's own peak, and
sampling in a thread would cost each stage.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set in MB of this process (or of its largest finished child)."""
    kilo = resource.getrusage(who).ru_maxrss
    return kilo / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KB on Linux


@dataclass
class Stages:
    """Stages in the order they first ran; a stage entered again (a region's location
    model, one after another) adds its time to the same row."""

    rows: dict[str, dict[str, float]] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            row = self.rows.setdefault(name, {"time_s": 0.0})
            row["time_s"] += time.perf_counter() - started
            row["peak_mb"] = peak_mb()
            row["children_peak_mb"] = peak_mb(resource.RUSAGE_CHILDREN)

    def table(self) -> pd.DataFrame:
        """stage, time_s (wall), peak_mb and children_peak_mb at the stage's last end."""
        rows = [{"stage": name} | {k: round(v, 3) for k, v in row.items()} for name, row in self.rows.items()]
        return pd.DataFrame(rows, columns=["stage", "time_s", "peak_mb", "children_peak_mb"])
