"""Whole-instance solutions put together from stored region runs (the study's Table 8).

For every solver and seed whose runs cover all of an instance's regions, the region
routes are joined into one joint `Solution` (checked against the plan's instance,
lockers included) and the company routes into one independent `Solution` (checked
against the instance as given). Both are costed by the shared `evaluate` and checked
by the shared `check`: C1 vehicle fixed, C2 transport, C3 congestion, C4 center,
TC total, E kg CO2.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from experiments.plan import Plan
from experiments.scopes import whole_problem
from experiments.store import VARIANT, WHOLE
from lastmile.check import check
from lastmile.cost import evaluate
from lastmile.model import Instance, Route, Solution
from lastmile.policies import has_status_quo
from lastmile.routing import MultiDepotProblem

#: What joint and independent delivery are called where the instance describes today's
#: practice (seed 004: the alliance against the status quo).
STATUS_QUO_NAMES = {"joint": "alliance", "independent": "status quo"}
#: Regions named in a delivery row's `missing` before "and k more".
SHOWN = 3


def stored_routes(row: pd.Series) -> list[Route]:
    """The routes of one stored run, rebuilt from its `routes`, `vehicles` and `centers`
    (`center` for every route in a store made before `centers`)."""
    paths, vehicles = json.loads(row["routes"]), json.loads(row["vehicles"])
    centers = json.loads(row["centers"]) if isinstance(row.get("centers"), str) and row["centers"] else []
    starts = centers if len(centers) == len(paths) else [row["center"]] * len(paths)
    return [Route.through(v, c, stops, row["region"]) for v, c, stops in zip(vehicles, starts, paths, strict=True)]


def delivery_row(instance: Instance, solution: Solution, delivery: str, solver: str, seed: int) -> dict[str, object]:
    """One policy's whole-instance figures. TC and E include line-haul (joint) and the
    village staff's feeder trips (status quo); `TC_no_LH` and `E_no_LH` leave line-haul
    out, as the study does. `vehicles` are the delivery vehicles that leave a depot or
    center (for Ling Shan: the vehicles leaving the county)."""
    cost = evaluate(instance, solution)
    violations = check(instance, solution)
    parcels = sum(r.delivered for r in cost.routes)
    line_haul, feeder = cost.line_haul, cost.feeder
    return {
        "solver": solver,
        "seed": seed,
        "delivery": delivery,
        "C1": cost.vehicle_fixed,
        "C2": cost.transport,
        "C3": cost.congestion,
        "C4": cost.center_fixed,
        "LH": line_haul.cost if line_haul else 0.0,
        "feeder": feeder.cost if feeder else 0.0,
        "TC": cost.total,
        "TC_no_LH": cost.total_without_line_haul,
        "E": cost.total_co2_kg,
        "E_no_LH": cost.co2_without_line_haul,
        "E_routes": cost.co2_kg,
        "km": cost.km,
        "LH_km": line_haul.km if line_haul else 0.0,
        "LH_congestion": line_haul.congestion if line_haul else 0.0,  # in LH: cost per km on its congestion km
        "feeder_km": feeder.km if feeder else 0.0,
        "vehicles": len(cost.routes),
        "LH_trucks": line_haul.trips if line_haul else 0,
        "feeder_trips": feeder.trips if feeder else 0,
        "parcels": parcels,
        "TC_per_parcel": cost.total / parcels if parcels else float("nan"),
        "return_load": float(np.mean([r.return_load_rate for r in cost.routes])) if cost.routes else float("nan"),
        "feasible": not violations,
        "violations": "; ".join(str(v) for v in violations[:3]),
    }


def delivery_table(plan: Plan, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (solver, seed, joint or independent). Where a region has no feasible
    run, the row is still there: its figures empty, `feasible` false and `missing`
    naming the regions without a plan and why (their runs' status), so a policy never
    drops out of the comparison unseen."""
    if not plan.routed:
        return pd.DataFrame()
    mine = runs[runs["instance"] == plan.label]
    names = STATUS_QUO_NAMES if has_status_quo(plan.instance) else {}
    out = []
    empty: dict[str, dict[str, object]] = {}  # per policy, its row's columns with nothing in them
    for (solver, seed), group in mine.groupby(["solver", "seed"], sort=True):
        by_region = {row["region"]: row for _, row in group.iterrows() if row["feasible"]}
        for delivery, regions, instance in (
            ("joint", plan.joint_regions, plan.planned),
            ("independent", plan.independent_regions, plan.independent_instance),
        ):
            if not regions:
                continue
            whole = Solution.routed if delivery == "joint" else Solution.independent
            lacking = [r for r in regions if r not in by_region]
            if lacking:
                if delivery not in empty:  # the columns of a costed row, once per policy
                    shape = delivery_row(instance, whole(()), delivery, "", 0)
                    empty[delivery] = dict.fromkeys(shape, math.nan)
                missing = _missing(group, lacking)
                row = empty[delivery] | {
                    "solver": str(solver),
                    "seed": int(seed),
                    "delivery": delivery,
                    "feasible": False,
                    "violations": f"no plan for {missing}",
                    "missing": missing,
                }
            else:
                routes = [route for r in regions for route in stored_routes(by_region[r])]
                row = delivery_row(instance, whole(routes), delivery, str(solver), int(seed)) | {"missing": ""}
            out.append({**row, "policy": names.get(delivery, delivery)})
    return pd.DataFrame(out)


def _missing(group: pd.DataFrame, regions: list[str]) -> str:
    """`R03 (no_solution), independent:C1 (not run)`: the regions without a feasible run
    and their runs' statuses, the first `SHOWN` of them and how many more."""
    status = group.groupby("region")["status"].agg(lambda s: "/".join(sorted(set(s))))
    named = ", ".join(f"{r} ({status.get(r, 'not run')})" for r in regions[:SHOWN])
    return named + (f" and {len(regions) - SHOWN} more" if len(regions) > SHOWN else "")


def whole_label(plan: Plan) -> str:
    """The instance label of the plan's joint instance routed as one problem."""
    return f"{plan.label}{VARIANT}{WHOLE}"


def division_table(plan: Plan, runs: pd.DataFrame) -> pd.DataFrame:
    """The price of region division (issue 12): per solver and seed, the three-stage
    joint routes against the whole joint instance routed as one problem from the same
    open centers with the same vehicles (`plan.whole_problem`), both costed by
    `evaluate` and checked by `check` on the planned instance. `price` = regions' TC -
    whole TC: positive when dividing into regions costs money."""
    problem = whole_problem(plan)
    if problem is None:
        return pd.DataFrame()
    center_of = (
        {v: c for c, vehicles in zip(problem.centers, problem.vehicles, strict=True) for v in vehicles}
        if isinstance(problem, MultiDepotProblem)
        else {}
    )
    regional = runs[(runs["instance"] == plan.label) & runs["feasible"]]
    out = []
    for _, row in runs[(runs["instance"] == whole_label(plan)) & runs["feasible"]].iterrows():
        solver, seed = str(row["solver"]), int(row["seed"])
        paths, vehicles = json.loads(row["routes"]), json.loads(row["vehicles"])
        whole = [
            Route.through(v, center_of.get(v, row["center"]), p, WHOLE) for v, p in zip(vehicles, paths, strict=True)
        ]
        mine = regional[(regional["solver"] == solver) & (regional["seed"] == seed)]
        by_region = {r["region"]: r for _, r in mine.iterrows()}
        if not all(r in by_region for r in plan.joint_regions):
            continue
        split = [route for r in plan.joint_regions for route in stored_routes(by_region[r])]
        figures = {
            kind: delivery_row(plan.planned, Solution.routed(routes), kind, solver, seed)
            for kind, routes in (("regions", split), ("whole", whole))
        }
        regions, one = figures["regions"], figures["whole"]
        price = float(regions["TC"]) - float(one["TC"])  # type: ignore[arg-type]
        out.append(
            {
                "solver": solver,
                "seed": seed,
                "regions": len(plan.joint_regions),
                "centers": problem.depots,
                "TC_regions": regions["TC"],
                "TC_whole": one["TC"],
                "price": price,
                "price_pct": 100 * price / float(one["TC"]),  # type: ignore[arg-type]
                "km_regions": regions["km"],
                "km_whole": one["km"],
                "vehicles_regions": regions["vehicles"],
                "vehicles_whole": one["vehicles"],
                "feasible": bool(regions["feasible"] and one["feasible"]),
                "violations": "; ".join(str(f["violations"]) for f in (regions, one) if f["violations"]),
            }
        )
    return pd.DataFrame(out)
