"""Split (Prins 2004): the optimal cut of a giant tour into feasible routes.

A shortest path over the tour positions, where arc (i, j) is the route serving
tour[i:j] if it is feasible: capacity at every point with pickups (the load after
stop k is D - D_k + P_k), route length, time windows, minimum load. Every check is
monotone in j except the minimum load, so the inner loop stops at the first
violation. With a limited fleet the path also counts routes (Bellman over k).
"""

from __future__ import annotations

import numba
import numpy as np

from lastmile.walk import TOLERANCE

#: Cost comparisons between paths (feasibility uses the route walk's `TOLERANCE`).
COST_EPS = 1e-9


@numba.njit(cache=True)
def split(tour, cost, km, minutes, demand, pickup, early, late, service, capacity, max_km, min_load, fixed, max_routes):
    """Return (cost, bounds, count): routes are tour[bounds[r]:bounds[r + 1]], r < count.

    The cost includes each route's fixed cost; it is inf when no split fits the fleet.
    """
    n = len(tour)
    limit = min(max_routes, n)
    value = np.full((limit + 1, n + 1), np.inf)
    parent = np.full((limit + 1, n + 1), -1, dtype=np.int64)
    value[0, 0] = 0.0
    for k in range(limit):
        for i in range(n):
            if value[k, i] == np.inf:
                continue
            load = 0.0
            worst = 0.0  # max over prefixes of (pickups - deliveries)
            net = 0.0
            dist = 0.0
            clock = 0.0
            arcs = 0.0
            previous = 0
            for j in range(i, n):
                here = tour[j]
                load += demand[here]
                net += pickup[here] - demand[here]
                if net > worst:
                    worst = net
                if load + worst > capacity + TOLERANCE:
                    break
                dist += km[previous, here]
                arcs += cost[previous, here]
                clock += minutes[previous, here]
                if clock > late[here] + TOLERANCE or dist > max_km + TOLERANCE:
                    break
                if clock < early[here]:
                    clock = early[here]
                clock += service[here]
                previous = here
                if load < min_load - TOLERANCE or dist + km[here, 0] > max_km + TOLERANCE:
                    continue
                total = value[k, i] + arcs + cost[here, 0] + fixed
                if total < value[k + 1, j + 1] - COST_EPS:
                    value[k + 1, j + 1] = total
                    parent[k + 1, j + 1] = i
    best_k = -1
    best = np.inf
    for k in range(1, limit + 1):
        if value[k, n] < best - COST_EPS:
            best = value[k, n]
            best_k = k
    bounds = np.zeros(max(best_k, 0) + 1, dtype=np.int64)
    if best_k < 0:
        return np.inf, bounds, 0
    j = n
    for k in range(best_k, 0, -1):
        bounds[k] = j
        j = parent[k, j]
    bounds[0] = 0
    return best, bounds, best_k
