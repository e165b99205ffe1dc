"""The routes an interactive map shows (issue 33, `report.html`), as the store keeps them.

Per instance, one view per policy and solver (its seed of the lowest total): independent
delivery, joint delivery in the study's regions with the `tour` line-haul, and the best
joint design found with its own line-haul (and shuttles). Every route with its km, the
parcels it delivers and collects, its load rate and its cost (the shared `evaluate`'s
per-route figures); every truck path with the company or truck it belongs to.
"""

from __future__ import annotations

import json

import pandas as pd

from experiments.aggregate import stored_routes
from experiments.plan import Plan
from lastmile.cost import evaluate, line_haul_legs, shuttle_path
from lastmile.model import Instance, Solution

COLUMNS = ["view", "kind", "owner", "center", "path", "km", "delivered", "collected", "load_rate", "cost"]


def _best_seed(group: pd.DataFrame, regions: tuple[str, ...]) -> pd.DataFrame | None:
    """The seed whose runs cover every region at the lowest total objective."""
    ok = group[group["feasible"] & group["region"].isin(regions)]
    whole = ok.groupby("seed")["region"].nunique()
    seeds = whole[whole == len(regions)].index
    if len(seeds) == 0:
        return None
    totals = ok[ok["seed"].isin(seeds)].groupby("seed")["objective"].sum()
    return ok[ok["seed"] == totals.idxmin()]


def _route_rows(instance: Instance, solution: Solution, view: str) -> list[dict[str, object]]:
    cost = evaluate(instance, solution)
    used = [r for r in solution.routes or () if r.stops]
    rows = []
    for route, figures in zip(used, cost.routes, strict=True):
        rows.append(
            {
                "view": view,
                "kind": "route",
                "owner": route.vehicle,
                "center": route.center,
                "path": json.dumps(list(route.path)),
                "km": figures.km,
                "delivered": figures.delivered,
                "collected": figures.picked_up,
                "load_rate": figures.load_rate,
                "cost": figures.cost,
            }
        )
    if solution.mode == "joint" and instance.line_haul is not None:
        for leg in line_haul_legs(instance, solution):
            rows.append(
                {"view": view, "kind": "line-haul", "owner": leg.company, "center": "", "path": json.dumps(leg.stops)}
            )
    if solution.hub is not None:
        for shuttle in solution.shuttles:
            if shuttle.stops:
                path = json.dumps(shuttle_path(solution, shuttle))
                rows.append({"view": view, "kind": "shuttle", "owner": shuttle.vehicle, "center": "", "path": path})
    return rows


def map_routes(plan: Plan, runs: pd.DataFrame, best: tuple[dict, Solution] | None) -> pd.DataFrame:
    """The map's views (module docstring) as rows of `COLUMNS`."""
    rows: list[dict[str, object]] = []
    mine = runs[runs["instance"] == plan.label]
    for solver, group in mine.groupby("solver", sort=True):
        for policy, regions, instance, make in (
            ("independent", plan.independent_regions, plan.independent_instance, Solution.independent),
            ("joint, regions, tour line-haul", plan.joint_regions, plan.planned, Solution.routed),
        ):
            chosen = _best_seed(group, regions) if regions else None
            if chosen is None:
                continue
            routes = [route for _, row in chosen.iterrows() for route in stored_routes(row)]
            rows += _route_rows(instance, make(routes), f"{policy} ({solver})")
    if best is not None:
        row, solution = best
        view = f"best design: {row['design']} line-haul, {row['scope']} scope ({row['solver']})"
        rows += _route_rows(plan.planned, solution, view)
    return pd.DataFrame(rows, columns=COLUMNS)
