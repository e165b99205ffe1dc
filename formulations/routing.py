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
(C1 + C2 + C3) of the returned routes. `routing_answer` chooses between this model,
set partitioning over enumerated routes (`route_enumeration`) and branch-and-price
(`branch_and_price`), and runs it in a child process ended at the deadline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Literal, cast

import numpy as np

from formulations import branch_and_price, route_enumeration
from formulations.deadline import run_forked
from formulations.highs import DEFAULT_MIP_GAP, quiet_highs, run_highs, solve_model
from lastmile.result import Param
from lastmile.routing import RoutingProblem
from lastmile.solve import Answer

EPS = 1e-9
SET_LIMIT = 20_000  # customer sets within capacity up to which set partitioning is used
Formulation = Literal["auto", "flow", "set-partitioning", "branch-and-price"]


def feasible_arcs(problem: RoutingProblem) -> list[tuple[int, int]]:
    """Arcs (i, j), i != j, that a feasible route can use: two customers whose deliveries
    or pickups together exceed a vehicle, or whose windows cannot be met in this order,
    are never consecutive. In row order, as (i, j) tuples."""
    n, q = problem.n, problem.fleet.capacity
    d, p = np.asarray(problem.demand), np.asarray(problem.pickup)
    usable = ~np.eye(n + 1, dtype=bool)
    between = np.ones((n + 1, n + 1), dtype=bool)
    between[0, :] = between[:, 0] = False
    too_much = (d[:, None] + d[None, :] > q + EPS) | (p[:, None] + p[None, :] > q + EPS)
    usable &= ~(between & too_much)
    if problem.windows is not None:
        early, late = problem.windows
        late_arrival = early[:, None] + problem.service[:, None] + problem.minutes > late[None, :] + EPS
        usable &= ~(between & late_arrival)
    tail, head = np.nonzero(usable)
    return list(zip(tail.tolist(), head.tolist(), strict=True))


class FlowModel:
    """The flow formulation (module docstring) as one HiGHS model, built from numpy
    arrays through highspy: with the Pyomo model, an exact run on 500 customers took
    150-228 s at a 2 s limit (issue 16); this one took 3.7 s. Columns: x per
    arc, f per arc, then g per arc (pickups), u per customer (route length) and t per
    customer (windows); `arcs` is (tail, head) per arc."""

    def __init__(self, problem: RoutingProblem) -> None:
        import highspy

        self.problem = problem
        self.highs = h = quiet_highs()
        n, fleet = problem.n, problem.fleet
        q = fleet.capacity
        d, p = np.asarray(problem.demand, dtype=float), np.asarray(problem.pickup, dtype=float)
        self.arcs = arcs = np.array(feasible_arcs(problem), dtype=np.int64).reshape(-1, 2)
        tail, head = arcs[:, 0], arcs[:, 1]
        m = len(arcs)
        x, f = np.arange(m), m + np.arange(m)
        columns = 2 * m
        g = u = t = None
        if problem.has_pickups:
            g, columns = columns + np.arange(m), columns + m
        if fleet.max_route_km is not None:
            u, columns = columns + np.arange(n), columns + n
        if problem.windows is not None:
            t, columns = columns + np.arange(n), columns + n
        inf = highspy.kHighsInf
        cost = np.zeros(columns)
        cost[x] = problem.arc_cost[tail, head] + fleet.fixed_cost * (tail == 0)
        lower, upper = np.zeros(columns), np.full(columns, inf)
        upper[x] = 1.0
        rows = _Rows()
        customers = np.arange(1, n + 1)
        leave = tail == 0
        rows.by_group(tail[~leave] - 1, x[~leave], 1.0, n, 1.0, 1.0)  # each customer left once
        rows.by_group(head[head > 0] - 1, x[head > 0], 1.0, n, 1.0, 1.0)  # and entered once
        rows.add([np.r_[x[leave], x[head == 0]]], [np.r_[np.ones(leave.sum()), -np.ones((head == 0).sum())]], 0, 0)
        needed = math.ceil(max(d.sum(), p.sum()) / q - EPS) if n else 0
        most = problem.fleet_size if problem.fleet_size is not None else inf
        rows.add([x[leave]], [np.ones(leave.sum())], needed, most)
        # delivery flow: the load drops by d_j at j
        into, out = head > 0, tail > 0
        signs = np.r_[np.ones(into.sum()), -np.ones(out.sum())]
        rows.by_group(np.r_[head[into], tail[out]] - 1, np.r_[f[into], f[out]], signs, n, d[customers], d[customers])
        room = np.where(head > 0, q - np.where(tail > 0, d[tail], 0.0), 0.0)
        rows.pairs(f, x, -room, -inf, 0.0)  # f_ij <= (Q - d_i) x_ij, nothing back to the center
        rows.pairs(f, x, -d[head], 0.0, inf)  # f_ij >= d_j x_ij
        if problem.min_load_rate > 0:
            rows.pairs(f[leave], x[leave], np.full(leave.sum(), -problem.min_load_rate * q), 0.0, inf)
        if g is not None:
            signs = np.r_[np.ones(out.sum()), -np.ones(into.sum())]
            rows.by_group(
                np.r_[tail[out], head[into]] - 1, np.r_[g[out], g[into]], signs, n, p[customers], p[customers]
            )
            rows.pairs(g, x, -np.where(tail > 0, q - p[head], 0.0), -inf, 0.0)
            rows.pairs(g, x, -p[tail], 0.0, inf)
            rows.add([f, g, x], [np.ones(m), np.ones(m), np.full(m, -q)], -inf, 0.0, each=True)
        between = (tail > 0) & (head > 0)
        if u is not None:
            km, limit = problem.km, float(fleet.max_route_km)
            # the shortest ways out and home, not the direct legs: km need not be metric
            out, home = branch_and_price.from_center(km), branch_and_price.from_center(km.T)
            lower[u], upper[u] = out[customers], limit - home[customers]
            step = km[tail[between], head[between]]
            big = limit + step
            order = [u[head[between] - 1], u[tail[between] - 1], x[between]]
            rows.add(order, [np.ones(len(big)), -np.ones(len(big)), -big], step - big, inf, each=True)
        if t is not None:
            early, late = problem.windows
            tau, service = problem.minutes, problem.service
            horizon = float(np.max(np.where(np.isfinite(late), late, 0.0))) + float(service.max()) + float(tau.max())
            reach = branch_and_price.from_center(tau)  # the earliest arrival, by any way
            lower[t] = np.maximum(early[customers], reach[customers])
            upper[t] = np.minimum(late[customers], horizon)
            i, j = tail[between], head[between]
            big = np.minimum(late[i], horizon) + service[i] + tau[i, j] - np.maximum(early[j], reach[j])
            keep = big > 0
            i, j, big, arc = i[keep], j[keep], big[keep], x[between][keep]
            signs = [np.ones(len(big)), -np.ones(len(big)), -big]
            rows.add([t[j - 1], t[i - 1], arc], signs, service[i] + tau[i, j] - big, inf, each=True)
        empty = np.array([], dtype=np.int32)
        h.addCols(columns, cost, lower, upper, 0, empty, empty, np.array([]))
        rows.flush(h, columns)
        self.x = x
        self.relax(False)

    def relax(self, relaxed: bool) -> None:
        """x continuous (the LP relaxation) or binary."""
        import highspy

        kind = int(highspy.HighsVarType.kContinuous if relaxed else highspy.HighsVarType.kInteger)
        self.highs.changeColsIntegrality(len(self.x), self.x.astype(np.int32), np.full(len(self.x), kind, np.uint8))

    def add_cut(self, subset: frozenset[int], need: int) -> None:
        """The arcs leaving `subset` carry at least `need` vehicles."""
        inside = np.zeros(self.problem.n + 1, dtype=bool)
        inside[list(subset)] = True
        leaving = self.x[inside[self.arcs[:, 0]] & ~inside[self.arcs[:, 1]]]
        self.highs.addRow(float(need), np.inf, len(leaving), leaving.astype(np.int32), np.ones(len(leaving)))

    def values(self, columns: np.ndarray | None = None) -> np.ndarray:
        """x as an (n + 1) x (n + 1) matrix, 0 off the arcs: in `columns` (all the
        model's column values, as a MIP callback gives them) or in the last solution."""
        if columns is None:
            columns = self.highs.getSolution().col_value
        out = np.zeros((self.problem.n + 1, self.problem.n + 1))
        out[self.arcs[:, 0], self.arcs[:, 1]] = np.asarray(columns)[self.x]
        return out


class _Rows:
    """Constraint rows gathered as (row, column, value) triplets, added to HiGHS at once."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.count = 0

    def by_group(self, group: np.ndarray, cols: np.ndarray, vals, groups: int, lower, upper) -> None:
        """`groups` rows, row k summing the columns whose `group` is k."""
        self.rows.append(self.count + np.asarray(group, dtype=np.int64))
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.vals.append(np.broadcast_to(np.asarray(vals, dtype=float), (len(cols),)).copy())
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (groups,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (groups,)).copy())
        self.count += groups

    def add(self, cols: list[np.ndarray], vals: list[np.ndarray], lower, upper, each: bool = False) -> None:
        """One row over all `cols` (or, with `each`, one row per position k over `cols[.][k]`)."""
        if each:
            size = len(cols[0])
            group = np.tile(np.arange(size), len(cols))
            self.by_group(group, np.concatenate(cols), np.concatenate(vals), size, lower, upper)
        else:
            joined = np.concatenate(cols)
            self.by_group(np.zeros(len(joined), dtype=np.int64), joined, np.concatenate(vals), 1, lower, upper)

    def pairs(self, a: np.ndarray, b: np.ndarray, coefficient: np.ndarray, lower, upper) -> None:
        """Per k: a_k + coefficient_k b_k within [lower, upper]."""
        self.add([a, b], [np.ones(len(a)), np.asarray(coefficient, dtype=float)], lower, upper, each=True)

    def flush(self, highs, columns: int) -> None:
        from scipy.sparse import coo_matrix

        rows, cols, vals = np.concatenate(self.rows), np.concatenate(self.cols), np.concatenate(self.vals)
        keep = vals != 0.0
        matrix = coo_matrix((vals[keep], (rows[keep], cols[keep])), shape=(self.count, columns)).tocsr()
        highs.addRows(
            self.count,
            np.concatenate(self.lower),
            np.concatenate(self.upper),
            matrix.nnz,
            matrix.indptr[:-1].astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data,
        )


def separate_capacity_cuts(problem: RoutingProblem, weight: np.ndarray) -> list[frozenset[int]]:
    """Customer sets S whose rounded capacity inequality the LP point violates.

    The inequality: the arcs leaving S carry at least ceil(max(d(S), p(S)) / Q)
    vehicles. Candidates are grown greedily from every customer along the heaviest
    LP arcs (a plain version of the CVRPSEP heuristics, which have no Python
    package); every prefix of the growth is tested. `weight` is the LP point's x as an
    (n + 1) x (n + 1) matrix.
    """
    n, q = problem.n, problem.fleet.capacity
    d, p = problem.demand, problem.pickup
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


@dataclass(frozen=True)
class CutRounds:
    """What the rounds of capacity cuts did: `added` cuts, and `bound`, the last LP
    relaxation solved to optimality (a valid lower bound on the routing cost), if any."""

    added: int
    bound: float | None


def add_capacity_cuts(model: FlowModel, *, time_limit: float, threads: int = 1, max_rounds: int = 50) -> CutRounds:
    """Strengthen the model with rounded capacity cuts found on its LP relaxation, in rounds.

    Stops when a round finds none, after `max_rounds`, or when `time_limit` seconds are
    spent.
    """
    started = time.perf_counter()
    problem = model.problem
    q = problem.fleet.capacity
    model.relax(True)
    added, bound = 0, None
    try:
        for _ in range(max_rounds):
            left = time_limit - (time.perf_counter() - started)
            if left <= 0.05:
                break
            outcome = run_highs(model.highs, mip=False, time_limit=left, threads=threads)
            if outcome.status != "optimal":
                break
            bound = outcome.bound
            cuts = separate_capacity_cuts(problem, model.values())
            if not cuts:
                break
            for subset in cuts:
                need = math.ceil(max(problem.demand[list(subset)].sum(), problem.pickup[list(subset)].sum()) / q - EPS)
                model.add_cut(subset, need)
            added += len(cuts)
    finally:
        model.relax(False)
        model.highs.clearSolver()  # the MIP starts afresh, not from the last LP point
    return CutRounds(added, bound)


def routes_from_arcs(problem: RoutingProblem, x: np.ndarray) -> list[list[int]]:
    """Follow the chosen arcs (`x` as a FlowModel.values matrix) from the center into
    routes of customer indices."""
    succ: dict[int, list[int]] = {}
    for i, j in np.argwhere(x > 0.5).tolist():  # row-major, the arcs' order
        succ.setdefault(i, []).append(j)
    routes = []
    for first in succ.get(0, []):
        route, here = [], first
        while here != 0 and len(route) <= problem.n:
            route.append(here)
            here = succ[here][0]
        routes.append(route)
    return routes


#: A routing child is ended at its limit plus `LATE_SHARE` of it plus `LATE_S` seconds:
#: HiGHS returns within milliseconds of its limit wherever it checks its clock, and an
#: answer is handed over in milliseconds; the contract (issue 16) is the limit plus 10%,
#: plus 1 s.
LATE_SHARE = 0.05
LATE_S = 0.25


@dataclass(frozen=True)
class Progress:
    """What a routing child has learnt so far: its parameters, the best valid lower
    bound, and the routes of its best incumbent with their model objective."""

    params: Mapping[str, Param]
    bound: float | None = None
    routes: list[list[int]] | None = None
    objective: float | None = None


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
    applies and at most `SET_LIMIT` customer sets fit a vehicle, branch-and-price
    (`formulations.branch_and_price`) for other problems without pickups or a minimum
    load rate (`branch_and_price.stronger`), and the flow model otherwise. For the flow
    model, up to `cut_share` of the time limit goes to rounds of capacity cuts on the LP
    relaxation (0 turns them off); the rest to the MIP. Branch-and-price runs on one
    thread whatever `threads` says.

    The work runs in a forked child ended at the deadline (`formulations.deadline`):
    HiGHS does not check its clock in the MIP presolve of a large flow model. A child
    ended there answers with what it last reported: its best incumbent (`feasible`) or
    none (`no_solution`), with the bound it had then (the last cut round's LP, the MIP's
    dual bound at its last incumbent, or branch-and-price's best bound).
    """
    started = time.perf_counter()
    if formulation == "set-partitioning" and not route_enumeration.applicable(problem):
        raise ValueError("set partitioning needs a problem without time windows, pickups or route-length limit")
    if formulation == "branch-and-price" or (formulation == "auto" and branch_and_price.stronger(problem)):
        branch_and_price.warm(problem)  # its kernels compiled here once, not in every child
    left = time_limit - (time.perf_counter() - started)  # the warm-up counts against the limit
    work = partial(
        _routing_child,
        problem,
        time_limit=left,
        seed=seed,
        threads=threads,
        mip_gap=mip_gap,
        cut_share=cut_share,
        formulation=formulation,
    )
    forked = run_forked(work, seconds=max(left, 0.0) * (1 + LATE_SHARE) + LATE_S)
    if forked.ended == "done":
        return cast(Answer, forked.result)
    last = cast(Progress, forked.reports[-1]) if forked.reports else Progress({})
    if forked.ended == "died":
        message = f"the exact solver's process ended without an answer after {forked.seconds:.2f} s"
        return Answer("error", None, bound=last.bound, params=last.params, message=message)
    message = f"the solver did not stop at its {time_limit:g} s limit; its process was ended at {forked.seconds:.2f} s"
    if last.routes is None:
        return Answer("no_solution", None, bound=last.bound, params=last.params, message=message)
    message += f", after its best incumbent ({last.objective:.6g})"
    return Answer("feasible", problem.solution(last.routes), bound=last.bound, params=last.params, message=message)


def _routing_child(
    problem: RoutingProblem,
    report: Callable[[object], None],
    *,
    time_limit: float,
    seed: int,
    threads: int,
    mip_gap: float,
    cut_share: float,
    formulation: Formulation,
) -> Answer:
    """`routing_answer`'s work, `report`ing its `Progress` after the cut rounds and at
    every improving MIP incumbent."""
    import highspy

    # The parent's HiGHS scheduler came with the fork, but not its worker threads:
    # without a fresh one, a run on 2+ threads waits on workers that do not exist.
    highspy.Highs.resetGlobalScheduler(False)
    started = time.perf_counter()
    if formulation == "auto":
        small = (
            route_enumeration.applicable(problem)
            and route_enumeration.count_feasible_sets(problem, SET_LIMIT) <= SET_LIMIT
        )
        formulation = (
            "set-partitioning" if small else "branch-and-price" if branch_and_price.stronger(problem) else "flow"
        )
    params: dict[str, Param] = {"formulation": formulation, "threads": threads, "seed": seed, "mip_gap": mip_gap}
    if formulation == "set-partitioning":
        routes = route_enumeration.enumerate_routes(problem)
        model = route_enumeration.build_set_partitioning_model(problem, routes)
        params["routes_enumerated"] = len(routes)
    elif formulation == "branch-and-price":
        left = time_limit - (time.perf_counter() - started)
        return _branch_and_price_answer(problem, report, time_limit=left, seed=seed, mip_gap=mip_gap, params=params)
    else:
        model = FlowModel(problem)
    params["build_s"] = time.perf_counter() - started
    lp_bound = None
    if formulation == "flow" and cut_share:
        budget = min(cut_share * time_limit, time_limit - (time.perf_counter() - started))
        rounds = add_capacity_cuts(model, time_limit=budget, threads=threads)
        params["capacity_cuts"], lp_bound = rounds.added, rounds.bound
    snapshot = dict(params)
    report(Progress(snapshot, lp_bound))
    left = time_limit - (time.perf_counter() - started)
    if left <= 0:  # the clock ran out before the search: no incumbent
        message = f"the time limit ran out before the search (model built in {params['build_s']:.2f} s)"
        return Answer("no_solution", None, bound=lp_bound, params=params, message=message)
    if formulation == "set-partitioning":
        outcome = solve_model(model, time_limit=left, threads=threads, mip_gap=mip_gap, seed=seed)
    else:

        def improved(event) -> None:
            routes = routes_from_arcs(problem, model.values(np.asarray(event.data_out.mip_solution)))
            bound = _best(lp_bound, float(event.data_out.mip_dual_bound))
            report(Progress(snapshot, bound, routes, event.data_out.objective_function_value))

        model.highs.cbMipImprovingSolution.subscribe(improved)
        outcome = run_highs(model.highs, mip=True, time_limit=left, threads=threads, mip_gap=mip_gap, seed=seed)
    solution = None
    message = outcome.message
    if outcome.status in ("optimal", "feasible"):
        if formulation == "set-partitioning":
            found = route_enumeration.chosen_routes(model, routes)
        else:
            found = routes_from_arcs(problem, model.values())
        if sum(len(r) for r in found) != problem.n:  # cannot happen with either model's constraints
            message += "; the model's routes do not visit every customer once"
        solution = problem.solution(found)
    bound = None if outcome.status == "infeasible" else _best(lp_bound, outcome.bound)
    return Answer(outcome.status, solution, bound=bound, params=params, message=message)


def _best(*bounds: float | None) -> float | None:
    """The strongest of valid lower bounds (None and infinite ones are no bound)."""
    finite = [b for b in bounds if b is not None and math.isfinite(b)]
    return max(finite) if finite else None


def _branch_and_price_answer(
    problem: RoutingProblem,
    report: Callable[[object], None],
    *,
    time_limit: float,
    seed: int,
    mip_gap: float,
    params: dict[str, Param],
) -> Answer:
    """`formulations.branch_and_price` as an `Answer`, reporting its `Progress`."""
    snapshot = dict(params)

    def improved(bound: float | None, routes: list[list[int]] | None, objective: float | None) -> None:
        report(Progress(snapshot, bound, routes, objective))

    outcome = branch_and_price.branch_and_price(
        problem, time_limit=time_limit, seed=seed, mip_gap=mip_gap, improved=improved
    )
    params.update(root_bound=outcome.root_bound, nodes=outcome.nodes, columns=outcome.columns, cuts=outcome.cuts)
    solution = problem.solution(outcome.routes) if outcome.routes is not None else None
    message = f"branch-and-price: {outcome.message}"
    return Answer(outcome.status, solution, bound=outcome.bound, params=params, message=message)
