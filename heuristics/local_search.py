"""Local search over routes: relocate, swap, 2-opt and 2-opt*, on granular neighbourhoods.

For every customer u and each v among u's nearest customers, the moves are:
relocate u after or before v, swap u and v, 2-opt (reverse the segment between them,
same route) and 2-opt* (exchange the tails of their routes), and relocate u alone to
an unused vehicle while the fleet allows. A move's gain is first estimated from the
arcs it changes, plus the penalties the routes it touches pay now (an upper bound on
the penalised gain, since a route's penalty is never negative; for 2-opt only with
symmetric costs, where the reversed segment costs the same: with asymmetric ones some
2-opt moves are missed, never a worse one taken); a promising move is
rebuilt in full and costed exactly: arc cost, fixed cost and `weights` times what
`route_excess` measures (load above capacity along the route with pickups, time warp,
km above the route limit, load below the minimum). With large weights the search keeps
to feasible routes; with moderate ones it crosses infeasible space (Vidal et al.
2012). First improvement, in an order drawn from the seed, until a full pass improves
nothing or `max_moves` moves were applied.

Routes live in a (max_routes, n) array `routes` with lengths `lengths`; empty slots
are unused vehicles.
"""

from __future__ import annotations

import numba
import numpy as np

from heuristics.arrays import route_cost, route_excess

EPS = 1e-7


@numba.njit(cache=True)
def _index(routes, lengths, route_of, position):
    for r in range(routes.shape[0]):
        for k in range(lengths[r]):
            route_of[routes[r, k]] = r
            position[routes[r, k]] = k


@numba.njit(cache=True)
def _neighbour_arcs(routes, lengths, r, k):
    """(previous, next) of position k in route r, with 0 for the center."""
    before = routes[r, k - 1] if k > 0 else 0
    after = routes[r, k + 1] if k + 1 < lengths[r] else 0
    return before, after


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
    n = demand.shape[0] - 1
    slots = routes.shape[0]
    slot = np.zeros(slots)  # each slot's penalised cost
    pen = np.zeros(slots)  # and its penalty
    for r in range(slots):
        slot[r], pen[r] = _penalised(routes[r], lengths[r], fixed, weights, data)
    route_of = np.zeros(n + 1, dtype=np.int64)
    position = np.zeros(n + 1, dtype=np.int64)
    _index(routes, lengths, route_of, position)
    a = np.zeros(n + 1, dtype=np.int64)
    b = np.zeros(n + 1, dtype=np.int64)
    applied = 0
    improved = True
    while improved and applied < max_moves:
        improved = False
        order = np.random.permutation(n) + 1
        for u in order:
            if applied >= max_moves:
                break
            done = False
            for v in neighbours[u]:
                if v == u:
                    continue
                ru, pu = route_of[u], position[u]
                rv, pv = route_of[v], position[v]
                lu, lv = lengths[ru], lengths[rv]
                u_prev, u_next = _neighbour_arcs(routes, lengths, ru, pu)
                v_prev, v_next = _neighbour_arcs(routes, lengths, rv, pv)
                removal = cost[u_prev, u] + cost[u, u_next] - cost[u_prev, u_next]
                old = slot[ru]
                paid = pen[ru]  # what the touched routes pay in penalties now
                if rv != ru:
                    old += slot[rv]
                    paid += pen[rv]
                done = False
                # relocate u after v, then u before v
                for after in (True, False):
                    if done:
                        break
                    if after:
                        gain = removal - (cost[v, u] + cost[u, v_next] - cost[v, v_next])
                    else:
                        gain = removal - (cost[v_prev, u] + cost[u, v] - cost[v_prev, v])
                    if lu == 1 and rv != ru:
                        gain += fixed
                    if gain + paid <= EPS:
                        continue
                    if ru == rv:
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
                    else:
                        la = 0
                        for k in range(lu):
                            if routes[ru, k] != u:
                                a[la] = routes[ru, k]
                                la += 1
                        lb = 0
                        for k in range(lv):
                            w = routes[rv, k]
                            if w == v and not after:
                                b[lb] = u
                                lb += 1
                            b[lb] = w
                            lb += 1
                            if w == v and after:
                                b[lb] = u
                                lb += 1
                        done = _try(routes, lengths, ru, a, la, rv, b, lb, old, fixed, weights, data, slot, pen)
                # swap u and v
                if not done:
                    if ru == rv and abs(pu - pv) == 1:
                        gain = 1.0  # adjacent: estimate is awkward, evaluate exactly
                    else:
                        gain = (
                            cost[u_prev, u]
                            + cost[u, u_next]
                            + cost[v_prev, v]
                            + cost[v, v_next]
                            - cost[u_prev, v]
                            - cost[v, u_next]
                            - cost[v_prev, u]
                            - cost[u, v_next]
                        )
                    if gain + paid > EPS:
                        for k in range(lu):
                            a[k] = routes[ru, k]
                        if ru == rv:
                            a[pu], a[pv] = v, u
                            done = _try(routes, lengths, ru, a, lu, -1, b, 0, old, fixed, weights, data, slot, pen)
                        else:
                            for k in range(lv):
                                b[k] = routes[rv, k]
                            a[pu] = v
                            b[pv] = u
                            done = _try(routes, lengths, ru, a, lu, rv, b, lv, old, fixed, weights, data, slot, pen)
                # 2-opt within a route: reverse the segment after u up to v
                if not done and ru == rv and pu < pv:
                    gain = cost[u, u_next] + cost[v, v_next] - cost[u, v] - cost[u_next, v_next]
                    if gain + paid > EPS:
                        for k in range(lu):
                            a[k] = routes[ru, k]
                        for k in range(pv - pu):
                            a[pu + 1 + k] = routes[ru, pv - k]
                        done = _try(routes, lengths, ru, a, lu, -1, b, 0, old, fixed, weights, data, slot, pen)
                # 2-opt*: exchange the tails after u and after v
                if not done and ru != rv:
                    gain = cost[u, u_next] + cost[v, v_next] - cost[u, v_next] - cost[v, u_next]
                    if gain + paid > EPS:
                        la = 0
                        for k in range(pu + 1):
                            a[la] = routes[ru, k]
                            la += 1
                        for k in range(pv + 1, lv):
                            a[la] = routes[rv, k]
                            la += 1
                        lb = 0
                        for k in range(pv + 1):
                            b[lb] = routes[rv, k]
                            lb += 1
                        for k in range(pu + 1, lu):
                            b[lb] = routes[ru, k]
                            lb += 1
                        done = _try(routes, lengths, ru, a, la, rv, b, lb, old, fixed, weights, data, slot, pen)
                if done:
                    _index(routes, lengths, route_of, position)
                    applied += 1
                    improved = True
                    break
            if not done and lengths[route_of[u]] > 1:
                # u alone on an unused vehicle
                used = 0
                empty = -1
                for r in range(slots):
                    if lengths[r] > 0:
                        used += 1
                    elif empty < 0:
                        empty = r
                if empty >= 0 and used < max_routes:
                    ru, pu = route_of[u], position[u]
                    u_prev, u_next = _neighbour_arcs(routes, lengths, ru, pu)
                    gain = cost[u_prev, u] + cost[u, u_next] - cost[u_prev, u_next] - cost[0, u] - cost[u, 0] - fixed
                    if gain + pen[ru] > EPS:
                        old = slot[ru]
                        la = 0
                        for k in range(lengths[ru]):
                            if routes[ru, k] != u:
                                a[la] = routes[ru, k]
                                la += 1
                        b[0] = u
                        if _try(routes, lengths, ru, a, la, empty, b, 1, old, fixed, weights, data, slot, pen):
                            _index(routes, lengths, route_of, position)
                            applied += 1
                            improved = True
    return applied
