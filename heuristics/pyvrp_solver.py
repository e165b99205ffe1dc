"""PyVRP (hybrid genetic search), the state-of-the-art reference every comparison shows.

PyVRP works on integers: arc costs (transport and congestion), fixed costs, loads and
durations are scaled to whole numbers (`ortools_solver.integer_scale`; durations in
hundredths of a minute). Edge "distance" is the scaled arc cost, so PyVRP's objective
is the routing cost. A route-length limit maps to PyVRP's `max_distance` through the
cost per km; where congestion makes that ratio differ between arcs the smallest ratio
is used, a relaxation whose result the shared checker then verifies. PyVRP has no
minimum load rate: such problems are refused with status `error`.
"""

from __future__ import annotations

import time

import numpy as np
from pyvrp import Model, Result
from pyvrp.stop import MaxIterations, MaxRuntime

from heuristics.ortools_solver import integer_scale
from lastmile.result import SolveResult, finalize
from lastmile.routing import RoutingProblem

BIG = 2**40


def solve(
    problem: RoutingProblem, *, time_limit: float, seed: int | np.random.Generator, iterations: int | None = None
) -> SolveResult:
    started = time.perf_counter()
    seed_value = int(seed.integers(2**31 - 1)) if isinstance(seed, np.random.Generator) else int(seed)
    # One vehicle carries the whole region, which meets any rate the region can meet
    # (zoning.modes caps the rate there); with more, PyVRP cannot express the rate.
    if problem.min_load_rate > 0 and problem.fleet_size != 1:
        return finalize(
            problem.scope, "pyvrp", "error", None, scope="routing", time_s=0.0,
            message="PyVRP has no minimum vehicle load rate",
        )  # fmt: skip
    n, fleet = problem.n, problem.fleet
    scale = integer_scale(np.append(problem.arc_cost.ravel(), fleet.fixed_cost))
    qscale = integer_scale(np.concatenate((problem.demand, problem.pickup, [fleet.capacity])))
    tscale = 100
    model = Model()
    xy = problem.instance.coords[problem.locations]
    locations = [model.add_location(x=float(x), y=float(y)) for x, y in xy]
    depot = model.add_depot(locations[0])
    windows = problem.windows
    for c in range(1, n + 1):
        model.add_client(
            locations[c],
            delivery=round(problem.demand[c] * qscale),
            pickup=round(problem.pickup[c] * qscale),
            service_duration=round(problem.service[c] * tscale),
            tw_early=int(np.ceil(windows[0][c] * tscale)) if windows is not None else 0,
            tw_late=int(np.floor(windows[1][c] * tscale))
            if windows is not None and np.isfinite(windows[1][c])
            else BIG,
        )
    max_distance = BIG
    if fleet.max_route_km is not None:
        off_diagonal = problem.km > 0
        ratio = float(np.min(problem.arc_cost[off_diagonal] / problem.km[off_diagonal])) if off_diagonal.any() else 1.0
        max_distance = int(np.floor(fleet.max_route_km * ratio * scale + 1e-6))
    model.add_vehicle_type(
        num_available=problem.fleet_size if problem.fleet_size is not None else n,
        capacity=round(fleet.capacity * qscale),
        start_depot=depot,
        end_depot=depot,
        fixed_cost=round(fleet.fixed_cost * scale),
        max_distance=max_distance,
    )
    cost = np.round(problem.arc_cost * scale).astype(np.int64)
    duration = np.round(problem.minutes * tscale).astype(np.int64)
    for i in range(n + 1):
        for j in range(n + 1):
            if i != j:
                model.add_edge(locations[i], locations[j], distance=int(cost[i, j]), duration=int(duration[i, j]))
    left = max(time_limit - (time.perf_counter() - started), 0.1)
    stop = MaxIterations(iterations) if iterations is not None else MaxRuntime(left)
    result = model.solve(stop=stop, seed=seed_value, display=False)
    elapsed = time.perf_counter() - started
    best = result.best
    solution = None
    if best.is_feasible():
        # A route's activities include its depots; a client activity's idx counts clients from 0.
        solution = problem.solution([[a.idx + 1 for a in route if a.is_client()] for route in best.routes()])
    return finalize(
        problem.scope,
        "pyvrp",
        "feasible" if solution is not None else "no_solution",
        solution,
        scope="routing",
        time_s=elapsed,
        trace=_trace(result, elapsed, scale) if solution is not None else (),
        params={"seed": seed_value, "iterations": result.num_iterations, "scale": scale},
        message="" if solution is not None else "PyVRP found no feasible solution",
    )


def _trace(result: Result, elapsed: float, scale: float) -> tuple[tuple[float, float], ...]:
    """(seconds, objective) at each improvement of the best feasible solution, from
    PyVRP's per-iteration statistics (the search starts after the model is built)."""
    clock = elapsed - sum(result.stats.runtimes)
    best, out = float("inf"), []
    for seconds, datum in zip(result.stats.runtimes, result.stats.data, strict=True):
        clock += seconds
        if datum.best_feas and datum.best_cost < best:
            best = datum.best_cost
            out.append((clock, best / scale))
    return tuple(out) or ((elapsed, result.cost() / scale),)
