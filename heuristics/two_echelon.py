"""Two-echelon routing heuristics (issue 31): the project's routing solvers on the vans'
echelon, the first echelon solved exactly for the loads they leave at the centers.

- `TwoEchelonSearch(inner)` (`ga`, `pso`): customers are given to centers, each center's
  customers routed by the project's GA or PSO (Split and local search as everywhere),
  and the trucks by `formulations.first_echelon`. The assignment starts from each
  customer's cheapest center, counting a share of a truck's round trip per parcel
  (2 c(hub, s) / Q per parcel), and is improved by moving customers whose estimated
  saving (removal from their route, cheapest insertion into a route of another center,
  the truck share) is positive, the centers they leave and join routed again; else a
  whole route moves to the center where its two ends cost least; when nothing untried
  is left, a few customers go to their second-cheapest center (a kick, from the best
  plan after `STALL_ROUNDS` rounds without a better one). The best plan, costed whole,
  is kept.
- `VansAsMultiDepot` (`pyvrp` and `ortools`, the references): the vans' echelon as one
  multi-depot problem for PyVRP or OR-Tools (each center its vans), the trucks as above.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from formulations.first_echelon import solve_first_echelon
from lastmile.routing import MultiDepotProblem, RoutingProblem
from lastmile.solve import Answer, Solver
from lastmile.stop import FirstOf, MaxIterations, MaxRuntime, Search, StoppingCriterion
from lastmile.two_echelon import TwoEchelonProblem

#: Share of the moves tried per round: the customers of largest estimated saving.
MOVES_PER_ROUND = 0.1
#: Customers sent to their second-cheapest center by a kick.
KICK_SHARE = 0.05
#: Inner budget per center and round: generations (GA) or swarm steps (PSO) under an
#: iteration budget, else a share of the time left.
INNER_ITERATIONS = 60
#: Rounds without a better plan after which a kick starts from the best plan again.
STALL_ROUNDS = 10


@dataclass(frozen=True)
class _Plan:
    routes: list[tuple[int, list[int]]]  # (center 0..m-1, customer positions 1..n)
    cost: float


def _truck_share(problem: TwoEchelonProblem) -> np.ndarray:
    """Per center, a truck's round trip from the hub shared per parcel of a full load."""
    m = problem.m
    capacity = problem.truck.capacity or math.inf
    trip = problem.truck_cost[0, 1 : 1 + m] + problem.truck_cost[1 : 1 + m, 0] + problem.truck.fixed_cost
    return trip / capacity if math.isfinite(capacity) else np.zeros(m)


#: In the search, trucks call at most this many centers once there are more than this
#: (every set of Set5's ten centers made each truck plan take HiGHS over 10 s), solved
#: within `SEARCH_TRUCK_SECONDS`; the plan returned is solved the same way.
SEARCH_TRUCK_STOPS = 3
SEARCH_TRUCK_SECONDS = 1.0


def _first_echelon(problem: TwoEchelonProblem, routes: list[tuple[int, list[int]]], *, quick: bool = False):
    m = problem.m
    delivered = np.zeros(m)
    collected = np.zeros(m)
    for s, stops in routes:
        delivered[s] += problem.demand[[m + i for i in stops]].sum()
        collected[s] += problem.pickup[[m + i for i in stops]].sum()
    cost = problem.truck_cost[np.ix_([0, *range(1, m + 1)], [0, *range(1, m + 1)])]
    truck = problem.truck
    return solve_first_echelon(
        cost,
        delivered.tolist(),
        collected.tolist(),
        capacity=math.inf if truck.capacity is None else truck.capacity,
        fixed_cost=truck.fixed_cost,
        trucks=problem.trucks,
        time_limit=SEARCH_TRUCK_SECONDS if quick else 10.0,
        max_stops=SEARCH_TRUCK_STOPS if quick and m > SEARCH_TRUCK_STOPS else None,
    )


def _answer(problem: TwoEchelonProblem, routes: list[tuple[int, list[int]]], trace, params) -> Answer:
    first = _first_echelon(problem, routes, quick=True)
    if not math.isfinite(first.cost):
        return Answer("no_solution", None, message=f"no truck plan carries the loads ({first.status})")
    trucks = [[(c - 1, d, p) for c, d, p in stops] for stops in first.shuttles]
    try:
        solution = problem.solution(routes, trucks)
    except ValueError as exc:
        return Answer("no_solution", None, message=str(exc))
    return Answer("feasible", solution, trace=tuple(trace), params=params)


@dataclass(frozen=True)
class TwoEchelonSearch:
    """Assignment search over centers with `inner` (the GA or PSO) routing each center."""

    inner: Callable[[], Solver]
    name: str

    def __call__(self, problem: TwoEchelonProblem, stop: StoppingCriterion, seed: int) -> Answer:
        rng = np.random.default_rng(seed)
        search = Search(stop)
        inner = self.inner()
        m, n = problem.m, problem.n
        arc = problem.van_cost
        share = _truck_share(problem)
        demand = problem.demand[1 + m :]
        # cost of serving a customer alone from each center, with its truck share: (m, n)
        alone = arc[1 : 1 + m, 1 + m :] + arc[1 + m :, 1 : 1 + m].T + share[:, None] * demand[None, :]
        ranked = np.argsort(alone, axis=0)
        assign = ranked[0].copy()
        cache: dict[tuple[int, frozenset[int]], _Plan | None] = {}

        def route_center(s: int, members: list[int], vans: int) -> _Plan | None:
            key = (s, frozenset(members))
            if key in cache:
                return cache[key]
            sub = RoutingProblem(
                problem.instance,
                problem.centers[s],
                tuple(problem.customers[i] for i in members),
                problem.vans[:vans],
            )
            if stop.max_seconds is not None:
                left = max(stop.max_seconds - search.elapsed(), 0.05)
                budget: StoppingCriterion = MaxRuntime(max(min(left / 2, stop.max_seconds / 8) / m, 0.05))
            else:
                budget = MaxIterations(INNER_ITERATIONS)
            answer = inner(sub, budget, int(rng.integers(2**31 - 1)))
            plan = None
            if answer.solution is not None and answer.solution.routes is not None:
                position = {c: k + 1 for k, c in enumerate(problem.customers)}
                routes = [(s, [position[c] for c in r.stops]) for r in answer.solution.routes if r.stops]
                cost = sum(_route_cost(problem, s, stops) for _, stops in routes)
                plan = _Plan(routes, cost)
            cache[key] = plan
            return plan

        def plan_of(assignment: np.ndarray) -> tuple[list[tuple[int, list[int]]], float] | None:
            groups = [list(np.flatnonzero(assignment == s)) for s in range(m)]
            loads = [float(demand[g].sum()) for g in groups]
            need = [math.ceil(q / problem.fleet.capacity - 1e-9) for q in loads]
            routes: list[tuple[int, list[int]]] = []
            total = 0.0
            for s, members in enumerate(groups):
                if not members:
                    continue
                vans = min(int(problem.base_limits[s]), len(problem.vans) - (sum(need) - need[s]))
                if vans < need[s]:
                    return None
                plan = route_center(s, members, vans)
                if plan is None:
                    return None
                routes += plan.routes
                total += plan.cost
            if len(routes) > len(problem.vans):
                return None
            first = _first_echelon(problem, routes, quick=True)
            return routes, total + first.cost

        # The cheapest centers first; where their vans cannot pack the loads, the same
        # by regret within a share of the vans' room (the first that routes); then, with
        # few centers, every customer from the center cheapest for all, kept if cheaper.
        splits = [assign, *(_by_regret(problem, alone, slack) for slack in (0.95, 0.9, 0.85, 0.8, 0.7))]
        singles = [np.full(n, s) for s in np.argsort(alone.sum(axis=1))]
        best = None
        for start in splits:
            best = plan_of(start)
            if best is not None or search.exhausted():
                assign = start.copy()
                break
        for start in singles[: 1 if best is not None and m <= 3 else (0 if best is not None else m)]:
            found = plan_of(start)
            if found is not None and (best is None or found[1] < best[1]):
                best, assign = found, start.copy()
            if best is not None or search.exhausted():
                break
        current, current_assign = best, assign.copy()
        trace: list[tuple[float, float]] = []
        rounds = 0
        if best is not None:
            trace.append((search.elapsed(), best[1]))
        best_assign = current_assign.copy()
        tried: set[bytes] = {current_assign.tobytes()}
        stall = 0
        while not search.exhausted() and current is not None:
            rounds += 1
            search.tick()
            trial = _next_trial(problem, current[0], current_assign, share, tried)
            kicked = trial is None
            if trial is None:  # nothing untried is estimated to pay: a kick, from the best after a stall
                trial = (best_assign if stall >= STALL_ROUNDS else current_assign).copy()
                chosen = rng.choice(n, size=max(1, int(KICK_SHARE * n)), replace=False)
                trial[chosen] = ranked[1, chosen] if m > 1 else trial[chosen]
            tried.add(trial.tobytes())
            found = plan_of(trial)
            if found is not None and (found[1] < current[1] - 1e-9 or kicked):
                current, current_assign = found, trial
            if found is not None and (best is None or found[1] < best[1] - 1e-9):
                best, best_assign, stall = found, trial.copy(), 0
                trace.append((search.elapsed(), found[1]))
            else:
                stall += 1
        if best is None:
            return Answer("no_solution", None, message="no assignment of customers to centers could be routed")
        return _answer(problem, best[0], trace, {"rounds": rounds, "inner": inner.name})


def _by_regret(problem: TwoEchelonProblem, alone: np.ndarray, slack: float) -> np.ndarray:
    """Customers in order of regret (their second-cheapest center's cost less their
    cheapest's) to the cheapest center with room: `slack` of its vans' capacity, the
    fleet shared out by the cheapest assignment's loads."""
    m, n = problem.m, problem.n
    demand = problem.demand[1 + m :]
    q = problem.fleet.capacity
    cheapest = np.argmin(alone, axis=0)
    load = np.bincount(cheapest, weights=demand, minlength=m)
    vans = np.minimum(problem.base_limits, np.ceil(load / q - 1e-9).astype(np.int64))
    while vans.sum() > len(problem.vans):  # one van fewer where the load is nearest to fitting
        vans[int(np.argmin(np.where(vans > 0, load / q - (vans - 1), np.inf)))] -= 1
    while vans.sum() < len(problem.vans) and (vans < problem.base_limits).any():
        room = np.where(vans < problem.base_limits, load - vans * q * slack, -np.inf)
        vans[int(np.argmax(room))] += 1
    room = vans * q * slack
    ordered = np.sort(alone, axis=0)
    regret = ordered[1] - ordered[0] if m > 1 else np.zeros(n)
    out = cheapest.copy()
    for i in np.argsort(-regret):
        for s in np.argsort(alone[:, i]):
            if room[s] >= demand[i] - 1e-9:
                out[i] = s
                room[s] -= demand[i]
                break
    return out


def _next_trial(
    problem: TwoEchelonProblem,
    routes: list[tuple[int, list[int]]],
    assign: np.ndarray,
    share: np.ndarray,
    tried: set[bytes],
) -> np.ndarray | None:
    """The next assignment to route: the customer moves estimated to pay (the best
    `MOVES_PER_ROUND` of them), else a whole route moved to the center where its ends
    cost least, if that assignment has not been tried; None when neither is left."""
    n = problem.n
    moves = _moves(problem, routes, assign, share)
    if moves:
        trial = assign.copy()
        for i, s in moves[: max(1, int(MOVES_PER_ROUND * n))]:
            trial[i] = s
        if trial.tobytes() not in tried:
            return trial
        for i, s in moves:  # one move at a time
            single = assign.copy()
            single[i] = s
            if single.tobytes() not in tried:
                return single
    for members, center in _route_moves(problem, routes, share):
        trial = assign.copy()
        trial[members] = center
        if trial.tobytes() not in tried:
            return trial
    return None


def _route_moves(
    problem: TwoEchelonProblem, routes: list[tuple[int, list[int]]], share: np.ndarray
) -> list[tuple[list[int], int]]:
    """(the route's customers, a center) for every route and every other center with a
    van to spare, best estimated gain first (the route's two ends and its truck share)."""
    m = problem.m
    cost = problem.van_cost
    based = np.bincount([s for s, _ in routes], minlength=m)
    out = []
    for s, stops in routes:
        first, last = m + stops[0], m + stops[-1]
        load = float(problem.demand[[m + i for i in stops]].sum())
        here = cost[1 + s, first] + cost[last, 1 + s] + share[s] * load
        for t in range(m):
            if t != s and based[t] < problem.base_limits[t]:
                gain = here - cost[1 + t, first] - cost[last, 1 + t] - share[t] * load
                out.append((gain, [i - 1 for i in stops], t))
    out.sort(key=lambda move: -move[0])
    return [(members, t) for _, members, t in out]


def _route_cost(problem: TwoEchelonProblem, s: int, stops: list[int]) -> float:
    """A van route's cost: fixed, arcs, the center's handling of its parcels."""
    m = problem.m
    path = [1 + s, *(m + i for i in stops), 1 + s]
    load = problem.demand[[m + i for i in stops]].sum() + problem.pickup[[m + i for i in stops]].sum()
    return float(problem.fleet.fixed_cost + problem.van_cost[path[:-1], path[1:]].sum() + problem.handling[s] * load)


def _moves(
    problem: TwoEchelonProblem, routes: list[tuple[int, list[int]]], assign: np.ndarray, share: np.ndarray
) -> list[tuple[int, int]]:
    """(customer, new center) with a positive estimated saving, best first: removal from
    its route plus its truck share, against the cheapest insertion into a route of
    another center within a van's capacity."""
    m = problem.m
    cost = problem.van_cost
    demand = problem.demand
    capacity = problem.fleet.capacity
    out = []
    for s, stops in routes:
        path = [1 + s, *(m + i for i in stops), 1 + s]
        for k, i in enumerate(stops):
            a, node, b = path[k], path[k + 1], path[k + 2]
            saving = cost[a, node] + cost[node, b] - cost[a, b] + share[s] * demand[node]
            best_gain, best_center = 0.0, -1
            for t, other in routes:
                if t == s or problem.demand[[m + j for j in other]].sum() + demand[node] > capacity + 1e-9:
                    continue
                other_path = [1 + t, *(m + j for j in other), 1 + t]
                added = min(
                    cost[other_path[p], node] + cost[node, other_path[p + 1]] - cost[other_path[p], other_path[p + 1]]
                    for p in range(len(other_path) - 1)
                )
                gain = saving - added - share[t] * demand[node]
                if gain > best_gain + 1e-9:
                    best_gain, best_center = gain, t
            if best_center >= 0:
                out.append((best_gain, i - 1, best_center))
    out.sort(reverse=True)
    seen: set[int] = set()
    moves = []
    for _, i, t in out:
        if i not in seen:
            seen.add(i)
            moves.append((i, t))
    return moves


@dataclass(frozen=True)
class VansAsMultiDepot:
    """A multi-depot solver (`pyvrp` or `ortools`) on the vans' echelon, then the trucks
    exactly: what the field's solvers can do with a two-echelon problem."""

    name: str

    def _inner(self) -> Solver:
        if self.name == "ortools":
            from heuristics.ortools_solver import OrTools

            return OrTools()
        from heuristics.pyvrp_solver import PyVRP

        return PyVRP()

    def __call__(self, problem: TwoEchelonProblem, stop: StoppingCriterion, seed: int) -> Answer:
        inner = self._inner()
        counts = [int(k) for k in problem.base_limits]
        center = {c: s for s, c in enumerate(problem.centers)}
        position = {c: k + 1 for k, c in enumerate(problem.customers)}
        capped = sum(counts) > len(problem.vans)
        # Both bound vans per depot, not in all: where the centers' bounds add up to
        # more than the fleet, a first run on half the budget shows where vans are
        # needed, and the second run gets the fleet shared out accordingly.
        half = _halved(stop) if capped else stop
        routes: list[tuple[int, list[int]]] = []
        answer = Answer("no_solution", None)
        for attempt in range(2 if capped else 1):
            vans = [problem.vans[:k] for k in counts]
            multi = MultiDepotProblem(problem.instance, problem.centers, problem.customers, tuple(vans))
            answer = inner(multi, half, seed)
            if answer.solution is None or answer.solution.routes is None:
                return Answer("no_solution", None, message=answer.message or f"{self.name} found no plan")
            routes = [(center[r.center], [position[c] for c in r.stops]) for r in answer.solution.routes if r.stops]
            if len(routes) <= len(problem.vans) or attempt == 1:
                break
            counts = _share_out(problem, routes, counts)
        return _answer(problem, routes, [], dict(answer.params))


def pyvrp_vans() -> VansAsMultiDepot:
    return VansAsMultiDepot("pyvrp")


def ortools_vans() -> VansAsMultiDepot:
    return VansAsMultiDepot("ortools")


def _halved(stop: StoppingCriterion) -> StoppingCriterion:
    """Half of each limit `stop` sets (the clock, the iterations, or both)."""
    halves: list[MaxRuntime | MaxIterations] = []
    if stop.max_seconds is not None:
        halves.append(MaxRuntime(stop.max_seconds / 2))
    if stop.max_iterations is not None:
        halves.append(MaxIterations(max(1, stop.max_iterations // 2)))
    return halves[0] if len(halves) == 1 else FirstOf(tuple(halves))


def _share_out(problem: TwoEchelonProblem, routes: list[tuple[int, list[int]]], limits: list[int]) -> list[int]:
    """Vans per center within the fleet: each center the vans its load needs, the rest to
    the centers whose routes used more, in order of how many more."""
    m = problem.m
    load = [0.0] * m
    used = [0] * m
    for s, stops in routes:
        load[s] += float(problem.demand[[m + i for i in stops]].sum())
        used[s] += 1
    q = problem.fleet.capacity
    need = [min(limits[s], math.ceil(load[s] / q - 1e-9)) for s in range(m)]
    while sum(need) > len(problem.vans):  # one van fewer where the load is nearest to fitting
        s = min((s for s in range(m) if need[s] > 0), key=lambda s: load[s] / q - (need[s] - 1))
        need[s] -= 1
    spare = len(problem.vans) - sum(need)
    for s in sorted(range(m), key=lambda s: need[s] - used[s]):
        extra = max(0, min(spare, used[s] - need[s], limits[s] - need[s]))
        need[s] += extra
        spare -= extra
    return need


def ga_search() -> TwoEchelonSearch:
    from heuristics.ga import GA

    return TwoEchelonSearch(GA, "ga")


def pso_search() -> TwoEchelonSearch:
    from heuristics.pso import PSO

    return TwoEchelonSearch(PSO, "pso")
