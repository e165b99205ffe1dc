"""The shared heuristic operators, each tested on its own."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import build
from test_exact_routing import routing_doc

from heuristics.arrays import ProblemArrays, route_cost, route_excess
from heuristics.education import educate, improve_routes, repair, split_tour
from heuristics.local_search import neighbour_links
from heuristics.population import Population
from heuristics.split import MAX_LOAD_FACTOR
from heuristics.variation import keys_to_tour, mutate, order_crossover, tour_to_keys
from lastmile.routing import RoutingProblem


def problem(
    seed: int, n: int = 6, pickups: bool = True, windows: bool = True, max_km: float | None = 150, fleet: int = 4
) -> RoutingProblem:
    rng = np.random.default_rng(seed)
    coords = [tuple(int(v) for v in rng.integers(0, 30, 2)) for _ in range(n + 1)]
    demand = [int(v) for v in rng.integers(1, 6, n)]
    pickup = [int(v) for v in rng.integers(0, 5, n)] if pickups else []
    tw = [sorted(int(v) for v in rng.integers(0, 120, 2)) for _ in range(n)] if windows else []
    tw = [[a, max(b, a + 40)] for a, b in tw]
    return RoutingProblem.whole(build(routing_doc(coords, demand, pickup, tw, 12, fleet, max_km)))


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


def neighbourhood(routes: list[list[int]], max_routes: int, swap_star: bool):
    """Every plan one move of the local search away (its docstring's list), written out
    by enumeration, as (indices of the routes replaced, the routes replacing them):
    relocations of a customer or of a pair of consecutive ones (either way round) to any
    position of another route, of a customer within its route, swaps of one or two
    consecutive customers with one or two of another route, swaps within a route,
    2-opt, 2-opt*, a customer alone on an unused vehicle, and with `swap_star` the
    exchange of two customers of two routes, each put anywhere in the other route."""
    for i, ri in enumerate(routes):
        for pu in range(len(ri)):
            for width in (1, 2):
                piece = ri[pu : pu + width]
                if len(piece) < width:
                    continue
                left = ri[:pu] + ri[pu + width :]
                for j, rj in enumerate(routes):
                    if j == i:
                        continue
                    for order in (piece, piece[::-1]) if width == 2 else (piece,):
                        for at in range(len(rj) + 1):
                            yield (i, j), [left, rj[:at] + order + rj[at:]]
                    for pv in range(len(rj)):
                        for other in (1, 2):
                            swapped = rj[pv : pv + other]
                            if len(swapped) == other and (width, other) != (1, 2):
                                yield (i, j), [ri[:pu] + swapped + ri[pu + width :], rj[:pv] + piece + rj[pv + other :]]
                        if width == 1:  # 2-opt*: the tails after ri[pu] and rj[pv]
                            yield (i, j), [ri[: pu + 1] + rj[pv + 1 :], rj[: pv + 1] + ri[pu + 1 :]]
                        if width == 1 and swap_star:
                            rest_j = rj[:pv] + rj[pv + 1 :]
                            for at_u in range(len(rest_j) + 1):
                                for at_v in range(len(left) + 1):
                                    yield (
                                        (i, j),
                                        [
                                            [*left[:at_v], rj[pv], *left[at_v:]],
                                            [*rest_j[:at_u], *piece, *rest_j[at_u:]],
                                        ],
                                    )
            u = ri[pu]
            without = ri[:pu] + ri[pu + 1 :]
            for at in range(len(without) + 1):
                yield (i,), [[*without[:at], u, *without[at:]]]
            for pv in range(pu + 1, len(ri)):
                swapped = list(ri)
                swapped[pu], swapped[pv] = swapped[pv], swapped[pu]
                yield (i,), [swapped]
                yield (i,), [ri[: pu + 1] + ri[pu + 1 : pv + 1][::-1] + ri[pv + 1 :]]
            if len(ri) > 1 and len(routes) < max_routes:
                yield (i,), [without, [u]]


@pytest.mark.parametrize("kind", ["capacity", "windows and pickups", "capacity, a vehicle per customer"])
def test_local_search_ends_where_no_move_of_its_neighbourhood_improves(kind: str):
    """With every customer a neighbour (granularity above n), the local search's bounds
    may skip no improving move: its result is a local optimum of the moves it lists.
    SWAP* takes each customer's cheapest place by arc cost and tries the best exchange
    by its bound only, so with capacity alone (where the bound is exact and the load's
    penalty does not depend on the places) it leaves no exchange that improves."""
    rich = kind == "windows and pickups"
    for seed in range(60):
        fleet = 10 if kind.endswith("per customer") else 4
        p = problem(seed, n=10, pickups=rich, windows=rich, max_km=150 if rich else None, fleet=fleet)
        arrays = ProblemArrays.of(p)
        rng = np.random.default_rng(seed)
        weights = WEIGHTS * (0.3 if seed % 2 else 3.0)
        found = educate(arrays, rng.permutation(p.n) + 1, rng, weights)
        known: dict[tuple[int, ...], float] = {}
        for replaced, plan in neighbourhood(found.routes, arrays.max_routes, swap_star=not rich):
            for route in [*plan, *(found.routes[k] for k in replaced)]:
                if tuple(route) not in known:
                    known[tuple(route)] = penalised(arrays, [route], weights) if route else 0.0
            change = sum(known[tuple(r)] for r in plan) - sum(known[tuple(found.routes[k])] for k in replaced)
            assert change >= -1e-6, (found.routes, replaced, plan)


def test_local_search_counts_the_fixed_cost_a_route_it_empties_saves():
    """Customer 1 alone costs a trip of 2 plus the vehicle's 100; next to customer 2 it
    adds 10 in arcs (costs need not be metric: congestion, real roads), so the move
    pays only through the fixed cost saved."""
    cost = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 10.0], [1.0, 10.0, 0.0]])
    arrays = ProblemArrays(
        n=2,
        cost=cost,
        km=cost.copy(),
        minutes=cost.copy(),
        demand=np.array([0.0, 1.0, 1.0]),
        pickup=np.zeros(3),
        early=np.zeros(3),
        late=np.full(3, np.inf),
        service=np.zeros(3),
        capacity=10.0,
        max_km=np.inf,
        fixed=100.0,
        min_load=0.0,
        max_routes=2,
        neighbours=np.array([[0], [2], [1]]),
    )
    routes = improve_routes(arrays, [[1], [2]], np.random.default_rng(0), WEIGHTS, 100)
    assert routes in ([[1, 2]], [[2, 1]])


def test_reverse_neighbour_lists_link_both_ways():
    neighbours = np.array([[0], [2], [1], [1]])  # 3 lists 1, nobody lists 3
    start, linked = neighbour_links(neighbours)
    assert start[-1] == 6
    assert sorted(linked[start[1] : start[2]]) == [2, 2, 3]
    assert list(linked[start[3] : start[4]]) == [1]


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


def test_random_keys_round_trip():
    tour = np.random.default_rng(1).permutation(12) + 1
    assert np.array_equal(keys_to_tour(tour_to_keys(tour)), tour)


def broken_pairs(first: np.ndarray, second: np.ndarray) -> float:
    """HGS' definition: the share of `first`'s successor pairs (the last one's being the
    center) that `second` does not have."""
    pairs = {(int(a), int(b)) for a, b in zip(second, [*second[1:], 0], strict=True)}
    return sum((int(a), int(b)) not in pairs for a, b in zip(first, [*first[1:], 0], strict=True)) / len(first)


def test_population_keeps_distances_fitness_and_clones_as_defined():
    rng = np.random.default_rng(3)
    n, costs = 9, {}
    pop = Population(n, lambda name: costs[name])
    tours = [rng.permutation(n) + 1 for _ in range(7)]
    tours.append(tours[2].copy())  # a clone of member 2
    for k, tour in enumerate(tours):
        costs[k] = float(rng.integers(0, 5))  # ties too
        pop.add(k, tour)
    pop.remove(4)
    kept = [k for k in range(8) if k != 4]
    assert pop.members == kept
    expected = np.array([[broken_pairs(tours[a], tours[b]) for b in kept] for a in kept])
    assert np.allclose(pop.distance, expected)
    assert pop.distance[kept.index(2), kept.index(7)] == 0.0 and pop.first_clone() == kept.index(7)
    # biased fitness: cost rank plus (1 - elite / size) x diversity rank, over size - 1
    size, close, elite = len(kept), 3, 2
    diversity = [np.mean(sorted(expected[i, j] for j in range(size) if j != i)[:close]) for i in range(size)]
    cost_rank = np.argsort(np.argsort([costs[k] for k in kept], kind="stable"), kind="stable")
    div_rank = np.argsort(np.argsort(-np.array(diversity), kind="stable"), kind="stable")
    want = (cost_rank + (1 - elite / size) * div_rank) / (size - 1)
    assert np.allclose(pop.biased_fitness(elite, close), want)
    pop.cull(5, elite, close)
    assert len(pop) == 5 and 7 not in pop.members  # the clone went first
    assert pop.first_clone() is None
