"""The first echelon: trucks from a hub through centers whose loads are given, split
deliveries allowed (the 2E-VRP's first level; the `hub` line-haul design's shuttles).

Truck routes are enumerated: every set of at most `max_stops` centers, in its cheapest
order (Held-Karp over the sets) and, where centers send parcels back, in the reverse
order too. With `y_t` trucks on route t and `q_ts`, `r_ts` the parcels they leave at and
take from center s (Dror and Trudeau's split deliveries; loads shared equally among a
route's trucks, which the constraints allow since they are homogeneous):

    min  sum_t (F + c_t) y_t
    s.t. sum_t q_ts = d_s,  sum_t r_ts = p_s                  every center s
         sum_{i > j} q_{t,s_i} + sum_{i <= j} r_{t,s_i} <= Q y_t   every route t, stop j = 0..k
         sum_t y_t <= K,  y integer

Every truck plan is a set of such routes, so with every set enumerated (`max_stops` at
least the number of centers with a load) and no pickups the model is exact; with
pickups an order other than the two tried may be needed (a restriction, said in the
answer). `ShuttleModel` adds these columns and rows to a model that holds other parts
(the two-echelon model ties `d_s` to its van routes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from formulations.highs import DEFAULT_MIP_GAP, quiet_highs, run_highs

#: Sets of centers enumerated whole up to this many centers; past it, routes of at most
#: `LARGE_MAX_STOPS` centers (2^m sets grow past what a MIP takes in a second).
WHOLE_SETS = 10
LARGE_MAX_STOPS = 3
EPS = 1e-9


def truck_routes(cost: np.ndarray, stops: Sequence[int], max_stops: int) -> list[tuple[tuple[int, ...], float]]:
    """Each set of at most `max_stops` of `stops` (indices into `cost`, 0 = the hub) in
    its cheapest closed order from the hub, with that order's cost."""
    m = len(stops)
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for k in range(m):
        best[(1 << k, k)] = (float(cost[0, stops[k]]), -1)
    masks = sorted({mask for mask, _ in best})
    layer = masks
    for _ in range(1, max_stops):
        grown: set[int] = set()
        for mask in layer:
            for last in range(m):
                if (mask, last) not in best:
                    continue
                here, _ = best[(mask, last)]
                for k in range(m):
                    if mask >> k & 1:
                        continue
                    key = (mask | 1 << k, k)
                    value = here + float(cost[stops[last], stops[k]])
                    if key not in best or value < best[key][0] - EPS:
                        best[key] = (value, last)
                    grown.add(mask | 1 << k)
        layer = sorted(grown)
        masks += layer
    out = []
    for mask in masks:
        ends = [(best[(mask, k)][0] + float(cost[stops[k], 0]), k) for k in range(m) if (mask, k) in best]
        total, last = min(ends)
        order = []
        while last >= 0:
            order.append(last)
            mask_prev = mask ^ (1 << last)
            _, prev = best[(mask, last)]
            mask, last = mask_prev, prev
        out.append((tuple(stops[k] for k in reversed(order)), total))
    return out


@dataclass
class Columns:
    """A MIP held as plain arrays until it is passed to HiGHS: columns (cost, bounds,
    integrality) and rows as sparse lists."""

    cost: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[tuple[list[int], list[float], float, float]] = field(default_factory=list)

    def add(self, cost: float, lower: float = 0.0, upper: float = math.inf, integer: bool = False) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, index: list[int], value: list[float], lower: float, upper: float) -> None:
        self.rows.append((index, value, lower, upper))

    def subset(self, keep: np.ndarray) -> tuple[Columns, np.ndarray]:
        """The model over the columns `keep` (a boolean mask; rows lose the others'
        entries), and the old index of each new column."""
        old = np.flatnonzero(keep)
        new_of = np.full(len(self.cost), -1)
        new_of[old] = np.arange(len(old))
        out = Columns(
            [self.cost[k] for k in old],
            [self.lower[k] for k in old],
            [self.upper[k] for k in old],
            [self.integer[k] for k in old],
        )
        for idx, val, lo, hi in self.rows:
            pairs = [(int(new_of[i]), v) for i, v in zip(idx, val, strict=True) if new_of[i] >= 0]
            out.row([i for i, _ in pairs], [v for _, v in pairs], lo, hi)
        return out, old

    def highs(self, threads: int = 1, *, relax: bool = False):
        """A highspy model of these columns and rows (`relax`: no integrality)."""
        import highspy

        h = quiet_highs(threads)
        n = len(self.cost)
        inf = highspy.kHighsInf
        h.addVars(n, np.array([max(v, -inf) for v in self.lower]), np.array([min(v, inf) for v in self.upper]))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(self.cost, dtype=float))
        ints = np.flatnonzero(self.integer).astype(np.int32)
        if len(ints) and not relax:
            h.changeColsIntegrality(len(ints), ints, np.array([highspy.HighsVarType.kInteger] * len(ints)))
        if self.rows:
            starts, index, value, lower, upper = [], [], [], [], []
            for idx, val, lo, hi in self.rows:
                starts.append(len(index))
                index += idx
                value += val
                lower.append(max(lo, -inf))
                upper.append(min(hi, inf))
            h.addRows(
                len(self.rows),
                np.array(lower, dtype=float),
                np.array(upper, dtype=float),
                len(index),
                np.array(starts, dtype=np.int32),
                np.array(index, dtype=np.int32),
                np.array(value, dtype=float),
            )
        return h


@dataclass
class ShuttleModel:
    """The first echelon's columns and rows in `model`; `load_terms[s]` / `back_terms[s]`
    hold the (column, coefficient) pairs that give center s's delivered and collected
    parcels (constants go to `load_const` / `back_const`)."""

    routes: list[tuple[tuple[int, ...], float]]
    trucks: list[int]
    loads: list[dict[int, int]]  # per route, center -> its q column
    backs: list[dict[int, int]]  # per route, center -> its r column

    @classmethod
    def build(
        cls,
        model: Columns,
        cost: np.ndarray,
        centers: Sequence[int],
        *,
        capacity: float,
        fixed_cost: float,
        trucks: int,
        pickups: bool,
        delivered: dict[int, tuple[list[int], list[float], float]],
        collected: dict[int, tuple[list[int], list[float], float]],
        max_stops: int | None = None,
        total_load: float = 0.0,
    ) -> ShuttleModel:
        """`delivered[s]` = (columns, coefficients, constant) giving center s's load;
        `total_load`, what all centers receive together when the caller knows it."""
        stops = max_stops or (len(centers) if len(centers) <= WHOLE_SETS else LARGE_MAX_STOPS)
        routes = truck_routes(cost, list(centers), stops)
        if pickups:
            routes += [(tuple(reversed(order)), c) for order, c in routes if len(order) > 2]
        y, q, r = [], [], []
        for order, c in routes:
            yt = model.add(fixed_cost + c, integer=True, upper=trucks)
            y.append(yt)
            q.append({s: model.add(0.0) for s in order})
            r.append({s: model.add(0.0) for s in order} if pickups else {})
            for j in range(len(order) + 1):
                idx = [q[-1][s] for s in order[j:]] + ([r[-1][s] for s in order[:j]] if pickups else [])
                if idx:
                    model.row([*idx, yt], [1.0] * len(idx) + [-capacity], -math.inf, 0.0)
        # At least ceil(D / Q) trucks when every load is known (the LP otherwise runs
        # fractions of one): a valid cut that closes most of the relaxation's gap.
        known = sum(terms[s][2] for terms in (delivered,) for s in centers if s in terms and not terms[s][0])
        fixed = all(s in delivered and not delivered[s][0] for s in centers)
        least = math.ceil(total_load / capacity - 1e-9) if total_load and math.isfinite(capacity) else 0
        least = max(least, math.ceil(known / capacity - 1e-9) if fixed and math.isfinite(capacity) else 0)
        model.row(y, [1.0] * len(y), float(least), float(trucks))
        for s in centers:
            for terms, columns in ((delivered, q), (collected, r)):
                if s not in terms:
                    continue
                idx, val, const = terms[s]
                mine = [cols[s] for cols in columns if s in cols]
                model.row([*mine, *idx], [1.0] * len(mine) + [-v for v in val], const, const)
        return cls(routes, y, q, r)

    def shuttles(self, x: np.ndarray) -> list[list[tuple[int, float, float]]]:
        """The trucks of a solved model as [(center, delivered, collected), ...] each."""
        out = []
        for t, (order, _) in enumerate(self.routes):
            count = round(float(x[self.trucks[t]]))
            stops = []
            for s in order:
                left = max(float(x[self.loads[t][s]]), 0.0) / max(count, 1)
                taken = max(float(x[self.backs[t][s]]), 0.0) / max(count, 1) if self.backs[t] else 0.0
                if left > EPS or taken > EPS:
                    stops.append((s, left, taken))
            out += [list(stops) for _ in range(count) if stops]
        return out


@dataclass(frozen=True)
class FirstEchelon:
    """A solved first echelon: trucks as [(center, delivered, collected), ...], their cost
    (fixed and arc costs), HiGHS' bound, its status and whether the routes enumerated
    make the model exact."""

    shuttles: list[list[tuple[int, float, float]]]
    cost: float
    bound: float | None
    status: str
    exact: bool


def solve_first_echelon(
    cost: np.ndarray,
    delivered: Sequence[float],
    collected: Sequence[float],
    *,
    capacity: float,
    fixed_cost: float,
    trucks: int,
    time_limit: float = 10.0,
    threads: int = 1,
    mip_gap: float = DEFAULT_MIP_GAP,
    max_stops: int | None = None,
) -> FirstEchelon:
    """Trucks from index 0 through the centers 1..m of `cost` with these loads (routes
    of at most `max_stops` centers: None, every set up to `WHOLE_SETS` centers)."""
    centers = [s for s in range(1, len(delivered) + 1) if delivered[s - 1] > EPS or collected[s - 1] > EPS]
    if not centers:
        return FirstEchelon([], 0.0, 0.0, "optimal", True)
    pickups = any(collected[s - 1] > EPS for s in centers)
    model = Columns()
    shuttle = ShuttleModel.build(
        model,
        cost,
        centers,
        capacity=capacity,
        fixed_cost=fixed_cost,
        trucks=trucks,
        pickups=pickups,
        delivered={s: ([], [], float(delivered[s - 1])) for s in centers},
        collected={s: ([], [], float(collected[s - 1])) for s in centers} if pickups else {},
        max_stops=max_stops,
        total_load=float(sum(delivered)),
    )
    highs = model.highs(threads)
    outcome = run_highs(highs, mip=True, time_limit=time_limit, threads=threads, mip_gap=mip_gap)
    exact = not pickups and len(centers) <= WHOLE_SETS and (max_stops is None or max_stops >= len(centers))
    if outcome.incumbent is None:
        return FirstEchelon([], math.inf, outcome.bound if exact else None, outcome.status, exact)
    x = np.asarray(highs.getSolution().col_value)
    return FirstEchelon(shuttle.shuttles(x), outcome.incumbent, outcome.bound if exact else None, outcome.status, exact)
