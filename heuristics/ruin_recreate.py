"""Two-echelon routing by ruin and recreate (issue 31): the `ga` solver's two-echelon form.

The vans of every center are searched at once, so a customer moves between centers as
freely as between routes. One iteration (Christiaens and Vanden Berghe 2020, SISR):

- **ruin**: strings of consecutive customers cut out of the routes near a random seed
  customer (adjacent string removal, `MEAN_REMOVED` customers on average, strings of at
  most `MAX_STRING`); now and then (`CLOSE_SHARE` of iterations) every customer of one
  used center, which the recreate may not use again this iteration (closing a center);
- **recreate**: the removed customers, in random, largest-first, farthest-first or
  nearest-first order, each at its cheapest place (skipping a place with probability
  `BLINK`): a route with room, or a new route at a center with a van to spare; a place's
  price is its arc cost, the center's handling of the parcels and their share of a
  truck's round trip from the hub (`truck_share`);
- **acceptance**: simulated annealing on the whole cost, trucks included, its
  temperature falling geometrically from `START_TEMPERATURE` to `END_TEMPERATURE` times
  the first plan's cost per customer as the budget runs out (on the clock, or over the
  iteration budget, `COOLING_ITERATIONS` without one). Of three schedules tried at 10 s
  on Set2a E-n33-k4-s1-9, Set2b E-n51-k5-s4-46, Set3 E-n51-k5-s12-18 and Set5 100-5-1
  (one seed), 0.4 to 0.004 gave the lowest total (3557.5, against 3598.1 from 0.1 to
  0.001 and 3574.2 from 1 to 0.01).

Each better plan found has every center's routes improved by the GA's local search
(`heuristics.education.improve_routes`, its relocate, swap, 2-opt, 2-opt* and SWAP*
moves), so the search shares the project's second-echelon machinery. The first plan is
every customer at its cheapest center, in order of angle, cut by the GA's Split (the rest
inserted by the recreate); where that leaves a customer nowhere to go, the recreate from
no routes, largest first, then in random orders; failing that (a fleet too tight for
greedy packing), the assignment search's regret-based starts take over.

**Trucks.** Their cost depends only on what each center's vans carry. During the
search it comes from `TruckPlanner`: each center's full truckloads as direct round
trips, the rest partitioned exactly over trucks by a dynamic program over sets of
centers, each set in its cheapest order (Held-Karp): a plan, so an upper bound on the
first echelon's optimum, exact when loads need not be split across trucks. The best
plan's trucks are then solved by the first-echelon model (`formulations.first_echelon`,
split loads) within `FINAL_TRUCK_SECONDS`, and the cheaper of the two kept. Problems with
time windows, pickups or a route limit go to the assignment search
(`heuristics.two_echelon.TwoEchelonSearch`) instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba
import numpy as np

from formulations.first_echelon import solve_first_echelon
from heuristics.arrays import ProblemArrays
from heuristics.education import HARD_WEIGHT, improve_routes, measure, split_tour
from lastmile.routing import RoutingProblem
from lastmile.solve import Answer
from lastmile.stop import Search, StoppingCriterion
from lastmile.two_echelon import TwoEchelonProblem

MEAN_REMOVED = 10
MAX_STRING = 10
BLINK = 0.01
CLOSE_SHARE = 0.02
START_TEMPERATURE = 0.4
END_TEMPERATURE = 0.004
#: The first-echelon model's time for the best plan's trucks (split loads).
FINAL_TRUCK_SECONDS = 10.0
#: Random orders the first plan tries after largest-first before the assignment search takes over.
FIRST_ATTEMPTS = 20
#: Centers up to which the first-echelon model is quick (module docstring's measure).
QUICK_TRUCK_CENTERS = 4
#: Centers up to which the trucks' plans are partitioned exactly over sets (3^m sets of sets).
MAX_CENTERS = 12
#: Iterations the temperature takes to fall when the run has no clock (an iteration budget).
COOLING_ITERATIONS = 20_000


def truck_share(problem: TwoEchelonProblem) -> np.ndarray:
    """Per center (0..m-1), a truck's round trip from the hub (fixed cost included)
    shared per parcel of a full truck; 0 for an uncapacitated truck."""
    m = problem.m
    if problem.truck.capacity is None:
        return np.zeros(m)
    trip = problem.truck_cost[0, 1 : 1 + m] + problem.truck_cost[1 : 1 + m, 0] + problem.truck.fixed_cost
    return trip / problem.truck.capacity


@numba.njit(cache=True)
def _tours(cost: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest closed tour from the hub (index 0) through each set of centers
    (1..m), by set bitmask (Held-Karp), and the table of its paths (cost of reaching
    each set ending at each center)."""
    size = 1 << m
    best = np.full((size, m), np.inf)
    for k in range(m):
        best[1 << k, k] = cost[0, 1 + k]
    for mask in range(1, size):
        for last in range(m):
            here = best[mask, last]
            if not np.isfinite(here):
                continue
            for k in range(m):
                if mask >> k & 1:
                    continue
                value = here + cost[1 + last, 1 + k]
                if value < best[mask | 1 << k, k]:
                    best[mask | 1 << k, k] = value
    out = np.full(size, np.inf)
    out[0] = 0.0
    for mask in range(1, size):
        for last in range(m):
            if mask >> last & 1:
                value = best[mask, last] + cost[1 + last, 0]
                if value < out[mask]:
                    out[mask] = value
    return out, best


def _order(paths: np.ndarray, cost: np.ndarray, mask: int) -> list[int]:
    """The centers of set `mask` (0..m-1) in their cheapest closed order from the hub."""
    m = paths.shape[1]
    members = [k for k in range(m) if mask >> k & 1]
    last = min(members, key=lambda k: paths[mask, k] + cost[1 + k, 0])
    order = [last]
    while mask != 1 << last:
        rest = mask ^ (1 << last)
        prev = min(
            (k for k in range(m) if rest >> k & 1),
            key=lambda k: abs(paths[rest, k] + cost[1 + k, 1 + last] - paths[mask, last]),
        )
        mask, last = rest, prev
        order.append(last)
    return order[::-1]


@numba.njit(cache=True)
def _partition(tours: np.ndarray, rest: np.ndarray, capacity: float, fixed: float) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest split of the centers with a load in `rest` into trucks of
    `capacity` (each the cheapest tour of its set plus `fixed`): per set, its least cost
    and the set its first truck takes."""
    m = len(rest)
    full = 0
    for k in range(m):
        if rest[k] > 0:
            full |= 1 << k
    size = 1 << m
    value = np.full(size, np.inf)
    first = np.zeros(size, dtype=np.int64)
    load = np.zeros(size)
    for mask in range(1, size):
        low = mask & -mask
        k = 0
        while (low >> k) != 1:
            k += 1
        load[mask] = load[mask ^ low] + rest[k]
    value[0] = 0.0
    mask = full
    # every subset of `full`, in increasing order, so a set's parts come before it
    sub = 0
    while True:
        sub = (sub - full) & full
        if sub == 0:
            break
        low = sub & -sub
        part = sub
        while part > 0:
            if part & low and load[part] <= capacity + 1e-9:
                candidate = fixed + tours[part] + value[sub ^ part]
                if candidate < value[sub]:
                    value[sub] = candidate
                    first[sub] = part
            part = (part - 1) & sub
    return value, first


@dataclass
class TruckPlanner:
    """The trucks' cost for the loads the vans leave at each center (module docstring)."""

    problem: TwoEchelonProblem
    tours: np.ndarray = field(init=False)
    paths: np.ndarray = field(init=False)
    cache: dict[tuple[float, ...], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        m = self.problem.m
        self.tours, self.paths = _tours(np.ascontiguousarray(self.problem.truck_cost[: 1 + m, : 1 + m]), m)

    def cost(self, loads: np.ndarray) -> float:
        key = tuple(np.round(loads, 6))
        if key not in self.cache:
            self.cache[key] = self._plan(loads)[0]
        return self.cache[key]

    def _plan(self, loads: np.ndarray) -> tuple[float, list[list[tuple[int, float, float]]]]:
        problem = self.problem
        truck = problem.truck
        capacity = math.inf if truck.capacity is None else float(truck.capacity)
        cost = problem.truck_cost
        total, plan = 0.0, []
        rest = np.array(loads, dtype=float)
        if math.isfinite(capacity):
            for s in range(problem.m):
                while rest[s] > capacity + 1e-9:
                    total += truck.fixed_cost + cost[0, 1 + s] + cost[1 + s, 0]
                    plan.append([(s, capacity, 0.0)])
                    rest[s] -= capacity
        value, first = _partition(self.tours, rest, capacity if math.isfinite(capacity) else 1e300, truck.fixed_cost)
        mask = sum(1 << s for s in range(problem.m) if rest[s] > 0)
        total += float(value[mask])
        while mask:
            part = int(first[mask])
            plan.append([(s, float(rest[s]), 0.0) for s in _order(self.paths, cost, part)])
            mask ^= part
        if len(plan) > problem.trucks:
            return math.inf, []
        return total, plan

    def plan(self, loads: np.ndarray) -> tuple[float, list[list[tuple[int, float, float]]]]:
        """The trucks for `loads`, each truck's centers in its cheapest order."""
        return self._plan(loads)


@dataclass
class _State:
    """Van routes in slots (one per van): `table[k, :length[k]]` the customers of slot k
    as problem indices (m+1..m+n), `center[k]` its center (0..m-1, -1 for a free slot),
    its load and cost; `slot[c]` the slot of customer index c; `total` with trucks."""

    table: np.ndarray
    length: np.ndarray
    center: np.ndarray
    load: np.ndarray
    cost: np.ndarray
    slot: np.ndarray
    total: float = math.inf

    @classmethod
    def empty(cls, vans: int, size: int) -> _State:
        return cls(
            np.zeros((vans, size), dtype=np.int64),
            np.zeros(vans, dtype=np.int64),
            np.full(vans, -1, dtype=np.int64),
            np.zeros(vans),
            np.zeros(vans),
            np.full(size, -1, dtype=np.int64),
        )

    def copy(self) -> _State:
        return _State(
            self.table.copy(),
            self.length.copy(),
            self.center.copy(),
            self.load.copy(),
            self.cost.copy(),
            self.slot.copy(),
            self.total,
        )

    def routes(self) -> list[tuple[int, list[int]]]:
        """(center, customers) of every used slot."""
        return [(int(self.center[k]), self.table[k, : self.length[k]].tolist()) for k in self.used()]

    def used(self) -> np.ndarray:
        return np.flatnonzero(self.length > 0)


@numba.njit(cache=True)
def _route_cost(row: np.ndarray, length: int, s: int, cost: np.ndarray, fixed: float, handling: float, demand) -> float:
    """A van route's cost: fixed, arcs from and back to center s (index 1 + s), handling."""
    if length == 0:
        return 0.0
    total = fixed + cost[1 + s, row[0]] + cost[row[length - 1], 1 + s]
    parcels = demand[row[0]]
    for i in range(1, length):
        total += cost[row[i - 1], row[i]]
        parcels += demand[row[i]]
    return total + handling * parcels


@numba.njit(cache=True)
def _best_place(
    c: int,
    q: float,
    table: np.ndarray,
    length: np.ndarray,
    center: np.ndarray,
    load: np.ndarray,
    cost: np.ndarray,
    per_parcel: np.ndarray,
    capacity: float,
    fixed: float,
    closed: int,
    limits: np.ndarray,
    draws: np.ndarray,
    blink: float,
) -> tuple[int, int]:
    """Customer c's cheapest place: (slot, position) in a route with room, or (a free
    slot, -1 - center) for a new route; (-1, 0) when none fits. A place whose draw is
    below `blink` is skipped."""
    best, where_k, where_p = np.inf, -1, 0
    vans = len(length)
    m = len(limits)
    counts = np.zeros(m, dtype=np.int64)
    free = -1
    d = 0
    for k in range(vans):
        s = center[k]
        if length[k] == 0:
            if free < 0:
                free = k
            continue
        counts[s] += 1
        if s == closed or load[k] + q > capacity + 1e-9:
            continue
        prev = 1 + s
        extra = per_parcel[s] * q
        for p in range(length[k] + 1):
            nxt = table[k, p] if p < length[k] else 1 + s
            d += 1
            if draws[d % len(draws)] < blink:
                prev = nxt
                continue
            value = cost[prev, c] + cost[c, nxt] - cost[prev, nxt] + extra
            if value < best:
                best, where_k, where_p = value, k, p
            prev = nxt
    if free >= 0:
        for s in range(m):
            if s == closed or counts[s] >= limits[s]:
                continue
            value = fixed + cost[1 + s, c] + cost[c, 1 + s] + per_parcel[s] * q
            if value < best:
                best, where_k, where_p = value, free, -1 - s
    return where_k, where_p


@dataclass(frozen=True)
class RuinRecreate:
    """The two-echelon search of the module docstring."""

    name: str = "ga"

    def __call__(self, problem: TwoEchelonProblem, stop: StoppingCriterion, seed: int) -> Answer:
        if problem.has_side_constraints or problem.m > MAX_CENTERS:
            from heuristics.ga import GA
            from heuristics.two_echelon import TwoEchelonSearch

            return TwoEchelonSearch(GA, self.name)(problem, stop, seed)
        return _Run(problem, stop, np.random.default_rng(seed)).solve()


class _Run:
    def __init__(self, problem: TwoEchelonProblem, stop: StoppingCriterion, rng: np.random.Generator) -> None:
        self.problem, self.stop, self.rng = problem, stop, rng
        self.search = Search(stop)
        m, n = problem.m, problem.n
        self.m, self.n = m, n
        self.size = 1 + m + n
        self.cost = np.ascontiguousarray(problem.van_cost, dtype=np.float64)
        self.demand = np.ascontiguousarray(problem.demand, dtype=np.float64)
        self.capacity = float(problem.fleet.capacity)
        self.fixed = float(problem.fleet.fixed_cost)
        self.handling = np.asarray(problem.handling, dtype=np.float64)
        self.share = truck_share(problem)
        self.per_parcel = np.ascontiguousarray(self.handling + self.share)  # a center's price per parcel
        self.limits = np.ascontiguousarray(problem.base_limits, dtype=np.int64)
        self.vans = len(problem.vans)
        self.trucks = TruckPlanner(problem)
        customers = np.arange(1 + m, 1 + m + n)
        self.customers = customers
        near = self.cost[np.ix_(customers, customers)] + self.cost[np.ix_(customers, customers)].T
        self.neighbours = customers[np.argsort(near, axis=1, kind="stable")]  # row i: customer 1+m+i's nearest
        self.trace: list[tuple[float, float]] = []

    # -- costs ---------------------------------------------------------------
    def center_loads(self, state: _State) -> np.ndarray:
        used = state.used()
        return np.bincount(state.center[used], weights=state.load[used], minlength=self.m)

    def price(self, state: _State) -> float:
        state.total = float(state.cost.sum()) + self.trucks.cost(self.center_loads(state))
        return state.total

    def set_route(self, state: _State, k: int, s: int, route: np.ndarray | list[int]) -> None:
        """Slot k holds `route` from center s (an empty route frees the slot)."""
        route = np.asarray(route, dtype=np.int64)
        length = len(route)
        state.table[k, :length] = route
        state.length[k] = length
        state.center[k] = s if length else -1
        state.load[k] = float(self.demand[route].sum()) if length else 0.0
        state.cost[k] = (
            _route_cost(state.table[k], length, s, self.cost, self.fixed, float(self.handling[s]), self.demand)
            if length
            else 0.0
        )
        state.slot[route] = k

    # -- the first plan ------------------------------------------------------
    def first(self) -> _State | None:
        """Every customer at its cheapest center (with its truck share), each center's
        customers cut into routes by the GA's Split along their angle, customers whose
        center has no van left inserted by the recreate; where they fit nowhere, every
        customer inserted by the recreate from no routes, largest first, then in random
        orders (`FIRST_ATTEMPTS`). None when no attempt places every customer."""
        m, customers = self.m, self.customers
        alone = self.cost[1 : 1 + m][:, customers] + self.cost[customers][:, 1 : 1 + m].T
        alone = alone + self.per_parcel[:, None] * self.demand[customers][None, :]
        chosen = np.argmin(alone, axis=0)
        state = _State.empty(self.vans, self.size)
        left: list[int] = []
        for s in range(m):
            mine = customers[chosen == s]
            if len(mine) == 0:
                continue
            for route in self.split_center(s, mine):
                free = np.flatnonzero(state.length == 0)
                fits = self.demand[route].sum() <= self.capacity + 1e-9  # Split may overfill at a price
                if fits and len(free) and int((state.center == s).sum()) < self.limits[s]:
                    self.set_route(state, int(free[0]), s, route)
                else:
                    left += route
        if self.recreate(state, left, closed=-1, blink=False):
            self.price(state)
            return state
        everyone = [int(c) for c in customers[np.argsort(-self.demand[customers], kind="stable")]]
        for attempt in range(FIRST_ATTEMPTS):
            state = _State.empty(self.vans, self.size)
            order = everyone if attempt == 0 else [int(c) for c in self.rng.permutation(everyone)]
            if self.recreate(state, order, closed=-1, blink=False, ordered=True):
                self.price(state)
                return state
        return None

    def split_center(self, s: int, members: np.ndarray) -> list[list[int]]:
        """`members` in order of angle around center s, cut by Split into routes."""
        instance = self.problem.instance
        center = instance.site(self.problem.centers[s])
        nodes = [instance.node_by_id[self.problem.customers[i - 1 - self.m]] for i in members]
        angle = np.array([math.atan2(node.y - center.y, node.x - center.x) for node in nodes])
        tour = (np.argsort(angle, kind="stable") + 1).astype(np.int64)
        arrays = ProblemArrays.of(self.sub_problem(s, members, int(min(self.limits[s], len(members)))))
        _, routes = split_tour(arrays, tour, np.full(4, HARD_WEIGHT))
        return [[int(members[i - 1]) for i in route] for route in routes] or [[int(c)] for c in members]

    def sub_problem(self, s: int, members: np.ndarray, vans: int) -> RoutingProblem:
        problem = self.problem
        return RoutingProblem(
            problem.instance,
            problem.centers[s],
            tuple(problem.customers[i - 1 - self.m] for i in members),
            problem.vans[:vans],
        )

    # -- moves ---------------------------------------------------------------
    def ruin(self, state: _State) -> tuple[list[int], int]:
        """Remove customers (module docstring); returns them and a closed center (-1: none)."""
        rng = self.rng
        used = state.used()
        centers = sorted(set(state.center[used].tolist()))
        if len(centers) > 1 and rng.random() < CLOSE_SHARE:
            closed = int(rng.choice(centers))
            removed: list[int] = []
            for k in used[state.center[used] == closed]:
                removed += state.table[k, : state.length[k]].tolist()
                self.set_route(state, int(k), closed, [])
            state.slot[removed] = -1
            return removed, closed
        longest = min(MAX_STRING, float(state.length[used].mean()))
        strings = int(rng.uniform(1, 4 * MEAN_REMOVED / (1 + longest)))
        seed = int(rng.integers(1 + self.m, 1 + self.m + self.n))
        removed = []
        ruined: set[int] = set()
        for c in self.neighbours[seed - 1 - self.m]:
            if len(ruined) >= strings:
                break
            k = int(state.slot[c])
            if k < 0 or k in ruined:
                continue
            route = state.table[k, : state.length[k]]
            length = int(rng.integers(1, int(min(len(route), longest)) + 1))
            at = int(np.flatnonzero(route == c)[0])
            start = int(rng.integers(max(0, at - length + 1), min(at, len(route) - length) + 1))
            removed += route[start : start + length].tolist()
            self.set_route(state, k, int(state.center[k]), np.concatenate([route[:start], route[start + length :]]))
            ruined.add(k)
        state.slot[removed] = -1
        return removed, -1

    def recreate(
        self, state: _State, removed: list[int], closed: int, blink: bool = True, ordered: bool = False
    ) -> bool:
        """Insert `removed` (module docstring), in their order with `ordered`; False when
        one fits nowhere."""
        rng = self.rng
        if not removed:
            return True
        order = np.array(removed, dtype=np.int64)
        if not ordered:
            kind = rng.choice(4, p=[4 / 11, 4 / 11, 2 / 11, 1 / 11])
            if kind == 0:
                rng.shuffle(order)
            elif kind == 1:
                order = order[np.argsort(-self.demand[order], kind="stable")]
            else:
                far = self.cost[0, order] + self.cost[order, 0]
                order = order[np.argsort(-far if kind == 2 else far, kind="stable")]
        draws = rng.random(257) if blink else np.ones(1)
        for c in order:
            k, p = _best_place(
                int(c),
                float(self.demand[c]),
                state.table,
                state.length,
                state.center,
                state.load,
                self.cost,
                self.per_parcel,
                self.capacity,
                self.fixed,
                closed,
                self.limits,
                draws[int(rng.integers(len(draws))) :] if blink else draws,
                BLINK if blink else 0.0,
            )
            if k < 0:
                return False
            if p < 0:
                self.set_route(state, k, -1 - p, [int(c)])
            else:
                route = state.table[k, : state.length[k]]
                self.set_route(state, k, int(state.center[k]), np.concatenate([route[:p], [int(c)], route[p:]]))
        return True

    def polish(self, state: _State) -> _State:
        """Every center's routes improved by the GA's local search (module docstring)."""
        out = _State.empty(self.vans, self.size)
        slot = 0
        for s in sorted(set(state.center[state.used()].tolist())):
            mine = [state.table[k, : state.length[k]].tolist() for k in state.used() if state.center[k] == s]
            members = np.array([c for r in mine for c in r])
            arrays = ProblemArrays.of(self.sub_problem(s, members, len(mine)))
            local = {int(c): k + 1 for k, c in enumerate(members)}
            routes = [[local[c] for c in r] for r in mine]
            better = improve_routes(arrays, routes, self.rng, np.full(4, HARD_WEIGHT), 100_000)
            measured = measure(arrays, better)
            if not measured.feasible or measured.cost > measure(arrays, routes).cost - 1e-9:
                better = routes
            for route in better:
                self.set_route(out, slot, s, [int(members[i - 1]) for i in route])
                slot += 1
        self.price(out)
        return out if out.total < state.total - 1e-9 else state

    # -- the search ----------------------------------------------------------
    def temperature(self, base: float) -> float:
        limit = self.stop.max_seconds
        if limit is not None:
            progress = min(1.0, self.search.elapsed() / max(limit * self.search_share(), 1e-9))
        else:
            budget = self.stop.max_iterations or COOLING_ITERATIONS
            progress = min(1.0, self.search.iterations / budget)
        return base * START_TEMPERATURE * (END_TEMPERATURE / START_TEMPERATURE) ** progress

    def search_share(self) -> float:
        """The share of the clock the search takes; the rest is for the trucks' model."""
        limit = self.stop.max_seconds or 0.0
        return 1.0 - self.truck_seconds() / limit if limit else 1.0

    def truck_seconds(self) -> float:
        """The first-echelon model's time for the best plan: `FINAL_TRUCK_SECONDS` at
        most, and a small share of the clock where few centers make the model quick
        (measured: 2-40 ms with up to four centers, 50-110 ms with five, 4-10 s with ten)."""
        limit = self.stop.max_seconds or FINAL_TRUCK_SECONDS
        return min(FINAL_TRUCK_SECONDS, (0.15 if self.m > QUICK_TRUCK_CENTERS else 0.02) * limit)

    def out_of_time(self) -> bool:
        limit = self.stop.max_seconds
        if limit is not None and self.search.elapsed() >= limit * self.search_share():
            return True
        return self.search.exhausted()

    def solve(self) -> Answer:
        first = self.first()
        if first is None:  # the assignment search's regret-based starts pack tighter
            from heuristics.ga import GA
            from heuristics.two_echelon import TwoEchelonSearch

            return TwoEchelonSearch(GA, "ga")(self.problem, self.stop, int(self.rng.integers(2**31 - 1)))
        current = first
        best = self.polish(current.copy())
        self.trace.append((self.search.elapsed(), best.total))
        base = current.total / max(self.n, 1)
        while not self.out_of_time():
            self.search.tick()
            trial = current.copy()
            removed, closed = self.ruin(trial)
            if not self.recreate(trial, removed, closed):
                continue
            self.price(trial)
            threshold = current.total - self.temperature(base) * math.log(self.rng.random())
            if trial.total < threshold:
                current = trial
                if trial.total < best.total - 1e-9:
                    best = self.polish(trial)
                    current = best.copy()
                    self.search.improved()
                    self.trace.append((self.search.elapsed(), best.total))
        return self.answer(best)

    def answer(self, state: _State) -> Answer:
        problem, m = self.problem, self.m
        loads = self.center_loads(state)
        total, trucks = self.trucks.plan(loads)
        used = [s for s in range(m) if loads[s] > 0]
        model = solve_first_echelon(
            problem.truck_cost[np.ix_([0, *(1 + s for s in used)], [0, *(1 + s for s in used)])],
            [float(loads[s]) for s in used],
            [0.0] * len(used),
            capacity=math.inf if problem.truck.capacity is None else problem.truck.capacity,
            fixed_cost=problem.truck.fixed_cost,
            trucks=problem.trucks,
            time_limit=max(0.2, self.truck_seconds()),
        )
        if math.isfinite(model.cost) and model.cost < total - 1e-9:
            trucks = [[(used[c - 1], d, p) for c, d, p in stops] for stops in model.shuttles]
        if not trucks:
            return Answer("no_solution", None, message="no truck plan carries the vans' loads")
        routes = [(s, [c - m for c in route]) for s, route in state.routes()]
        try:
            solution = problem.solution(routes, trucks)
        except ValueError as exc:
            return Answer("no_solution", None, message=str(exc))
        params = {"iterations": self.search.iterations, "truck_plans": len(self.trucks.cache)}
        return Answer("feasible", solution, trace=tuple(self.trace), params=params)


def ruin_recreate() -> RuinRecreate:
    return RuinRecreate("ga")
