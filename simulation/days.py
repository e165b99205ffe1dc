"""Days of delivery: each day's demand, and the study's Table 7 from simulated days.

A day's demand is the instance's, each parcel count (deliveries and pickups, per node
and company) times a lognormal factor with mean 1 and coefficient of variation
`demand_noise`, rounded; with `demand_noise = 0` the day is the instance itself.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from lastmile.distances import same_locations
from lastmile.model import Instance
from simulation.drive import lognormal_factor

MEASURES = ("km", "co2_kg", "cost", "stops", "stops_on_time", "parcels", "parcels_late", "parcels_unserved")


def day_instance(instance: Instance, rng: np.random.Generator, noise: float) -> Instance:
    """The instance with one day's demand drawn around its own."""
    if noise == 0:
        return instance

    def draw(quantities: dict[str, float]) -> dict[str, float]:
        return {k: float(round(q * lognormal_factor(rng, noise))) for k, q in sorted(quantities.items())}

    nodes = tuple(replace(n, demand=draw(dict(n.demand)), pickup=draw(dict(n.pickup))) for n in instance.nodes)
    return same_locations(instance, nodes=nodes)


def _interval(values: pd.Series) -> tuple[float, float]:
    """Mean and the half-width of its 95% t confidence interval (NaN with one value)."""
    values = values.dropna()
    mean = float(values.mean()) if len(values) else float("nan")
    if len(values) < 2:
        return mean, float("nan")
    from scipy import stats  # only where an interval is computed: it takes most of a second to import

    return mean, float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))


def table7(days: pd.DataFrame) -> pd.DataFrame:
    """Per instance and region (and `all`): joint against independent over the simulated
    days, each figure the mean over replications with its 95% confidence half-width.

    Columns: path length change (%), time-window satisfaction of each policy (% of
    stops served in their window) and its change (percentage points), average load
    rate of joint vehicles (%), carbon reduction (kg over the days, and %), parcels
    unserved per policy.
    """
    if days.empty:
        return pd.DataFrame()
    per_rep = days.groupby(["instance", "replication", "policy", "region"], as_index=False).agg(
        **{m: (m, "sum") for m in MEASURES}, load_rate=("load_rate", "mean")
    )
    whole = per_rep.groupby(["instance", "replication", "policy"], as_index=False).agg(
        **{m: (m, "sum") for m in MEASURES}, load_rate=("load_rate", "mean")
    )
    per_rep = pd.concat([per_rep, whole.assign(region="all")], ignore_index=True)
    wide = per_rep.pivot_table(index=["instance", "region", "replication"], columns="policy", aggfunc="first")
    rows = []
    for (instance, region), block in wide.groupby(level=["instance", "region"], sort=True):
        if ("km", "joint") not in block.columns or ("km", "independent") not in block.columns:
            continue
        joint, alone = block.xs("joint", axis=1, level="policy"), block.xs("independent", axis=1, level="policy")
        on_time_joint = 100 * joint["stops_on_time"] / joint["stops"]
        on_time_alone = 100 * alone["stops_on_time"] / alone["stops"]
        measures = {
            "path length change %": 100 * (joint["km"] - alone["km"]) / alone["km"],
            "TW satisfaction joint %": on_time_joint,
            "TW satisfaction independent %": on_time_alone,
            "TW change pp": on_time_joint - on_time_alone,
            "load rate joint %": 100 * joint["load_rate"],
            "carbon reduction kg": alone["co2_kg"] - joint["co2_kg"],
            "carbon reduction %": 100 * (alone["co2_kg"] - joint["co2_kg"]) / alone["co2_kg"],
            "unserved joint": joint["parcels_unserved"],
            "unserved independent": alone["parcels_unserved"],
        }
        row: dict[str, object] = {"instance": instance, "region": region, "replications": len(block)}
        for name, values in measures.items():
            row[name], row[f"{name} ±"] = _interval(values.replace([np.inf, -np.inf], np.nan))
        rows.append(row)
    return pd.DataFrame(rows)
