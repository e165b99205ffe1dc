"""Stopping criteria (after PyVRP): a wall-clock limit, or an iteration budget that makes
a run reproducible bit for bit whatever the machine."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from lastmile.result import SolveResult, finalize
from lastmile.routing import RoutingProblem


@dataclass
class Budget:
    """Stop after `iterations` iterations when given (the clock is then ignored, so the
    same seed gives the same result anywhere), otherwise after `time_limit` seconds."""

    time_limit: float
    iterations: int | None = None
    started: float = field(default_factory=time.perf_counter)
    done_iterations: int = 0

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def exhausted(self) -> bool:
        if self.iterations is not None:
            return self.done_iterations >= self.iterations
        return self.elapsed() >= self.time_limit

    def tick(self) -> None:
        self.done_iterations += 1


@dataclass
class Trace:
    """(seconds, best cost) at every improvement."""

    points: list[tuple[float, float]] = field(default_factory=list)
    best: float = float("inf")

    def offer(self, cost: float, elapsed: float) -> bool:
        """Record `cost` at `elapsed` seconds if it improves on the best; say whether it did."""
        if cost < self.best - 1e-9:
            self.best = cost
            self.points.append((elapsed, cost))
            return True
        return False


def finish_run(
    problem: RoutingProblem,
    solver: str,
    routes: list[list[int]],
    cost: float,
    budget: Budget,
    trace: Trace,
    params: dict[str, object],
) -> SolveResult:
    """A heuristic run's best routes as a `SolveResult`, re-costed and re-checked."""
    solution = problem.solution(routes) if routes and math.isfinite(cost) else None
    return finalize(
        problem.scope,
        solver,
        "feasible" if solution is not None else "no_solution",
        solution,
        scope="routing",
        time_s=budget.elapsed(),
        trace=tuple(trace.points),
        params={**params, "iterations": budget.done_iterations},
    )
