"""Split (Prins 2004) with penalties: the optimal cut of a giant tour into routes.

A shortest path over the tour positions, where arc (i, j) is the route serving
tour[i:j] at its arc cost, fixed cost and penalty: `weights` times what
`heuristics.arrays.route_excess` measures (load above the capacity at the fullest point
with pickups, time warp, km above the route limit, load below the minimum), computed
here incrementally along the tour. As in HGS (Vidal 2012), a route whose deliveries
exceed `MAX_LOAD_FACTOR` times the capacity is not considered: it could never be
repaired into a good one. With a limited fleet the path also counts routes (Bellman
over k); otherwise one label per position.
"""

from __future__ import annotations

import numba
import numpy as np

from lastmile.walk import TOLERANCE

#: Cost comparisons between paths.
COST_EPS = 1e-9
#: The largest delivery load, in capacities, of a route Split considers.
MAX_LOAD_FACTOR = 1.5


@numba.njit(cache=True)
def route_arcs(
    tour, cost, km, minutes, demand, pickup, early, late, service, capacity, max_km, min_load, fixed, weights
):
    """Penalised cost of every route tour[i:i + m + 1] as arcs[i, m] (inf: not considered)."""
    n = len(tour)
    # no route considered serves more customers than the smallest deliveries that fit
    smallest = np.sort(demand[tour])
    width = 1
    total = smallest[0]
    while width < n and total + smallest[width] <= MAX_LOAD_FACTOR * capacity:
        total += smallest[width]
        width += 1
    arcs = np.full((n, width), np.inf)
    longest = 0
    for i in range(n):
        load = 0.0
        worst = 0.0  # max over prefixes of (pickups - deliveries)
        net = 0.0
        dist = 0.0
        clock = 0.0
        warp = 0.0
        money = 0.0
        previous = 0
        for j in range(i, n):
            here = tour[j]
            load += demand[here]
            if j > i and (load > MAX_LOAD_FACTOR * capacity or j - i >= width):
                break
            net += pickup[here] - demand[here]
            if net > worst:
                worst = net
            dist += km[previous, here]
            money += cost[previous, here]
            clock += minutes[previous, here]
            if clock > late[here] + TOLERANCE:
                warp += clock - late[here]
                clock = late[here]
            if clock < early[here]:
                clock = early[here]
            clock += service[here]
            previous = here
            penalty = weights[1] * warp
            if load + worst > capacity + TOLERANCE:
                penalty += weights[0] * (load + worst - capacity)
            back = dist + km[here, 0]
            if back > max_km + TOLERANCE:
                penalty += weights[2] * (back - max_km)
            if load < min_load - TOLERANCE:
                penalty += weights[3] * (min_load - load)
            arcs[i, j - i] = money + cost[here, 0] + fixed + penalty
            if j - i + 1 > longest:
                longest = j - i + 1
    return arcs[:, : max(longest, 1)]


@numba.njit(cache=True)
def split(
    tour,
    cost,
    km,
    minutes,
    demand,
    pickup,
    early,
    late,
    service,
    capacity,
    max_km,
    min_load,
    fixed,
    max_routes,
    weights,
):
    """Return (cost, bounds, count): routes are tour[bounds[r]:bounds[r + 1]], r < count.

    The cost is the penalised one (each route's fixed cost included); inf only when no
    cut into at most `max_routes` routes exists among the routes considered.
    """
    n = len(tour)
    arcs = route_arcs(
        tour, cost, km, minutes, demand, pickup, early, late, service, capacity, max_km, min_load, fixed, weights
    )
    width = arcs.shape[1]
    limit = min(max_routes, n)
    rows = limit + 1 if limit < n else 2  # unlimited: one label per position, in row 1
    value = np.full((rows, n + 1), np.inf)
    parent = np.full((rows, n + 1), -1, dtype=np.int64)
    value[0, 0] = 0.0
    if limit < n:
        for k in range(limit):
            for i in range(n):
                if value[k, i] == np.inf:
                    continue
                for m in range(min(width, n - i)):
                    total = value[k, i] + arcs[i, m]
                    if total < value[k + 1, i + m + 1] - COST_EPS:
                        value[k + 1, i + m + 1] = total
                        parent[k + 1, i + m + 1] = i
    else:
        value[1, 0] = 0.0
        for i in range(n):
            if value[1, i] == np.inf:
                continue
            for m in range(min(width, n - i)):
                total = value[1, i] + arcs[i, m]
                if total < value[1, i + m + 1] - COST_EPS:
                    value[1, i + m + 1] = total
                    parent[1, i + m + 1] = i
    if limit < n:
        best_k, best = -1, np.inf
        for k in range(1, limit + 1):
            if value[k, n] < best - COST_EPS:
                best, best_k = value[k, n], k
    else:
        best = value[1, n]
        best_k = 0
        j = n
        while j > 0 and best < np.inf:
            j = parent[1, j]
            best_k += 1
    if best == np.inf:
        return np.inf, np.zeros(1, dtype=np.int64), 0
    bounds = np.zeros(best_k + 1, dtype=np.int64)
    j = n
    for k in range(best_k, 0, -1):
        bounds[k] = j
        j = parent[k if limit < n else 1, j]
    return best, bounds, best_k
