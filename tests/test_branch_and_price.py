"""Branch-and-price (issue 17): its pricing against enumeration, its optimum against brute
force, and what it says when the clock stops it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_exact_routing import check_against_brute_force, routing_cases

from formulations.branch_and_price import _cost_unit, _Data, from_center
from formulations.exact import solve_routing
from formulations.labelling import EXACT, KM, LOAD, MONO, PICKUPS, TIME, price
from heuristics.arrays import route_cost, route_excess
from lastmile.readers import read_cvrplib
from lastmile.routing import RoutingProblem


def _feasible(route, demand, pickup, capacity, km, max_km, minutes, early, late, service) -> bool:
    """Whether a route of indices meets every limit, by the compiled walk that
    `tests/test_walk.py` holds to `lastmile.walk`."""
    route = np.array(route, dtype=np.int64)
    rc = np.zeros_like(km)  # route_excess takes a cost table it does not read for feasibility
    excess = route_excess(
        route, len(route), rc, km, minutes, demand, pickup, early, late, service, capacity, max_km, 0.0
    )
    return not excess.any()


@st.composite
def pricing_cases(draw):
    n = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rc = np.round(rng.uniform(-12, 10, (n + 1, n + 1)), 1)
    np.fill_diagonal(rc, np.inf)
    demand = np.r_[0.0, rng.integers(0, 5, n)].astype(float)
    pickup = np.r_[0.0, rng.integers(0, 5, n) * draw(st.integers(0, 1))].astype(float)
    xy = rng.uniform(0, 10, (n + 1, 2))
    km = np.round(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)), 2)
    metric = draw(st.booleans())
    if not metric:  # km need not be metric (rounded, measured): the way home may beat the direct leg
        km = np.round(rng.uniform(0, 14, (n + 1, n + 1)), 1)
        np.fill_diagonal(km, 0.0)
    early = np.r_[0.0, rng.uniform(0, 20, n)]
    late = np.r_[np.inf, early[1:] + rng.uniform(0, 30, n)] if draw(st.booleans()) else np.full(n + 1, np.inf)
    capacity, max_km = float(draw(st.integers(4, 12))), draw(st.sampled_from([np.inf, 25.0])) if metric else 25.0
    # the split of the bidirectional search, anywhere: it decides how, not what, it finds
    critical = draw(st.sampled_from([MONO, TIME, LOAD, KM, PICKUPS]))
    middle = draw(st.floats(0, {MONO: 1.0, TIME: 60.0, LOAD: capacity, KM: 25.0, PICKUPS: capacity}[critical]))
    if critical == KM:
        max_km = 25.0
    # subset-row cuts: three customers each (fewer on tiny problems), a penalty per cut
    rows = [rng.choice(np.arange(1, n + 1), min(3, n), replace=False) for _ in range(draw(st.integers(0, 3)))]
    penalty = np.round(rng.uniform(0, 6, max(len(rows), 1)), 1)
    return rc, demand, pickup, capacity, km, max_km, early, late, critical, middle, rows, penalty


def _rows_of(rows, n: int) -> np.ndarray:
    """Each index's subset-row cuts as bits, for `price`."""
    bits = np.zeros(n + 1, np.uint64)
    for s, members in enumerate(rows):
        for j in members:
            bits[j] |= np.uint64(1 << s)
    return bits


def _reduced_cost(route, rc, rows, penalty) -> float:
    """A route's reduced cost: its arcs, and each cut's penalty per pair of visits in it."""
    visits = np.bincount(np.asarray(route), minlength=rc.shape[0])
    extra = sum(penalty[s] * (visits[members].sum() // 2) for s, members in enumerate(rows))
    return route_cost(np.asarray(route, dtype=np.int64), len(route), rc) + extra


@settings(max_examples=200, deadline=None)
@given(pricing_cases())
def test_exact_pricing_finds_the_least_reduced_cost_route(case) -> None:
    rc, demand, pickup, capacity, km, max_km, early, late, critical, middle, rows, penalty = case
    n = rc.shape[0] - 1
    minutes, service = km * 2.0, np.r_[0.0, np.ones(n)]
    reach, legs = from_center(minutes), np.vstack([from_center(km), from_center(km.T)])
    everyone = np.zeros((n + 1, 1), np.uint64)  # ng-neighbourhoods of everyone: routes are elementary
    everyone[:, 0] = np.uint64(sum(1 << j for j in range(1, n + 1)))
    args = (
        demand,
        pickup,
        capacity,
        km,
        max_km,
        minutes,
        early,
        late,
        service,
        reach,
        legs,
        everyone,
        _rows_of(rows, n),
    )
    visits, starts, least, complete = price(rc, *args, penalty, critical, middle, EXACT, 100_000, 50, np.inf)
    assert complete
    expected = 0.0
    for size in range(1, n + 1):
        for route in itertools.permutations(range(1, n + 1), size):
            if _feasible(route, demand, pickup, capacity, km, max_km, minutes, early, late, service):
                expected = min(expected, _reduced_cost(route, rc, rows, penalty))
    assert least == pytest.approx(expected, abs=1e-9)
    if expected < -1e-6:  # the cheapest route comes first, whole (joined halves in order)
        assert _reduced_cost(visits[: starts[1]], rc, rows, penalty) == pytest.approx(expected, abs=1e-9)
    for a, b in itertools.pairwise(starts):  # every route priced out is feasible and of negative reduced cost
        route = visits[a:b]
        assert _feasible(route, demand, pickup, capacity, km, max_km, minutes, early, late, service)
        assert _reduced_cost(route, rc, rows, penalty) < 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(routing_cases())
def test_branch_and_price_optimum_equals_brute_force(case) -> None:
    result = check_against_brute_force(case, "branch-and-price")
    assert result.status == "infeasible" or (result.bound is not None and result.bound <= result.objective + 1e-6)


def test_a_time_limited_run_reports_a_valid_bound_and_never_optimal(shared) -> None:
    instance = read_cvrplib(shared / "benchmarks" / "cvrp" / "E" / "E-n101-k8.vrp")
    result = solve_routing(RoutingProblem.whole(instance), time_limit=1.0, formulation="branch-and-price")
    assert result.status in ("feasible", "no_solution"), result.message
    assert result.bound is not None and result.bound <= 815 + 1e-6  # the published optimum
    assert result.objective is None or result.objective >= 815 - 1e-6


@pytest.mark.parametrize("critical", [TIME, LOAD, KM, PICKUPS])
def test_bidirectional_pricing_agrees_with_forward_labelling(critical) -> None:
    """On 400 random 7-customer problems with windows (elementary routes) and subset-row
    cuts, splitting the search anywhere finds the forward search's least reduced cost,
    with pickups or not: beyond what brute force can enumerate in a test, joins are
    where a split goes wrong."""
    for seed in range(400):
        rng = np.random.default_rng(seed)
        n = 7
        rc = np.round(rng.uniform(-12, 10, (n + 1, n + 1)), 1)
        np.fill_diagonal(rc, np.inf)
        demand = np.r_[0.0, rng.integers(0, 3, n)].astype(float)
        pickup = np.r_[0.0, rng.integers(0, 3, n) * rng.integers(0, 2)].astype(float)
        xy = rng.uniform(0, 10, (n + 1, 2))
        km = np.round(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)), 2)
        early = np.r_[0.0, rng.uniform(0, 40, n)]
        late = np.r_[np.inf, early[1:] + rng.uniform(0, 40, n)]
        capacity, max_km = float(rng.integers(6, 14)), 40.0
        minutes, service = km * 2.0, np.r_[0.0, np.ones(n)]
        everyone = np.zeros((n + 1, 1), np.uint64)
        everyone[:, 0] = np.uint64(sum(1 << j for j in range(1, n + 1)))
        rows = [rng.choice(np.arange(1, n + 1), 3, replace=False) for _ in range(rng.integers(0, 6))]
        cuts = (_rows_of(rows, n), rng.uniform(0, 6, max(len(rows), 1)))
        legs = np.vstack([from_center(km), from_center(km.T)])
        args = (demand, pickup, capacity, km, max_km, minutes, early, late, service, from_center(minutes), legs)
        _, _, forward, done = price(rc, *args, everyone, *cuts, MONO, 0.0, EXACT, 100_000, 50, np.inf)
        assert done
        middle = rng.uniform(0, {TIME: 80.0, LOAD: capacity, KM: max_km, PICKUPS: capacity}[critical])
        visits, starts, split, done = price(rc, *args, everyone, *cuts, critical, middle, EXACT, 100_000, 50, np.inf)
        assert done and split == pytest.approx(forward, abs=1e-9), (seed, middle)
        for a, b in itertools.pairwise(starts):  # joined halves make whole, feasible routes
            assert _feasible(visits[a:b], demand, pickup, capacity, km, max_km, minutes, early, late, service)
        if split < -1e-6:
            assert _reduced_cost(visits[: starts[1]], rc, rows, cuts[1]) == pytest.approx(split, abs=1e-9)


def test_bounds_rise_to_the_costs_grid_and_never_fall() -> None:
    """Integral costs: a bound a step below the incumbent closes it; a bound a hair
    above a multiple (LP round-off) stays there; a large bound is never lowered."""
    assert _cost_unit(np.array([[0.0, 12.0], [7.0, np.inf]])) == 1.0
    assert _cost_unit(np.array([[0.0, 12.3], [7.1, 0.0]])) == pytest.approx(0.1)
    assert _cost_unit(np.array([[0.0, 12.345], [7.0, 0.0]])) == 0.0
    data = _Data.__new__(_Data)  # only the grid matters here
    data.unit = 1.0
    assert data.round_up(750.06) == 751.0
    assert data.round_up(750.0 + 1e-9) == pytest.approx(750.0 + 1e-9)
    assert data.round_up(480_000.3) == 480_001.0  # large bounds rise too, by at most a step
    assert data.round_up(2_000_000.0) == 2_000_000.0
    data.unit = 0.1
    assert data.round_up(827.26) == pytest.approx(827.3)
    data.unit = 0.0
    assert data.round_up(750.06) == 750.06


def test_subset_row_separation_finds_the_odd_cycle_of_half_routes() -> None:
    """Routes 1-2, 2-3 and 1-3 at one half each visit {1, 2, 3} in pairs 1.5 times: the
    subset-row cut on that triple (at most once) is the one violated; a route through
    all three at one half with another at one half stays within it."""
    from formulations.branch_and_price import _violated_subset_rows

    routes = [(1, 2), (2, 3), (1, 3), (4,), (1, 2, 3), (4, 5)]
    found = _violated_subset_rows(routes, np.array([0.5, 0.5, 0.5, 1.0, 0.0, 0.0]), 5, 10)
    assert [sorted(t.tolist()) for t in found] == [[1, 2, 3]]
    assert _violated_subset_rows(routes, np.array([0.0, 0.0, 0.5, 0.0, 0.5, 0.5]), 5, 10) == []
