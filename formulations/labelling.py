"""Pricing for branch-and-price: the cheapest routes by reduced cost, by bidirectional
labelling with ng-route relaxation (Baldacci, Mingozzi and Roberti 2011; Righini and
Salani 2006), compiled with numba.

A label is a partial route from the center (forward) or to it (backward): its reduced
cost, the resources that decide which extensions stay feasible, and its ng-memory (the
customers it may not visit again). The resources follow `lastmile.walk` exactly, with
its `TOLERANCE`:

- load: forward, L the most the route carries so far were it to end here, with P the
  pickups collected: extending to j gives L' = max(L + d_j, P + p_j) and P' = P + p_j
  (the vehicle leaves with every delivery, so a stop's pickups ride to the end);
  backward, L the most it carries from here on and D the deliveries still to make:
  prepending i gives L' = max(D + d_i, p_i + L) and D' = D + d_i; L' <= Q either way;
- time: forward, the departure after service (arriving after a window's close is
  infeasible, arriving before its opening waits); backward, the latest arrival from
  which the rest of the route is on time, no earlier than the earliest arrival from
  the center (`reach`);
- km: the km driven, which with the fewest km to or from the center (not always the
  direct leg: rounded or measured km need not be metric) stays within the limit.

Subset-row cuts on the master make each second visit to a cut's customers cost its
penalty: a label keeps, as bits of one word, the cuts it has visited an odd number of
times, and pays a cut's penalty on a visit that makes the count even.

Label A dominates B at the same customer when it costs no more, even after paying
the penalties of the cuts odd in A and not in B (A's next visit may cost them, B's
not), uses no more of each resource (a later latest arrival counts as less), and its
ng-memory is a subset of B's: every completion of B then completes A at no higher
cost. Joined halves pay once more for each cut odd on both sides. The ng-memory of an
extension to j keeps only the customers in j's ng-neighbourhood, so an ng-route may
revisit a customer outside it; the master prices such a route by its visits.

Bidirectional search halves the routes' depth: forward labels are extended while the
`critical` resource is at most `middle`, backward labels while they could follow a
forward label past it (`_open`); a forward label past the middle is joined with the
backward labels at each next customer (their memories disjoint, the resources added
up). Every route is found once, at the first stop past the middle, or by forward
labels alone when it never passes it. The routes searched (ng-routes, joined where
memories are disjoint) include every elementary route, so the least reduced cost keeps
the master's bound valid.

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
#: The resource whose middle splits the search (`price`): none (forward labels only),
#: the clock, the load (forward L against backward D), the km, the pickups (forward P
#: against backward L: for routes that collect more than they deliver).
MONO, TIME, LOAD, KM, PICKUPS = 0, 1, 2, 3, 4
#: Steps (labels taken from the heap, extensions, dominance tests, joins tried)
#: between looks at the clock: objmode costs microseconds.
CLOCK_EVERY = 4096


@numba.njit(cache=True)
def _subset(bits, a, b) -> bool:  # a loop: numba compiles no generator
    for w in range(bits.shape[1]):  # noqa: SIM110
        if bits[a, w] & ~bits[b, w]:
            return False
    return True


@numba.njit(cache=True)
def _sum_bits(bits, penalty) -> float:
    """The sum of `penalty[s]` over the bits s set in the word `bits`."""
    total = 0.0
    s = 0
    while bits:
        if bits & np.uint64(1):
            total += penalty[s]
        bits >>= np.uint64(1)
        s += 1
    return total


@numba.njit(cache=True)
def _past(deadline: float) -> bool:
    """Whether `deadline` has passed."""
    with numba.objmode(now="float64"):
        now = time.perf_counter()
    return now > deadline


@numba.njit(cache=True)
def _open(backward, critical, middle, center, a, b, clock, dist, capacity, max_km) -> bool:
    """Whether a label is extended: every label at the center; forward, one whose
    critical resource is at most `middle`; backward, one that could follow a forward
    label past the middle (a latest arrival after the middle; its deliveries, km or
    load within what such a label leaves of the limit). Scalars only: numba calls
    them cheaply."""
    if center or critical == MONO:
        return True
    if backward:
        if critical == TIME:
            return -clock > middle
        if critical == LOAD:
            return b <= capacity - middle + TOLERANCE
        if critical == PICKUPS:
            return a <= capacity - middle + TOLERANCE
        return dist <= max_km - middle + TOLERANCE
    if critical == TIME:
        return clock <= middle
    if critical == LOAD:
        return a <= middle
    if critical == PICKUPS:
        return b <= middle
    return dist <= middle


@numba.njit(cache=True)
def _key(backward, critical, a, b, clock, dist) -> float:
    """The order labels are extended in: the critical resource, which no extension
    lowers (the clock when none is critical), so that a label is mostly extended after
    the labels that could dominate it were made. Against extending in the order made
    (by depth), exact pricing over the first root iterations took 3.2 s instead of
    6.3 s on B-n45-k5 (40 iterations), 0.55 s instead of 0.85 s on A-n37-k6, and 8.1 s
    instead of 7.3 s on R104 (25 iterations; the clock already grows with depth)."""
    if critical == LOAD:
        return b if backward else a
    if critical == PICKUPS:
        return a if backward else b
    if critical == KM:
        return dist
    return clock


@numba.njit(cache=True)
def _push(heap, keys, size, item, key) -> int:
    """Add `item` with `key` to the binary min-heap of `size`; returns the new size."""
    i = size
    heap[i], keys[i] = item, key
    while i > 0:
        up = (i - 1) // 2
        if keys[up] <= keys[i]:
            break
        heap[up], heap[i] = heap[i], heap[up]
        keys[up], keys[i] = keys[i], keys[up]
        i = up
    return size + 1


@numba.njit(cache=True)
def _pop(heap, keys, size):
    """The item of least key in the binary min-heap of `size`, and the new size."""
    top = heap[0]
    size -= 1
    heap[0], keys[0] = heap[size], keys[size]
    i = 0
    while True:
        low = 2 * i + 1
        if low >= size:
            break
        if low + 1 < size and keys[low + 1] < keys[low]:
            low += 1
        if keys[i] <= keys[low]:
            break
        heap[low], heap[i] = heap[i], heap[low]
        keys[low], keys[i] = keys[i], keys[low]
        i = low
    return top, size


@numba.njit(cache=True)
def _search(
    backward,
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
    reach,
    legs,
    ng,
    rows_of,
    penalty,
    memory,
    exact,
    critical,
    middle,
    max_labels,
    deadline,
):
    """Labels in one direction from the center (the module's docstring), each extended
    once, live and open, in the order of `_key`. Returns the label arrays (node, cost, a, b, clock, dist,
    parent, bits, odd, dead), how many there are, and whether the search finished (it stops
    past `max_labels` labels or `deadline`). Forward, a is L and b is P, clock the
    departure; backward, a is L and b is D, clock minus the latest arrival: less is
    better in every resource, so one dominance test serves both."""
    n1 = rc.shape[0]
    words = ng.shape[1]
    node = np.empty(max_labels, np.int64)
    cost = np.empty(max_labels)
    a = np.empty(max_labels)
    b = np.empty(max_labels)
    clock = np.empty(max_labels)
    dist = np.empty(max_labels)
    parent = np.empty(max_labels, np.int64)
    after = np.empty(max_labels, np.int64)  # the next label at the same customer
    # written for each label as it is made (zeroing millions of slots per call cost more)
    bits = np.empty((max_labels, words), np.uint64)
    odd = np.empty(max_labels, np.uint64)  # the subset-row cuts visited an odd number of times
    dead = np.empty(max_labels, np.bool_)
    first = np.full(n1, -1, np.int64)
    node[0], cost[0], a[0], b[0], dist[0], parent[0] = 0, 0.0, 0.0, 0.0, 0.0, -1
    bits[0, :] = 0
    odd[0], dead[0] = 0, False
    clock[0] = -np.inf if backward else 0.0
    count = 1
    tried = 0
    look = CLOCK_EVERY  # the count of pops, extensions and tests at which to look at the clock
    complete = True
    heap = np.empty(max_labels, np.int64)
    keys = np.empty(max_labels)
    waiting = _push(heap, keys, 0, 0, _key(backward, critical, a[0], b[0], clock[0], dist[0]))
    while waiting:
        k, waiting = _pop(heap, keys, waiting)
        tried += 1
        if dead[k] or not _open(backward, critical, middle, k == 0, a[k], b[k], clock[k], dist[k], capacity, max_km):
            continue
        i = node[k]
        for j in range(1, n1):
            arc = rc[j, i] if backward else rc[i, j]
            if j == i or not np.isfinite(arc):
                continue
            if memory and bits[k, j // 64] & (np.uint64(1) << np.uint64(j % 64)):
                continue
            if backward:
                new_a = max(b[k] + demand[j], pickup[j] + a[k])
                new_b = b[k] + demand[j]
                leave = -clock[k] - minutes[j, i] - service[j]  # the latest start of service at j
                latest = min(late[j] + TOLERANCE, leave)
                if leave < early[j] or latest < reach[j]:
                    continue
                new_clock = -latest
                new_dist = dist[k] + km[j, i]
                leg = legs[0, j]
            else:
                new_a = max(a[k] + demand[j], b[k] + pickup[j])
                new_b = b[k] + pickup[j]
                arrive = clock[k] + minutes[i, j]
                if arrive > late[j] + TOLERANCE:
                    continue
                new_clock = max(arrive, early[j]) + service[j]
                new_dist = dist[k] + km[i, j]
                leg = legs[1, j]
            if new_a > capacity + TOLERANCE or new_dist + leg > max_km + TOLERANCE:
                continue
            if count >= max_labels:
                complete = False
                break
            tried += 1
            if tried >= look:
                look = tried + CLOCK_EVERY
                if _past(deadline):
                    complete = False
                    break
            c = count
            dead[c] = False
            node[c] = j
            cost[c] = cost[k] + arc
            second = odd[k] & rows_of[j]  # cuts this visit makes a second (fourth...) one in
            if second:
                cost[c] += _sum_bits(second, penalty)
            odd[c] = odd[k] ^ rows_of[j]
            a[c] = new_a
            b[c] = new_b
            clock[c] = new_clock
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
                        and a[e] <= a[c]
                        and b[e] <= b[c]
                        and clock[e] <= clock[c]
                        and dist[e] <= dist[c]
                        and (not exact or _subset(bits, e, c))
                        and (not odd[e] & ~odd[c] or cost[e] + _sum_bits(odd[e] & ~odd[c], penalty) <= cost[c] + 1e-12)
                    ):
                        kept = False
                        break
                    if (
                        cost[c] <= cost[e] + 1e-12
                        and a[c] <= a[e]
                        and b[c] <= b[e]
                        and clock[c] <= clock[e]
                        and dist[c] <= dist[e]
                        and (not exact or _subset(bits, c, e))
                        and (not odd[c] & ~odd[e] or cost[c] + _sum_bits(odd[c] & ~odd[e], penalty) <= cost[e] + 1e-12)
                    ):
                        dead[e] = True
                e = after[e]
            if kept:
                after[c] = first[j]
                first[j] = c
                count += 1
                if _open(backward, critical, middle, False, new_a, new_b, new_clock, new_dist, capacity, max_km):
                    waiting = _push(heap, keys, waiting, c, _key(backward, critical, new_a, new_b, new_clock, new_dist))
        if not complete:
            break
    return node, cost, a, b, clock, dist, parent, bits, odd, dead, count, complete


@numba.njit(cache=True)
def _cheapest(forward, backward, costs, count, keep):
    """Keep the `keep` cheapest of `count` candidate routes at the front of the three
    arrays; returns how many are kept and the cost a newcomer must now beat."""
    order = np.argsort(costs[:count])[:keep]
    forward[: len(order)] = forward[order].copy()
    backward[: len(order)] = backward[order].copy()
    costs[: len(order)] = costs[order].copy()
    return len(order), costs[len(order) - 1]


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
    reach,
    legs,
    ng,
    rows_of,
    penalty,
    critical,
    middle,
    mode,
    max_labels,
    max_columns,
    deadline,
):
    """Routes of negative reduced cost, the most negative first.

    `rc` is the reduced cost per arc (index 0 the center; `inf` where the arc may not
    be used), `reach` the earliest arrival at each index from the center, `legs` the
    fewest km from the center to each index (row 0) and back (row 1), `ng` each
    index's ng-neighbourhood as bits (customer j is bit j % 64 of word j // 64),
    `rows_of` each index's subset-row cuts as bits of one word (cut s is bit s) and
    `penalty[s]` what cut s costs per second visit (at least 0),
    `critical` and `middle` the split of the bidirectional search (`MONO`: forward
    only). `mode` is `EXACT` (dominance checks ng-memories: complete over ng-routes),
    `HEURISTIC` (memories ignored in dominance: faster, and it may miss routes) or
    `Q_ROUTES` (no memory at all: complete over routes that may revisit customers, a
    superset of the ng-routes, so its least reduced cost gives a weaker but cheaper
    bound). The search stops, incomplete, past `max_labels` labels in a direction or
    when `time.perf_counter()` passes `deadline`.

    Returns (visits, starts) of at most `max_columns` routes, the least
    reduced cost found over completed routes (0 if none is negative), and whether the
    search was complete (then, in `EXACT` and `Q_ROUTES` modes, that least cost is the
    minimum over their set of routes; in `HEURISTIC` mode it proves nothing).
    """
    exact = mode == EXACT
    memory = mode != Q_ROUTES
    problem = (
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
        reach,
        legs,
        ng,
        rows_of,
        penalty,
    )
    limits = (memory, exact, critical, middle, max_labels, deadline)
    f_node, f_cost, f_a, f_b, f_clock, f_dist, f_parent, f_bits, f_odd, f_dead, f_count, complete = _search(
        False, *problem, *limits
    )
    # candidate routes: a forward label and the backward label it joins (-1: home)
    size = max(16 * max_columns, 1024)
    chosen_f = np.empty(size, np.int64)
    chosen_b = np.empty(size, np.int64)
    chosen_cost = np.empty(size)
    chosen = 0
    threshold = NEGATIVE
    best = 0.0
    for k in range(1, f_count):
        if f_dead[k]:
            continue
        if f_dist[k] + km[f_node[k], 0] > max_km + TOLERANCE:
            continue  # labels were pruned by the shortest way home, which may not be the direct one
        home = f_cost[k] + rc[f_node[k], 0]
        best = min(best, home)
        if home < threshold:
            if chosen == size:
                chosen, threshold = _cheapest(chosen_f, chosen_b, chosen_cost, chosen, max_columns)
            if home < threshold:
                chosen_f[chosen], chosen_b[chosen], chosen_cost[chosen] = k, -1, home
                chosen += 1
    b_node, b_cost, b_a, b_b, b_clock, b_dist = f_node[:1], f_cost[:1], f_a[:1], f_b[:1], f_clock[:1], f_dist[:1]
    b_parent, b_bits, b_odd, b_dead, b_count = f_parent[:1], f_bits[:1], f_odd[:1], f_dead[:1], 1
    if critical != MONO and complete:
        b_node, b_cost, b_a, b_b, b_clock, b_dist, b_parent, b_bits, b_odd, b_dead, b_count, complete = _search(
            True, *problem, *limits
        )
    if critical != MONO and complete:
        # the live backward labels at each customer, cheapest first
        live = np.nonzero(~b_dead[1:b_count])[0] + 1
        live = live[np.argsort(b_cost[live], kind="mergesort")]
        live = live[np.argsort(b_node[live], kind="mergesort")]
        at = np.searchsorted(b_node[live], np.arange(rc.shape[0] + 1))
        words = ng.shape[1]
        tried = 0
        look = CLOCK_EVERY
        for f in range(1, f_count):
            if not complete:
                break
            if f_dead[f] or _open(
                False, critical, middle, False, f_a[f], f_b[f], f_clock[f], f_dist[f], capacity, max_km
            ):
                continue  # an open label's routes are found from its extensions
            i = f_node[f]
            for j in range(1, rc.shape[0]):
                tried += 1
                if tried >= look:
                    look = tried + CLOCK_EVERY
                    if _past(deadline):
                        complete = False
                        break
                if j == i or not np.isfinite(rc[i, j]):
                    continue
                if memory and f_bits[f, j // 64] & (np.uint64(1) << np.uint64(j % 64)):
                    continue
                base = f_cost[f] + rc[i, j]
                arrive = f_clock[f] + minutes[i, j]
                driven = f_dist[f] + km[i, j]
                for q in range(at[j], at[j + 1]):
                    e = live[q]
                    tried += 1  # looked at on the next customer: the labels at one are few
                    total = base + b_cost[e]
                    if total >= max(best, threshold):
                        break  # the rest cost more (a cut's penalty only adds)
                    if arrive > -b_clock[e] or driven + b_dist[e] > max_km + TOLERANCE:
                        continue
                    if max(f_a[f] + b_b[e], f_b[f] + b_a[e]) > capacity + TOLERANCE:
                        continue
                    both = f_odd[f] & b_odd[e]  # odd on both sides: one more second visit
                    if both:
                        total += _sum_bits(both, penalty)
                        if total >= max(best, threshold):
                            continue
                    if memory:
                        clash = False
                        for w in range(words):
                            if f_bits[f, w] & b_bits[e, w]:
                                clash = True
                                break
                        if clash:
                            continue
                    best = min(best, total)
                    if total < threshold:
                        if chosen == size:
                            chosen, threshold = _cheapest(chosen_f, chosen_b, chosen_cost, chosen, max_columns)
                        if total < threshold:
                            chosen_f[chosen], chosen_b[chosen], chosen_cost[chosen] = f, e, total
                            chosen += 1
    # the most negative routes, each as its visits in order: the forward label's path
    # from the center, then the backward label's path to it
    order = np.argsort(chosen_cost[:chosen])[:max_columns]
    lengths = np.zeros(len(order), np.int64)
    for q in range(len(order)):
        e = chosen_f[order[q]]
        while f_node[e] != 0:
            lengths[q] += 1
            e = f_parent[e]
        e = chosen_b[order[q]]
        while e > 0:
            lengths[q] += 1
            e = b_parent[e]
    visits = np.empty(lengths.sum(), np.int64)
    starts = np.zeros(len(order) + 1, np.int64)
    starts[1:] = np.cumsum(lengths)
    for q in range(len(order)):
        e = chosen_f[order[q]]
        s = starts[q]
        while f_node[e] != 0:
            s += 1
            e = f_parent[e]
        e = chosen_f[order[q]]
        for t in range(s - 1, starts[q] - 1, -1):
            visits[t] = f_node[e]
            e = f_parent[e]
        e = chosen_b[order[q]]
        while e > 0:
            visits[s] = b_node[e]
            s += 1
            e = b_parent[e]
    return visits, starts, best, complete


def warm() -> None:
    """Compile `price` (or load it from numba's cache) in this process, on a problem of
    one customer: a forked solver then starts with it compiled."""
    two = np.zeros((2, 2))
    rc = np.full((2, 2), np.inf)
    rc[0, 1] = rc[1, 0] = -1.0
    one, inf = np.zeros(2), np.full(2, np.inf)
    ng = np.zeros((2, 1), np.uint64)
    rows_of, penalty = np.zeros(2, np.uint64), np.zeros(1)
    price(
        rc,
        one,
        one,
        1.0,
        two,
        np.inf,
        two,
        one,
        inf,
        one,
        one,
        two,
        ng,
        rows_of,
        penalty,
        TIME,
        1.0,
        EXACT,
        4,
        1,
        np.inf,
    )
