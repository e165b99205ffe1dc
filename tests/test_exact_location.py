"""Location (Eqs. 5-10) and assignment (Eqs. 11-16) models against brute force."""

from __future__ import annotations

import itertools

import pyomo.environ as pyo
import pytest
from conftest import build, planar_doc
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from formulations.assignment import full_model_bound
from formulations.exact import solve_assignment, solve_location
from formulations.highs import solve_model
from formulations.location import build_location_model, location_data, location_solution
from lastmile import check, evaluate


def location_doc(coords, demand, fixed, capacity) -> dict:
    return planar_doc(
        "random-location",
        [
            {
                "id": "A",
                "depot": {"id": "d", "x": 0, "y": 0},
                "fleet": {"count": 10, "capacity": 100, "fixed_cost": 7, "cost_per_km": 1},
            }
        ],
        [
            {"id": f"c{j}", "x": x, "y": y, "fixed_cost": f, "capacity": q}
            for j, ((x, y), f, q) in enumerate(zip(coords[: len(fixed)], fixed, capacity, strict=True))
        ],
        [
            {"id": f"n{i}", "x": x, "y": y, "demand": {"A": d}}
            for i, ((x, y), d) in enumerate(zip(coords[len(fixed) :], demand, strict=True))
        ],
        parcel_km_cost=1.0,
    )


def brute_force(instance, p=None) -> float | None:
    """Cheapest single-source assignment over every open set and every assignment."""
    data = location_data(instance)
    m, n = len(data.centers), len(data.nodes)
    whole = data.unit_cost * data.demand[None, :]
    best = None
    for size in range(1, m + 1):
        if p is not None and size != p:
            continue
        for opened in itertools.combinations(range(m), size):
            for choice in itertools.product(opened, repeat=n):
                load = [0.0] * m
                for i, j in enumerate(choice):
                    load[j] += data.demand[i]
                if any(load[j] > data.capacity[j] + 1e-9 for j in range(m)):
                    continue
                cost = sum(data.fixed_cost[j] for j in opened) + sum(whole[j, i] for i, j in enumerate(choice))
                best = cost if best is None else min(best, cost)
    return best


point = st.tuples(st.integers(0, 20), st.integers(0, 20))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 3).flatmap(
        lambda m: st.integers(2, 5).flatmap(
            lambda n: st.tuples(
                st.lists(point, min_size=m + n, max_size=m + n),
                st.lists(st.integers(1, 9), min_size=n, max_size=n),
                st.lists(st.integers(0, 40), min_size=m, max_size=m),
                st.lists(st.integers(10, 30), min_size=m, max_size=m),
                st.sampled_from([None, 1, 2]),
            )
        )
    )
)
def test_location_optimum_equals_brute_force(args):
    coords, demand, fixed, capacity, p = args
    assume(sum(demand) <= sum(capacity))  # the reader refuses centers too small for the demand
    instance = build(location_doc(coords, demand, fixed, capacity))
    expected = brute_force(instance, p)
    result = solve_location(instance, p=p, time_limit=30)
    if expected is None:
        assert result.status == "infeasible"
    else:
        assert result.status == "optimal" and result.feasible
        assert result.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
        assert result.bound == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_infeasible_location_is_reported_infeasible():
    # Two nodes of 9 parcels, two centers of 10: one center (p = 1) cannot hold both.
    instance = build(location_doc([(0, 0), (5, 5), (1, 1), (2, 2)], [9, 9], [1, 1], [10, 10]))
    result = solve_location(instance, p=1, time_limit=10)
    assert result.status == "infeasible" and result.solution is None and result.objective is None


def test_mutable_fixed_cost_changes_the_optimum_without_rebuilding():
    instance = build(location_doc([(0, 0), (10, 0), (1, 0), (9, 0)], [1, 1], [0, 0], [10, 10]))
    data = location_data(instance)
    model = build_location_model(data)
    assert solve_model(model, time_limit=10).status == "optimal"
    assert location_solution(model, data).open_centers == {"c0", "c1"}  # free centers: serve each nearby
    model.F[0] = 100.0  # a sweep step: c0 now costs 100; serving n0 from c1 costs 9
    assert solve_model(model, time_limit=10).status == "optimal"
    assert location_solution(model, data).open_centers == {"c1"}
    assert pyo.value(model.total_cost) == pytest.approx(9 * 1 + 1 * 1)


def test_orlib_cap41_reaches_its_published_optimum(shared):
    instance = pytest.importorskip("lastmile").load_instance(shared / "benchmarks/cflp/instances/cap41.txt")
    result = solve_location(instance, time_limit=60)
    assert result.status == "optimal" and result.feasible
    assert result.objective == pytest.approx(1040444.375, rel=1e-9)


def test_assignment_model_objective_is_the_shared_cost(tiny_xiqing):
    result = solve_assignment(tiny_xiqing, time_limit=60)
    assert result.status == "optimal" and result.feasible
    # the model's TC: everything but the line-haul, which no location model decides
    assert result.objective == pytest.approx(evaluate(tiny_xiqing, result.solution).total_without_line_haul)
    assert check(tiny_xiqing, result.solution) == []
    assert sum(result.solution.dispatched.values()) >= 1


def test_assignment_model_respects_given_open_centers(tiny_xiqing):
    chosen = {tiny_xiqing.centers[0].id}
    result = solve_assignment(tiny_xiqing, open_centers=chosen, time_limit=60)
    assert result.status == "optimal" and result.solution.open_centers == chosen


def test_full_load_requirement_binds():
    # One center, 100 parcels, vehicles of 100: 1 vehicle full. With sigma = 1 and
    # phi = 0.9, sending 2 vehicles (load 100 < 0.9 x 100 x 2) is ruled out, so is 1
    # vehicle for 101 parcels: the model becomes infeasible.
    doc = location_doc([(0, 0), (1, 0), (2, 0)], [60, 41], [0], [1000])
    instance = build(doc)
    result = solve_assignment(instance, full_load_share=1.0, full_load_fraction=0.9, time_limit=10)
    assert result.status == "infeasible"
    relaxed = solve_assignment(instance, full_load_share=0.0, time_limit=10)
    assert relaxed.status == "optimal" and relaxed.solution.dispatched == {"c0": 2}


def test_a_limited_assignment_widens_to_the_whole_model_when_infeasible():
    # Two open centers of 50 parcels each, three outlets of 30 nearest to c0: each
    # outlet limited to its nearest center overfills c0, so the model widens to both.
    doc = location_doc([(0, 0), (10, 0), (1, 0), (1, 1), (0, 1)], [30, 30, 30], [0, 0], [50, 70])
    instance = build(doc)
    whole = solve_assignment(instance, open_centers={"c0", "c1"}, time_limit=10, nearest_centers=None)
    limited = solve_assignment(instance, open_centers={"c0", "c1"}, time_limit=10, nearest_centers=1, whole_pairs=0)
    assert whole.status == "optimal" and limited.feasible and check(instance, limited.solution) == []
    assert limited.objective == pytest.approx(whole.objective)  # widened to both centers: the whole model
    assert limited.status == "optimal" and limited.params["nearest_centers"] is None


def test_a_limited_assignment_says_so_and_bounds_the_whole_model():
    # Three open centers with fixed costs, room for everyone at each: every outlet
    # limited to its nearest center is feasible, so the answer stays limited.
    doc = location_doc(
        [(0, 0), (20, 0), (40, 0), (1, 0), (19, 1), (21, 0), (39, 1)], [10, 20, 15, 5], [7, 9, 11], [200] * 3
    )
    instance = build(doc)
    opened = {"c0", "c1", "c2"}
    whole = solve_assignment(instance, open_centers=opened, time_limit=10, nearest_centers=None)
    limited = solve_assignment(instance, open_centers=opened, time_limit=10, nearest_centers=1, whole_pairs=0)
    assert whole.status == "optimal" and whole.params["nearest_centers"] is None
    assert limited.status == "feasible" and limited.params["nearest_centers"] == 1
    assert "limited to its 1 nearest" in limited.message
    data = location_data(instance, centers=["c0", "c1", "c2"])
    assert limited.bound == pytest.approx(full_model_bound(data, instance.pooled_fleet()))
    assert limited.bound <= whole.objective + 1e-9 <= limited.objective + 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    coords=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=9, max_size=9),
    demand=st.lists(st.integers(5, 40), min_size=6, max_size=6),
    capacity=st.lists(st.integers(40, 200), min_size=3, max_size=3),
    fixed=st.lists(st.integers(0, 50), min_size=3, max_size=3),
)
def test_a_limited_assignment_is_feasible_with_a_valid_bound(coords, demand, capacity, fixed):
    """Each outlet limited to its 2 nearest of 3 open centers: `optimal` only once
    widened to all three, never cheaper than the whole model's optimum, and its bound
    at most that optimum."""
    assume(sum(demand) <= sum(capacity))
    instance = build(location_doc(coords, demand, fixed, capacity))
    opened = {"c0", "c1", "c2"}
    whole = solve_assignment(instance, open_centers=opened, time_limit=10, nearest_centers=None)
    limited = solve_assignment(instance, open_centers=opened, time_limit=10, nearest_centers=2, whole_pairs=0)
    assume(whole.status == "optimal")
    assert (limited.status == "feasible") == (limited.params["nearest_centers"] == 2)
    assert limited.status in ("feasible", "optimal")
    assert check(instance, limited.solution) == []
    assert limited.objective >= whole.objective - 1e-6
    assert limited.bound <= whole.objective + 1e-6
