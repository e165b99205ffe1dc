"""Pricing for branch-and-price: the cheapest routes by reduced cost, by forward labelling
with ng-route relaxation (Baldacci, Mingozzi and Roberti 2011), compiled with numba.

A label is a partial route from the center: its reduced cost, the resources that decide
which extensions stay feasible, and its ng-memory (the customers it may not visit
again). The resources follow `lastmile.walk` exactly, with its `TOLERANCE`:

- load: L, the most the route carries so far were it to end here, with P the pickups
  collected: extending to j gives L' = max(L + d_j, P + p_j) and P' = P + p_j (the
  vehicle leaves with every delivery, so a stop's pickups ride to the end); L' <= Q;
- time: the departure after service; arriving after a window's close is infeasible,
  arriving before its opening waits;
- km: the km driven, which with the leg home must stay within the route limit.

Label A dominates B at the same customer when it costs no more, uses no more of each
resource, and its ng-memory is a subset of B's: every completion of B then completes A
at no higher cost. The ng-memory of an extension to j keeps only the customers in j's
ng-neighbourhood, so an ng-route may revisit a customer outside it; the master prices
such a route by its visits. Minimising over ng-routes, a superset of the elementary
routes, keeps the master's bound valid.

No Python package prices resource-constrained shortest paths with ng-memory at this
speed (`cspy` is pure Python and has no ng-relaxation), hence this kernel.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from lastmile.walk import TOLERANCE

#: A column's reduced cost must be below this to be priced out.
NEGATIVE = -1e-7
#: Pricing modes (`price`).
EXACT, HEURISTIC, Q_ROUTES = 0, 1, 2


@numba.njit(cache=True)
def _subset(bits, a, b) -> bool:  # a loop: numba compiles no generator
    for w in range(bits.shape[1]):  # noqa: SIM110
        if bits[a, w] & ~bits[b, w]:
            return False
    return True


@numba.njit(cache=True)
def price(
    rc,
    demand,
    pickup,
    capacity,
    km,
    max_km,
    minutes,
    early,
    late,
    service,
    ng,
    mode,
    max_labels,
    max_columns,
    deadline,
):
    """Routes of negative reduced cost, the most negative first.

    `rc` is the reduced cost per arc (index 0 the center; `inf` where the arc may not
    be used), `ng` each index's ng-neighbourhood as bits (customer j is bit j % 64 of
    word j // 64). `mode` is `EXACT` (dominance checks ng-memories: complete over
    ng-routes), `HEURISTIC` (memories ignored in dominance: faster, and it may miss
    routes) or `Q_ROUTES` (no memory at all: complete over routes that may revisit any
    customer but the one just left, a superset of the ng-routes, so its least reduced
    cost gives a weaker but cheaper bound). The search stops, incomplete, past
    `max_labels` labels or when `time.perf_counter()` passes `deadline`.

    Returns (visits, starts) of at most `max_columns` routes, the least
    reduced cost found over completed routes (0 if none is negative), and whether the
    search was complete (then, in `EXACT` and `Q_ROUTES` modes, that least cost is the
    minimum over their set of routes; in `HEURISTIC` mode it proves nothing).
    """
    exact = mode == EXACT
    memory = mode != Q_ROUTES
    n1 = rc.shape[0]
    words = ng.shape[1]
    node = np.empty(max_labels, np.int64)
    cost = np.empty(max_labels)
    load = np.empty(max_labels)
    picked = np.empty(max_labels)
    clock = np.empty(max_labels)
    dist = np.empty(max_labels)
    parent = np.empty(max_labels, np.int64)
    after = np.empty(max_labels, np.int64)  # the next label at the same customer
    bits = np.zeros((max_labels, words), np.uint64)
    dead = np.zeros(max_labels, np.bool_)
    first = np.full(n1, -1, np.int64)
    done = np.empty(max_labels, np.int64)  # labels whose return home is negative
    done_cost = np.empty(max_labels)
    n_done = 0
    node[0], cost[0], load[0], picked[0], clock[0], dist[0], parent[0] = 0, 0.0, 0.0, 0.0, 0.0, 0.0, -1
    count = 1
    tried = 0
    complete = True
    best = 0.0
    k = 0
    while k < count:
        if dead[k]:
            k += 1
            continue
        i = node[k]
        if i != 0:
            home = cost[k] + rc[i, 0]
            if home < best:
                best = home
            if home < NEGATIVE:
                done[n_done] = k
                done_cost[n_done] = home
                n_done += 1
        for j in range(1, n1):
            if j == i or not np.isfinite(rc[i, j]):
                continue
            if memory and bits[k, j // 64] & (np.uint64(1) << np.uint64(j % 64)):
                continue
            new_load = max(load[k] + demand[j], picked[k] + pickup[j])
            if new_load > capacity + TOLERANCE:
                continue
            arrive = clock[k] + minutes[i, j]
            if arrive > late[j] + TOLERANCE:
                continue
            new_dist = dist[k] + km[i, j]
            if new_dist + km[j, 0] > max_km + TOLERANCE:
                continue
            if count >= max_labels:
                complete = False
                break
            tried += 1
            if tried >= 4096:  # the clock, now and then (extensions and dominance tests): objmode costs microseconds
                tried = 0
                with numba.objmode(now="float64"):
                    now = time.perf_counter()
                if now > deadline:
                    complete = False
                    break
            c = count
            node[c] = j
            cost[c] = cost[k] + rc[i, j]
            load[c] = new_load
            picked[c] = picked[k] + pickup[j]
            clock[c] = max(arrive, early[j]) + service[j]
            dist[c] = new_dist
            parent[c] = k
            for w in range(words):
                bits[c, w] = bits[k, w] & ng[j, w]
            bits[c, j // 64] |= np.uint64(1) << np.uint64(j % 64)
            # dominance against the labels at j, both ways; written out twice: a shared
            # @njit helper (even inlined) made pricing on E-n23-k3 take 11.4 s instead of 2.9 s
            kept = True
            e = first[j]
            while e >= 0:
                tried += 1
                if not dead[e]:
                    if (
                        cost[e] <= cost[c] + 1e-12
                        and load[e] <= load[c]
                        and picked[e] <= picked[c]
                        and clock[e] <= clock[c]
                        and dist[e] <= dist[c]
                        and (not exact or _subset(bits, e, c))
                    ):
                        kept = False
                        break
                    if (
                        cost[c] <= cost[e] + 1e-12
                        and load[c] <= load[e]
                        and picked[c] <= picked[e]
                        and clock[c] <= clock[e]
                        and dist[c] <= dist[e]
                        and (not exact or _subset(bits, c, e))
                    ):
                        dead[e] = True
                e = after[e]
            if kept:
                after[c] = first[j]
                first[j] = c
                count += 1
        if not complete:
            break
        k += 1
    # the most negative routes, each as its visits in order
    order = np.argsort(done_cost[:n_done])[:max_columns]
    lengths = np.zeros(len(order), np.int64)
    for q in range(len(order)):
        e = done[order[q]]
        while node[e] != 0:
            lengths[q] += 1
            e = parent[e]
    visits = np.empty(lengths.sum(), np.int64)
    starts = np.zeros(len(order) + 1, np.int64)
    starts[1:] = np.cumsum(lengths)
    for q in range(len(order)):
        f = done[order[q]]
        for s in range(starts[q + 1] - 1, starts[q] - 1, -1):
            visits[s] = node[f]
            f = parent[f]
    return visits, starts, best, complete


def warm() -> None:
    """Compile `price` (or load it from numba's cache) in this process, on a problem of
    one customer: a forked solver then starts with it compiled."""
    two = np.zeros((2, 2))
    rc = np.full((2, 2), np.inf)
    rc[0, 1] = rc[1, 0] = -1.0
    one, inf = np.zeros(2), np.full(2, np.inf)
    ng = np.zeros((2, 1), np.uint64)
    price(rc, one, one, 1.0, two, np.inf, two, one, inf, one, ng, EXACT, 4, 1, np.inf)
