"""The two-echelon routing problem solved exactly on HiGHS (issue 31).

**Set partitioning over every van route.** Where a problem has no pickups, windows or
route-length limit and few enough customer sets fit a van (at most `ENUMERATION_LIMIT`,
counted before anything is built), every such set is enumerated with its cheapest
closed order from each center (Held-Karp over the sets, numba), and one MIP holds both
echelons:

    min  sum_{s,S} (F + c_sS + h_s q(S)) x_sS + first echelon (formulations.first_echelon)
    s.t. sum_{s, S ∋ i} x_sS = 1                every customer i
         sum_S x_sS <= V_s,  sum_{s,S} x_sS <= V    vans per center and in all
         trucks leave at s exactly sum_S q(S) x_sS  every center s
         x binary

which is exact (a van route's cheapest order is its best without side constraints, and
the first echelon enumerates every truck route when it has at most ten centers). The
21-customer Set2a and Set3 instances have about 68,000 sets per center.

**A valid bound otherwise.** Past the limit the answer is a lower bound with no plan:
the vans' part is bounded by a CVRP from one virtual center whose legs out and home are
each customer's cheapest leg from and to any center (it relaxes which center a route
returns to and the per-center limits), solved by the project's branch-and-price to its
bound; the trucks' part by ceil(D / Q) trucks, each paying its fixed cost and the
cheapest round trip to any center (every truck that carries parcels calls somewhere).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from formulations.first_echelon import WHOLE_SETS, Columns, ShuttleModel
from formulations.highs import DEFAULT_MIP_GAP, run_highs
from formulations.virtual_center import virtual_center_bound
from lastmile.result import Status
from lastmile.solve import Answer
from lastmile.stop import StoppingCriterion
from lastmile.two_echelon import TwoEchelonProblem

#: Most customer sets enumerated per center: beyond it the MIP and the tables
#: (sets x customers doubles) outgrow what a 10-minute run and 24 GB hold.
ENUMERATION_LIMIT = 1_500_000
#: Van columns of least reduced cost in the MIP that looks for a first incumbent.
PROBE = 3000


@njit(cache=True)
def _sets(demand: np.ndarray, capacity: float, limit: int) -> np.ndarray:
    """Every non-empty customer set within capacity, as bit masks in increasing order;
    past `limit` sets, the first `limit` + 1 found (so a caller can tell it is over)."""
    n = len(demand)
    out = np.empty(limit + 1, dtype=np.int64)
    count = 0
    stack_mask = np.zeros(n + 1, dtype=np.int64)
    stack_next = np.zeros(n + 1, dtype=np.int64)
    stack_load = np.zeros(n + 1)
    depth = 0
    while depth >= 0 and count <= limit:
        k = stack_next[depth]
        if k >= n:
            depth -= 1
            continue
        stack_next[depth] = k + 1
        load = stack_load[depth] + demand[k]
        if load <= capacity + 1e-9:
            depth += 1
            stack_mask[depth] = stack_mask[depth - 1] | (1 << k)
            stack_load[depth] = load
            stack_next[depth] = k + 1
            out[count] = stack_mask[depth]
            count += 1
    return np.sort(out[:count])


@njit(cache=True)
def _set_costs(masks: np.ndarray, start: np.ndarray, arc: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Held-Karp over `masks` (sorted, closed under subsets): each set's cheapest closed
    route that leaves along `start`, moves along `arc` and returns along `end`."""
    n = len(start)
    best = np.full((len(masks), n), np.inf)
    out = np.full(len(masks), np.inf)
    for a in range(len(masks)):
        mask = masks[a]
        if mask & (mask - 1) == 0:
            for j in range(n):
                if mask >> j & 1:
                    best[a, j] = start[j]
        for j in range(n):
            here = best[a, j]
            if here == np.inf:
                continue
            value = here + end[j]
            if value < out[a]:
                out[a] = value
            for k in range(n):
                if mask >> k & 1:
                    continue
                grown = mask | (1 << k)
                b = np.searchsorted(masks, grown)
                if b < len(masks) and masks[b] == grown:
                    step = here + arc[j, k]
                    if step < best[b, k]:
                        best[b, k] = step
    return out


def cheapest_order(members: list[int], start: np.ndarray, arc: np.ndarray, end: np.ndarray) -> list[int]:
    """The cheapest order of a few customers (Held-Karp on the set alone)."""
    k = len(members)
    masks = np.arange(1, 1 << k, dtype=np.int64)
    sub_start, sub_end = start[members], end[members]
    sub_arc = arc[np.ix_(members, members)]
    best = {(1 << j, j): (float(sub_start[j]), -1) for j in range(k)}
    for mask in masks:
        for j in range(k):
            if (int(mask), j) not in best:
                continue
            here = best[(int(mask), j)][0]
            for t in range(k):
                if mask >> t & 1:
                    continue
                key = (int(mask) | 1 << t, t)
                value = here + float(sub_arc[j, t])
                if key not in best or value < best[key][0]:
                    best[key] = (value, j)
    full = (1 << k) - 1
    last = min(range(k), key=lambda j: best[(full, j)][0] + float(sub_end[j]))
    order, mask = [], full
    while last >= 0:
        order.append(members[last])
        _, prev = best[(mask, last)]
        mask ^= 1 << last
        last = prev
    return order[::-1]


def van_sets(problem: TwoEchelonProblem, limit: int = ENUMERATION_LIMIT) -> np.ndarray:
    """The customer sets within a van's capacity (`limit` + 1 of them when there are more)."""
    return _sets(np.ascontiguousarray(problem.demand[1 + problem.m :]), problem.fleet.capacity, limit)


def two_echelon_answer(
    problem: TwoEchelonProblem,
    stop: StoppingCriterion,
    *,
    threads: int = 1,
    mip_gap: float = DEFAULT_MIP_GAP,
    seed: int = 0,
) -> Answer:
    """Solve by enumeration when it fits, else report the relaxation's bound."""
    if stop.max_seconds is None:
        raise ValueError("the exact solver stops by the clock: it needs a wall-clock limit")
    started = time.perf_counter()
    if problem.has_side_constraints:
        return Answer(
            "not_applicable",
            None,
            message="not applicable: the exact 2E-VRP model has no pickups, windows or route limit",
        )
    masks = van_sets(problem) if problem.n <= 62 else np.zeros(ENUMERATION_LIMIT + 1, dtype=np.int64)
    n_sets = len(masks)
    if n_sets > ENUMERATION_LIMIT:
        left = stop.max_seconds - (time.perf_counter() - started)
        return _bound_only(problem, left, threads, n_sets)
    m, n = problem.m, problem.n
    demand = problem.demand[1 + m :]
    bits = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    loads = bits.astype(float) @ demand
    arc = np.ascontiguousarray(problem.van_cost[1 + m :, 1 + m :])
    model = Columns()
    columns: list[tuple[int, np.ndarray]] = []  # (center, column index per set)
    for s in range(m):
        start = np.ascontiguousarray(problem.van_cost[1 + s, 1 + m :])
        end = np.ascontiguousarray(problem.van_cost[1 + m :, 1 + s])
        costs = _set_costs(masks, start, arc, end) + problem.fleet.fixed_cost + problem.handling[s] * loads
        first = len(model.cost)
        model.cost += costs.tolist()
        model.lower += [0.0] * len(masks)
        model.upper += [1.0] * len(masks)
        model.integer += [True] * len(masks)
        columns.append((s, np.arange(first, first + len(masks))))
    for i in range(n):
        having = np.flatnonzero(bits[:, i])
        idx = [int(c) for _, cols in columns for c in cols[having]]
        model.row(idx, [1.0] * len(idx), 1.0, 1.0)
    for s, cols in columns:
        model.row(cols.tolist(), [1.0] * len(cols), 0.0, float(problem.base_limits[s]))
    every = [int(c) for _, cols in columns for c in cols]
    least_vans = math.ceil(float(demand.sum()) / problem.fleet.capacity - 1e-9)
    model.row(every, [1.0] * len(every), float(least_vans), float(len(problem.vans)))
    truck = problem.truck
    shuttle = ShuttleModel.build(
        model,
        problem.truck_cost,
        list(range(1, m + 1)),
        capacity=math.inf if truck.capacity is None else truck.capacity,
        fixed_cost=truck.fixed_cost,
        trucks=problem.trucks,
        pickups=False,
        delivered={s + 1: (cols.tolist(), loads.tolist(), 0.0) for s, cols in columns},
        collected={},
        total_load=float(demand.sum()),
    )
    solved = _reduced_cost_search(
        model, columns, stop.max_seconds - (time.perf_counter() - started), threads, mip_gap, seed
    )
    params = {"formulation": "enumeration", "sets": int(n_sets), "columns_kept": solved.kept}
    bound = solved.bound if m <= WHOLE_SETS else None
    if solved.x is None:
        return Answer(solved.status, None, bound, params=params, message=solved.message)
    x = solved.x
    routes = []
    for s, cols in columns:
        for a in np.flatnonzero(x[cols] > 0.5):
            members = [int(i) for i in np.flatnonzero(bits[a])]
            start = problem.van_cost[1 + s, 1 + m :]
            end = problem.van_cost[1 + m :, 1 + s]
            routes.append((s, [i + 1 for i in cheapest_order(members, start, arc, end)]))
    trucks = [[(c - 1, d, p) for c, d, p in stops] for stops in shuttle.shuttles(x)]
    status = solved.status if bound is not None else "feasible"
    return Answer(status, problem.solution(routes, trucks), bound, params=params, message=solved.message)


@dataclass(frozen=True)
class _Solved:
    status: Status
    x: np.ndarray | None  # over the whole model's columns
    bound: float | None
    kept: int
    message: str


def _reduced_cost_search(
    model: Columns, columns: list[tuple[int, np.ndarray]], seconds: float, threads: int, mip_gap: float, seed: int
) -> _Solved:
    """The MIP by reduced-cost fixing: HiGHS' MIP presolve on all sets takes minutes
    (136,591 columns of Set2a_E-n22: nothing in 218 s), while the LP takes two seconds.

    1. The LP relaxation gives the bound LB and each van column's reduced cost rc.
    2. The MIP over the `PROBE` van columns of least rc gives an incumbent UB (if any).
    3. A column with rc > UB - LB is in no plan cheaper than UB (any plan using it costs
       at least LB + rc), so the MIP over the others, with UB, is exact: its bound B
       gives min(B, UB) for the whole model.
    """
    started = time.perf_counter()
    van = np.zeros(len(model.cost), dtype=bool)
    for _, cols in columns:
        van[cols] = True
    lp = model.highs(threads, relax=True)
    relaxed = run_highs(lp, mip=False, time_limit=max(seconds, 0.1), threads=threads)
    if relaxed.bound is None:
        return _Solved(relaxed.status, None, None, 0, relaxed.message)
    lower = relaxed.bound
    rc = np.asarray(lp.getSolution().col_dual)
    order = np.argsort(np.where(van, rc, -np.inf))
    best_x, upper = None, math.inf
    probe = ~van
    probe[order[: (~van).sum() + PROBE]] = True
    for keep in (probe, None):
        if keep is None:
            if not math.isfinite(upper):
                break
            keep = ~van | (rc <= upper - lower + 1e-7 * max(1.0, abs(upper)))
        left = seconds - (time.perf_counter() - started)
        if left <= 0:
            break
        sub, old = model.subset(keep)
        h = sub.highs(threads)
        outcome = run_highs(h, mip=True, time_limit=left, threads=threads, mip_gap=mip_gap, seed=seed)
        if outcome.incumbent is not None and outcome.incumbent < upper:
            upper = outcome.incumbent
            best_x = np.zeros(len(model.cost))
            best_x[old] = np.asarray(h.getSolution().col_value)
        if keep is not probe:
            bound = lower if outcome.bound is None else max(lower, min(outcome.bound, upper))
            proven = best_x is not None and bound >= upper - mip_gap * abs(upper) - 1e-9
            status: Status = "optimal" if proven else ("feasible" if best_x is not None else outcome.status)
            return _Solved(status, best_x, bound, int(keep.sum()), outcome.message)
    status = "feasible" if best_x is not None else "no_solution"
    return _Solved(status, best_x, lower, int(probe.sum()), "stopped before the fixed MIP")


def _bound_only(problem: TwoEchelonProblem, seconds: float, threads: int, n_sets: int) -> Answer:
    """The relaxation's bound (module docstring), no plan."""
    m = problem.m
    cost = problem.van_cost
    handling = problem.handling
    demand = problem.demand[1 + m :]
    out_leg = np.min(cost[1 : 1 + m, 1 + m :] + handling[:, None] * demand[None, :], axis=0)
    home_leg = np.min(cost[1 + m :, 1 : 1 + m], axis=1)
    fleet = problem.fleet
    van_bound, van_status = virtual_center_bound(
        out_leg,
        home_leg,
        cost[1 + m :, 1 + m :],
        demand,
        vans=len(problem.vans),
        capacity=fleet.capacity,
        fixed_cost=fleet.fixed_cost,
        seconds=seconds,
        threads=threads,
    )
    truck = problem.truck
    total = float(demand.sum())
    trips = 0 if total <= 0 else (1 if truck.capacity is None else math.ceil(total / truck.capacity - 1e-9))
    round_trip = float(np.min(problem.truck_cost[0, 1 : 1 + m] + problem.truck_cost[1 : 1 + m, 0]))
    params = {"formulation": "relaxation bound", "sets": int(n_sets), "van_bound_status": van_status}
    if van_bound is None:
        return Answer("no_solution", None, None, params=params, message="the relaxation reported no bound")
    bound = float(van_bound) + trips * (truck.fixed_cost + round_trip)
    counted = str(n_sets) if n_sets <= ENUMERATION_LIMIT else f"over {ENUMERATION_LIMIT:,}"
    message = f"{counted} van sets: a bound, no plan"
    return Answer("no_solution", None, bound, params=params, message=message)
