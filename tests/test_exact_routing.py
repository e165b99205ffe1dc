"""The exact routing models against brute force over all route sets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import build, planar_doc
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from formulations.exact import solve_routing
from lastmile import Route, Solution, check, evaluate
from lastmile.readers import read_cvrplib
from lastmile.result import SolveResult
from lastmile.routing import RoutingProblem

ROUTE_KINDS = {"vehicle_capacity", "route_length", "time_window"}


def routing_doc(coords, demand, pickup, windows, capacity, count, max_km) -> dict:
    fleet = {"count": count, "capacity": capacity, "fixed_cost": 5, "cost_per_km": 1}
    if max_km is not None:
        fleet["max_route_km"] = max_km
    nodes = []
    for i, ((x, y), d) in enumerate(zip(coords[1:], demand, strict=True)):
        node = {"id": f"n{i}", "x": x, "y": y, "demand": {"A": d}, "service_time": 1}
        if pickup:
            node["pickup"] = {"A": pickup[i]}
        if windows:
            node["time_window"] = list(windows[i])
        nodes.append(node)
    return planar_doc(
        "random-routing",
        [{"id": "A", "depot": {"id": "d", "x": 0, "y": 0}, "fleet": fleet}],
        [{"id": "O", "x": coords[0][0], "y": coords[0][1], "fixed_cost": 0}],
        nodes,
        speed_kmh=60,
        default_congestion=1.1,
    )


def set_partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in set_partitions(rest):
        for k in range(len(partition)):
            yield [*partition[:k], [first, *partition[k]], *partition[k + 1 :]]
        yield [[first], *partition]


def brute_force(problem: RoutingProblem) -> float | None:
    """Cheapest route set by enumeration, with feasibility and cost from `check`/`evaluate`."""
    instance, center = problem.instance, problem.center
    best_route: dict[tuple[str, ...], float | None] = {}

    def best_order(block: tuple[str, ...]) -> float | None:
        if block not in best_route:
            costs = []
            for order in itertools.permutations(block):
                one = Solution.routed([Route.through("A-1", center, list(order))])
                if not {v.kind for v in check(instance, one)} & ROUTE_KINDS:
                    cost = evaluate(instance, one)
                    costs.append(cost.total - cost.center_fixed)
            best_route[block] = min(costs) if costs else None
        return best_route[block]

    best = None
    for partition in set_partitions(list(problem.customers)):
        if problem.fleet_size is not None and len(partition) > problem.fleet_size:
            continue
        costs = [best_order(tuple(block)) for block in partition]
        if any(c is None for c in costs):
            continue
        total = sum(costs)
        best = total if best is None else min(best, total)
    return best


point = st.tuples(st.integers(0, 30), st.integers(0, 30))


@st.composite
def routing_cases(draw):
    n = draw(st.integers(2, 5))
    coords = draw(st.lists(point, min_size=n + 1, max_size=n + 1))
    demand = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    pickup = draw(st.one_of(st.just([]), st.lists(st.integers(0, 6), min_size=n, max_size=n)))
    windows = draw(
        st.one_of(
            st.just([]),
            st.lists(st.tuples(st.integers(0, 60), st.integers(20, 60)).map(sorted), min_size=n, max_size=n),
        )
    )
    capacity = draw(st.integers(6, 14))
    count = draw(st.integers(1, 4))
    max_km = draw(st.sampled_from([None, 60, 100]))
    return coords, demand, pickup, windows, capacity, count, max_km


def check_against_brute_force(case, formulation: str, *, plain: bool = False) -> SolveResult:
    """Solve a random case (`routing_cases`; `plain`: capacity and fleet alone) with
    `formulation` and hold it to brute force: `infeasible` when no route set is, else
    `optimal`, feasible and at the brute-force optimum."""
    coords, demand, pickup, windows, capacity, count, max_km = case
    if plain:
        pickup, windows, max_km = [], [], None
    assume(sum(demand) <= capacity * count)  # the reader refuses a fleet too small for the demand
    instance = build(routing_doc(coords, demand, pickup, windows, capacity, count, max_km))
    problem = RoutingProblem.whole(instance)
    expected = brute_force(problem)
    result = solve_routing(problem, time_limit=30, formulation=formulation)
    if expected is None:
        assert result.status == "infeasible"
    else:
        assert result.status == "optimal", result.message
        assert result.feasible, result.violations
        assert result.objective == pytest.approx(expected, abs=1e-6)
    return result


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(routing_cases())
def test_flow_model_optimum_equals_brute_force(case):
    check_against_brute_force(case, "flow")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(routing_cases())
def test_set_partitioning_optimum_equals_brute_force(case):
    check_against_brute_force(case, "set-partitioning", plain=True)


def test_too_small_a_fleet_is_reported_infeasible():
    # Three customers of 5 parcels and vehicles of 10: the region is given one of the two.
    instance = build(routing_doc([(0, 0), (1, 0), (2, 0), (3, 0)], [5, 5, 5], [], [], 10, 2, None))
    problem = RoutingProblem(instance, "O", ("n0", "n1", "n2"), ("A-1",))
    for formulation in ("flow", "set-partitioning", "branch-and-price"):
        result = solve_routing(problem, time_limit=10, formulation=formulation)
        assert result.status == "infeasible" and result.solution is None


@pytest.mark.parametrize("formulation", ["auto", "branch-and-price"])
@pytest.mark.parametrize("name", ["E/E-n13-k4", "P/P-n16-k8"])
def test_small_cvrplib_instances_are_proven_optimal(shared, name, formulation):
    instance = read_cvrplib(shared / "benchmarks" / "cvrp" / f"{name}.vrp")
    result = solve_routing(RoutingProblem.whole(instance), time_limit=60, formulation=formulation)
    assert result.status == "optimal" and result.feasible
    assert result.objective == {"E/E-n13-k4": 247, "P/P-n16-k8": 450}[name]
    assert result.bound == pytest.approx(result.objective)
    if formulation != "auto":
        assert result.params["formulation"] == formulation


def test_time_limited_run_is_not_reported_optimal(shared):
    instance = read_cvrplib(shared / "benchmarks" / "cvrp" / "A" / "A-n32-k5.vrp")
    result = solve_routing(RoutingProblem.whole(instance), time_limit=3, formulation="flow", cut_share=0)
    # 3 s of the flow model prove nothing about the optimum (784): the bound says so,
    # and whatever incumbent there is, is not called optimal
    assert result.status in ("feasible", "no_solution") and result.bound is not None
    assert result.bound < 784 - 1e-6
    assert result.objective is None or result.objective >= 784 - 1e-6


def test_region_of_xiqing_with_pickups_and_windows(tiny_xiqing):
    center = tiny_xiqing.centers[0].id
    customers = tuple(n.id for n in tiny_xiqing.nodes[:8])
    problem = RoutingProblem(tiny_xiqing, center, customers, ("joint-1", "joint-2", "joint-3"))
    result = solve_routing(problem, time_limit=60)
    assert result.params["formulation"] == "flow"  # pickups and windows: the flow model is the stronger
    assert result.status == "optimal" and result.feasible, result.violations
    assert result.objective == pytest.approx(result.cost.vehicle_fixed + result.cost.transport + result.cost.congestion)
    priced = solve_routing(problem, time_limit=60, formulation="branch-and-price")
    assert priced.status == "optimal" and priced.objective == pytest.approx(result.objective)


def test_flow_model_bounds_legs_by_the_shortest_way_not_the_direct_one() -> None:
    """km need not be metric (rounded or measured): on the 4-cycle 0-1-2-3-0 of 1 km legs
    whose diagonals are 10 km, the route 0-1-2-3-0 drives 4 km, the limit. The model's
    bounds on the km driven at 2 once took the direct legs (10 km out, 10 km home) and
    made it infeasible."""
    from formulations.highs import run_highs
    from formulations.routing import FlowModel, routes_from_arcs

    coords = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    doc = routing_doc(coords, [1, 1, 1], None, None, capacity=10, count=1, max_km=4.0)
    problem = RoutingProblem.whole(build(doc))
    km = np.array([[0, 1, 10, 1], [1, 0, 1, 10], [10, 1, 0, 1], [1, 10, 1, 0]], dtype=float)
    order = [0, *(1 + problem.customers.index(f"n{i}") for i in range(3))]  # the matrix's rows as indices
    km = km[np.ix_(np.argsort(order), np.argsort(order))]
    problem.__dict__.update(km=km, arc_cost=km, minutes=km)  # the cached tables, replaced
    model = FlowModel(problem)
    outcome = run_highs(model.highs, mip=True, time_limit=10.0, threads=1, mip_gap=0.0, seed=0)
    assert outcome.status == "optimal", outcome.message
    (route,) = routes_from_arcs(problem, model.values())
    assert sum(km[a, b] for a, b in itertools.pairwise([0, *route, 0])) == pytest.approx(4.0)
