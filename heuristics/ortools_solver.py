"""OR-Tools routing (the only module that imports OR-Tools).

Dimensions: `delivered` (cumulates deliveries; its end value is the route's load at
the start, at most the capacity) and `collected` (cumulates pickups); the load after
a customer i is delivered(end) - delivered(i) + collected(i), constrained to the
capacity at every customer (simultaneous pickup and delivery). `km` carries the route
length limit, `time` the time windows with waiting allowed. Vehicles have the fleet's
fixed cost. Search: PATH_CHEAPEST_ARC, then guided local search. A multi-depot problem
(`MultiDepotProblem`: the vans of the two-echelon problem's second echelon) gives each
vehicle its own center as start and end.

Known faults handled: OR-Tools may overrun its time limit, so a solution callback
ends the search once the wall clock passes it and the run's real time is recorded;
the routing search has no effective random seed, so `seed` is recorded but cannot
change the result. An iteration budget is a limit on the number of solutions found,
reproducible when reached; the time limit still bounds the run, since guided local
search may stop finding new solutions before the limit.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from heuristics.scaling import IntegerProblem, rounded_up
from heuristics.stopping import Trace
from lastmile.routing import MultiDepotProblem, RoutingProblem
from lastmile.solve import Answer
from lastmile.stop import StoppingCriterion


class OrTools:
    """OR-Tools as a `lastmile.solve.Solver`; an iteration is a solution found, and the
    wall clock (which it needs) still bounds the run."""

    name = "ortools"

    def __call__(self, problem: RoutingProblem | MultiDepotProblem, stop: StoppingCriterion, seed: int) -> Answer:
        if stop.max_seconds is None:
            raise ValueError("OR-Tools needs a wall-clock limit")
        return _run(problem, stop.max_seconds, stop.max_iterations)


def _bases(problem: RoutingProblem | MultiDepotProblem) -> list[int]:
    """Each vehicle's center (its index in the problem's tables)."""
    if isinstance(problem, MultiDepotProblem):
        return [d for d, vehicles in enumerate(problem.vehicles) for _ in vehicles]
    return [0] * (problem.fleet_size if problem.fleet_size is not None else problem.n)


def _run(problem: RoutingProblem | MultiDepotProblem, time_limit: float, iterations: int | None) -> Answer:
    started = time.perf_counter()
    n, first = problem.n, problem.depots  # customers are indices first..first+n-1
    bases = _bases(problem)
    vehicles = len(bases)
    manager = pywrapcp.RoutingIndexManager(first + n, vehicles, bases, bases)
    routing = pywrapcp.RoutingModel(manager)
    whole = IntegerProblem.of(problem)
    scale, arc = whole.scale, whole.arc

    def node(index: int) -> int:
        return manager.IndexToNode(index)

    cost_cb = routing.RegisterTransitCallback(lambda i, j: int(arc[node(i), node(j)]))
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    routing.SetFixedCostOfAllVehicles(whole.fixed_cost)

    demand, pickup, capacity = whole.demand, whole.pickup, whole.capacity
    delivered_cb = routing.RegisterUnaryTransitCallback(lambda i: int(demand[node(i)]))
    routing.AddDimension(delivered_cb, 0, capacity, True, "delivered")
    delivered = routing.GetDimensionOrDie("delivered")
    solver = routing.solver()
    ends = [delivered.CumulVar(routing.End(v)) for v in range(vehicles)]
    if problem.has_pickups:
        collected_cb = routing.RegisterUnaryTransitCallback(lambda i: int(pickup[node(i)]))
        routing.AddDimension(collected_cb, 0, capacity, True, "collected")
        collected = routing.GetDimensionOrDie("collected")
        for c in range(first, first + n):
            index = manager.NodeToIndex(c)
            route_load = solver.Element(ends, routing.VehicleVar(index))
            solver.Add(route_load - delivered.CumulVar(index) + collected.CumulVar(index) <= capacity)
    if problem.min_load_rate > 0:
        least = int(np.ceil(problem.min_load_rate * capacity - 1e-9))
        for v in range(vehicles):
            solver.Add(ends[v] >= least * routing.ActiveVehicleVar(v))
    fleet = problem.fleet
    if fleet.max_route_km is not None:
        kscale = 1000
        km = rounded_up(problem.km, kscale)
        km_cb = routing.RegisterTransitCallback(lambda i, j: int(km[node(i), node(j)]))
        routing.AddDimension(km_cb, 0, int(np.floor(fleet.max_route_km * kscale)), True, "km")
    if problem.windows is not None:
        early, late = problem.windows
        tscale = 10_000  # ten-thousandths of a minute
        travel = rounded_up(problem.minutes + problem.service[:, None], tscale)
        horizon = int(np.ceil((np.nanmax(np.where(np.isfinite(late), late, 0)) + travel.max() / tscale + 1) * tscale))
        time_cb = routing.RegisterTransitCallback(lambda i, j: int(travel[node(i), node(j)]))
        routing.AddDimension(time_cb, horizon, 10 * horizon, False, "time")
        clock = routing.GetDimensionOrDie("time")
        for c in range(first, first + n):
            low = int(np.ceil(early[c] * tscale))
            high = int(np.floor(late[c] * tscale)) if np.isfinite(late[c]) else 10 * horizon
            clock.CumulVar(manager.NodeToIndex(c)).SetRange(low, high)
        for v in range(vehicles):
            clock.CumulVar(routing.Start(v)).SetRange(0, 0)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    if iterations is not None:
        # A solution limit, reproducible when reached; guided local search may stop
        # finding new solutions, so the time limit still bounds the run.
        params.solution_limit = int(iterations)
    left = max(time_limit - (time.perf_counter() - started), 0.1)
    params.time_limit.FromMilliseconds(int(left * 1000))

    trace = Trace()

    def on_solution() -> None:
        elapsed = time.perf_counter() - started
        trace.offer(routing.CostVar().Value() / scale, elapsed)
        if elapsed >= time_limit:
            solver.FinishCurrentSearch()

    routing.AddAtSolutionCallback(on_solution)
    assignment = routing.SolveWithParameters(params)
    elapsed = time.perf_counter() - started
    solution = None
    if assignment is not None:
        routes: list[tuple[int, list[int]]] = []
        for v in range(vehicles):
            index, route = routing.Start(v), []
            index = assignment.Value(routing.NextVar(index))
            while not routing.IsEnd(index):
                route.append(node(index) - first + 1)  # the customer's position 1..n
                index = assignment.Value(routing.NextVar(index))
            if route:
                routes.append((bases[v], route))
        if isinstance(problem, MultiDepotProblem):
            solution = problem.solution(routes)
        else:
            solution = problem.solution([route for _, route in routes])
    overrun = elapsed - time_limit
    return Answer(
        "feasible" if solution is not None else "no_solution",
        solution,
        trace=tuple(trace.points),
        params={"seed_effective": False, "iterations": iterations, "scale": scale},
        message=f"overran the time limit by {overrun:.2f} s" if overrun > 0.5 else "",
    )
