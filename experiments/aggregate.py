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

import pandas as pd

from experiments.plan import Plan
from lastmile.check import check
from lastmile.cost import evaluate
from lastmile.model import Instance, Route, Solution


def stored_routes(row: pd.Series) -> list[Route]:
    """The routes of one stored run, rebuilt from its `routes`, `vehicles` and `center`."""
    paths, vehicles = json.loads(row["routes"]), json.loads(row["vehicles"])
    return [Route.through(v, row["center"], stops, row["region"]) for v, stops in zip(vehicles, paths, strict=True)]


def _row(instance: Instance, solution: Solution, delivery: str, solver: str, seed: int) -> dict[str, object]:
    cost = evaluate(instance, solution)
    violations = check(instance, solution)
    return {
        "solver": solver,
        "seed": seed,
        "delivery": delivery,
        "C1": cost.vehicle_fixed,
        "C2": cost.transport,
        "C3": cost.congestion,
        "C4": cost.center_fixed,
        "TC": cost.total,
        "E": cost.co2_kg,
        "km": cost.km,
        "vehicles": len([r for r in solution.routes or () if r.stops]),
        "feasible": not violations,
        "violations": "; ".join(str(v) for v in violations[:3]),
    }


def delivery_table(plan: Plan, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (solver, seed, joint or independent) whose regions all have a
    feasible run."""
    if not plan.routed:
        return pd.DataFrame()
    mine = runs[runs["instance"] == plan.label]
    out = []
    for (solver, seed), group in mine.groupby(["solver", "seed"], sort=True):
        by_region = {row["region"]: row for _, row in group.iterrows() if row["feasible"]}
        for delivery, regions, instance in (
            ("joint", plan.joint_regions, plan.planned),
            ("independent", plan.independent_regions, plan.instance),
        ):
            if not regions or not all(r in by_region for r in regions):
                continue
            routes = [route for r in regions for route in stored_routes(by_region[r])]
            solution = Solution.routed(routes) if delivery == "joint" else Solution.independent(routes)
            out.append(_row(instance, solution, delivery, str(solver), int(seed)))
    return pd.DataFrame(out)
