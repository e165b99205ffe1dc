"""Split, then local search: the improvement step PSO and GA share ("education" in HGS).

`educate` turns a giant tour into improved routes and returns the improved routes'
giant tour too, so that a solver can write it back into its particle or chromosome.
"""

from __future__ import annotations

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


def educate(
    arrays: ProblemArrays,
    tour: np.ndarray,
    rng: np.random.Generator,
    *,
    local_search: bool = True,
    max_moves: int = 100_000,
) -> Routes:
    total, routes = split_tour(arrays, tour)
    if not routes and np.isfinite(arrays.late[1:]).any():
        # No feasible cut of this tour: retry in order of window closing (stable), which
        # keeps the tour's order among customers whose windows close together.
        total, routes = split_tour(arrays, tour[np.argsort(arrays.late[tour], kind="stable")])
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
