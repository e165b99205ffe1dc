"""The checker and the compiled kernels walk a route alike: on random routes, and at and
just beyond every limit (capacity, route length, a window's close, the minimum load)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import build
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_exact_routing import routing_cases, routing_doc

from heuristics.arrays import ProblemArrays, route_cost, route_excess
from heuristics.split import MAX_LOAD_FACTOR, split
from lastmile import Route, Solution, check
from lastmile.distances import same_locations, tables
from lastmile.model import Instance, TimeWindow
from lastmile.routing import RoutingProblem
from lastmile.walk import TOLERANCE, walk

ROUTE_KINDS = {"vehicle_capacity", "route_length", "time_window", "minimum_load"}
#: How far a boundary case is pushed past a limit: well past the tolerance.
PAST = 100 * TOLERANCE


def _checker_accepts(instance: Instance, stops: list[str]) -> bool:
    solution = Solution.routed([Route.through("A-1", "O", stops)])
    return not {v.kind for v in check(instance, solution)} & ROUTE_KINDS


def _kernel_accepts(instance: Instance, stops: list[str]) -> bool:
    """Whether `route_excess` finds nothing on the route; `split` (the giant tour is the
    route itself, the fleet one vehicle) must price it at its cost plus that excess."""
    problem = RoutingProblem.whole(instance)
    rate = instance.companies[0].fleet.min_load_rate
    arrays = ProblemArrays.of(replace(problem, vehicles=("A-1",), min_load_rate=rate))
    order = np.array([problem.customers.index(s) + 1 for s in stops], dtype=np.int64)
    excess = route_excess(order, len(order), *arrays.kernel_args())
    weights = np.ones(4)
    arcs = route_cost(order, len(order), arrays.cost) + arrays.fixed
    if arrays.demand[order].sum() > MAX_LOAD_FACTOR * arrays.capacity and len(order) > 1:
        return not excess.any()  # beyond Split's horizon
    total, _, count = split(order, *arrays.kernel_args(), arrays.fixed, 1, weights)
    assert count == 1 and total == pytest.approx(arcs + float(weights @ excess))
    return not excess.any()


def _at_limits(instance: Instance, stops: list[str], past: float) -> Instance:
    """The instance with its vehicle's capacity at the route's peak load, its route
    limit at the route's km, the last stop's window closing at its arrival (the others
    no earlier than theirs) and the minimum load at the route's start load, each moved
    `past` beyond (0: exactly at)."""
    fleet = instance.companies[0].fleet
    done = walk(instance, Route.through("A-1", "O", stops), None, float("inf"))
    load, peak = done.start_load, done.start_load
    for stop in stops:
        node = instance.node_by_id[stop]
        load += node.total_pickup - node.total_demand
        peak = max(peak, load)
    arrival = _arrivals(instance, stops)
    closes = {s: max(instance.node_by_id[s].time_window.latest, arrival[s]) for s in stops if _windowed(instance, s)}
    if stops[-1] in closes:
        closes[stops[-1]] = arrival[stops[-1]] - past
    nodes = tuple(
        replace(n, time_window=TimeWindow(n.time_window.earliest, closes[n.id])) if n.id in closes else n
        for n in instance.nodes
    )
    rate = (done.start_load + past) / (peak - past) if peak > past else 0.0
    tight = replace(fleet, capacity=peak - past, max_route_km=done.km - past, min_load_rate=min(rate, 1.0))
    company = replace(instance.companies[0], fleet=tight)
    return same_locations(instance, nodes=nodes, companies=(company,))


def _windowed(instance: Instance, stop: str) -> bool:
    return instance.node_by_id[stop].time_window is not None


def _arrivals(instance: Instance, stops: list[str]) -> dict[str, float]:
    """The minute the route reaches each stop (waiting for windows, serving on the way)."""
    minutes = tables(instance).minutes
    out, clock, previous = {}, 0.0, instance.index["O"]
    for stop in stops:
        here = instance.index[stop]
        clock += float(minutes[previous, here])
        out[stop] = clock
        node = instance.node_by_id[stop]
        if node.time_window is not None:
            clock = max(clock, node.time_window.earliest)
        clock += node.service_time
        previous = here
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(routing_cases(), st.randoms(use_true_random=False), st.sampled_from(["as drawn", "at", "past"]))
def test_checker_and_kernels_agree_on_a_route(case, random, limits):
    coords, demand, pickup, windows, capacity, count, max_km = case
    assume(sum(demand) <= capacity * count)  # the reader refuses a fleet too small for the demand
    instance = build(routing_doc(coords, demand, pickup, windows, capacity, count, max_km))
    stops = [n.id for n in instance.nodes]
    random.shuffle(stops)
    stops = stops[: random.randint(1, len(stops))]
    if limits != "as drawn":
        instance = _at_limits(instance, stops, 0.0 if limits == "at" else PAST)
    checker = _checker_accepts(instance, stops)
    kernel = _kernel_accepts(instance, stops)
    assert kernel == checker, (limits, checker, kernel)
    if limits == "at":
        assert checker  # exactly at every limit is within it
    if limits == "past":
        assert not checker  # past the route length at least
