"""The shared heuristic operators, each tested on its own."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import build
from test_exact_routing import routing_doc

from heuristics.arrays import ProblemArrays, route_cost, route_excess
from heuristics.education import educate, repair, split_tour
from heuristics.split import MAX_LOAD_FACTOR
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


#: Penalty weights per limit of `EXCESS` for the operator tests: every limit priced.
WEIGHTS = np.array([3.0, 2.0, 1.5, 2.5])


def penalised(arrays: ProblemArrays, routes: list[list[int]], weights: np.ndarray) -> float:
    """Arc and fixed cost plus the weighted excess of the routes, written out."""
    total = 0.0
    for r in routes:
        stops = np.array(r, dtype=np.int64)
        total += route_cost(stops, len(stops), arrays.cost) + arrays.fixed
        total += float(weights @ route_excess(stops, len(stops), *arrays.kernel_args()))
    return total


def test_split_is_optimal_over_all_cuts_of_the_tour_under_penalties():
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
            if any(len(r) > 1 and arrays.demand[r].sum() > MAX_LOAD_FACTOR * arrays.capacity for r in routes):
                continue  # Split's documented horizon
            best = min(best, penalised(arrays, routes, WEIGHTS))
        total, routes = split_tour(arrays, tour, WEIGHTS)
        assert total == pytest.approx(best)
        assert total == pytest.approx(penalised(arrays, routes, WEIGHTS))


def test_local_search_never_worsens_the_penalised_cost():
    for seed in range(5):
        p = problem(seed, n=7)
        arrays = ProblemArrays.of(p)
        rng = np.random.default_rng(seed)
        tour = rng.permutation(p.n) + 1
        plain = educate(arrays, tour, rng, WEIGHTS, local_search=False)
        improved = educate(arrays, tour, rng, WEIGHTS)
        assert penalised(arrays, improved.routes, WEIGHTS) <= penalised(arrays, plain.routes, WEIGHTS) + 1e-9
        assert sorted(improved.tour) == list(range(1, p.n + 1))
        assert len(improved.routes) <= arrays.max_routes
        assert improved.cost + float(WEIGHTS @ improved.excess) == pytest.approx(
            penalised(arrays, improved.routes, WEIGHTS)
        )


def test_repair_returns_feasible_routes_or_nothing():
    repaired = 0
    for seed in range(10):
        p = problem(seed, n=7)
        arrays = ProblemArrays.of(p)
        rng = np.random.default_rng(seed)
        cheap = np.full(4, 1e-3)  # limits almost free: the search leaves them broken
        found = educate(arrays, rng.permutation(p.n) + 1, rng, cheap)
        if found.feasible:
            continue
        fixed = repair(arrays, found, rng, np.full(4, 1e3))
        if fixed is not None:
            repaired += 1
            assert fixed.feasible
            assert not any(route_excess(np.array(r), len(r), *arrays.kernel_args()).any() for r in fixed.routes)
    assert repaired > 0


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
