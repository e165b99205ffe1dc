"""PyVRP (hybrid genetic search), the state-of-the-art reference every comparison shows.

PyVRP works on integers: arc costs (transport and congestion), fixed costs, loads and
durations are scaled to whole numbers (`heuristics.scaling`, shared with OR-Tools;
durations in ten-thousandths of a minute, rounded up so that a plan within its windows
in PyVRP's model is within them exactly). Edge "distance" is the scaled arc cost, so PyVRP's objective
is the routing cost. A route-length limit maps to PyVRP's `max_distance` through the
cost per km; where congestion makes that ratio differ between arcs the smallest ratio
is used, a relaxation whose result the shared checker then verifies. PyVRP has no
minimum load rate: such problems are refused with status `error`. It also takes a
`MultiDepotProblem` (several centers, each with its vehicles), one vehicle type per
center.
"""

from __future__ import annotations

import time

import numpy as np
from pyvrp import Model, Result, solve
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement
from pyvrp.stop import StoppingCriterion as PyVRPStop

from heuristics.scaling import IntegerProblem, rounded_up
from lastmile.routing import MultiDepotProblem, RoutingProblem
from lastmile.solve import Answer
from lastmile.stop import StoppingCriterion

BIG = 2**40


class PyVRP:
    """PyVRP as a `lastmile.solve.Solver`; an iteration is one of PyVRP's."""

    name = "pyvrp"

    def __call__(self, problem: RoutingProblem | MultiDepotProblem, stop: StoppingCriterion, seed: int) -> Answer:
        return _run(problem, stop, seed)


def _stop(stop: StoppingCriterion, build_s: float) -> PyVRPStop:
    """The criterion in PyVRP's terms; its clock starts after the model is built."""
    parts: list[PyVRPStop] = []
    if stop.max_iterations is not None:
        parts.append(MaxIterations(stop.max_iterations))
    if stop.max_seconds is not None:
        parts.append(MaxRuntime(max(stop.max_seconds - build_s, 0.1)))
    if stop.max_stall is not None:
        parts.append(NoImprovement(stop.max_stall))
    return parts[0] if len(parts) == 1 else MultipleCriteria(parts)


def _run(problem: RoutingProblem | MultiDepotProblem, stop: StoppingCriterion, seed_value: int) -> Answer:
    started = time.perf_counter()
    # One vehicle carries the whole region, which meets any rate the region can meet
    # (zoning.modes caps the rate there); with more, PyVRP cannot express the rate.
    if problem.min_load_rate > 0 and problem.fleet_size != 1:
        return Answer("not_applicable", None, message="not applicable: PyVRP has no minimum vehicle load rate")
    n, fleet = problem.n, problem.fleet
    # vehicles per depot: one depot (index 0) or one per center of a multi-depot problem
    counts = (
        [len(v) for v in problem.vehicles]
        if isinstance(problem, MultiDepotProblem)
        else [n if problem.fleet_size is None else problem.fleet_size]
    )
    m = len(counts)
    whole = IntegerProblem.of(problem)
    scale = whole.scale
    tscale = 10_000  # ten-thousandths of a minute
    model = Model()
    xy = problem.instance.coords[problem.locations]
    locations = [model.add_location(x=float(x), y=float(y)) for x, y in xy]
    depots = [model.add_depot(locations[k]) for k in range(m)]
    windows = problem.windows
    service = rounded_up(problem.service, tscale)
    for c in range(m, m + n):
        model.add_client(
            locations[c],
            delivery=int(whole.demand[c]),
            pickup=int(whole.pickup[c]),
            service_duration=int(service[c]),
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
    depot_of_type = [k for k, count in enumerate(counts) if count > 0]
    for k in depot_of_type:
        model.add_vehicle_type(
            num_available=counts[k],
            capacity=whole.capacity,
            start_depot=depots[k],
            end_depot=depots[k],
            fixed_cost=whole.fixed_cost,
            max_distance=max_distance,
        )
    # The matrices go in whole: an edge per pair through `Model.add_edge` would hold
    # (m + n)^2 Python objects, gigabytes and tens of seconds for a city.
    distance = np.array(whole.arc, dtype=np.int64)
    duration = rounded_up(problem.minutes, tscale)
    np.fill_diagonal(distance, 0)
    np.fill_diagonal(duration, 0)
    data = model.data().replace(distance_matrices=[distance], duration_matrices=[duration])
    result = solve(data, stop=_stop(stop, time.perf_counter() - started), seed=seed_value, display=False)
    elapsed = time.perf_counter() - started
    best = result.best
    solution = None
    if best.is_feasible():
        # A route's activities include its depots; a client activity's idx counts clients from 0.
        paths = [(route.vehicle_type(), [a.idx + 1 for a in route if a.is_client()]) for route in best.routes()]
        if isinstance(problem, MultiDepotProblem):
            solution = problem.solution([(depot_of_type[kind], path) for kind, path in paths])
        else:
            solution = problem.solution([path for _, path in paths])
    return Answer(
        "feasible" if solution is not None else "no_solution",
        solution,
        trace=_trace(result, elapsed, scale) if solution is not None else (),
        params={"iterations": result.num_iterations, "scale": scale},
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
