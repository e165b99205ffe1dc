"""Stopping criteria (after PyVRP's `pyvrp.stop`): a wall clock, an iteration budget,
iterations without improvement, and the first of several.

A criterion is plain, picklable data: it travels with a run to any worker. Solvers
that loop ask it once per iteration through a `Search`; solvers that take their
limits up front (HiGHS, OR-Tools, PyVRP) read `max_seconds` and `max_iterations`.
What one iteration is depends on the solver, and each says so where it is registered
(`experiments.solvers`): a GA generation, a swarm step, a PyVRP iteration, an
OR-Tools solution; the exact solver has none and stops by the clock alone.
An iteration budget without a clock makes a run reproducible bit for bit, and so does
`NoImprovement` (HGS' stopping rule), which counts iterations since the search last
told its `Search` it `improved`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@runtime_checkable
class StoppingCriterion(Protocol):
    """Whether a search that has done `iterations` in `seconds` must stop."""

    @property
    def max_seconds(self) -> float | None: ...

    @property
    def max_iterations(self) -> int | None: ...

    @property
    def max_stall(self) -> int | None: ...

    def __call__(self, iterations: int, seconds: float, stalled: int = 0) -> bool: ...


@dataclass(frozen=True)
class MaxRuntime:
    """Stop after `seconds` of wall clock."""

    seconds: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.seconds) and self.seconds > 0):
            raise ValueError(f"a time limit must be a positive number of seconds, not {self.seconds}")

    @property
    def max_seconds(self) -> float:
        return self.seconds

    @property
    def max_iterations(self) -> None:
        return None

    @property
    def max_stall(self) -> None:
        return None

    def __call__(self, iterations: int, seconds: float, stalled: int = 0) -> bool:
        return seconds >= self.seconds


@dataclass(frozen=True)
class MaxIterations:
    """Stop after `iterations` iterations, whatever the clock says."""

    iterations: int

    def __post_init__(self) -> None:
        if self.iterations < 1:
            raise ValueError(f"an iteration budget must be at least 1, not {self.iterations}")

    @property
    def max_seconds(self) -> None:
        return None

    @property
    def max_iterations(self) -> int:
        return self.iterations

    @property
    def max_stall(self) -> None:
        return None

    def __call__(self, iterations: int, seconds: float, stalled: int = 0) -> bool:
        return iterations >= self.iterations


@dataclass(frozen=True)
class NoImprovement:
    """Stop after `iterations` iterations without a better solution (HGS' termination
    rule, PyVRP's `NoImprovement`)."""

    iterations: int

    def __post_init__(self) -> None:
        if self.iterations < 1:
            raise ValueError(f"a stall must be at least 1 iteration, not {self.iterations}")

    @property
    def max_seconds(self) -> None:
        return None

    @property
    def max_iterations(self) -> None:
        return None

    @property
    def max_stall(self) -> int:
        return self.iterations

    def __call__(self, iterations: int, seconds: float, stalled: int = 0) -> bool:
        return stalled >= self.iterations


@dataclass(frozen=True)
class FirstOf:
    """Stop as soon as any of `criteria` says so."""

    criteria: tuple[MaxRuntime | MaxIterations | NoImprovement, ...]

    def __post_init__(self) -> None:
        if not self.criteria:
            raise ValueError("FirstOf needs at least one criterion, or a search never stops")

    @property
    def max_seconds(self) -> float | None:
        limits = [c.max_seconds for c in self.criteria if c.max_seconds is not None]
        return min(limits) if limits else None

    @property
    def max_iterations(self) -> int | None:
        limits = [c.max_iterations for c in self.criteria if c.max_iterations is not None]
        return min(limits) if limits else None

    @property
    def max_stall(self) -> int | None:
        limits = [c.max_stall for c in self.criteria if c.max_stall is not None]
        return min(limits) if limits else None

    def __call__(self, iterations: int, seconds: float, stalled: int = 0) -> bool:
        return any(c(iterations, seconds, stalled) for c in self.criteria)


@dataclass
class Search:
    """A running search: its clock and iteration count, held against its criterion."""

    stop: StoppingCriterion
    started: float = field(default_factory=time.perf_counter)
    iterations: int = 0
    last_improvement: int = 0  # the iteration at which the search last found a better solution

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def exhausted(self) -> bool:
        return self.stop(self.iterations, self.elapsed(), self.iterations - self.last_improvement)

    def improved(self) -> None:
        """The search found a better solution in this iteration (`NoImprovement` counts from here)."""
        self.last_improvement = self.iterations

    def out_of_time(self) -> bool:
        """Whether the criterion's clock has run out (never under an iteration budget
        alone): a long iteration checks it between its steps, so a time limit holds."""
        limit = self.stop.max_seconds
        return limit is not None and self.elapsed() >= limit

    def tick(self) -> None:
        self.iterations += 1
