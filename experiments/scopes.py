"""What one routing problem covers (issue 30, config `routing_scopes`), and relocation.

- `region`: the study's framework, one problem per region from its own center
  (`Plan.problems`, runs under the instance's label).
- `center`: relocation (below); each region whole to one relocated center
  (`center_groups`), and every region of a center routed as one problem with all their
  vehicles, so vans are shared across the regions (label `NAME@center`, one problem per
  center, named by the center).
- `whole`: the whole joint instance as one problem from the plan's own centers, each
  keeping the vehicles its regions got (issue 12's price of region division; label
  `NAME@whole`).
- `relocated`: the whole joint instance as one problem from the relocated centers, the
  regions' vehicles shared out up to what each center may base (`NAME@relocated`).

In every scope but `region` the regions' service modes stay as planned (lockers hold
their parcels) but their minimum load rates, being regional, do not carry over; each
problem's budget is the regions' it covers together (`ScopePlan.regions`).

**Relocation** (issue 30, item 3): the location stage may open fewer centers than
regions. The study locates one center per region (Eqs. 6-7: each region served by one
center within its capacity); relocation solves Eqs. (5) and (8)-(9) over the whole
instance instead: the fewest candidates whose vans hold the demand with
`RELOCATION_SLACK` to spare, by least fixed cost (C4) plus Eq. (5) transport cost to the
nearest of them (`relocated_centers`). The `center` scope then gives each region whole
to one of them (Eqs. 8-9 at region grain: single sourcing of regions, least Eq. (5)
transport, each center's capacity, Eq. 10), opening the next cheapest candidate only
where whole regions do not pack (`center_groups`).

A scope whose problems are those of an earlier scope (the same centers, customers and
vehicles; in that order: region, whole, relocated, center) is not routed again: its
`ScopePlan.same_as` names the scope whose runs it shares (Ling Shan's one county center
makes `center` the `whole` problem).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from experiments.plan import Plan
from experiments.store import CENTER, RELOCATED, VARIANT, WHOLE
from lastmile.cost import assignment_cost_matrix
from lastmile.model import Instance
from lastmile.routing import MultiDepotProblem, RoutingProblem

#: Every routing scope, in the order in which a scope that repeats another is matched.
SCOPES = ("region", "whole", "relocated", "center")
#: Center combinations scored whole when relocating; past it, added one by one.
RELOCATION_COMBINATIONS = 5000
#: Room kept in the relocated centers' vans for packing parcels into routes.
RELOCATION_SLACK = 1.1

ScopeProblem = RoutingProblem | MultiDepotProblem


@dataclass(frozen=True)
class ScopePlan:
    """One routing scope of a plan: the instance label its runs are stored under, its
    problems by region name, how many of the plan's regions each covers, and the earlier
    scope whose problems (and runs) it shares, if any."""

    scope: str
    label: str
    problems: Mapping[str, ScopeProblem]
    regions: Mapping[str, int]
    same_as: str | None = None


def scope_plans(plan: Plan, scopes: Sequence[str] = SCOPES) -> list[ScopePlan]:
    """The plan's problems under each scope asked for (module docstring), in `SCOPES`
    order; a scope that does not apply (fewer than two joint regions, an unlimited
    fleet) is left out."""
    region = ScopePlan(
        "region", plan.label, {r: plan.problems[r] for r in plan.joint_regions}, dict.fromkeys(plan.joint_regions, 1)
    )  # type: ignore[arg-type]
    made: list[ScopePlan] = [region]
    k = len(plan.joint_regions)
    whole = whole_problem(plan)
    if whole is not None:
        made.append(ScopePlan("whole", f"{plan.label}{VARIANT}{WHOLE}", {WHOLE: whole}, {WHOLE: k}))
        moved = relocated_problem(plan)
        if moved is not None:
            made.append(ScopePlan("relocated", f"{plan.label}{VARIANT}{RELOCATED}", {RELOCATED: moved}, {RELOCATED: k}))
        groups = center_groups(plan)
        if groups is not None:
            problems = {center: center_problem(plan, center, regions) for center, regions in groups.items()}
            counts = {center: len(regions) for center, regions in groups.items()}
            made.append(ScopePlan("center", f"{plan.label}{VARIANT}{CENTER}", problems, counts))
    out: list[ScopePlan] = []
    for scope in made:
        earlier = next((e for e in out if _signature(e.problems) == _signature(scope.problems)), None)
        if earlier is not None:
            scope = ScopePlan(
                scope.scope, earlier.label, earlier.problems, earlier.regions, earlier.same_as or earlier.scope
            )
        out.append(scope)
    return [s for s in out if s.scope in scopes]


def _signature(problems: Mapping[str, ScopeProblem]) -> frozenset:
    """What makes two scopes' problems the same: per problem its centers with their
    vehicles, and its customers."""
    out = set()
    for problem in problems.values():
        if isinstance(problem, MultiDepotProblem):
            fleets = tuple(sorted((c, frozenset(v)) for c, v in zip(problem.centers, problem.vehicles, strict=True)))
        else:
            fleets = ((problem.center, frozenset(problem.vehicles or ())),)
        out.add((fleets, frozenset(problem.customers)))
    return frozenset(out)


def whole_problem(plan: Plan) -> RoutingProblem | MultiDepotProblem | None:
    """The joint instance routed as one problem from the centers the plan opened, each
    keeping the vehicles its regions got (issue 12: the price of region division).
    One open center gives an ordinary `RoutingProblem` (every routing solver takes
    it); several a `MultiDepotProblem`. None when the plan has fewer than two joint
    regions or an unlimited fleet."""
    regions = _regions(plan)
    if regions is None:
        return None
    customers = tuple(c for p in regions for c in p.customers)
    centers = tuple(dict.fromkeys(p.center for p in regions))
    vehicles = tuple(tuple(v for p in regions if p.center == c for v in p.vehicles or ()) for c in centers)
    if len(centers) == 1:
        return RoutingProblem(plan.planned, centers[0], customers, vehicles[0], region=WHOLE)
    return MultiDepotProblem(plan.planned, centers, customers, vehicles, region=WHOLE)


def _regions(plan: Plan) -> list[RoutingProblem] | None:
    """The joint regions' problems, or None when there are fewer than two or one has an
    unlimited fleet (no scope but `region` applies)."""
    joint = [plan.problems[r] for r in plan.joint_regions]
    if len(joint) < 2 or not all(isinstance(p, RoutingProblem) and p.vehicles is not None for p in joint):
        return None
    return joint  # type: ignore[return-value]


def fewest_centers(instance: Instance) -> int:
    """How many centers any joint plan opens at least: the alliance's count, else the
    fewest whose largest capacities hold the demand (one when any is uncapacitated)."""
    if instance.alliance_centers is not None:
        return instance.alliance_centers
    if any(c.capacity is None for c in instance.centers):
        return 1
    rooms = np.cumsum(sorted((float(c.capacity or 0.0) for c in instance.centers), reverse=True))
    return int(min(np.searchsorted(rooms, instance.total_demand - 1e-9) + 1, len(rooms)))


def relocated_centers(instance: Instance) -> tuple[str, ...]:
    """The fewest candidates (from `fewest_centers` up) whose vans hold the demand with
    `RELOCATION_SLACK` to spare (a center bases as many of the alliance's vans as its
    capacity fills: floor(capacity / van capacity)), those of least fixed cost (C4)
    plus the location stage's transport cost to the nearest of them (Eq. 5,
    `assignment_cost_matrix`); every combination up to `RELOCATION_COMBINATIONS`, else
    one center at a time by the same score."""
    cost, extra = assignment_cost_matrix(instance)
    transport = cost + extra
    fixed = np.array([c.fixed_cost for c in instance.centers])
    room = np.array([based_vans(instance, c.id) for c in instance.centers], dtype=float) * van_capacity(instance)
    need = instance.total_demand * RELOCATION_SLACK

    def score(chosen: Sequence[int]) -> float:
        if room[list(chosen)].sum() < need - 1e-9:
            return math.inf
        return float(fixed[list(chosen)].sum() + transport[list(chosen)].min(axis=0).sum())

    m = len(instance.centers)
    for k in range(min(fewest_centers(instance), m), m + 1):
        if math.comb(m, k) <= RELOCATION_COMBINATIONS:
            best = min(itertools.combinations(range(m), k), key=score)
        else:
            chosen: list[int] = []
            for _ in range(k):
                chosen.append(min((c for c in range(m) if c not in chosen), key=lambda c: score([*chosen, c])))
            best = tuple(chosen)
        if math.isfinite(score(best)) or k == m:
            return tuple(instance.centers[c].id for c in best)
    raise AssertionError("unreachable")


def van_capacity(instance: Instance) -> float:
    return instance.pooled_fleet().capacity


def based_vans(instance: Instance, center: str) -> int:
    """The vans a center may base when relocating: as many as its capacity fills (no
    bound where it is uncapacitated)."""
    room = instance.center_by_id[center].capacity
    return 10**9 if room is None else int(room // van_capacity(instance))


def relocated_problem(plan: Plan) -> RoutingProblem | MultiDepotProblem | None:
    """The joint instance routed as one problem from `relocated_centers`, with every
    vehicle the regions got, shared out in turn up to what each center may base. None
    where `whole_problem` is."""
    whole = whole_problem(plan)
    if whole is None:
        return None
    centers = relocated_centers(plan.planned)
    pool = (
        list(v for vs in whole.vehicles for v in vs)
        if isinstance(whole, MultiDepotProblem)
        else list(whole.vehicles or ())
    )
    if len(centers) == 1:
        return RoutingProblem(plan.planned, centers[0], whole.customers, tuple(pool), region=RELOCATED)
    shares: list[list[str]] = [[] for _ in centers]
    limits = [based_vans(plan.planned, c) for c in centers]
    while pool and any(len(share) < limit for share, limit in zip(shares, limits, strict=True)):
        for share, limit in zip(shares, limits, strict=True):
            if pool and len(share) < limit:
                share.append(pool.pop(0))
    return MultiDepotProblem(plan.planned, centers, whole.customers, tuple(map(tuple, shares)), region=RELOCATED)


def center_groups(plan: Plan) -> dict[str, tuple[str, ...]] | None:
    """Each relocated center's regions (module docstring): every joint region whole to
    one center, by a MIP (`scipy.optimize.milp`, HiGHS) minimising the Eq. (5) transport
    cost of the regions' nodes from their center, each center's regions within its
    capacity (Eq. 10); the relocated centers open, and the next candidates by the same
    MIP where whole regions do not pack into them. None where `whole_problem` is."""
    regions = _regions(plan)
    if regions is None:
        return None
    instance = plan.planned
    names = list(plan.joint_regions)
    cost, extra = assignment_cost_matrix(instance)
    column = {n.id: j for j, n in enumerate(instance.nodes)}
    transport = np.array(
        [
            [(cost + extra)[c, [column[n] for n in p.customers]].sum() for p in regions]
            for c in range(len(instance.centers))
        ]
    )
    load = np.array([p.demand.sum() for p in regions])  # what a center's capacity holds (`check`)
    room = np.array([math.inf if c.capacity is None else float(c.capacity) for c in instance.centers])
    fixed = np.array([c.fixed_cost for c in instance.centers])
    must = set(relocated_centers(instance))
    required = np.array([c.id in must for c in instance.centers])
    for opened in range(int(required.sum()), len(instance.centers) + 1):
        chosen = _assign_regions(transport, load, room, fixed, required, opened)
        if chosen is not None:
            groups: dict[str, list[str]] = {}
            for r, c in enumerate(chosen):
                groups.setdefault(instance.centers[c].id, []).append(names[r])
            return {center: tuple(members) for center, members in groups.items()}
    return None


def _assign_regions(
    transport: np.ndarray, load: np.ndarray, room: np.ndarray, fixed: np.ndarray, required: np.ndarray, opened: int
) -> list[int] | None:
    """Per region the center it goes to (`center_groups`' MIP with `opened` centers,
    the `required` ones among them), or None when whole regions cannot pack."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    m, r = transport.shape
    # variables: x[c, j] (center c serves region j), row-major, then y[c] (c open)
    x = m * r
    objective = np.concatenate([transport.ravel(), fixed])
    rows, lower, upper = [], [], []
    for j in range(r):  # each region to exactly one center
        row = np.zeros(x + m)
        row[[c * r + j for c in range(m)]] = 1
        rows.append(row)
        lower.append(1)
        upper.append(1)
    for c in range(m):  # a center's regions within its capacity, and only an open center serves
        row = np.zeros(x + m)
        row[c * r : (c + 1) * r] = load
        row[x + c] = -(room[c] if math.isfinite(room[c]) else load.sum())
        rows.append(row)
        lower.append(-np.inf)
        upper.append(0)
    count = np.zeros(x + m)
    count[x:] = 1
    rows.append(count)
    lower.append(opened)
    upper.append(opened)
    low = np.zeros(x + m)
    low[x:] = required.astype(float)
    result = milp(
        objective,
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=np.ones(x + m),
        bounds=Bounds(low, np.ones(x + m)),
    )
    if result.x is None:
        return None
    assign = np.round(result.x[:x]).reshape(m, r)
    return [int(np.argmax(assign[:, j])) for j in range(r)]


def center_problem(plan: Plan, center: str, regions: Sequence[str]) -> RoutingProblem:
    """`regions` routed as one problem from `center` with all their vehicles."""
    problems = [plan.problems[r] for r in regions]
    customers = tuple(c for p in problems for c in p.customers)  # type: ignore[union-attr]
    vehicles = tuple(v for p in problems for v in p.vehicles or ())  # type: ignore[union-attr]
    return RoutingProblem(plan.planned, center, customers, vehicles, region=center)
