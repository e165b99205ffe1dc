"""The shared heuristic operators, each tested on its own."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import build
from test_exact_routing import routing_doc

from heuristics.arrays import ProblemArrays, route_cost, route_ok
from heuristics.education import educate, split_tour
from heuristics.variation import broken_pairs_distance, keys_to_tour, mutate, order_crossover, tour_to_keys
from lastmile.routing import RoutingProblem


def problem(seed: int, n: int = 6, pickups: bool = True, windows: bool = True) -> RoutingProblem:
    rng = np.random.default_rng(seed)
    coords = [tuple(int(v) for v in rng.integers(0, 30, 2)) for _ in range(n + 1)]
    demand = [int(v) for v in rng.integers(1, 6, n)]
    pickup = [int(v) for v in rng.integers(0, 5, n)] if pickups else []
    tw = [sorted(int(v) for v in rng.integers(0, 120, 2)) for _ in range(n)] if windows else []
    tw = [[a, max(b, a + 40)] for a, b in tw]
    return RoutingProblem.whole(build(routing_doc(coords, demand, pickup, tw, 12, 4, 150)))


def test_split_is_optimal_over_all_cuts_of_the_tour():
    for seed in range(5):
        p = problem(seed)
        arrays = ProblemArrays.of(p)
        tour = np.random.default_rng(seed).permutation(p.n) + 1
        best = np.inf
        for cuts in itertools.product([False, True], repeat=p.n - 1):
            routes, current = [], [int(tour[0])]
            for cut, customer in zip(cuts, tour[1:], strict=True):
                if cut:
                    routes.append(current)
                    current = []
                current.append(int(customer))
            routes.append(current)
            if len(routes) > arrays.max_routes:
                continue
            ok = all(route_ok(np.array(r), len(r), *arrays.kernel_args()) for r in routes)
            if ok:
                best = min(best, sum(route_cost(np.array(r), len(r), arrays.cost) + arrays.fixed for r in routes))
        total, _ = split_tour(arrays, tour)
        assert np.isfinite(best), "every case has a feasible cut"
        assert total == pytest.approx(best)


def test_local_search_never_worsens_and_keeps_routes_feasible():
    for seed in range(5):
        p = problem(seed, n=7)
        arrays = ProblemArrays.of(p)
        rng = np.random.default_rng(seed)
        tour = rng.permutation(p.n) + 1
        plain = educate(arrays, tour, rng, local_search=False)
        improved = educate(arrays, tour, rng)
        assert np.isfinite(plain.cost), "every case has a feasible split"
        assert improved.cost <= plain.cost + 1e-9
        assert sorted(improved.tour) == list(range(1, p.n + 1))
        assert all(route_ok(np.array(r), len(r), *arrays.kernel_args()) for r in improved.routes)


def test_order_crossover_keeps_a_slice_and_is_a_permutation():
    for seed in range(50):
        rng = np.random.default_rng(seed)
        a, b = rng.permutation(9) + 1, rng.permutation(9) + 1
        child = order_crossover(a, b, np.random.default_rng(seed + 1000))
        # The same generator draws the cut points first: replay them.
        i, j = sorted(np.random.default_rng(seed + 1000).choice(10, size=2, replace=False))
        assert sorted(child) == list(range(1, 10))
        assert np.array_equal(child[i:j], a[i:j])
        rest = [c for c in np.concatenate((child[j:], child[:i]))]
        assert rest == [c for c in np.concatenate((b[j:], b[:j])) if c not in set(a[i:j])]


def test_operators_are_pure_functions_of_their_generator():
    a, b = np.arange(1, 11), np.arange(10, 0, -1)
    assert np.array_equal(
        order_crossover(a, b, np.random.default_rng(5)), order_crossover(a, b, np.random.default_rng(5))
    )
    assert np.array_equal(mutate(a, np.random.default_rng(5), 1.0), mutate(a, np.random.default_rng(5), 1.0))
    assert np.array_equal(a, np.arange(1, 11))  # inputs untouched


def test_random_keys_round_trip_and_distance():
    tour = np.random.default_rng(1).permutation(12) + 1
    assert np.array_equal(keys_to_tour(tour_to_keys(tour)), tour)
    assert broken_pairs_distance(tour, tour) == 0.0
    assert broken_pairs_distance(tour, tour[::-1]) > 0.0
