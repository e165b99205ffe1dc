"""Exact routing model of a region's subproblem: a single-commodity flow formulation.

Directed arcs (i, j) over 0 = center and customers 1..n. With x_ij binary (arc used),
f_ij >= 0 the delivery load and g_ij >= 0 the pickup load carried on the arc:

    min  sum c_ij x_ij + m sum_j x_0j                      transport + congestion, vehicles
    s.t. sum_j x_ij = 1, sum_j x_ji = 1                     each customer left and entered once
         sum_j x_0j = sum_j x_j0 <= K                       fleet size
         sum_j x_0j >= ceil(max(sum d, sum p) / Q)          vehicles needed (valid inequality)
         sum_i f_ij - sum_k f_jk = d_j                      deliveries drop off d_j at j
         sum_k g_jk - sum_i g_ij = p_j                      pickups collect p_j at j
         f_ij + g_ij <= Q x_ij, with f_ij <= (Q - d_i) x_ij, f_ij >= d_j x_ij,
         g_ij <= (Q - p_j) x_ij, g_ij >= p_i x_ij           load never above capacity
         u_j >= u_i + km_ij - M (1 - x_ij), u_i + km_i0 <= L    maximum route length
         t_j >= t_i + s_i + tau_ij - M (1 - x_ij), a_j <= t_j <= b_j   time windows
         f_0j >= rho Q x_0j                                 minimum load rate (exclusive regions)

The flow bounds make the linear relaxation far stronger than two-index MTZ models
(they prove E-n22-k4-size instances in seconds); rounded capacity cuts, separated on
the LP relaxation in rounds before the MIP, close most of what is left. Route length and time windows use
big-M arrival variables: valid, weaker, and only added when the problem has them.
Arcs that no feasible route can use (two demands above capacity, a window that
cannot be met) are left out. The objective equals `RoutingProblem` routing cost
(C1 + C2 + C3) of the returned routes.
"""

from __future__ import annotations

import math
import time
from typing import Literal

import numpy as np
import pyomo.environ as pyo

from formulations import route_enumeration
from formulations.highs import DEFAULT_MIP_GAP, solve_model
from lastmile.result import Param
from lastmile.routing import RoutingProblem
from lastmile.solve import Answer

EPS = 1e-9
SET_LIMIT = 20_000  # customer sets within capacity up to which set partitioning is used
Formulation = Literal["auto", "flow", "set-partitioning"]


def feasible_arcs(problem: RoutingProblem) -> list[tuple[int, int]]:
    n, q = problem.n, problem.fleet.capacity
    d, p = problem.demand, problem.pickup
    windows = problem.windows
    arcs = []
    for i in range(n + 1):
        for j in range(n + 1):
            if i == j:
                continue
            if i and j and (d[i] + d[j] > q + EPS or p[i] + p[j] > q + EPS):
                continue
            if windows is not None and i and j:
                early, late = windows
                if early[i] + problem.service[i] + problem.minutes[i, j] > late[j] + EPS:
                    continue
            arcs.append((i, j))
    return arcs


def build_routing_model(problem: RoutingProblem) -> pyo.ConcreteModel:
    n, fleet = problem.n, problem.fleet
    q = fleet.capacity
    d, p = problem.demand, problem.pickup
    m = pyo.ConcreteModel(name="routing")
    m.N = pyo.Set(initialize=range(1, n + 1))
    m.V = pyo.Set(initialize=range(n + 1))
    m.A = pyo.Set(initialize=feasible_arcs(problem), dimen=2)
    m.c = pyo.Param(m.A, initialize={a: float(problem.arc_cost[a]) for a in m.A}, mutable=True)
    m.fixed = pyo.Param(initialize=fleet.fixed_cost, mutable=True)
    m.x = pyo.Var(m.A, domain=pyo.Binary)
    m.f = pyo.Var(m.A, domain=pyo.NonNegativeReals)
    out_arcs = {i: [j for (a, j) in m.A if a == i] for i in m.V}
    in_arcs = {j: [i for (i, b) in m.A if b == j] for j in m.V}

    @m.Constraint(m.N)
    def leave_once(m, i):
        """Each customer is left exactly once."""
        return sum(m.x[i, j] for j in out_arcs[i]) == 1

    @m.Constraint(m.N)
    def enter_once(m, j):
        """Each customer is entered exactly once."""
        return sum(m.x[i, j] for i in in_arcs[j]) == 1

    @m.Constraint()
    def vehicles_return(m):
        """As many vehicles come back to the center as leave it."""
        return sum(m.x[0, j] for j in out_arcs[0]) == sum(m.x[i, 0] for i in in_arcs[0])

    needed = math.ceil(max(d.sum(), p.sum()) / q - EPS) if n else 0
    if problem.fleet_size is not None:

        @m.Constraint()
        def fleet_size(m):
            """At most K vehicles leave the center."""
            return sum(m.x[0, j] for j in out_arcs[0]) <= problem.fleet_size

    @m.Constraint()
    def vehicles_needed(m):
        """Valid inequality: enough vehicles leave to carry all parcels."""
        return sum(m.x[0, j] for j in out_arcs[0]) >= needed

    @m.Constraint(m.N)
    def delivery_flow(m, j):
        """Delivery load drops by d_j at customer j."""
        return sum(m.f[i, j] for i in in_arcs[j]) - sum(m.f[j, k] for k in out_arcs[j]) == float(d[j])

    def room(i: int, j: int) -> float:
        return q - (d[i] if i else 0.0)

    @m.Constraint(m.A)
    def delivery_upper(m, i, j):
        """The delivery load after i is at most Q - d_i, and nothing returns to the center."""
        return m.f[i, j] <= (room(i, j) if j else 0.0) * m.x[i, j]

    @m.Constraint(m.A)
    def delivery_lower(m, i, j):
        """An arc into j carries at least j's delivery."""
        return m.f[i, j] >= float(d[j]) * m.x[i, j]

    if problem.min_load_rate > 0:

        @m.Constraint(out_arcs[0])
        def minimum_load(m, j):
            """A vehicle that leaves carries at least min_load_rate of its capacity."""
            return m.f[0, j] >= problem.min_load_rate * q * m.x[0, j]

    if problem.has_pickups:
        m.g = pyo.Var(m.A, domain=pyo.NonNegativeReals)

        @m.Constraint(m.N)
        def pickup_flow(m, j):
            """Pickup load grows by p_j at customer j."""
            return sum(m.g[j, k] for k in out_arcs[j]) - sum(m.g[i, j] for i in in_arcs[j]) == float(p[j])

        @m.Constraint(m.A)
        def pickup_upper(m, i, j):
            """Nothing is collected before the first customer; the load into j leaves room for p_j."""
            return m.g[i, j] <= ((q - float(p[j])) if i else 0.0) * m.x[i, j]

        @m.Constraint(m.A)
        def pickup_lower(m, i, j):
            """An arc out of i carries at least what i handed over."""
            return m.g[i, j] >= float(p[i]) * m.x[i, j]

        @m.Constraint(m.A)
        def load_capacity(m, i, j):
            """Simultaneous pickup and delivery: the load on every arc is at most Q."""
            return m.f[i, j] + m.g[i, j] <= q * m.x[i, j]

    if fleet.max_route_km is not None:
        _add_route_length(m, problem)
    if problem.windows is not None:
        _add_time_windows(m, problem)

    @m.Objective(sense=pyo.minimize)
    def routing_cost(m):
        """Transport and congestion cost of the arcs used, plus vehicle fixed cost."""
        return sum(m.c[a] * m.x[a] for a in m.A) + m.fixed * sum(m.x[0, j] for j in out_arcs[0])

    return m


def _add_route_length(m: pyo.ConcreteModel, problem: RoutingProblem) -> None:
    km = problem.km
    limit = float(problem.fleet.max_route_km)
    m.u = pyo.Var(m.N)

    # Explicit constraints, not variable bounds: a variable that no other constraint
    # uses does not reach the solver, and neither would contradictory bounds.
    @m.Constraint(m.N)
    def distance_direct(m, i):
        """Reaching i takes at least the direct distance."""
        return m.u[i] >= float(km[0, i])

    @m.Constraint(m.N)
    def distance_limit(m, i):
        """The way back from i still fits the route-length limit."""
        return m.u[i] <= limit - float(km[i, 0])

    @m.Constraint(m.A)
    def distance_order(m, i, j):
        """Distance travelled grows along a route (big-M, only between customers)."""
        if not i or not j:
            return pyo.Constraint.Skip
        big = limit + float(km[i, j])
        return m.u[j] >= m.u[i] + float(km[i, j]) - big * (1 - m.x[i, j])


def _add_time_windows(m: pyo.ConcreteModel, problem: RoutingProblem) -> None:
    early, late = problem.windows
    tau, s = problem.minutes, problem.service
    horizon = float(np.max(np.where(np.isfinite(late), late, 0.0))) + float(s.max()) + float(tau.max())
    m.t = pyo.Var(m.N)

    @m.Constraint(m.N)
    def window_opens(m, i):
        """Service starts after the window opens and the direct trip from the center."""
        return m.t[i] >= max(float(early[i]), float(tau[0, i]))

    @m.Constraint(m.N)
    def window_closes(m, i):
        """Service starts before the window closes (explicit, as for the distances)."""
        return m.t[i] <= min(float(late[i]), horizon)

    @m.Constraint(m.A)
    def time_order(m, i, j):
        """Service at j starts after service at i plus the travel (big-M)."""
        if not i or not j:
            return pyo.Constraint.Skip
        latest_i = min(float(late[i]), horizon)
        big = latest_i + float(s[i]) + float(tau[i, j]) - max(float(early[j]), float(tau[0, j]))
        if big <= 0:
            return pyo.Constraint.Skip
        return m.t[j] >= m.t[i] + float(s[i]) + float(tau[i, j]) - big * (1 - m.x[i, j])


def separate_capacity_cuts(problem: RoutingProblem, xbar: dict[tuple[int, int], float]) -> list[frozenset[int]]:
    """Customer sets S whose rounded capacity inequality the LP point violates.

    The inequality: the arcs leaving S carry at least ceil(max(d(S), p(S)) / Q)
    vehicles. Candidates are grown greedily from every customer along the heaviest
    LP arcs (a plain version of the CVRPSEP heuristics, which have no Python
    package); every prefix of the growth is tested.
    """
    n, q = problem.n, problem.fleet.capacity
    d, p = problem.demand, problem.pickup
    weight = np.zeros((n + 1, n + 1))
    for (i, j), value in xbar.items():
        weight[i, j] += value
    both = weight + weight.T
    found: dict[frozenset[int], None] = {}
    for seed in range(1, n + 1):
        members = [seed]
        inside = np.zeros(n + 1, dtype=bool)
        inside[seed] = True
        while len(members) < n:
            pull = both[inside].sum(axis=0)
            pull[0] = -1.0
            pull[inside] = -1.0
            nxt = int(np.argmax(pull))
            if pull[nxt] <= EPS:
                break
            members.append(nxt)
            inside[nxt] = True
            need = math.ceil(max(d[inside].sum(), p[inside].sum()) / q - EPS)
            leaving = weight[np.ix_(inside, ~inside)].sum()
            if leaving < need - 1e-4:
                found[frozenset(members)] = None
    return list(found)


def add_capacity_cuts(
    m: pyo.ConcreteModel, problem: RoutingProblem, *, time_limit: float, threads: int = 1, max_rounds: int = 50
) -> int:
    """Strengthen the model with rounded capacity cuts found on its LP relaxation, in rounds.

    Returns how many cuts were added; stops when a round finds none, after
    `max_rounds`, or when `time_limit` seconds are spent.
    """
    started = time.perf_counter()
    m.capacity_cuts = pyo.ConstraintList(doc="Rounded capacity inequalities, separated on the LP relaxation")
    for var in m.x.values():
        var.domain = pyo.UnitInterval
    added = 0
    q = problem.fleet.capacity
    try:
        for _ in range(max_rounds):
            left = time_limit - (time.perf_counter() - started)
            if left <= 0.05:
                break
            if solve_model(m, time_limit=left, threads=threads).status != "optimal":
                break
            xbar = {a: float(pyo.value(m.x[a])) for a in m.A}
            cuts = separate_capacity_cuts(problem, xbar)
            if not cuts:
                break
            for subset in cuts:
                need = math.ceil(max(problem.demand[list(subset)].sum(), problem.pickup[list(subset)].sum()) / q - EPS)
                m.capacity_cuts.add(sum(m.x[i, j] for (i, j) in m.A if i in subset and j not in subset) >= need)
            added += len(cuts)
    finally:
        for var in m.x.values():
            var.domain = pyo.Binary
    return added


def routes_from_model(m: pyo.ConcreteModel, problem: RoutingProblem) -> list[list[int]]:
    """Follow the chosen arcs from the center into routes of customer indices."""
    succ: dict[int, list[int]] = {}
    for i, j in m.A:
        if pyo.value(m.x[i, j]) > 0.5:
            succ.setdefault(i, []).append(j)
    routes = []
    for first in succ.get(0, []):
        route, here = [], first
        while here != 0 and len(route) <= problem.n:
            route.append(here)
            here = succ[here][0]
        routes.append(route)
    return routes


def routing_answer(
    problem: RoutingProblem,
    *,
    time_limit: float,
    seed: int,
    threads: int = 1,
    mip_gap: float = DEFAULT_MIP_GAP,
    cut_share: float = 0.25,
    formulation: Formulation = "auto",
) -> Answer:
    """Solve a routing subproblem exactly with HiGHS (`formulations.exact.Exact`).

    `formulation="auto"` takes set partitioning over enumerated routes when it
    applies and at most `SET_LIMIT` customer sets fit a vehicle, and the flow model
    otherwise. For the flow model, up to `cut_share` of the time limit goes to rounds
    of capacity cuts on the LP relaxation (0 turns them off); the rest to the MIP.
    """
    started = time.perf_counter()
    if formulation == "auto":
        small = (
            route_enumeration.applicable(problem)
            and route_enumeration.count_feasible_sets(problem, SET_LIMIT) <= SET_LIMIT
        )
        formulation = "set-partitioning" if small else "flow"
    params: dict[str, Param] = {"formulation": formulation, "threads": threads, "seed": seed, "mip_gap": mip_gap}
    if formulation == "set-partitioning":
        if not route_enumeration.applicable(problem):
            raise ValueError("set partitioning needs a problem without time windows, pickups or route-length limit")
        routes = route_enumeration.enumerate_routes(problem)
        model = route_enumeration.build_set_partitioning_model(problem, routes)
        params["routes_enumerated"] = len(routes)
    else:
        model = build_routing_model(problem)
    params["build_s"] = time.perf_counter() - started
    if formulation == "flow" and cut_share:
        params["capacity_cuts"] = add_capacity_cuts(model, problem, time_limit=cut_share * time_limit, threads=threads)
    left = max(time_limit - (time.perf_counter() - started), 0.1)
    outcome = solve_model(model, time_limit=left, threads=threads, mip_gap=mip_gap, seed=seed)
    solution = None
    message = outcome.message
    if outcome.status in ("optimal", "feasible"):
        if formulation == "set-partitioning":
            found = route_enumeration.chosen_routes(model, routes)
        else:
            found = routes_from_model(model, problem)
        if sum(len(r) for r in found) != problem.n:  # cannot happen with either model's constraints
            message += "; the model's routes do not visit every customer once"
        solution = problem.solution(found)
    return Answer(outcome.status, solution, bound=outcome.bound, params=params, message=message)
