"""Split, then local search: the improvement step PSO and GA share ("education" in HGS),
and the repair that brings an infeasible result back (Vidal et al. 2012).

Both work under penalty weights (`heuristics.penalties`), so an educated solution may
break a limit at a price; `Routes` keeps its true cost and its excess per limit apart,
so that a solver can re-price it when the weights move and return only feasible ones.
`educate` also gives the improved routes' giant tour, which a solver writes back into
its particle or chromosome.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heuristics.arrays import ProblemArrays, route_cost, route_excess
from heuristics.local_search import improve
from heuristics.split import split

#: Weight multipliers of the repair's attempts (HGS: 10, then 100).
REPAIR_FACTORS = (10.0, 100.0)
#: The weight of the repair's last attempt: any excess past `TOLERANCE` then costs more
#: than any route set. A small excess (0.3 km past a route limit) at a hundredfold
#: weight can still cost less than one more vehicle, and the tenfold and hundredfold
#: attempts then never leave it (two customers a route limit keeps apart were found so).
HARD_WEIGHT = 1e12


@dataclass(frozen=True)
class Routes:
    """Routes with their cost and excess; no routes at an infinite cost (`NO_ROUTES`)
    stands for a tour no cut of which fits the fleet."""

    routes: list[list[int]]
    cost: float  # arc costs plus fixed costs
    excess: np.ndarray  # summed over the routes, per limit of `EXCESS`

    @property
    def feasible(self) -> bool:
        return bool(self.routes) and not np.any(self.excess > 0.0)

    @property
    def tour(self) -> np.ndarray:
        return np.array([c for r in self.routes for c in r], dtype=np.int64)


NO_ROUTES = Routes([], np.inf, np.zeros(4))


def measure(arrays: ProblemArrays, routes: list[list[int]]) -> Routes:
    """Routes with their cost and excess, from the kernels' walk."""
    cost, excess = 0.0, np.zeros(4)
    for route in routes:
        stops = np.array(route, dtype=np.int64)
        cost += route_cost(stops, len(stops), arrays.cost) + arrays.fixed
        excess += route_excess(stops, len(stops), *arrays.kernel_args())
    return Routes(routes, float(cost), excess)


def split_tour(arrays: ProblemArrays, tour: np.ndarray, weights: np.ndarray) -> tuple[float, list[list[int]]]:
    """The penalised cost of the best cut of `tour` and its routes (inf, [] when none fits the fleet)."""
    total, bounds, count = split(tour, *arrays.kernel_args(), arrays.fixed, arrays.max_routes, weights)
    if count == 0:
        return np.inf, []
    return float(total), [tour[bounds[r] : bounds[r + 1]].tolist() for r in range(count)]


def improve_routes(
    arrays: ProblemArrays, routes: list[list[int]], rng: np.random.Generator, weights: np.ndarray, max_moves: int
) -> list[list[int]]:
    """The local search on `routes` under `weights`."""
    slots = max(arrays.max_routes, len(routes))
    table = np.zeros((slots, arrays.n), dtype=np.int64)
    lengths = np.zeros(slots, dtype=np.int64)
    for r, route in enumerate(routes):
        table[r, : len(route)] = route
        lengths[r] = len(route)
    improve(
        table,
        lengths,
        arrays.neighbours,
        int(rng.integers(2**31 - 1)),
        max_moves,
        arrays.fixed,
        arrays.max_routes,
        *arrays.kernel_args(),
        weights,
    )
    return [table[r, : lengths[r]].tolist() for r in range(slots) if lengths[r] > 0]


def educate(
    arrays: ProblemArrays,
    tour: np.ndarray,
    rng: np.random.Generator,
    weights: np.ndarray,
    *,
    local_search: bool = True,
    max_moves: int = 100_000,
) -> Routes:
    """Split `tour`, then improve the routes, both under `weights`; no routes at an
    infinite cost when no cut of the tour fits the fleet (more deliveries than its
    vehicles can carry even at a penalty)."""
    _, routes = split_tour(arrays, tour, weights)
    if not routes:
        return NO_ROUTES
    if local_search:
        routes = improve_routes(arrays, routes, rng, weights, max_moves)
    return measure(arrays, routes)


def repair(
    arrays: ProblemArrays, found: Routes, rng: np.random.Generator, weights: np.ndarray, max_moves: int = 100_000
) -> Routes | None:
    """The local search again with the weights raised tenfold, then a hundredfold, until
    the routes are feasible; last, the routes' tour cut again by Split and improved at
    `HARD_WEIGHT`; None when they stay infeasible."""
    for factor in REPAIR_FACTORS:
        found = measure(arrays, improve_routes(arrays, found.routes, rng, weights * factor, max_moves))
        if found.feasible:
            return found
    hard = np.full_like(weights, HARD_WEIGHT)
    _, routes = split_tour(arrays, found.tour, hard)
    if routes:
        found = measure(arrays, improve_routes(arrays, routes, rng, hard, max_moves))
        if found.feasible:
            return found
    return None
