"""Who plans to the time windows: both readings of `independent_windows`, reported (issue 30).

An instance says whether companies delivering alone plan to the customers' time windows
(`Instance.independent_windows`; Xiqing's file says no: the study's companies meet
80-92% of them). Joint delivery always plans to them. Which reading holds changes the
answer, so it is a scenario of its own (config `window_scenarios`): independent
delivery is also planned under the other reading (label `NAME@windows=planned` or
`NAME@windows=ignored`, every solver once with the first seed, from the same regions'
districts), and `window_table` sets side by side, per reading, the cheapest feasible
independent plan and the best joint design found, each with its cost and the time-window
result of `replications` simulated days (`simulation.drive`: the planned demand, travel
times drawn around the planned ones with `travel_noise`): the share of windowed stops
reached by their window's end, and of parcels late.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.aggregate import delivery_row, stored_routes
from experiments.plan import Plan, baseline, company_problems, region_index
from experiments.store import VARIANT
from lastmile.distances import same_locations
from lastmile.model import Instance, Route, Solution
from lastmile.routing import RoutingProblem
from simulation.drive import DriveOptions, drive


@dataclass(frozen=True)
class WindowScenario:
    """Independent delivery under the reading the instance does not take."""

    label: str
    reading: str  # "planned" (companies plan to the windows) or "ignored"
    instance: Instance  # the instance under that reading (its `independent_windows`)
    problems: Mapping[str, RoutingProblem]


def reading(planned: bool) -> str:
    return "planned" if planned else "ignored"


def window_scenario(plan: Plan, max_customers: int) -> WindowScenario | None:
    """The other reading's independent problems, for instances of several companies
    with a time window somewhere and independent delivery planned; None otherwise."""
    instance = plan.instance
    if len(instance.companies) < 2 or not plan.independent_regions or not plan.specs:
        return None
    if not any(n.time_window is not None for n in instance.nodes):
        return None
    other = same_locations(instance, independent_windows=not instance.independent_windows)
    alone = baseline(other)
    index = region_index(plan.specs)
    problems: dict[str, RoutingProblem] = {}
    for company in alone.companies:
        problems |= company_problems(alone, company.id, index, max_customers)
    label = f"{plan.label}{VARIANT}windows={reading(other.independent_windows)}"
    return WindowScenario(label, reading(other.independent_windows), alone, problems)


def _independent(runs: pd.DataFrame, label: str, regions: list[str], instance: Instance) -> tuple[dict, list[Route]]:
    """The cheapest feasible independent plan stored under `label` (its delivery row
    and routes), or ({}, []) without one."""
    mine = runs[(runs["instance"] == label) & runs["feasible"] & runs["region"].isin(regions)]
    best: tuple[dict, list[Route]] = ({}, [])
    for (solver, seed), group in mine.groupby(["solver", "seed"], sort=True):
        by_region = {row["region"]: row for _, row in group.iterrows()}
        if not all(r in by_region for r in regions):
            continue
        routes = [route for r in regions for route in stored_routes(by_region[r])]
        row = delivery_row(instance, Solution.independent(routes), "independent", str(solver), int(seed))
        if row["feasible"] and (not best[0] or float(row["TC"]) < float(best[0]["TC"])):  # type: ignore[arg-type]
            best = (row, routes)
    return best


def simulated(
    instance: Instance,
    routes: list[Route],
    region_of: Mapping[str, str],
    rng: np.random.Generator,
    options: DriveOptions,
    replications: int,
    independent: bool,
) -> dict[str, float]:
    """The time-window result of `replications` simulated days of `routes`: the mean
    and standard deviation over days of the share (%) of windowed stops reached by
    their window's end, and the mean share of parcels late or unserved."""
    on_time, late = [], []
    for _ in range(replications):
        days = drive(instance, routes, region_of, rng, options, independent=independent).values()
        windowed = sum(d.stops_windowed for d in days)
        met = sum(d.stops_windowed_on_time for d in days)
        parcels = sum(d.parcels + d.parcels_unserved for d in days)
        on_time.append(100 * met / windowed if windowed else np.nan)
        late.append(100 * sum(d.parcels_late + d.parcels_unserved for d in days) / parcels if parcels else np.nan)
    return {
        "windows_met_pct": float(np.mean(on_time)),
        "windows_met_sd": float(np.std(on_time, ddof=1)) if replications > 1 else np.nan,
        "parcels_late_pct": float(np.mean(late)),
    }


def window_table(
    plan: Plan,
    scenario: WindowScenario,
    runs: pd.DataFrame,
    joint: tuple[dict[str, object], list[Route]] | None,
    rng: np.random.Generator,
    options: DriveOptions,
    replications: int,
) -> pd.DataFrame:
    """Per reading, the cheapest independent plan, then the best joint design (`joint`:
    its design row and routes), each with its costs and simulated time-window result
    (module docstring)."""
    own = reading(plan.instance.independent_windows)
    readings = [
        (own, plan.label, list(plan.independent_regions), plan.independent_instance),
        (scenario.reading, scenario.label, list(scenario.problems), scenario.instance),
    ]
    rows = []
    for name, label, regions, instance in sorted(readings, key=lambda r: r[0] != "ignored"):
        row, routes = _independent(runs, label, regions, instance)
        head = {"policy": "independent", "windows": name, "instance_reading": name == own}
        if not row:
            rows.append(head | {"feasible": False})
            continue
        figures = simulated(instance, routes, plan.region_of, rng, options, replications, independent=True)
        rows.append(head | _figures(row) | figures)
    if joint is not None:
        row, routes = joint
        figures = simulated(plan.planned, routes, plan.region_of, rng, options, replications, independent=False)
        rows.append({"policy": "joint", "windows": "planned", "instance_reading": True} | _figures(row) | figures)
    return pd.DataFrame(rows)


def _figures(row: Mapping[str, object]) -> dict[str, object]:
    keys = ("solver", "TC", "TC_no_LH", "E", "vehicles", "km", "feasible")
    return {k: row[k] for k in keys if k in row}
