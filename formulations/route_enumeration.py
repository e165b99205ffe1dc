"""Set-partitioning model over every feasible route, for tightly capacitated regions.

When vehicle capacity admits few customer sets (routes of two to five customers, as
in P-n23-k8), enumerating them all is cheap and the set-partitioning model

    min  sum_r (c_r + m) z_r
    s.t. sum_{r : i in r} z_r = 1       for every customer i
         sum_r z_r <= K                 fleet size
         z_r binary

has a linear relaxation close to the optimum, where flow models stall. c_r is the
cheapest order through the set r (Held-Karp dynamic programme over the sets). It
applies to pure capacitated problems: with time windows, pickups or a route-length
limit a set's cheapest order may be infeasible while a dearer one is not, so those
go to the flow model.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from lastmile.routing import RoutingProblem

EPS = 1e-9


def applicable(problem: RoutingProblem) -> bool:
    return problem.windows is None and not problem.has_pickups and problem.fleet.max_route_km is None


def count_feasible_sets(problem: RoutingProblem, cap: int) -> int:
    """Number of non-empty customer sets within capacity (counting stops past `cap`)."""
    demand = problem.demand[1:]
    q = problem.fleet.capacity
    if not np.allclose(demand, np.round(demand)) or q > 100_000:
        return cap + 1
    counts = np.zeros(int(q) + 1, dtype=np.int64)
    counts[0] = 1
    for d in demand.astype(int):
        if d == 0:
            counts *= 2
        else:
            counts[d:] += counts[:-d].copy()
        counts = np.minimum(counts, cap + 1)
    return int(min(counts.sum() - 1, cap + 1))


def enumerate_routes(problem: RoutingProblem) -> list[tuple[tuple[int, ...], float]]:
    """Every feasible customer set with its cheapest order and cost (without fixed cost).

    Held-Karp over sets in order of size: best[S][j] is the cheapest path from the
    center through S ending at j; only sets within capacity are expanded.
    """
    n, q = problem.n, problem.fleet.capacity
    cost, demand = problem.arc_cost, problem.demand
    best: dict[int, np.ndarray] = {}
    parent: dict[int, np.ndarray] = {}
    load: dict[int, float] = {}
    layer = []
    for j in range(1, n + 1):
        mask = 1 << (j - 1)
        row = np.full(n + 1, np.inf)
        row[j] = cost[0, j]
        best[mask], parent[mask], load[mask] = row, np.full(n + 1, -1), float(demand[j])
        layer.append(mask)
    while layer:
        grown: dict[int, None] = {}
        for mask in layer:
            row = best[mask]
            for j in range(1, n + 1):
                bit = 1 << (j - 1)
                if mask & bit or load[mask] + demand[j] > q + EPS:
                    continue
                new = mask | bit
                through = row + cost[:, j]
                k = int(np.argmin(through))
                if new not in best:
                    best[new] = np.full(n + 1, np.inf)
                    parent[new] = np.full(n + 1, -1)
                    load[new] = load[mask] + float(demand[j])
                    grown[new] = None
                if through[k] < best[new][j]:
                    best[new][j] = through[k]
                    parent[new][j] = k
        layer = list(grown)
    routes = []
    least = problem.min_load_rate * q - EPS
    for mask, row in best.items():
        if load[mask] < least:
            continue
        total = row + cost[:, 0]
        last = int(np.argmin(total))
        order, here, left = [], last, mask
        while here > 0:
            order.append(here)
            previous = int(parent[left][here])
            left &= ~(1 << (here - 1))
            here = previous
        routes.append((tuple(reversed(order)), float(total[last])))
    return routes


def build_set_partitioning_model(
    problem: RoutingProblem, routes: list[tuple[tuple[int, ...], float]]
) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name="routing-set-partitioning")
    m.R = pyo.Set(initialize=range(len(routes)))
    m.N = pyo.Set(initialize=range(1, problem.n + 1))
    m.c = pyo.Param(m.R, initialize={r: routes[r][1] for r in m.R}, mutable=True)
    m.fixed = pyo.Param(initialize=problem.fleet.fixed_cost, mutable=True)
    m.z = pyo.Var(m.R, domain=pyo.Binary)
    covering: dict[int, list[int]] = {i: [] for i in m.N}
    for r, (order, _) in enumerate(routes):
        for i in order:
            covering[i].append(r)

    @m.Constraint(m.N)
    def cover_once(m, i):
        """Each customer lies on exactly one chosen route."""
        return sum(m.z[r] for r in covering[i]) == 1

    if problem.fleet_size is not None:

        @m.Constraint()
        def fleet_size(m):
            """At most K routes, one per vehicle."""
            return sum(m.z[r] for r in m.R) <= problem.fleet_size

    @m.Objective(sense=pyo.minimize)
    def routing_cost(m):
        """Route costs (transport and congestion) plus vehicle fixed cost."""
        return sum((m.c[r] + m.fixed) * m.z[r] for r in m.R)

    return m


def chosen_routes(m: pyo.ConcreteModel, routes: list[tuple[tuple[int, ...], float]]) -> list[list[int]]:
    return [list(routes[r][0]) for r in m.R if pyo.value(m.z[r]) > 0.5]
