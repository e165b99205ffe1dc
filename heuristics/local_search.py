"""Local search over routes on granular neighbourhoods (after HGS, Vidal et al. 2012).

For every customer u and each v among u's nearest customers, the moves are, in order:
- between routes: relocate u after or before v; relocate the pair (u, x), x after u,
  after v in either orientation (before v too when v opens its route); swap u and v;
  swap (u, x) with v; swap (u, x) with (v, y), y after v; 2-opt* (exchange the tails
  after u and after v);
- within a route: relocate u after or before v; swap u and v; 2-opt (reverse the
  segment between them);
and u alone on an unused vehicle while the fleet allows. After each pass over the
customers, SWAP* (Vidal 2022) between every two routes near each other (a customer of
one has a neighbour in the other, or is a neighbour of one there: the granular stand-in for HGS' overlapping polar
sectors, since a problem here need not have coordinates): the best exchange of u and v
where each goes to its cheapest place in the other route, found from each customer's
three cheapest insertions.

Each route keeps its arc cost, load, pickups and km, and each customer the same sums
along its route up to itself, so a move's effect on them is computed in constant time.
From them comes a lower bound on the move's penalised cost: arc and fixed cost plus
`weights` times the excess load (the larger of the deliveries and the pickups, the
load at the start and the end), the km above the limit and the load below the minimum;
time warp, and the load between the ends with pickups, only add to it. Only a move
whose bound improves is rebuilt in full and costed exactly by `route_excess` (and a
swap of two neighbours within a route, whose arcs overlap): with neither windows nor
pickups the bound is exact, so only improving moves are rebuilt. SWAP* costs exactly
only the exchange with the best bound, so with windows or pickups a second-best one is
left until one of the routes changes.
Within a route, 2-opt's bound takes the reversed segment at the same cost (exact with
symmetric costs: with asymmetric ones some 2-opt moves are missed, never a worse one
taken). With large weights the search keeps to feasible routes; with moderate ones it
crosses infeasible space (Vidal et al. 2012). First improvement, in an order drawn from
the seed, until a full pass improves nothing or `max_moves` moves were applied; after
the first pass, u is tried with v (and a route with another by SWAP*) only when one of
their routes changed since u (the route) was last tried (HGS), since a move depends on
those two routes only. Measured on X-n157-k13 from 50 random tours: local optima 2.8%
cheaper than those of relocate, swap, 2-opt and 2-opt* alone, in 6.3 ms against 5.5 ms.

Routes live in the rows of an (at least max_routes, n) array `routes` with lengths
`lengths`; empty rows are unused vehicles.
"""

from __future__ import annotations

import numba
import numpy as np

from heuristics.arrays import route_cost, route_excess
from lastmile.walk import TOLERANCE

EPS = 1e-7


@numba.njit(cache=True)
def _penalised(route, length, fixed, weights, data):
    """(cost, penalty) of route[:length]: arcs and fixed cost plus the penalty, and the penalty."""
    if length == 0:
        return 0.0, 0.0
    excess = route_excess(route, length, *data)
    penalty = 0.0
    for k in range(4):
        penalty += weights[k] * excess[k]
    return route_cost(route, length, data[0]) + fixed + penalty, penalty


@numba.njit(cache=True)
def _lower(arc, load, pick, dist, length, fixed, w_load, w_length, w_min, capacity, max_km, min_load):
    """A lower bound on the penalised cost of a route with these sums (exact without
    windows and pickups): the excess terms of `route_excess` that the sums determine."""
    if length == 0:
        return 0.0
    total = arc + fixed
    peak = max(load, pick)
    if peak > capacity + TOLERANCE:
        total += w_load * (peak - capacity)
    if dist > max_km + TOLERANCE:
        total += w_length * (dist - max_km)
    if load < min_load - TOLERANCE:
        total += w_min * (min_load - load)
    return total


@numba.njit(cache=True)
def _refresh(routes, lengths, r, cost, km, demand, pickup, route_of, position, prefix, sums):
    """Index route r's customers and recompute its sums (`sums[r]`: arc cost, load,
    pickups, km) and each customer's sums up to itself (`prefix[c]`, same order)."""
    arc = load = pick = dist = 0.0
    previous = 0
    for k in range(lengths[r]):
        c = routes[r, k]
        route_of[c] = r
        position[c] = k
        arc += cost[previous, c]
        load += demand[c]
        pick += pickup[c]
        dist += km[previous, c]
        prefix[c, 0], prefix[c, 1], prefix[c, 2], prefix[c, 3] = arc, load, pick, dist
        previous = c
    if lengths[r] > 0:
        arc += cost[previous, 0]
        dist += km[previous, 0]
    sums[r, 0], sums[r, 1], sums[r, 2], sums[r, 3] = arc, load, pick, dist


@numba.njit(cache=True)
def _path(m, p, s0, s1, count, q):
    """Cost in matrix m of the path p -> s0 -> s1 -> q through the first `count` of s0, s1."""
    if count == 0:
        return m[p, q] if p != q else 0.0  # p == q: the center of an empty route
    if count == 1:
        return m[p, s0] + m[s0, q]
    return m[p, s0] + m[s0, s1] + m[s1, q]


@numba.njit(cache=True)
def _change(m, p, r0, r1, k, i0, i1, count, q):
    """The change in matrix m's sum when r0, r1 (the first k) between p and q are
    replaced by i0, i1 (the first `count`)."""
    return _path(m, p, i0, i1, count, q) - _path(m, p, r0, r1, k, q)


@numba.njit(cache=True)
def _moved(values, r0, r1, k, i0, i1, count):
    """The change in a per-customer sum when r0, r1 (the first k) are replaced by i0, i1
    (the first `count`)."""
    out = 0.0
    if k > 0:
        out -= values[r0]
    if k > 1:
        out -= values[r1]
    if count > 0:
        out += values[i0]
    if count > 1:
        out += values[i1]
    return out


@numba.njit(cache=True)
def _build(routes, lengths, r, start, k, i0, i1, count, out):
    """out[:m] = route r with [start, start + k) replaced by the first `count` of i0, i1; return m."""
    m = 0
    for j in range(start):
        out[m] = routes[r, j]
        m += 1
    if count > 0:
        out[m] = i0
        m += 1
    if count > 1:
        out[m] = i1
        m += 1
    for j in range(start + k, lengths[r]):
        out[m] = routes[r, j]
        m += 1
    return m


@numba.njit(cache=True)
def _try(routes, lengths, ra, a, la, rb, b, lb, old_cost, fixed, weights, data, slot, pen):
    """Accept the candidate routes a[:la] (for slot ra) and b[:lb] (slot rb, -1 for none)
    if their penalised cost is below `old_cost` (their slots' current one)."""
    cost_a, pen_a = _penalised(a, la, fixed, weights, data)
    cost_b, pen_b = 0.0, 0.0
    if rb >= 0:
        cost_b, pen_b = _penalised(b, lb, fixed, weights, data)
    if cost_a + cost_b >= old_cost - EPS:
        return False
    for k in range(la):
        routes[ra, k] = a[k]
    lengths[ra] = la
    slot[ra], pen[ra] = cost_a, pen_a
    if rb >= 0:
        for k in range(lb):
            routes[rb, k] = b[k]
        lengths[rb] = lb
        slot[rb], pen[rb] = cost_b, pen_b
    return True


@numba.njit(cache=True)
def _exchange(
    routes, lengths, ru, su, ku, a0, a1, na, rv, sv, kv, b0, b1, nb, old, fixed, weights, data, slot, pen, a, b
):
    """Between two routes: replace ru's [su, su + ku) by the first `na` of a0, a1 and rv's
    [sv, sv + kv) by the first `nb` of b0, b1, if the exact cost improves on `old`."""
    la = _build(routes, lengths, ru, su, ku, a0, a1, na, a)
    lb = _build(routes, lengths, rv, sv, kv, b0, b1, nb, b)
    return _try(routes, lengths, ru, a, la, rv, b, lb, old, fixed, weights, data, slot, pen)


@numba.njit(cache=True)
def _join(routes, lengths, ra, pa, rb, pb, out):
    """out[:m] = route ra up to position pa, then route rb after position pb; return m."""
    m = 0
    for k in range(pa + 1):
        out[m] = routes[ra, k]
        m += 1
    for k in range(pb + 1, lengths[rb]):
        out[m] = routes[rb, k]
        m += 1
    return m


@numba.njit(cache=True)
def neighbour_links(neighbours):
    """For each customer c, linked[start[c]:start[c + 1]] lists c's neighbours and the
    customers c is a neighbour of (nearest lists are not symmetric); two customers in
    each other's lists appear twice."""
    n = neighbours.shape[0] - 1
    start = np.zeros(n + 2, dtype=np.int64)
    for c in range(1, n + 1):
        for w in neighbours[c]:
            start[c + 1] += 1
            start[w + 1] += 1
    for c in range(1, n + 2):
        start[c] += start[c - 1]
    linked = np.zeros(start[n + 1], dtype=np.int64)
    filled = start[:-1].copy()
    for c in range(1, n + 1):
        for w in neighbours[c]:
            linked[filled[c]] = w
            filled[c] += 1
            linked[filled[w]] = c
            filled[w] += 1
    return start, linked


@numba.njit(cache=True)
def _top3(routes, lengths, r, c, cost, best_cost, best_slot):
    """The three cheapest insertions of customer c into route r (slot j: before
    position j), as arc-cost increases in best_cost[c] and slots in best_slot[c]."""
    for t in range(3):
        best_cost[c, t] = np.inf
        best_slot[c, t] = -1
    for j in range(lengths[r] + 1):
        p = routes[r, j - 1] if j > 0 else 0
        q = routes[r, j] if j < lengths[r] else 0
        delta = cost[p, c] + cost[c, q] - cost[p, q]
        if delta < best_cost[c, 2]:
            t = 2
            while t > 0 and delta < best_cost[c, t - 1]:
                best_cost[c, t] = best_cost[c, t - 1]
                best_slot[c, t] = best_slot[c, t - 1]
                t -= 1
            best_cost[c, t] = delta
            best_slot[c, t] = j


@numba.njit(cache=True)
def _insertion(routes, lengths, r, c, gone, position, cost, best_cost, best_slot):
    """(arc-cost increase, slot) of c's cheapest insertion into route r without its
    customer `gone`: the best of c's three cheapest slots not next to `gone`, or gone's
    place (its slot, since `gone` is skipped when the route is rebuilt)."""
    k = position[gone]
    p = routes[r, k - 1] if k > 0 else 0
    q = routes[r, k + 1] if k + 1 < lengths[r] else 0
    delta, slot = cost[p, c] + cost[c, q] - cost[p, q], k
    for t in range(3):
        j = best_slot[c, t]
        if j >= 0 and j != k and j != k + 1 and best_cost[c, t] < delta:
            return best_cost[c, t], j
    return delta, slot


@numba.njit(cache=True)
def _rebuilt(routes, lengths, r, gone, c, at, out):
    """out[:m] = route r without `gone`, with c inserted at slot `at`; return m."""
    m = 0
    for j in range(lengths[r] + 1):
        if j == at:
            out[m] = c
            m += 1
        if j < lengths[r] and routes[r, j] != gone:
            out[m] = routes[r, j]
            m += 1
    return m


@numba.njit(cache=True)
def _swap_star(
    ra, rb, routes, lengths, position, cost, km, demand, pickup, sums, slot, pen, bounds, best_cost, best_slot
):
    """SWAP* (Vidal 2022): the best exchange of u in route ra with v in rb where each
    goes to its cheapest place in the other route (not necessarily the other's), by the
    bound of `_lower` (the exchange whose bound improves most on the routes' penalised
    cost); return (u, v, u's slot in rb, v's slot in ra), u = 0 for none."""
    for k in range(lengths[ra]):
        _top3(routes, lengths, rb, routes[ra, k], cost, best_cost, best_slot)
    for k in range(lengths[rb]):
        _top3(routes, lengths, ra, routes[rb, k], cost, best_cost, best_slot)
    paid = pen[ra] + pen[rb]
    old = slot[ra] + slot[rb]
    best, choice = -EPS, (0, 0, 0, 0)
    for i in range(lengths[ra]):
        u = routes[ra, i]
        up = routes[ra, i - 1] if i > 0 else 0
        un = routes[ra, i + 1] if i + 1 < lengths[ra] else 0
        out_u = cost[up, un] - cost[up, u] - cost[u, un]
        for j in range(lengths[rb]):
            v = routes[rb, j]
            vp = routes[rb, j - 1] if j > 0 else 0
            vn = routes[rb, j + 1] if j + 1 < lengths[rb] else 0
            out_v = cost[vp, vn] - cost[vp, v] - cost[v, vn]
            in_u, at_u = _insertion(routes, lengths, rb, u, v, position, cost, best_cost, best_slot)
            in_v, at_v = _insertion(routes, lengths, ra, v, u, position, cost, best_cost, best_slot)
            change_a, change_b = out_u + in_v, out_v + in_u
            if change_a + change_b - paid >= best:
                continue  # no penalty can fall below zero
            # km of the same places: the removal's and insertion's arcs
            p = routes[ra, at_v - 1] if at_v > 0 else 0
            q = routes[ra, at_v] if at_v < lengths[ra] else 0
            if at_v == i:  # u's place
                p, q = up, un
            km_a = km[up, un] - km[up, u] - km[u, un] + km[p, v] + km[v, q] - km[p, q]
            p = routes[rb, at_u - 1] if at_u > 0 else 0
            q = routes[rb, at_u] if at_u < lengths[rb] else 0
            if at_u == j:
                p, q = vp, vn
            km_b = km[vp, vn] - km[vp, v] - km[v, vn] + km[p, u] + km[u, q] - km[p, q]
            load_a = sums[ra, 1] - demand[u] + demand[v]
            load_b = sums[rb, 1] - demand[v] + demand[u]
            pick_a = sums[ra, 2] - pickup[u] + pickup[v]
            pick_b = sums[rb, 2] - pickup[v] + pickup[u]
            bound = _lower(sums[ra, 0] + change_a, load_a, pick_a, sums[ra, 3] + km_a, lengths[ra], *bounds)
            bound += _lower(sums[rb, 0] + change_b, load_b, pick_b, sums[rb, 3] + km_b, lengths[rb], *bounds)
            gain = bound - old  # at most the exact change
            if gain < best:
                best, choice = gain, (u, v, at_u, at_v)
    return choice


@numba.njit(cache=True)
def improve(
    routes,
    lengths,
    neighbours,
    seed,
    max_moves,
    fixed,
    max_routes,
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
    weights,
):
    """Improve the routes in place; return the number of moves applied."""
    np.random.seed(seed)
    data = (cost, km, minutes, demand, pickup, early, late, service, capacity, max_km, min_load)
    bounds = (fixed, weights[0], weights[2], weights[3], capacity, max_km, min_load)
    n = demand.shape[0] - 1
    slots = routes.shape[0]
    slot = np.zeros(slots)  # each slot's penalised cost
    pen = np.zeros(slots)  # and its penalty
    sums = np.zeros((slots, 4))  # each slot's arc cost, load, pickups, km
    prefix = np.zeros((n + 1, 4))  # the same along the route up to each customer
    route_of = np.zeros(n + 1, dtype=np.int64)
    position = np.zeros(n + 1, dtype=np.int64)
    for r in range(slots):
        slot[r], pen[r] = _penalised(routes[r], lengths[r], fixed, weights, data)
        _refresh(routes, lengths, r, cost, km, demand, pickup, route_of, position, prefix, sums)
    a = np.zeros(n + 1, dtype=np.int64)
    b = np.zeros(n + 1, dtype=np.int64)
    modified = np.zeros(slots, dtype=np.int64)  # moves applied when the route last changed
    tested = np.full(n + 1, -1, dtype=np.int64)  # moves applied when u was last tried
    swap_tested = np.full(slots, -1, dtype=np.int64)  # and when a route was last tried by SWAP*
    near = np.zeros(slots, dtype=np.bool_)  # SWAP*: the routes near the route tried,
    close = np.zeros(slots, dtype=np.int64)  # listed
    start, linked = neighbour_links(neighbours)
    best = np.zeros((n + 1, 3))  # SWAP*: each customer's three cheapest insertions
    spot = np.zeros((n + 1, 3), dtype=np.int64)  # and their slots
    used = np.count_nonzero(lengths)  # vehicles in use
    applied = 0
    improved = True
    while improved and applied < max_moves:
        improved = False
        order = np.random.permutation(n) + 1
        for u in order:
            if applied >= max_moves:
                break
            done = False
            last = tested[u]
            tested[u] = applied
            for v in neighbours[u]:
                if v == u:
                    continue
                ru, pu = route_of[u], position[u]
                rv, pv = route_of[v], position[v]
                if max(modified[ru], modified[rv]) <= last:
                    continue
                lu, lv = lengths[ru], lengths[rv]
                x = routes[ru, pu + 1] if pu + 1 < lu else 0  # after u, 0: none
                y = routes[rv, pv + 1] if pv + 1 < lv else 0  # after v
                if ru != rv:
                    old = slot[ru] + slot[rv]
                    u_prev = routes[ru, pu - 1] if pu > 0 else 0
                    x_next = routes[ru, pu + 2] if pu + 2 < lu else 0
                    for move in range(9):
                        # ru: [pu, pu + ka) by (a0, a1)[:na]; rv: [sb, sb + kb) by (b0, b1)[:nb]
                        ka, a0, a1, na, sb, kb, b0, b1, nb = 1, 0, 0, 0, pv, 0, u, 0, 1
                        if move == 0:  # relocate u after v
                            sb = pv + 1
                        elif move == 2 or move == 3:  # relocate (u, x) after v, either way round
                            if x == 0:
                                continue
                            ka, sb, nb = 2, pv + 1, 2
                            b0, b1 = (u, x) if move == 2 else (x, u)
                        elif move == 4 or move == 5:  # the same before v when v opens its route
                            if x == 0 or pv > 0:
                                continue
                            ka, nb = 2, 2
                            b0, b1 = (u, x) if move == 4 else (x, u)
                        elif move == 6:  # swap u and v
                            a0, na, kb = v, 1, 1
                        elif move == 7 or move == 8:  # swap (u, x) and v, (u, x) and (v, y)
                            if x == 0 or (move == 8 and y == 0):
                                continue
                            ka, a0, na, kb, b0, b1, nb = 2, v, 1, 1, u, x, 2
                            if move == 8:
                                a1, na, kb = y, 2, 2
                        # move 1: relocate u before v (the defaults)
                        qa = x if ka == 1 else x_next
                        ra1 = x if ka == 2 else 0
                        p = routes[rv, sb - 1] if sb > 0 else 0
                        q = routes[rv, sb + kb] if sb + kb < lv else 0
                        rb1 = y if kb == 2 else 0
                        change_a = _change(cost, u_prev, u, ra1, ka, a0, a1, na, qa)
                        change_b = _change(cost, p, v, rb1, kb, b0, b1, nb, q)
                        saved = fixed if lu - ka + na == 0 else 0.0  # ru emptied: its vehicle's fixed cost
                        if change_a + change_b - saved >= pen[ru] + pen[rv] - EPS:
                            continue  # no penalty can fall below zero
                        bound = _lower(
                            sums[ru, 0] + change_a,
                            sums[ru, 1] + _moved(demand, u, ra1, ka, a0, a1, na),
                            sums[ru, 2] + _moved(pickup, u, ra1, ka, a0, a1, na),
                            sums[ru, 3] + _change(km, u_prev, u, ra1, ka, a0, a1, na, qa),
                            lu - ka + na,
                            *bounds,
                        ) + _lower(
                            sums[rv, 0] + change_b,
                            sums[rv, 1] + _moved(demand, v, rb1, kb, b0, b1, nb),
                            sums[rv, 2] + _moved(pickup, v, rb1, kb, b0, b1, nb),
                            sums[rv, 3] + _change(km, p, v, rb1, kb, b0, b1, nb, q),
                            lv - kb + nb,
                            *bounds,
                        )
                        if bound < old - EPS:
                            done = _exchange(
                                routes,
                                lengths,
                                ru,
                                pu,
                                ka,
                                a0,
                                a1,
                                na,
                                rv,
                                sb,
                                kb,
                                b0,
                                b1,
                                nb,
                                old,
                                fixed,
                                weights,
                                data,
                                slot,
                                pen,
                                a,
                                b,
                            )
                            if done:
                                break
                    # 2-opt*: exchange the tails after u and after v
                    if not done:
                        # (written out: a helper taking the arrays costs more than its arithmetic here)
                        bound = _lower(
                            prefix[u, 0] + cost[u, y] + sums[rv, 0] - prefix[v, 0] - cost[v, y],
                            prefix[u, 1] + sums[rv, 1] - prefix[v, 1],
                            prefix[u, 2] + sums[rv, 2] - prefix[v, 2],
                            prefix[u, 3] + km[u, y] + sums[rv, 3] - prefix[v, 3] - km[v, y],
                            pu + lv - pv,
                            *bounds,
                        )
                        bound += _lower(
                            prefix[v, 0] + cost[v, x] + sums[ru, 0] - prefix[u, 0] - cost[u, x],
                            prefix[v, 1] + sums[ru, 1] - prefix[u, 1],
                            prefix[v, 2] + sums[ru, 2] - prefix[u, 2],
                            prefix[v, 3] + km[v, x] + sums[ru, 3] - prefix[u, 3] - km[u, x],
                            pv + lu - pu,
                            *bounds,
                        )
                        if bound < old - EPS:
                            la = _join(routes, lengths, ru, pu, rv, pv, a)
                            lb = _join(routes, lengths, rv, pv, ru, pu, b)
                            done = _try(routes, lengths, ru, a, la, rv, b, lb, old, fixed, weights, data, slot, pen)
                else:
                    old = slot[ru]
                    arc, load, pick, dist = sums[ru, 0], sums[ru, 1], sums[ru, 2], sums[ru, 3]
                    u_prev = routes[ru, pu - 1] if pu > 0 else 0
                    v_prev = routes[rv, pv - 1] if pv > 0 else 0
                    # relocate u after v, then u before v (the removal's and insertion's
                    # arcs: exact unless the move leaves the route as it is)
                    for after in (True, False):
                        if done:
                            break
                        if v == (u_prev if after else x):
                            continue  # u is there already
                        p, q = (v, y) if after else (v_prev, v)
                        gain_c = cost[u_prev, u] + cost[u, x] - cost[u_prev, x] + cost[p, q] - cost[p, u] - cost[u, q]
                        gain_k = km[u_prev, u] + km[u, x] - km[u_prev, x] + km[p, q] - km[p, u] - km[u, q]
                        bound = _lower(arc - gain_c, load, pick, dist - gain_k, lu, *bounds)
                        if bound >= old - EPS:
                            continue
                        la = 0
                        for k in range(lu):
                            w = routes[ru, k]
                            if w == u:
                                continue
                            if w == v and not after:
                                a[la] = u
                                la += 1
                            a[la] = w
                            la += 1
                            if w == v and after:
                                a[la] = u
                                la += 1
                        done = _try(routes, lengths, ru, a, la, -1, b, 0, old, fixed, weights, data, slot, pen)
                    # swap u and v (next to each other: costed exactly)
                    if not done:
                        bound = -np.inf
                        if abs(pu - pv) > 1:
                            gain_c = (
                                cost[u_prev, u]
                                + cost[u, x]
                                + cost[v_prev, v]
                                + cost[v, y]
                                - cost[u_prev, v]
                                - cost[v, x]
                                - cost[v_prev, u]
                                - cost[u, y]
                            )
                            gain_k = (
                                km[u_prev, u]
                                + km[u, x]
                                + km[v_prev, v]
                                + km[v, y]
                                - km[u_prev, v]
                                - km[v, x]
                                - km[v_prev, u]
                                - km[u, y]
                            )
                            bound = _lower(arc - gain_c, load, pick, dist - gain_k, lu, *bounds)
                        if bound < old - EPS:
                            for k in range(lu):
                                a[k] = routes[ru, k]
                            a[pu], a[pv] = v, u
                            done = _try(routes, lengths, ru, a, lu, -1, b, 0, old, fixed, weights, data, slot, pen)
                    # 2-opt: reverse the segment after u up to v
                    if not done and pu < pv:
                        gain_c = cost[u, x] + cost[v, y] - cost[u, v] - cost[x, y]
                        gain_k = km[u, x] + km[v, y] - km[u, v] - km[x, y]
                        bound = _lower(arc - gain_c, load, pick, dist - gain_k, lu, *bounds)
                        if bound < old - EPS:
                            for k in range(lu):
                                a[k] = routes[ru, k]
                            for k in range(pv - pu):
                                a[pu + 1 + k] = routes[ru, pv - k]
                            done = _try(routes, lengths, ru, a, lu, -1, b, 0, old, fixed, weights, data, slot, pen)
                if done:
                    _refresh(routes, lengths, ru, cost, km, demand, pickup, route_of, position, prefix, sums)
                    _refresh(routes, lengths, rv, cost, km, demand, pickup, route_of, position, prefix, sums)
                    applied += 1
                    modified[ru] = modified[rv] = applied
                    used = np.count_nonzero(lengths)
                    improved = True
                    break
            if not done and lengths[route_of[u]] > 1 and used < max_routes:
                # u alone on an unused vehicle
                ru, pu = route_of[u], position[u]
                u_prev = routes[ru, pu - 1] if pu > 0 else 0
                x = routes[ru, pu + 1] if pu + 1 < lengths[ru] else 0
                bound = _lower(
                    sums[ru, 0] + _change(cost, u_prev, u, 0, 1, 0, 0, 0, x),
                    sums[ru, 1] - demand[u],
                    sums[ru, 2] - pickup[u],
                    sums[ru, 3] + _change(km, u_prev, u, 0, 1, 0, 0, 0, x),
                    lengths[ru] - 1,
                    *bounds,
                ) + _lower(cost[0, u] + cost[u, 0], demand[u], pickup[u], km[0, u] + km[u, 0], 1, *bounds)
                old = slot[ru]
                empty = 0
                while bound < old - EPS and empty < slots and lengths[empty] > 0:
                    empty += 1
                if (
                    bound < old - EPS
                    and empty < slots
                    and _exchange(
                        routes,
                        lengths,
                        ru,
                        pu,
                        1,
                        0,
                        0,
                        0,
                        empty,
                        0,
                        0,
                        u,
                        0,
                        1,
                        old,
                        fixed,
                        weights,
                        data,
                        slot,
                        pen,
                        a,
                        b,
                    )
                ):
                    _refresh(routes, lengths, ru, cost, km, demand, pickup, route_of, position, prefix, sums)
                    _refresh(routes, lengths, empty, cost, km, demand, pickup, route_of, position, prefix, sums)
                    applied += 1
                    modified[ru] = modified[empty] = applied
                    used += 1
                    improved = True
        # SWAP* between routes near each other (a customer of one has a neighbour in the
        # other, or is a neighbour of one there: the stand-in for HGS' polar sectors)
        for ra in range(slots):
            if lengths[ra] == 0 or applied >= max_moves:
                continue
            last = swap_tested[ra]
            swap_tested[ra] = applied
            count = 0
            for k in range(lengths[ra]):
                c = routes[ra, k]
                for t in range(start[c], start[c + 1]):  # c's neighbours and those c is a neighbour of
                    rb = route_of[linked[t]]
                    if rb > ra and not near[rb]:
                        near[rb] = True
                        close[count] = rb
                        count += 1
            for t in range(count):
                rb = close[t]
                near[rb] = False
                if applied >= max_moves or lengths[ra] == 0 or lengths[rb] == 0:
                    continue
                if max(modified[ra], modified[rb]) <= last:
                    continue
                u, v, at_u, at_v = _swap_star(
                    ra, rb, routes, lengths, position, cost, km, demand, pickup, sums, slot, pen, bounds, best, spot
                )
                if u == 0:
                    continue
                la = _rebuilt(routes, lengths, ra, u, v, at_v, a)
                lb = _rebuilt(routes, lengths, rb, v, u, at_u, b)
                old = slot[ra] + slot[rb]
                if _try(routes, lengths, ra, a, la, rb, b, lb, old, fixed, weights, data, slot, pen):
                    _refresh(routes, lengths, ra, cost, km, demand, pickup, route_of, position, prefix, sums)
                    _refresh(routes, lengths, rb, cost, km, demand, pickup, route_of, position, prefix, sums)
                    applied += 1
                    modified[ra] = modified[rb] = applied
                    improved = True
    return applied
