"""Figures of an experiment (matplotlib, PDF and PNG), drawn from its results store alone.

    python experiments/figures.py OUTDIR

- `regions-<instance>`: the nodes coloured by region, centers and depots marked;
- `routes-<instance>-<solver>`: each solver's routes of every joint region (its best seed);
- `convergence-<instance>`: improvement traces of the largest region, per solver and seed;
- `gaps-<instance>`: box plots of each solver's gap to the best objective found per region;
- `sensitivity-<instance>`: independent and joint total cost against each swept factor;
- `allocation-<instance>`: each company's saving under each cost-allocation rule (`--allocate`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "experiments":
    sys.path[0] = str(ROOT)  # run as a script: the checkout's packages, not this folder's modules

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.file_names import instance_names  # noqa: E402
from experiments.store import INDEPENDENT, VARIANT, Store, folder_main  # noqa: E402
from experiments.tables import BASIS_NAMES, RULE_ORDER  # noqa: E402


def _save(fig: plt.Figure, folder: Path, name: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.pdf", folder / f"{name}.png"]
    fig.savefig(paths[0], bbox_inches="tight", metadata={"CreationDate": None, "Producer": None})
    fig.savefig(paths[1], bbox_inches="tight", dpi=150, metadata={"Software": None})
    plt.close(fig)
    return paths


def regions_map(locations: pd.DataFrame, instance: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6, 5))
    nodes = locations[locations["kind"] == "node"]
    for region, group in nodes.groupby("region", sort=True):
        ax.scatter(group["x"], group["y"], s=14, label=str(region))
    for kind, marker in (("center", "s"), ("depot", "^")):
        sites = locations[locations["kind"] == kind]
        if not sites.empty:
            ax.scatter(sites["x"], sites["y"], marker=marker, s=40, c="black", label=f"{kind}s")
    ax.set_title(f"{instance}: regions")
    ax.legend(fontsize=6, ncols=2, loc="best")
    ax.set_aspect("equal", adjustable="datalim")
    return fig


def routes_map(locations: pd.DataFrame, runs: pd.DataFrame, instance: str, solver: str) -> plt.Figure:
    xy = {row["id"]: (row["x"], row["y"]) for _, row in locations.iterrows()}
    fig, ax = plt.subplots(figsize=(6, 5))
    nodes = locations[locations["kind"] == "node"]
    ax.scatter(nodes["x"], nodes["y"], s=6, c="lightgrey")
    for _, row in runs.iterrows():
        center = xy.get(row["center"])
        for stops in json.loads(row["routes"]):
            path = [center, *(xy[s] for s in stops), center]
            ax.plot([p[0] for p in path], [p[1] for p in path], lw=0.8)
        if center is not None:
            ax.scatter(*center, marker="s", s=30, c="black")
    ax.set_title(f"{instance}: routes by {solver}")
    ax.set_aspect("equal", adjustable="datalim")
    return fig


def convergence(runs: pd.DataFrame, instance: str, region: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6, 4))
    for _, row in runs.iterrows():
        trace = json.loads(row["trace"])
        if trace:
            times, costs = zip(*trace, strict=True)
            ax.step(times, costs, where="post", label=f"{row['solver']} {row['seed']}")
    ax.set_xlabel("seconds")
    if ax.lines:
        ax.legend(fontsize=6)
    ax.set_ylabel("objective")
    ax.set_title(f"{instance} {region}: convergence")
    return fig


def gap_boxes(runs: pd.DataFrame, instance: str) -> plt.Figure:
    ok = runs[runs["feasible"] & runs["objective"].notna()].copy()
    best = ok.groupby("region")["objective"].transform("min")
    ok["gap"] = 100 * (ok["objective"] - best) / best.where(best != 0)
    solvers = list(dict.fromkeys(ok["solver"]))
    fig, ax = plt.subplots(figsize=(6, 4))
    if not solvers:
        ax.text(0.5, 0.5, "no feasible run", ha="center", transform=ax.transAxes)
        return fig
    ax.boxplot([ok.loc[ok["solver"] == s, "gap"].dropna() for s in solvers], tick_labels=solvers)
    ax.set_ylabel("gap to best found (%)")
    ax.set_title(f"{instance}: gaps per region and seed")
    return fig


def sensitivity_curves(table: pd.DataFrame, instance: str) -> plt.Figure:
    parameters = sorted(set(table["parameter"]))
    fig, axes = plt.subplots(1, len(parameters), figsize=(5 * len(parameters), 4), squeeze=False)
    for ax, parameter in zip(axes[0], parameters, strict=True):
        part = table[table["parameter"] == parameter]
        for delivery, group in part.groupby("delivery", sort=True):
            means = group.groupby("factor")["TC"].mean()
            ax.plot(means.index, means.values, marker="o", label=delivery)
        ax.set_xlabel(f"{parameter} factor")
        ax.set_ylabel("total cost TC")
        ax.legend()
    fig.suptitle(f"{instance}: sensitivity")
    return fig


def savings_bars(allocation: pd.DataFrame, instance: str) -> plt.Figure:
    """Each company's saving against delivering alone (%) under each allocation rule,
    one panel per cost basis (with line-haul, without it)."""
    bases = [b for b in BASIS_NAMES if b in set(allocation["basis"])]
    fig, axes = plt.subplots(1, len(bases), figsize=(6 * len(bases), 4), squeeze=False)
    for ax, basis in zip(axes[0], bases, strict=True):
        part = allocation[allocation["basis"] == basis]
        rules = [r for r in RULE_ORDER if r in set(part["rule"])]
        companies = list(dict.fromkeys(part["company"]))
        width = 0.8 / len(rules)
        for k, rule in enumerate(rules):
            values = part[part["rule"] == rule].set_index("company").loc[companies, "saving_pct"]
            ax.bar(np.arange(len(companies)) + (k - (len(rules) - 1) / 2) * width, values, width, label=rule)
        ax.axhline(0.0, color="black", lw=0.6)
        ax.set_xticks(np.arange(len(companies)), companies, fontsize=7)
        ax.set_ylabel("saving against alone (%)")
        ax.set_title(BASIS_NAMES[basis][1], fontsize=9)
        ax.legend(fontsize=6)
    fig.suptitle(f"{instance}: who gains under each allocation rule")
    return fig


def write_figures(folder: Path) -> list[Path]:
    store = Store(folder)
    try:
        runs, locations, sensitivity = store.runs(), store.table("locations"), store.table("sensitivity")
        allocation = store.table("allocation")
        names = instance_names(store)
    finally:
        store.close()
    target = folder / "figures"
    written: list[Path] = []
    runs = runs[~runs["instance"].str.contains(VARIANT, regex=False)]
    for instance, block in runs.groupby("instance", sort=True):
        name = names[str(instance)]
        sites = locations[locations["instance"] == instance] if not locations.empty else locations
        joint = block[~block["region"].str.startswith(INDEPENDENT)]
        if not sites.empty:
            written += _save(regions_map(sites, str(instance)), target, f"regions-{name}")
            for solver, group in joint.groupby("solver", sort=False):
                ok = group[group["feasible"]]
                if ok.empty:
                    continue
                totals = ok.groupby("seed")["objective"].sum()
                best = ok[ok["seed"] == totals.idxmin()]
                written += _save(routes_map(sites, best, str(instance), str(solver)), target, f"routes-{name}-{solver}")
        largest = joint.sort_values(["n_customers", "region"], ascending=[False, True])["region"].head(1)
        if not largest.empty:
            region = largest.iloc[0]
            fig = convergence(joint[joint["region"] == region], str(instance), region)
            written += _save(fig, target, f"convergence-{name}")
        written += _save(gap_boxes(block, str(instance)), target, f"gaps-{name}")
    if not allocation.empty:
        several = allocation["solver"].nunique() > 1
        for (instance, solver), table in allocation.groupby(["instance", "solver"], sort=True):
            name = f"allocation-{names[str(instance)]}" + (f"-{solver}" if several else "")
            written += _save(savings_bars(table, str(instance)), target, name)
    if not sensitivity.empty:
        for instance, table in sensitivity.groupby("instance", sort=True):
            written += _save(sensitivity_curves(table, str(instance)), target, f"sensitivity-{names[str(instance)]}")
    return written


def main(argv: list[str] | None = None) -> int:
    return folder_main(argv, __doc__.strip().split("\n\n")[1], write_figures)


if __name__ == "__main__":
    sys.exit(main())
