"""What a heuristic run keeps while it searches: its improvement trace, and its answer.

The stopping criteria themselves are the library's (`lastmile.stop`): a run holds a
`Search` and asks it once per iteration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lastmile.result import Param
from lastmile.routing import RoutingProblem
from lastmile.solve import Answer
from lastmile.stop import Search


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


def flat_params(params: object) -> dict[str, Param]:
    """A solver's parameters as its answer records them: the penalty ones (a nested
    `PenaltyParams`) prefixed `penalty_`."""
    out = {k: v for k, v in params.__dict__.items() if k != "penalties"}
    return out | {f"penalty_{k}": v for k, v in params.penalties.__dict__.items()}


def answer(
    problem: RoutingProblem,
    routes: list[list[int]],
    cost: float,
    search: Search,
    trace: Trace,
    params: dict[str, Param],
) -> Answer:
    """A heuristic run's best routes as its answer (costed and checked by `solve`)."""
    solution = problem.solution(routes) if routes and math.isfinite(cost) else None
    return Answer(
        "feasible" if solution is not None else "no_solution",
        solution,
        trace=tuple(trace.points),
        params={**params, "iterations": search.iterations},
    )
