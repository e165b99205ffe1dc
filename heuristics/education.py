"""Split, then local search: the improvement step PSO and GA share ("education" in HGS).

`educate` turns a giant tour into improved routes and returns the improved routes'
giant tour too, so that a solver can write it back into its particle or chromosome.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from heuristics.arrays import ProblemArrays, route_cost
from heuristics.local_search import improve
from heuristics.split import split


@dataclass(frozen=True)
class Routes:
    routes: list[list[int]]
    cost: float  # arc costs plus fixed costs; inf when infeasible

    @property
    def tour(self) -> np.ndarray:
        return np.array([c for r in self.routes for c in r], dtype=np.int64)


def split_tour(arrays: ProblemArrays, tour: np.ndarray) -> tuple[float, list[list[int]]]:
    total, bounds, count = split(tour, *arrays.kernel_args(), arrays.fixed, arrays.max_routes)
    if count == 0:
        return np.inf, []
    return float(total), [tour[bounds[r] : bounds[r + 1]].tolist() for r in range(count)]


def nearest_neighbour(cost: np.ndarray, first: int) -> np.ndarray:
    """The giant tour that starts at customer `first` and always goes on to the nearest
    customer not yet visited."""
    left = np.ones(cost.shape[0], dtype=bool)
    left[[0, first]] = False
    tour = [first]
    for _ in range(cost.shape[0] - 2):
        tour.append(int(np.argmin(np.where(left, cost[tour[-1]], np.inf))))
        left[tour[-1]] = False
    return np.array(tour, dtype=np.int64)


def _fallbacks(arrays: ProblemArrays, tour: np.ndarray) -> Iterator[np.ndarray]:
    """Tours to try, lazily, when `tour` has no feasible cut (tight fleets, windows and
    route limits make most random tours unsplittable): the tour in order of window
    closing (stable, so the tour's order stays among windows that close together), the
    nearest-neighbour tour from the tour's first customer, and that in window order."""
    windows = np.isfinite(arrays.late[1:]).any()
    if windows:
        yield tour[np.argsort(arrays.late[tour], kind="stable")]
    near = nearest_neighbour(arrays.cost, int(tour[0]))
    yield near
    if windows:
        yield near[np.argsort(arrays.late[near], kind="stable")]


def educate(
    arrays: ProblemArrays,
    tour: np.ndarray,
    rng: np.random.Generator,
    *,
    local_search: bool = True,
    max_moves: int = 100_000,
) -> Routes:
    total, routes = split_tour(arrays, tour)
    for retry in _fallbacks(arrays, tour):
        if routes:
            break
        total, routes = split_tour(arrays, retry)
    if not local_search or not routes:
        return Routes(routes, total)
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
    )
    improved = [table[r, : lengths[r]].tolist() for r in range(slots) if lengths[r] > 0]
    cost = sum(route_cost(np.array(r, dtype=np.int64), len(r), arrays.cost) + arrays.fixed for r in improved)
    return Routes(improved, float(cost))
