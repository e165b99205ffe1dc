"""Branch-and-price for the routing subproblem (issue 17): set partitioning over routes,
its LP solved by HiGHS, routes priced by ng-route labelling (`formulations.labelling`).

Master (restricted to the routes generated so far, lambda_r >= 0):

    min  sum_r c_r lambda_r                           c_r: fixed cost + arc costs of route r
    s.t. sum_r a_ir lambda_r = 1      (pi_i)          a_ir: visits of customer i by route r
         lo <= sum_r lambda_r <= hi   (mu)            the fleet, and the vehicles needed
         sum_r b_Sr lambda_r >= k(S)  (sigma_S)       rounded capacity cuts: b_Sr arcs of r
                                                      leaving S, k(S) = ceil(max(d(S), p(S)) / Q)
         sum_r h_Tr lambda_r <= 1     (rho_T)         subset-row cuts on three customers T
                                                      (Jepsen et al. 2008): h_Tr = floor(visits
                                                      of r in T / 2)

An artificial column per customer row, on the vehicles' lower side and per capacity cut (a
penalty above any solution's cost) keeps every LP feasible; a node whose converged LP
still uses one after the penalty was raised `ESCALATIONS` times is infeasible. The arc (i, j) costs c_ij - pi_j - mu
[i = 0] - sum sigma_S [i in S, j not in S] in pricing, and each second visit to a
cut's T adds -rho_T >= 0, so a route's reduced cost is the sum over its arcs and its
cuts' pairs. With exact pricing complete, z_LP + hi * min(0, least reduced
cost) is a valid (Lagrangian) lower bound at every iteration, and z_LP itself at
convergence.

Branching: on the number of vehicles when it is fractional, else on an arc (x_ij = 0
forbids it; x_ij = 1 forbids every other arc out of i and into j), chosen by strong
branching among the arcs nearest 0.5; best bound first. Arc flows integral make every
route used elementary and its lambda 1. Rounded capacity cuts are separated at the
root on the arc flows (`formulations.routing.separate_capacity_cuts`), subset-row cuts
once none is violated, and both are kept in the whole tree. When every arc costs a
multiple of 1, 0.1 or 0.01 (CVRPLIB, Solomon), so does every solution: bounds are raised to
that grid, which closes a node whose LP is within a step of the incumbent.

highspy directly, not Pyomo: the master is re-solved hundreds of times with a few
columns added each time, and HiGHS keeps its basis between runs (a warm start that a
model rebuilt through Pyomo would lose).
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np

from formulations.highs import quiet_highs, run_highs
from formulations.labelling import EXACT, HEURISTIC, KM, LOAD, MONO, PICKUPS, Q_ROUTES, TIME, price
from lastmile.result import Status
from lastmile.routing import RoutingProblem

#: Customers in each customer's ng-neighbourhood (itself included): 8 is the size
#: Baldacci, Mingozzi and Roberti (2011) found to balance bound and pricing time.
NG_SIZE = 8
#: Labels one pricing call may create in each direction (about 100 bytes each); past
#: it the pricing is incomplete and its least reduced cost is no bound.
MAX_LABELS = 2_000_000
#: Routes added to the master per pricing call.
COLUMNS_PER_PRICING = 100
#: At the root, a bound from pricing over q-routes at the first iteration and at every
#: multiple of this many: column generation may not converge within the limit.
Q_BOUND_EVERY = 10
#: Rounds of cuts at the root (capacity cuts, else subset-row cuts).
CUT_ROUNDS = 30
#: The GA's generations for the first columns and incumbent (a budget of work, so the
#: answer does not depend on the machine's speed while it is met), and the share of
#: the time limit it may take at most (the clock then stops it first).
HEURISTIC_GENERATIONS = 300
HEURISTIC_SHARE = 0.2
#: Share of what is left after the root that the integer master (an incumbent from
#: the columns at hand) may take.
INTEGER_MASTER_SHARE = 0.2
INTEGRAL = 1e-6
#: Subset-row cuts: at most this many in all (the labels' cut states fit one 64-bit
#: word), this many per round, and violated by more than this much to be added.
MAX_SUBSET_ROWS = 64
SUBSET_ROWS_PER_ROUND = 10
SUBSET_ROW_VIOLATION = 0.05
#: Customers whose triples are tried at most (`_violated_subset_rows`): enumeration
#: grows with their cube.
SUBSET_ROW_CUSTOMERS = 120
#: Arcs tried by strong branching (`_Search.branch`) at each node: each costs two
#: re-solves of the restricted master, milliseconds against a node's pricing.
STRONG_CANDIDATES = 8
#: How often, and by how much, the artificials' penalty is raised before an artificial
#: left in a converged LP is read as the node being infeasible.
ESCALATIONS = 2
ESCALATION = 1000.0


def warm(problem: RoutingProblem) -> None:
    """Compile (or load from numba's cache) the pricing kernel and the GA's kernels in
    this process, on a few of `problem`'s customers, once: a forked search then starts
    with them compiled instead of loading them again in every child (a second or more)."""
    global _WARM
    if _WARM:
        return
    from formulations.labelling import warm as warm_pricing

    warm_pricing()
    _heuristic_routes(replace(problem, customers=problem.customers[:3]), 0, 1.0, generations=1)
    _WARM = True


_WARM = False


def stronger(problem: RoutingProblem) -> bool:
    """Whether `formulation="auto"` takes branch-and-price over the flow model: for
    problems it applies to (`applicable`) without pickups. Measured at 1 s per region
    on the shipped instances' regions (all with pickups, a route limit, most with
    windows; forward-only pricing without subset-row cuts), the flow model proved all
    25 it shares with branch-and-price optimal and branch-and-price 14 (a pickup
    weakens dominance). In `benchmarks/branch_and_price.py` branch-and-price proved
    each of the 26 shipped CVRPLIB A, B, E and P instances of up to 50 customers, 21 within
    10 s (A-n32-k5 in 1.4 s) and A-n45-k7 last at 172 s, where the flow model proved
    one (B-n35-k5) of the 20 over 25 customers within 5 s."""
    return applicable(problem) and not problem.has_pickups


def applicable(problem: RoutingProblem) -> bool:
    """Every route constraint but the minimum load rate is a resource in pricing; a
    minimum load is not monotone along a route, so dominance would lose routes."""
    return problem.min_load_rate == 0


@dataclass(frozen=True)
class Outcome:
    """How the search ended: `status` (`optimal`, `feasible`, `infeasible`,
    `no_solution`), the best routes (customer indices), the best valid
    lower bound, the root's (its converged LP with cuts; if the root did not converge,
    the best bound found there), and what it took."""

    status: Status
    routes: list[list[int]] | None
    bound: float | None
    root_bound: float | None
    nodes: int
    columns: int
    cuts: int
    message: str


@dataclass(order=True)
class _Node:
    bound: float
    order: int
    forbidden: frozenset[tuple[int, int]] = field(compare=False)
    vehicles: tuple[float, float] = field(compare=False)


class _Data:
    """The problem as the arrays pricing takes, with ng-neighbourhoods."""

    def __init__(self, problem: RoutingProblem) -> None:
        n = problem.n
        fleet = problem.fleet
        self.n = n
        self.cost = np.asarray(problem.arc_cost, dtype=float).copy()
        self.fixed = float(fleet.fixed_cost)
        self.longest_arc = float(self.cost.max())
        self.cost[0, 1:] += fleet.fixed_cost
        self.capacity = float(fleet.capacity)
        # writable copies: numba compiles read-only arrays as other types
        self.demand = np.array(problem.demand, dtype=float)
        self.pickup = np.array(problem.pickup, dtype=float)
        self.km = np.array(problem.km, dtype=float)
        self.max_km = float(fleet.max_route_km) if fleet.max_route_km is not None else np.inf
        self.minutes = np.array(problem.minutes, dtype=float)
        if problem.windows is not None:
            self.early, self.late = (np.array(w, dtype=float) for w in problem.windows)
        else:
            self.early, self.late = np.zeros(n + 1), np.full(n + 1, np.inf)
        self.service = np.array(problem.service, dtype=float)
        needed = math.ceil(max(self.demand.sum(), self.pickup.sum()) / self.capacity - 1e-9)
        most = problem.fleet_size if problem.fleet_size is not None else n
        self.vehicles = (float(max(needed, 1)), float(most))
        # each customer is entered once and each route ends at the center, on arcs that
        # cost at least 0 (km), every vehicle paying its fixed cost: a bound before any LP
        arcs = np.asarray(problem.arc_cost, dtype=float)
        masked = arcs + np.diag(np.full(n + 1, np.inf))
        self.floor = float(
            masked[:, 1:].min(axis=0).sum() + self.vehicles[0] * (fleet.fixed_cost + masked[1:, 0].min())
        )
        self.unit = _cost_unit(self.cost)
        self.reach = from_center(self.minutes)
        self.legs = np.vstack([from_center(self.km), from_center(self.km.T)])
        self.critical, self.middle = self._split()
        words = (n + 1 + 63) // 64
        self.ng = np.zeros((n + 1, words), np.uint64)
        near = np.minimum(self.cost[1:, 1:], self.cost[1:, 1:].T)
        for j in range(1, n + 1):
            for k in np.argsort(near[j - 1], kind="stable")[:NG_SIZE] + 1:
                self.ng[j, k // 64] |= np.uint64(1) << np.uint64(k % 64)
            self.ng[j, j // 64] |= np.uint64(1) << np.uint64(j % 64)

    def _split(self) -> tuple[int, float]:
        """The resource that splits bidirectional pricing (`labelling.price`), and its
        middle, half its limit (Righini and Salani 2006): the clock when every customer
        has a window (half the latest close plus service), else the load when parcels
        are carried (split on the pickups when they outweigh the deliveries), else the
        km when limited; none when nothing limits. Measured on the
        pricing of the 30th iteration of R104's root: 0.7 s split on the clock, 13.0 s on
        the load, 13.3 s forward only; of A-n36-k5's first, 3.3 s on the load, forward
        only still running at 15 s."""
        customers = slice(1, None)
        if np.isfinite(self.late[customers]).all():
            return TIME, float((self.late + self.service)[customers].max()) / 2
        if np.maximum(self.demand, self.pickup)[customers].any() and np.isfinite(self.capacity):
            return (PICKUPS if self.pickup.sum() > self.demand.sum() else LOAD), self.capacity / 2
        if np.isfinite(self.max_km):
            return KM, self.max_km / 2
        return MONO, np.inf

    def round_up(self, bound: float) -> float:
        """`bound` raised to the next multiple of `unit`, which every route set's cost is
        (CVRPLIB's rounded distances, Solomon's truncated ones): still a lower bound.
        A tolerance (relative, at most a hundredth of a step) keeps an LP value a hair
        above a multiple from rising; the bound is never lowered."""
        if not self.unit or not math.isfinite(bound):
            return bound
        steps = bound / self.unit
        raised = math.ceil(steps - min(1e-6 * max(1.0, abs(steps)), 0.01)) * self.unit
        return max(bound, raised)

    def route_cost(self, route: list[int]) -> float:
        path = [0, *route, 0]
        return float(sum(self.cost[a, b] for a, b in pairwise(path)))


class _Master:
    """The restricted master LP in HiGHS, its columns' arcs kept for cuts and branching."""

    def __init__(self, data: _Data) -> None:

        self.data = data
        self.highs = h = quiet_highs(threads=1)
        h.setOptionValue("solver", "simplex")
        n = data.n
        #: Penalty per unit of an artificial column: above any solution's cost, so the
        #: LP uses one only where the columns at hand cannot meet a row; raised by
        #: `ESCALATION` before an artificial left at convergence is read as infeasibility.
        self.artificial = (n + 1) * (data.fixed + (n + 1) * data.longest_arc) + 1.0
        empty = np.array([], np.int32)
        h.addRows(n, np.ones(n), np.ones(n), 0, empty, empty, np.array([]))
        lo, hi = data.vehicles
        h.addRows(1, np.array([lo]), np.array([hi]), 0, empty, empty, np.array([]))
        self.artificials: list[int] = []  # column index of each row's artificial
        for row in range(n + 1):  # every customer row, and the vehicles' lower side
            self._add_artificial(row)
        self.columns: list[int] = []  # column index of each route
        self.routes: list[tuple[int, ...]] = []
        self.costs: list[float] = []
        self.seen: set[tuple[int, ...]] = set()
        self.tails: list[np.ndarray] = []
        self.heads: list[np.ndarray] = []
        self.cuts: list[np.ndarray] = []  # each capacity cut's customers, as a mask over the indices
        self.cut_rows: list[int] = []  # and its row
        self.subset_rows: list[np.ndarray] = []  # each subset-row cut's customers (indices)
        self.subset_row_rows: list[int] = []  # and its row
        #: each index's subset-row cuts as bits (cut s is bit s), for pricing
        self.rows_of = np.zeros(n + 1, np.uint64)
        self._arcs: tuple[np.ndarray, np.ndarray, np.ndarray] = (empty, empty, empty)  # `arcs`, cached
        self._arcs_of = 0  # for how many columns

    def _add_artificial(self, row: int) -> None:
        self.artificials.append(self.highs.getNumCol())
        one = np.array([row], np.int32)
        self.highs.addCol(self.artificial, 0.0, np.inf, 1, one, np.ones(1))

    def escalate(self) -> None:
        """Raise every artificial's penalty `ESCALATION`-fold."""
        self.artificial *= ESCALATION
        count = len(self.artificials)
        cols = np.array(self.artificials, np.int32)
        self.highs.changeColsCost(count, cols, np.full(count, self.artificial))

    def add(self, routes: list[tuple[int, ...]]) -> int:
        """Add the routes not yet in the master; how many were new."""
        n = self.data.n
        added = 0
        for route in routes:
            if route in self.seen or not route:
                continue
            self.seen.add(route)
            path = np.array([0, *route, 0])
            tail, head = path[:-1], path[1:]
            visits = np.bincount(np.array(route) - 1, minlength=n)
            index = np.nonzero(visits)[0]
            values = visits[index].astype(float)
            index = np.r_[index, n]
            values = np.r_[values, 1.0]
            for row, inside in zip(self.cut_rows, self.cuts, strict=True):
                crossing = _crossing(inside, tail, head)
                if crossing:
                    index, values = np.r_[index, row], np.r_[values, float(crossing)]
            for row, members in zip(self.subset_row_rows, self.subset_rows, strict=True):
                pairs = int(visits[members - 1].sum()) // 2
                if pairs:
                    index, values = np.r_[index, row], np.r_[values, float(pairs)]
            cost = self.data.route_cost(list(route))
            self.columns.append(self.highs.getNumCol())
            self.highs.addCol(cost, 0.0, np.inf, len(index), index.astype(np.int32), values)
            self.routes.append(route)
            self.costs.append(cost)
            self.tails.append(tail)
            self.heads.append(head)
            added += 1
        return added

    def add_cut(self, inside: np.ndarray, need: int) -> None:
        """The rounded capacity cut of the customers `inside`, with its own artificial."""
        crossing = np.array([_crossing(inside, t, h) for t, h in zip(self.tails, self.heads, strict=True)])
        columns = np.nonzero(crossing)[0]
        self.highs.addRow(
            float(need),
            np.inf,
            len(columns),
            np.array(self.columns, np.int64)[columns].astype(np.int32),
            crossing[columns].astype(float),
        )
        self.cuts.append(inside)
        self.cut_rows.append(self.highs.getNumRow() - 1)
        self._add_artificial(self.cut_rows[-1])

    def add_subset_row(self, members: np.ndarray) -> None:
        """The subset-row cut of three customers (Jepsen et al. 2008): the routes' pairs
        of visits among `members` sum to at most 1. No artificial: lambda = 0 meets it."""
        inside = np.zeros(self.data.n + 1, dtype=bool)
        inside[members] = True
        pairs = np.array([int(inside[list(route)].sum()) // 2 for route in self.routes])
        columns = np.nonzero(pairs)[0]
        self.highs.addRow(
            -np.inf,
            1.0,
            len(columns),
            np.array(self.columns, np.int64)[columns].astype(np.int32),
            pairs[columns].astype(float),
        )
        self.rows_of[members] |= np.uint64(1) << np.uint64(len(self.subset_rows))
        self.subset_rows.append(np.asarray(members))
        self.subset_row_rows.append(self.highs.getNumRow() - 1)

    def penalties(self, duals: np.ndarray) -> np.ndarray:
        """What each subset-row cut adds to a route's reduced cost per pair of visits
        among its customers: minus its row's dual (at most 0 on a <= row)."""
        penalty = np.zeros(MAX_SUBSET_ROWS)
        penalty[: len(self.subset_rows)] = np.maximum(0.0, -duals[self.subset_row_rows])
        return penalty

    def restrict(self, node: _Node) -> np.ndarray:
        """Bounds for `node`: columns using one of its forbidden arcs fixed at 0, its
        fleet bounds. Returns the forbidden arcs as an (n + 1) x (n + 1) mask."""
        banned = np.zeros((self.data.n + 1, self.data.n + 1), dtype=bool)
        for a, b in node.forbidden:
            banned[a, b] = True
        count = len(self.routes)
        if count:
            upper = np.full(count, np.inf)
            if node.forbidden:
                tails, heads, owners = self.arcs()
                upper[np.bincount(owners[banned[tails, heads]], minlength=count) > 0] = 0.0
            self.highs.changeColsBounds(count, np.array(self.columns, np.int32), np.zeros(count), upper)
        self.highs.changeRowBounds(self.data.n, *node.vehicles)
        return banned

    def arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every column's arcs at once: tails, heads and the route each belongs to."""
        if self._arcs_of != len(self.tails):  # columns only ever join
            lengths = [len(t) for t in self.tails]
            self._arcs = (
                np.concatenate(self.tails),
                np.concatenate(self.heads),
                np.repeat(np.arange(len(self.tails)), lengths),
            )
            self._arcs_of = len(self.tails)
        return self._arcs

    def solve(self) -> tuple[float, np.ndarray, np.ndarray, float] | None:
        """The LP's value, its routes' values, the row duals and the most any artificial
        carries; None unless HiGHS solved it to optimality (with every row's artificial,
        the LP always has a solution: anything else is a numerical failure)."""
        import highspy

        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = self.highs.getSolution()
        values = np.asarray(solution.col_value)
        artificial = float(values[self.artificials].max())
        value = self.highs.getInfo().objective_function_value
        return value, values[self.columns], np.asarray(solution.row_dual), artificial

    def reduced_costs(self, duals: np.ndarray, forbidden: np.ndarray) -> np.ndarray:
        """Reduced cost per arc for pricing (`inf` on forbidden arcs)."""
        n = self.data.n
        rc = self.data.cost.copy()
        rc[:, 1:] -= duals[:n][None, :]
        rc[0, :] -= duals[n]
        for row, inside in zip(self.cut_rows, self.cuts, strict=True):
            rc -= duals[row] * (inside[:, None] & ~inside[None, :])
        rc[forbidden] = np.inf
        np.fill_diagonal(rc, np.inf)
        return rc

    def arc_flows(self, values: np.ndarray) -> np.ndarray:
        """x per arc: the routes' values summed over the arcs they use."""
        x = np.zeros((self.data.n + 1, self.data.n + 1))
        used = np.nonzero(values > 0)[0]
        if len(used):
            tails = np.concatenate([self.tails[c] for c in used])
            heads = np.concatenate([self.heads[c] for c in used])
            np.add.at(x, (tails, heads), np.repeat(values[used], [len(self.tails[c]) for c in used]))
        return x


def _crossing(inside: np.ndarray, tail: np.ndarray, head: np.ndarray) -> int:
    """How many of a route's arcs (`tail`, `head`) leave the customers `inside`."""
    return int(np.sum(inside[tail] & ~inside[head]))


def _fleet_children(vehicles: float, node: _Node, bound: float, order: int) -> list[_Node]:
    """Two children of a node whose fleet size (`vehicles`) is fractional: at most its
    floor, at least its ceiling."""
    lo, hi = node.vehicles
    return [
        _Node(bound, order, node.forbidden, (lo, float(math.floor(vehicles)))),
        _Node(bound, order + 1, node.forbidden, (float(math.ceil(vehicles)), hi)),
    ]


def _arc_children(arc: tuple[int, int], size: int, node: _Node, bound: float, order: int) -> list[_Node]:
    """Two children on `arc` (of `size` indices): forbidden in one and forced in the other."""
    i, j = arc
    one = set(node.forbidden)
    if i != 0:
        one |= {(i, k) for k in range(size) if k != j}
    if j != 0:
        one |= {(k, j) for k in range(size) if k != i}
    return [
        _Node(bound, order, node.forbidden | {(i, j)}, node.vehicles),
        _Node(bound, order + 1, frozenset(one), node.vehicles),
    ]


def _candidates(x: np.ndarray, count: int) -> list[tuple[int, int]]:
    """The `count` fractional arcs whose fraction is nearest 0.5, nearest first (at
    least one when the flows are not integral)."""
    frac = np.abs(x - np.round(x))
    frac[frac <= INTEGRAL] = -np.inf
    nearest = np.argsort(-frac, axis=None, kind="stable")[:count]
    return [(int(a), int(b)) for a, b in zip(*np.unravel_index(nearest, x.shape), strict=True) if frac[a, b] > 0]


def _integral(x: np.ndarray) -> bool:
    return bool(np.all(np.abs(x - np.round(x)) <= INTEGRAL))


def _violated_subset_rows(routes: list[tuple[int, ...]], values: np.ndarray, n: int, most: int) -> list[np.ndarray]:
    """Up to `most` triples of customers whose subset-row cut the LP point violates by
    more than `SUBSET_ROW_VIOLATION`, the most violated first, each customer in at most
    one of them (cuts that share customers weaken dominance in pricing together).
    Every triple of customers on fractional routes is tried, of at most
    `SUBSET_ROW_CUSTOMERS` of them, those the fractional routes visit most (enumeration
    took 0.26 s on 100 customers with 120 random routes of ten in the LP)."""
    used = np.nonzero(values > INTEGRAL)[0]
    weight = values[used]
    visits = np.zeros((len(used), n + 1), np.int64)
    for row, c in enumerate(used):
        np.add.at(visits[row], list(routes[c]), 1)
    share = weight[weight < 1 - INTEGRAL] @ visits[weight < 1 - INTEGRAL]
    fractional = np.sort(np.argsort(-share, kind="stable")[: min(SUBSET_ROW_CUSTOMERS, int((share > 0).sum()))])
    found: list[tuple[float, tuple[int, int, int]]] = []
    for a, i in enumerate(fractional):
        for b in range(a + 1, len(fractional)):
            j = fractional[b]
            rest = fractional[b + 1 :]
            if not len(rest):
                continue
            pairs = (visits[:, [i]] + visits[:, [j]] + visits[:, rest]) // 2
            lhs = weight @ pairs
            for k in np.nonzero(lhs > 1 + SUBSET_ROW_VIOLATION)[0]:
                found.append((float(lhs[k]), (int(i), int(j), int(rest[k]))))
    chosen: list[np.ndarray] = []
    taken: set[int] = set()
    for _, triple in sorted(found, reverse=True):
        if len(chosen) == most:
            break
        if taken.isdisjoint(triple):
            chosen.append(np.array(triple))
            taken.update(triple)
    return chosen


def _cost_unit(cost: np.ndarray) -> float:
    """The largest of 1, 0.1 and 0.01 that every finite arc cost is a multiple of (0:
    none is), so that every route set's cost is one too."""
    values = cost[np.isfinite(cost)]
    for unit in (1.0, 0.1, 0.01):
        steps = values / unit
        if np.all(np.abs(steps - np.round(steps)) <= 1e-9 * np.maximum(1.0, np.abs(steps))):
            return unit
    return 0.0


def from_center(lengths: np.ndarray) -> np.ndarray:
    """The shortest way from the center (index 0) to each index over `lengths` (minutes
    or km; transposed, the way back), by any path: a lower bound on every route's
    arrival at, or km to and from, each index, where the tables need not be metric
    (rounded, measured); labelling and the flow model bound with it."""
    reach = lengths[0].copy()
    reach[0] = 0.0
    while True:
        shorter = np.minimum(reach, (reach[:, None] + lengths).min(axis=0))
        if np.array_equal(shorter, reach):
            return reach
        reach = shorter


def _single_feasible(data: _Data, j: int) -> bool:
    """Whether the route center - j - center meets every limit (walked by the compiled
    route walk the heuristics share)."""
    from heuristics.arrays import route_excess

    route = np.array([j], dtype=np.int64)
    excess = route_excess(
        route,
        1,
        data.cost,
        data.km,
        data.minutes,
        data.demand,
        data.pickup,
        data.early,
        data.late,
        data.service,
        data.capacity,
        data.max_km,
        0.0,
    )
    return not excess.any()


def _price(
    data: _Data, rc: np.ndarray, cuts: tuple[np.ndarray, np.ndarray], mode: int, deadline: float
) -> tuple[list[tuple[int, ...]], float, bool]:
    """`labelling.price` on `data` with the master's subset-row `cuts` (`rows_of` and
    penalties): its routes as tuples, the least reduced cost, complete."""
    visits, starts, least, complete = price(
        rc,
        data.demand,
        data.pickup,
        data.capacity,
        data.km,
        data.max_km,
        data.minutes,
        data.early,
        data.late,
        data.service,
        data.reach,
        data.legs,
        data.ng,
        *cuts,
        data.critical,
        data.middle,
        mode,
        MAX_LABELS,
        COLUMNS_PER_PRICING,
        deadline,
    )
    routes = [tuple(int(v) for v in visits[a:b]) for a, b in pairwise(starts)]
    return routes, float(least), bool(complete)


def _heuristic_routes(
    problem: RoutingProblem, seed: int, seconds: float, generations: int = HEURISTIC_GENERATIONS
) -> list[list[int]] | None:
    """The GA's routes (customer indices) on a small budget, or None if it found none."""
    from heuristics.ga import GA
    from lastmile.stop import FirstOf, MaxIterations, MaxRuntime

    stop = FirstOf((MaxIterations(generations), MaxRuntime(max(seconds, 0.01))))
    answer = GA()(problem, stop, seed)
    if answer.solution is None or answer.status not in ("optimal", "feasible"):
        return None
    position = {c: i + 1 for i, c in enumerate(problem.customers)}
    return [[position[s] for s in route.stops] for route in answer.solution.routes if route.stops]


class _Search:
    """One branch-and-price run (`branch_and_price`)."""

    def __init__(self, problem: RoutingProblem, time_limit: float, seed: int, mip_gap: float, improved) -> None:
        self.problem = problem
        self.deadline = time.perf_counter() + time_limit
        self.time_limit = time_limit
        self.seed = seed
        self.mip_gap = mip_gap
        self.improved = improved
        self.data = _Data(problem)
        self.master = _Master(self.data)
        self.best_routes: list[list[int]] | None = None
        self.best_cost = math.inf
        self.lower = self.data.floor  # the best valid lower bound told so far
        self.closed = math.inf  # the least bound of a node closed by the gap tolerance
        self.nodes = 0
        self.stopped = ""  # why the search stopped early: "time" or "stuck"

    def tell_bound(self, bound: float) -> None:
        """Report `bound` if it beats the last one: capped by the incumbent and by the
        nodes closed within the gap tolerance, it is a bound on the whole problem."""
        bound = self.data.round_up(bound)
        if math.isfinite(bound) and bound > self.lower + 1e-9:
            self.lower = bound
            self.improved(min(bound, self.best_cost, self.closed), self.best_routes, self.objective)

    @property
    def objective(self) -> float | None:
        return self.best_cost if self.best_routes is not None else None

    def incumbent(self, routes: list[list[int]]) -> None:
        cost = sum(self.data.route_cost(r) for r in routes)
        if cost < self.best_cost - 1e-9:
            self.best_routes, self.best_cost = [list(r) for r in routes], cost
            self.improved(min(self.lower, cost, self.closed), self.best_routes, cost)

    def gap_closed(self, bound: float) -> bool:
        bound = self.data.round_up(bound)
        return bound >= self.best_cost - max(1e-6, self.mip_gap * abs(self.best_cost))

    def generate(self, node: _Node, at_root: bool) -> tuple[str, float, np.ndarray | None]:
        """Column generation at `node`: ("done", its bound, the routes' values in the LP),
        or "closed" (its bound reaches the incumbent), "infeasible", "time" (the clock ran
        out) or "stuck" (pricing needed more than `MAX_LABELS` labels in a direction, or HiGHS failed)."""
        master = self.master
        banned = master.restrict(node)
        bound = node.bound
        iteration = escalations = 0
        while True:
            if time.perf_counter() > self.deadline:
                return "time", bound, None
            solved = master.solve()
            if solved is None:
                return "stuck", bound, None
            value, values, duals, artificial = solved
            rc = master.reduced_costs(duals, banned)
            cuts = (master.rows_of, master.penalties(duals))
            iteration += 1
            if at_root and (iteration == 1 or iteration % Q_BOUND_EVERY == 0):
                # a bound before column generation converges: q-routes are cheap to price
                _, least, complete = _price(self.data, rc, cuts, Q_ROUTES, self.deadline)
                if complete:
                    bound = max(bound, value + node.vehicles[1] * min(0.0, least))
                    self.tell_bound(bound)
            columns, _, _ = _price(self.data, rc, cuts, HEURISTIC, self.deadline)
            if master.add(columns):
                continue
            columns, least, complete = _price(self.data, rc, cuts, EXACT, self.deadline)
            if complete:
                bound = max(bound, value + node.vehicles[1] * min(0.0, least))
                if at_root:
                    self.tell_bound(bound)
                if self.gap_closed(bound):
                    return "closed", bound, None
            if master.add(columns):
                continue
            if not complete:  # pricing stopped early: this LP proves nothing more
                return ("time" if time.perf_counter() > self.deadline else "stuck"), bound, None
            if artificial > INTEGRAL:  # converged on an artificial: infeasible, or the penalty too low
                if escalations == ESCALATIONS:
                    return "infeasible", bound, None
                master.escalate()
                escalations += 1
                continue
            return "done", bound, values

    def root_node(self, bound: float) -> _Node:
        """The whole problem as a node of the tree, with a known `bound`."""
        return _Node(bound, 0, frozenset(), self.data.vehicles)

    def root(self) -> tuple[str, float, np.ndarray | None]:
        """The root: column generation, then rounds of cuts (capacity cuts while the LP
        violates one, then subset-row cuts), then the integer master."""
        node = self.root_node(self.data.floor)
        state, bound, values = self.generate(node, at_root=True)
        for _ in range(CUT_ROUNDS):
            if state != "done":
                break
            self.tell_bound(bound)
            if not self.add_cuts(values):
                break
            cut_state, cut_bound, cut_values = self.generate(self.root_node(bound), True)
            if cut_state != "done":
                state, bound = cut_state, max(bound, cut_bound)
                break
            bound, values = max(bound, cut_bound), cut_values
        if state == "done":
            self.tell_bound(bound)
            self.integer_master()
        return state, bound, values

    def add_cuts(self, values: np.ndarray) -> int:
        """Cuts the master's LP point (`values`, its routes') violates: rounded capacity
        cuts if any, else subset-row cuts. Returns how many were added."""
        from formulations.routing import separate_capacity_cuts

        master = self.master
        found = separate_capacity_cuts(self.problem, master.arc_flows(values))
        for subset in found:
            inside = np.zeros(self.data.n + 1, dtype=bool)
            inside[list(subset)] = True
            d, p = self.data.demand[inside].sum(), self.data.pickup[inside].sum()
            master.add_cut(inside, math.ceil(max(d, p) / self.data.capacity - 1e-9))
        if found:
            return len(found)
        room = min(SUBSET_ROWS_PER_ROUND, MAX_SUBSET_ROWS - len(master.subset_rows))
        triples = _violated_subset_rows(master.routes, values, self.data.n, room) if room > 0 else []
        for members in triples:
            master.add_subset_row(members)
        return len(triples)

    def integer_master(self) -> None:
        """An incumbent from the columns at hand: the master with integral lambda over
        its elementary routes, on a share of the time left."""
        master = self.master
        keep = [c for c, route in enumerate(master.routes) if len(set(route)) == len(route)]
        left = (self.deadline - time.perf_counter()) * INTEGER_MASTER_SHARE
        if not keep or left <= 0.01:
            return
        n = self.data.n
        h = quiet_highs()
        lo, hi = self.data.vehicles
        lower = np.r_[np.ones(n), lo]
        upper = np.r_[np.ones(n), hi]
        empty = np.array([], np.int32)
        h.addRows(n + 1, lower, upper, 0, empty, empty, np.array([]))
        for c in keep:
            rows = np.r_[np.array(master.routes[c]) - 1, n].astype(np.int32)
            h.addCol(master.costs[c], 0.0, 1.0, len(rows), rows, np.ones(len(rows)))
        h.changeColsIntegrality(len(keep), np.arange(len(keep), dtype=np.int32), np.ones(len(keep), np.uint8))
        # HiGHS' own default gap (1e-4): any incumbent will do here
        outcome = run_highs(h, mip=True, time_limit=left, threads=1, mip_gap=1e-4, seed=self.seed)
        if outcome.status in ("optimal", "feasible"):
            values = np.asarray(h.getSolution().col_value)
            self.incumbent([list(master.routes[keep[k]]) for k in np.nonzero(values > 0.5)[0]])

    def branch(self, x: np.ndarray, node: _Node, bound: float, order: int) -> list[_Node]:
        """The children of a fractional `node`: on the fleet size when it is fractional
        (`_fleet_children`), else on an arc (`_arc_children`). Between arcs, strong
        branching on the restricted master: each of the `STRONG_CANDIDATES` arcs
        nearest 0.5 is forbidden and forced in turn, the master's LP re-solved over the
        columns at hand (no pricing: an estimate of the children's bounds, not a bound),
        and the arc whose weaker child rises most is taken. A child the columns at hand
        cannot cover scores with its artificials' penalty: high, as a child that pricing
        may well find infeasible."""
        vehicles = float(x[0].sum())
        if abs(vehicles - round(vehicles)) > INTEGRAL:
            return _fleet_children(vehicles, node, bound, order)
        candidates = _candidates(x, STRONG_CANDIDATES)  # not empty: the flows are not integral
        if len(candidates) == 1:
            return _arc_children(candidates[0], x.shape[0], node, bound, order)
        best, chosen = -math.inf, candidates[0]
        for arc in candidates:
            if time.perf_counter() > self.deadline:
                break
            weaker = math.inf
            for child in _arc_children(arc, x.shape[0], node, bound, order):
                self.master.restrict(child)
                solved = self.master.solve()
                weaker = min(weaker, solved[0] if solved is not None else bound)
            if weaker > best + 1e-9:
                best, chosen = weaker, arc
        return _arc_children(chosen, x.shape[0], node, bound, order)

    def settle(self, values: np.ndarray) -> np.ndarray | None:
        """The arc flows of a converged LP, or None when they are integral (their routes
        then became a candidate incumbent)."""
        from formulations.routing import routes_from_arcs

        x = self.master.arc_flows(values)
        if _integral(x):
            self.incumbent(routes_from_arcs(self.problem, np.round(x)))
            return None
        return x

    def run(self) -> Outcome:
        lo, hi = self.data.vehicles
        if lo > hi:  # more vehicles needed for the parcels than the fleet has
            message = f"{lo:.0f} vehicles needed, {hi:.0f} available"
            return Outcome("infeasible", None, None, None, nodes=0, columns=0, cuts=0, message=message)
        self.improved(self.lower, None, None)
        start = _heuristic_routes(self.problem, self.seed, HEURISTIC_SHARE * self.time_limit)
        if start is not None:
            self.master.add([tuple(r) for r in start])
            self.incumbent(start)
        self.master.add([(j,) for j in range(1, self.data.n + 1) if _single_feasible(self.data, j)])
        state, bound, values = self.root()
        self.nodes = 1
        root_bound = bound if math.isfinite(bound) else None
        queue: list[_Node] = []
        order = 0
        interrupted: float | None = None  # the bound of the node the search stopped in
        if state in ("time", "stuck"):
            self.stopped = state
            interrupted = bound
        elif state == "closed":
            self.closed = min(self.closed, self.data.round_up(bound))
        elif state == "done":
            x = self.settle(values)
            if x is not None and not self.gap_closed(bound):
                queue.extend(self.branch(x, self.root_node(bound), bound, order))
                order += 2
            elif x is not None:
                self.closed = min(self.closed, self.data.round_up(bound))
        while queue:
            node = heapq.heappop(queue)
            if self.gap_closed(node.bound):
                self.closed = min(self.closed, self.data.round_up(node.bound))
                continue
            self.tell_bound(node.bound)
            self.nodes += 1
            state, bound, values = self.generate(node, at_root=False)
            if state in ("time", "stuck"):
                interrupted = bound
                self.stopped = state
                break
            if state == "closed" or (state == "done" and self.gap_closed(bound)):
                self.closed = min(self.closed, self.data.round_up(bound))
                continue
            if state != "done":
                continue
            x = self.settle(values)
            if x is not None:
                for child in self.branch(x, node, bound, order):
                    heapq.heappush(queue, child)
                order += 2
        return self.outcome(queue, interrupted, root_bound)

    def outcome(self, queue: list[_Node], interrupted: float | None, root_bound: float | None) -> Outcome:
        stats = {
            "root_bound": root_bound,
            "nodes": self.nodes,
            "columns": len(self.master.routes),
            "cuts": len(self.master.cuts) + len(self.master.subset_rows),
        }
        if interrupted is None:
            if self.best_routes is None:
                return Outcome("infeasible", None, None, message="no route set meets every limit", **stats)
            bound = min(self.best_cost, self.closed)
            return Outcome("optimal", self.best_routes, bound, message="optimal", **stats)
        open_bounds = [b for b in [*(q.bound for q in queue), interrupted] if math.isfinite(b)]
        lower = min(open_bounds) if open_bounds and len(open_bounds) == len(queue) + 1 else None
        if lower is not None:
            lower = min(self.data.round_up(lower), self.closed, self.best_cost)
        why = "the time limit" if self.stopped == "time" else f"pricing past {MAX_LABELS:,} labels"
        message = f"{why} stopped the search with {len(queue) + 1} nodes open"
        status = "feasible" if self.best_routes is not None else "no_solution"
        return Outcome(status, self.best_routes, lower, message=message, **stats)


def branch_and_price(
    problem: RoutingProblem,
    *,
    time_limit: float,
    seed: int,
    mip_gap: float,
    improved: Callable[[float | None, list[list[int]] | None, float | None], None],
) -> Outcome:
    """Solve `problem` within `time_limit` seconds (the module's docstring);
    `improved(bound, routes, objective)` is told each better bound or incumbent."""
    if not applicable(problem):
        raise ValueError("branch-and-price needs a problem without a minimum load rate")
    if problem.n == 0:
        return Outcome("optimal", [], 0.0, 0.0, nodes=0, columns=0, cuts=0, message="no customers")
    return _Search(problem, time_limit, seed, mip_gap, improved).run()
