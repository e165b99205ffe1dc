"""A routing problem as flat arrays for the compiled operators, and route checks on them.

Index 0 is the center, 1..n the customers. `route_excess` is the route walk of
`lastmile.walk` measuring by how much a route breaks each limit, for the penalised
search (Vidal et al. 2012, 2013), with the walk's `TOLERANCE`: it is zero exactly where
the walk finds the route feasible (a property test holds the two to agree); every final
answer is still re-checked by `lastmile.check`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from lastmile.routing import RoutingProblem
from lastmile.walk import TOLERANCE


@dataclass(frozen=True)
class ProblemArrays:
    n: int
    cost: np.ndarray  # money per arc (transport and congestion)
    km: np.ndarray
    minutes: np.ndarray
    demand: np.ndarray
    pickup: np.ndarray
    early: np.ndarray
    late: np.ndarray
    service: np.ndarray
    capacity: float
    max_km: float  # inf when unlimited
    fixed: float
    min_load: float
    max_routes: int
    neighbours: np.ndarray  # (n + 1, k) nearest customers by arc cost, row 0 unused

    @classmethod
    def of(cls, problem: RoutingProblem, granularity: int = 20) -> ProblemArrays:
        n = problem.n
        windows = problem.windows
        early = windows[0] if windows is not None else np.zeros(n + 1)
        late = windows[1] if windows is not None else np.full(n + 1, np.inf)
        cost = np.ascontiguousarray(problem.arc_cost, dtype=np.float64)
        k = max(1, min(granularity, n - 1))
        near = np.zeros((n + 1, k), dtype=np.int64)
        for i in range(1, n + 1):
            order = np.argsort(cost[i, 1:] + cost[1:, i], kind="stable") + 1
            near[i] = order[order != i][:k] if n > 1 else np.array([i])
        fleet = problem.fleet
        return cls(
            n=n,
            cost=cost,
            km=np.ascontiguousarray(problem.km, dtype=np.float64),
            minutes=np.ascontiguousarray(problem.minutes, dtype=np.float64),
            demand=np.ascontiguousarray(problem.demand, dtype=np.float64),
            pickup=np.ascontiguousarray(problem.pickup, dtype=np.float64),
            early=np.ascontiguousarray(early, dtype=np.float64),
            late=np.ascontiguousarray(late, dtype=np.float64),
            service=np.ascontiguousarray(problem.service, dtype=np.float64),
            capacity=float(fleet.capacity),
            max_km=float(fleet.max_route_km) if fleet.max_route_km is not None else np.inf,
            fixed=float(fleet.fixed_cost),
            min_load=float(problem.min_load_rate * fleet.capacity),
            max_routes=problem.fleet_size if problem.fleet_size is not None else n,
            neighbours=near,
        )

    def kernel_args(self) -> tuple:
        """The arrays and scalars the compiled functions take, in their order."""
        return (
            self.cost,
            self.km,
            self.minutes,
            self.demand,
            self.pickup,
            self.early,
            self.late,
            self.service,
            self.capacity,
            self.max_km,
            self.min_load,
        )


#: The limits a route may break during the penalised search, in the order of
#: `route_excess`: parcels above the capacity at the fullest point, time warp (minutes
#: of arriving after a window closes, the clock set back to the close, as in HGS-TW),
#: km above the route length limit, parcels below the minimum load.
EXCESS = ("load", "time_warp", "length", "min_load")


@numba.njit(cache=True)
def route_excess(route, length, cost, km, minutes, demand, pickup, early, late, service, capacity, max_km, min_load):
    """By how much route[:length] breaks each limit of `EXCESS` (each 0 when within the
    limit and its `TOLERANCE`, so all are 0 exactly where the route is feasible)."""
    out = np.zeros(4)
    if length == 0:
        return out
    load = 0.0
    for k in range(length):
        load += demand[route[k]]
    if load < min_load - TOLERANCE:
        out[3] = min_load - load
    peak = load
    dist = 0.0
    clock = 0.0
    warp = 0.0
    previous = 0
    for k in range(length):
        here = route[k]
        load += pickup[here] - demand[here]
        if load > peak:
            peak = load
        dist += km[previous, here]
        clock += minutes[previous, here]
        if clock > late[here] + TOLERANCE:
            warp += clock - late[here]
            clock = late[here]
        if clock < early[here]:
            clock = early[here]
        clock += service[here]
        previous = here
    dist += km[previous, 0]
    if peak > capacity + TOLERANCE:
        out[0] = peak - capacity
    out[1] = warp
    if dist > max_km + TOLERANCE:
        out[2] = dist - max_km
    return out


@numba.njit(cache=True)
def route_cost(route, length, cost):
    """Arc cost of route[:length] from and back to the center (no fixed cost)."""
    if length == 0:
        return 0.0
    total = cost[0, route[0]] + cost[route[length - 1], 0]
    for k in range(length - 1):
        total += cost[route[k], route[k + 1]]
    return total
