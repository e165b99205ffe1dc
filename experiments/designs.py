"""The alliance's designs and a bound on any of them (issue 30).

**Designs.** Each stored joint plan of every routing scope asked for
(`experiments.scopes`: the regions' routes, `region`; each relocated center's regions
routed together, `center`; the whole joint instance from the plan's centers, `whole`, or
from the relocated ones, `relocated`) is costed under every line-haul design named
(`line_haul_designs`): `tour` and `direct` re-cost the same routes; `hub` chooses, among
the instance's hub candidates, the one whose plan costs least, its shuttles from
`formulations.first_echelon` for the loads the routes leave at and collect from each
center (split over trucks). A scope that routes the same problems as an earlier one
shares its runs (`same_as`). Every figure is the shared `evaluate`'s and every plan is
checked by the shared `check`. The best design found is the cheapest feasible row.

**The bound.** A lower bound on the total cost (with line-haul) of any joint plan the
model allows, whatever its centers, assignment, scope and line-haul design, with the
regions' service modes as stage 2 chose them (lockers hold their parcels):

    LB = V + C + L
    V  the vans: one virtual center whose legs out and home are each customer's cheapest
       from and to any candidate center (`formulations.virtual_center`), pickups,
       windows, route limits and minimum loads dropped, the alliance's fleet; the larger
       of its assignment bound (at least ceil(max(delivered, collected) / capacity)
       vans leave) and its branch-and-price bound within `bound_time_limit`
       (C1 + C2 + C3 >= V);
    C  the centers: the cheapest k of them, k the fewest whose capacities hold the
       demand (or the alliance's fixed count) (C4 >= C);
    L  the line-haul: per company, ceil(max(delivered, collected) / truck capacity)
       trips, each its fixed cost and the cheapest round trip from its depot to any
       center or hub (every design trucks each company's parcels to a center or a
       hub); nothing where that trip is 0 km; hubs and shuttles >= 0.

The verdict then reads: the best design found saves S% against the independent plan
found (or costs S% more), and no joint plan in the model saves more than
B% = 100 (independent - LB) / independent against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from experiments.aggregate import stored_routes
from experiments.plan import Plan
from experiments.scopes import SCOPES, ScopePlan, fewest_centers, scope_plans
from formulations.first_echelon import FirstEchelon, solve_first_echelon
from formulations.virtual_center import virtual_center_bound
from lastmile.check import check
from lastmile.cost import CostBreakdown, evaluate, line_haul_legs, shuttle_path
from lastmile.distances import tables
from lastmile.model import (
    SHUTTLE_OPERATOR,
    Hub,
    Instance,
    LineHaulDesign,
    Shuttle,
    ShuttleStop,
    Solution,
)


def hub_plan(instance: Instance, solution: Solution) -> Solution | None:
    """The `hub` design of a joint routed solution: the hub candidate whose plan costs
    least, with its shuttles for the loads the routes leave at and collect from each
    center. None without hub candidates or shuttle trucks."""
    truck = instance.shuttle
    if not instance.hubs or truck is None or solution.routes is None:
        return None
    centers = sorted({r.center for r in solution.routes if r.stops})
    delivered = dict.fromkeys(centers, 0.0)
    collected = dict.fromkeys(centers, 0.0)
    for route in solution.routes:
        for stop in route.stops:
            node = instance.node_by_id[stop]
            delivered[route.center] += node.total_demand
            collected[route.center] += node.total_pickup
    best: tuple[float, Solution] | None = None
    for low, hub in sorted(_hub_bounds(instance, solution, centers, delivered, collected), key=lambda b: b[0]):
        if best is not None and low >= best[0] - 1e-9:
            break  # no hub left can beat the best: the same choice as costing every one
        first = _shuttles(instance, hub.id, tuple(centers), tuple(delivered.values()), tuple(collected.values()))
        if not math.isfinite(first.cost):
            continue
        shuttles = tuple(
            Shuttle(f"{SHUTTLE_OPERATOR}-{k + 1}", tuple(ShuttleStop(centers[c - 1], d, p) for c, d, p in stops))
            for k, stops in enumerate(first.shuttles)
        )
        planned = replace(solution, line_haul_design="hub", hub=hub.id, shuttles=shuttles)
        total = evaluate(instance, planned).total
        if best is None or total < best[0]:
            best = (total, planned)
    return None if best is None else best[1]


def _hub_bounds(
    instance: Instance,
    solution: Solution,
    centers: list[str],
    delivered: dict[str, float],
    collected: dict[str, float],
) -> list[tuple[float, Hub]]:
    """Per hub candidate, a lower bound on the total cost of the `hub` design through it:
    the plan's cost with that hub and no shuttles (vans, centers, the companies' trips
    to the hub, its fixed and handling costs, all exact), plus the fewest trucks' fixed
    costs, ceil(max(delivered, collected) / capacity), and one truck's round trip to the
    farthest center (some truck must call there)."""
    truck = instance.shuttle
    assert truck is not None
    t = tables(instance)
    load = max(sum(delivered.values()), sum(collected.values()))
    trucks = 0 if load <= 0 else (1 if truck.capacity is None else math.ceil(load / truck.capacity - 1e-9))
    out = []
    for hub in instance.hubs:
        partial = evaluate(instance, replace(solution, line_haul_design="hub", hub=hub.id, shuttles=())).total
        h = instance.index[hub.id]
        farthest = max((float(t.km[h, instance.index[c]] + t.km[instance.index[c], h]) for c in centers), default=0.0)
        out.append((partial + trucks * truck.fixed_cost + truck.cost_per_km * farthest, hub))
    return out


#: The shuttles' model per hub: routes of at most this many centers once there are more
#: (every set of nine centers with pickups took HiGHS past its limit), within this time.
SHUTTLE_STOPS = 3
SHUTTLE_SECONDS = 2.0


def _shuttles(
    instance: Instance, hub: str, centers: tuple[str, ...], delivered: tuple[float, ...], collected: tuple[float, ...]
) -> FirstEchelon:
    """The shuttles from `hub` for these loads, once per instance and loads (the region
    scope's loads are the same for every solver and seed)."""
    key = (hub, centers, delivered, collected)
    cache = instance.__dict__.setdefault("_shuttle_plans", {})
    if key not in cache:
        cache[key] = _solve_shuttles(instance, hub, centers, delivered, collected)
    return cache[key]


def _solve_shuttles(
    instance: Instance, hub: str, centers: tuple[str, ...], delivered: tuple[float, ...], collected: tuple[float, ...]
) -> FirstEchelon:
    truck = instance.shuttle
    assert truck is not None
    t = tables(instance)
    idx = [instance.index[hub]] + [instance.index[c] for c in centers]
    cost = truck.cost_per_km * (t.km[np.ix_(idx, idx)] + t.congestion_km[np.ix_(idx, idx)])
    return solve_first_echelon(
        cost,
        list(delivered),
        list(collected),
        capacity=math.inf if truck.capacity is None else truck.capacity,
        fixed_cost=truck.fixed_cost,
        trucks=truck.count or max(1, len(centers) * 50),
        time_limit=SHUTTLE_SECONDS,
        max_stops=SHUTTLE_STOPS if len(centers) > SHUTTLE_STOPS else None,
    )


def design_row(instance: Instance, solution: Solution, cost: CostBreakdown) -> dict[str, object]:
    """A design's figures: every cost line, TC and E with line-haul and without."""
    violations = check(instance, solution)
    return {
        "hub": solution.hub or "",
        "C1": cost.vehicle_fixed,
        "C2": cost.transport,
        "C3": cost.congestion,
        "C4": cost.center_fixed,
        "LH_trucks": cost.line_haul.cost if cost.line_haul else 0.0,
        "LH_hub": cost.hub.cost if cost.hub else 0.0,
        "LH_shuttle": cost.shuttle.cost if cost.shuttle else 0.0,
        "TC": cost.total,
        "TC_no_LH": cost.total_without_line_haul,
        "E": cost.total_co2_kg,
        "E_no_LH": cost.co2_without_line_haul,
        "vehicles": len(cost.routes),
        "shuttles": cost.shuttle.trips if cost.shuttle else 0,
        "km": cost.km,
        "LH_km": (cost.line_haul.km if cost.line_haul else 0.0) + (cost.shuttle.km if cost.shuttle else 0.0),
        "feasible": not violations,
        "violations": "; ".join(str(v) for v in violations[:3]),
    }


def joint_plans(plan: Plan, runs: pd.DataFrame, scopes: tuple[str, ...]) -> list[tuple[ScopePlan, str, int, Solution]]:
    """(scope, solver, seed, joint solution) for every stored run set that covers a
    scope's problems (every region of it, by one solver and seed)."""
    out = []
    for scope in scope_plans(plan, scopes):
        mine = runs[(runs["instance"] == scope.label) & runs["feasible"] & runs["region"].isin(list(scope.problems))]
        for (solver, seed), group in mine.groupby(["solver", "seed"], sort=True):
            by_region = {row["region"]: row for _, row in group.iterrows()}
            if all(r in by_region for r in scope.problems):
                routes = [route for r in scope.problems for route in stored_routes(by_region[r])]
                out.append((scope, str(solver), int(seed), Solution.routed(routes)))
    return out


def design_table(
    plan: Plan, runs: pd.DataFrame, designs: tuple[LineHaulDesign, ...], scopes: tuple[str, ...] = SCOPES
) -> pd.DataFrame:
    """One row per (scope, solver, seed, design) of the `scopes` asked for; a design the
    instance cannot take (no hub candidates) gets a row saying so. `same_as` names the
    scope whose runs a scope shares (empty where it has its own)."""
    instance = plan.planned
    out = []
    for scope, solver, seed, solution in joint_plans(plan, runs, scopes):
        for design in designs:
            head = {"scope": scope.scope, "same_as": scope.same_as or "", "solver": solver, "seed": seed}
            head["design"] = design
            planned = hub_plan(instance, solution) if design == "hub" else replace(solution, line_haul_design=design)
            if planned is None:
                out.append(
                    head | {"feasible": False, "violations": "not applicable: the instance has no hub candidates"}
                )
                continue
            out.append(head | design_row(instance, planned, evaluate(instance, planned)))
    return pd.DataFrame(out)


def best_solution(plan: Plan, runs: pd.DataFrame, designs: pd.DataFrame) -> tuple[dict, Solution] | None:
    """The cheapest feasible design row and its solution under that design (its routes
    from the stored runs; the hub design's shuttles planned again, as `design_table` did)."""
    feasible = designs[designs["feasible"].astype(bool)] if not designs.empty else designs
    if feasible.empty:
        return None
    best = feasible.loc[feasible["TC"].idxmin()]
    for _, solver, seed, solution in joint_plans(plan, runs, (str(best["scope"]),)):
        if solver == best["solver"] and seed == int(best["seed"]):
            design = str(best["design"])
            planned = (
                hub_plan(plan.planned, solution) if design == "hub" else replace(solution, line_haul_design=design)  # type: ignore[arg-type]
            )
            if planned is not None:
                return best.to_dict(), planned
    return None


def plan_map(instance: Instance, solution: Solution) -> pd.DataFrame:
    """What a map of a joint plan draws beside the instance's locations: its opened
    centers, each company's line-haul paths and the hub design's shuttles, as rows
    (kind, owner, seq, id, x, y) in path order."""
    xy = {loc: instance.site(loc) for loc in (*[c.id for c in instance.centers], *[h.id for h in instance.hubs])}
    xy |= {c.depot.id: c.depot for c in instance.companies}
    rows = [
        {"kind": "opened", "owner": "", "seq": 0, "id": c, "x": xy[c].x, "y": xy[c].y}
        for c in sorted(solution.open_centers)
    ]
    paths = [("line-haul", leg.company, leg.stops) for leg in line_haul_legs(instance, solution)]
    if solution.hub is not None:
        paths += [("shuttle", s.vehicle, shuttle_path(solution, s)) for s in solution.shuttles if s.stops]
    for kind, owner, stops in paths:
        rows += [
            {"kind": kind, "owner": owner, "seq": k, "id": loc, "x": xy[loc].x, "y": xy[loc].y}
            for k, loc in enumerate(stops)
        ]
    return pd.DataFrame(rows, columns=["kind", "owner", "seq", "id", "x", "y"])


@dataclass(frozen=True)
class Bound:
    """The lower bound on any joint plan and its three parts (module docstring)."""

    total: float
    vans: float
    centers: float
    line_haul: float
    vans_status: str


def joint_bound(plan: Plan, seconds: float) -> Bound | None:
    """LB = V + C + L (module docstring); None when the vans' relaxation gives no bound
    or the instance has no candidate centers."""
    instance = plan.planned
    if not instance.centers:
        return None
    fleet = instance.pooled_fleet()
    customers = [n for n in instance.nodes if n.needs_service()]
    t = tables(instance)
    rows = [instance.index[c.id] for c in instance.centers]
    cols = [instance.index[n.id] for n in customers]
    money = fleet.cost_per_km * (t.km + t.congestion_km)
    vans, status = virtual_center_bound(
        money[np.ix_(rows, cols)].min(axis=0),
        money[np.ix_(cols, rows)].min(axis=1),
        money[np.ix_(cols, cols)],
        np.array([n.total_demand for n in customers]),
        vans=fleet.count or len(customers),
        capacity=fleet.capacity,
        fixed_cost=fleet.fixed_cost,
        seconds=seconds,
        pickup=np.array([n.total_pickup for n in customers]),
    )
    if vans is None:
        return None
    fixed = sorted(c.fixed_cost for c in instance.centers)
    k = fewest_centers(instance)
    centers = float(sum(fixed[:k]))
    line_haul = 0.0
    truck = instance.line_haul
    if truck is not None:
        sites = [c.id for c in instance.centers] + [h.id for h in instance.hubs]
        for company in instance.companies:
            out = max(instance.company_demand(company.id), sum(n.pickup.get(company.id, 0.0) for n in instance.nodes))
            if out <= 0:
                continue
            d = instance.index[company.depot.id]
            trip = min(float(t.km[d, instance.index[s]] + t.km[instance.index[s], d]) for s in sites)
            if trip <= 0:
                continue
            trips = 1 if truck.capacity is None else math.ceil(out / truck.capacity - 1e-9)
            line_haul += trips * (truck.fixed_cost + truck.cost_per_km * trip)
    return Bound(float(vans) + centers + line_haul, float(vans), centers, line_haul, status)


def verdict(
    designs: pd.DataFrame, delivery: pd.DataFrame, bound: Bound | None, windows: pd.DataFrame | None = None
) -> dict[str, object] | None:
    """The best design found against the best independent plan found, with the bound;
    with `windows` (`experiments.windows.window_table`), also against the cheapest
    independent plan under the other reading of `independent_windows`, and each plan's
    simulated share of windows met."""
    if designs.empty or delivery.empty:
        return None
    feasible = designs[designs["feasible"].astype(bool)]
    alone = delivery[(delivery["delivery"] == "independent") & delivery["feasible"].astype(bool)]
    if feasible.empty or alone.empty:
        return None
    best = feasible.loc[feasible["TC"].idxmin()]
    independent = float(alone["TC"].min())
    independent_e = float(alone.loc[alone["TC"].idxmin(), "E"])
    out: dict[str, object] = {
        "design": str(best["design"]),
        "scope": str(best["scope"]),
        "hub": str(best["hub"]),
        "solver": str(best["solver"]),
        "TC_joint": float(best["TC"]),
        "TC_independent": independent,
        "saving_pct": 100 * (independent - float(best["TC"])) / independent,
        "E_joint": float(best["E"]),
        "E_independent": independent_e,
        "E_saving_pct": 100 * (independent_e - float(best["E"])) / independent_e if independent_e else math.nan,
        "LB": math.nan if bound is None else bound.total,
        "max_saving_pct": math.nan if bound is None else 100 * (independent - bound.total) / independent,
    }
    if bound is not None:
        out |= {"LB_vans": bound.vans, "LB_centers": bound.centers, "LB_line_haul": bound.line_haul}
    if windows is not None and not windows.empty and "TC" in windows:
        alone_rows = windows[(windows["policy"] == "independent") & windows["feasible"].fillna(False).astype(bool)]
        for _, row in alone_rows.iterrows():
            key = "own" if bool(row["instance_reading"]) else "other"
            out |= {
                f"windows_{key}": str(row["windows"]),
                f"TC_independent_{key}": float(row["TC"]),
                f"windows_met_{key}_pct": float(row["windows_met_pct"]),
            }
        if "TC_independent_other" in out:
            other = float(out["TC_independent_other"])  # type: ignore[arg-type]
            out["saving_other_pct"] = 100 * (other - float(best["TC"])) / other
        joint_rows = windows[windows["policy"] == "joint"]
        if not joint_rows.empty and "windows_met_pct" in joint_rows:
            out["windows_met_joint_pct"] = float(joint_rows["windows_met_pct"].iloc[0])
    return out
