"""Every routing solver behind one signature, under the names users type.

    solve(problem, *, time_limit, seed, iterations=None) -> SolveResult

`seed` is an int or a `numpy.random.Generator`; `iterations` is a deterministic
budget (generations, swarm iterations, solutions found, PyVRP iterations) that makes
a run reproducible bit for bit; the exact solver ignores it (HiGHS on one thread is
deterministic for a given time limit only when it finishes).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from formulations.routing import solve_routing
from heuristics import ga, ortools_solver, pso, pyvrp_solver
from lastmile.result import SolveResult
from lastmile.routing import RoutingProblem

Solver = Callable[..., SolveResult]


def _exact(
    problem: RoutingProblem, *, time_limit: float, seed: int | np.random.Generator, iterations: int | None = None
) -> SolveResult:
    value = int(seed.integers(2**31 - 1)) if isinstance(seed, np.random.Generator) else int(seed)
    return solve_routing(problem, time_limit=time_limit, seed=value, threads=1)


SOLVERS: dict[str, Solver] = {
    "exact": _exact,
    "ortools": ortools_solver.solve,
    "pso": pso.solve,
    "ga": ga.solve,
    "pyvrp": pyvrp_solver.solve,
}


def solve(
    name: str,
    problem: RoutingProblem,
    *,
    time_limit: float,
    seed: int | np.random.Generator,
    iterations: int | None = None,
) -> SolveResult:
    if name not in SOLVERS:
        raise ValueError(f"unknown solver {name!r}; choose from {', '.join(SOLVERS)}")
    return SOLVERS[name](problem, time_limit=time_limit, seed=seed, iterations=iterations)
