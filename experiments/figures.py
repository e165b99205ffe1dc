"""Figures of an experiment (matplotlib, PDF and PNG), drawn from its results store alone.

    python experiments/figures.py OUTDIR

- `costs-<instance>`: the cost components of independent delivery and of the best joint
  plan of each line-haul design, with line-haul and without it;
- `savings-<instance>`: each company's saving under each cost-allocation rule (where the
  game was played);
- `map-<instance>`: road network, regions, candidate and opened centers, depots, the hub,
  the best design's line-haul paths (`experiments.maps`);
- `routes-<instance>`: the main solver's routes (`experiments.tables.REFERENCE_SOLVERS`);
- `convergence-<instance>`: improvement traces of the largest region on a log time axis,
  per solver and seed (numbered 1..k), the exact solver's bound drawn;
- `gaps-<instance>`: each solver's gap to the best objective found per region, its runs
  without a feasible plan counted under its box;
- `sensitivity-<instance>`: independent and joint total cost against each swept factor;
- `tornado-`, `scenarios-` and `break-even-<instance>`: what the uncertainty scenarios
  say (`experiments.uncertainty_figures`).
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
from experiments.maps import map_figure, palette, routes_figure  # noqa: E402
from experiments.store import INDEPENDENT, VARIANT, Store, folder_main  # noqa: E402
from experiments.tables import BASIS_NAMES, RULE_ORDER, reference  # noqa: E402


def _save(fig: plt.Figure, folder: Path, name: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.pdf", folder / f"{name}.png"]
    fig.savefig(paths[0], bbox_inches="tight", metadata={"CreationDate": None, "Producer": None})
    fig.savefig(paths[1], bbox_inches="tight", dpi=150, metadata={"Software": None})
    plt.close(fig)
    return paths


def convergence(runs: pd.DataFrame, instance: str, region: str, bound: float | None) -> plt.Figure:
    """Each run's improvements over time (log axis), seeds numbered per solver, the exact
    solver's bound as a line."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for solver, group in runs.groupby("solver", sort=True):
        for k, (_, row) in enumerate(group.sort_values("seed").iterrows(), start=1):
            trace = json.loads(row["trace"])
            if trace:
                times, costs = zip(*trace, strict=True)
                times = [max(t, 1e-4) for t in times]
                ax.step([*times, float(row["time_s"]) or times[-1]], [*costs, costs[-1]], where="post",
                        label=f"{solver} seed {k}")  # fmt: skip
    if bound is not None and np.isfinite(bound):
        ax.axhline(bound, color="black", ls="--", lw=0.8, label="exact bound")
    ax.set_xscale("log")
    ax.set_xlabel("seconds (log scale)")
    ax.set_ylabel("objective (CNY)")
    if ax.lines:
        ax.legend(fontsize=6, ncols=2)
    ax.set_title(f"{instance} {region}: convergence", fontsize=10)
    return fig


def gap_boxes(runs: pd.DataFrame, instance: str) -> plt.Figure:
    """Each solver's gaps to the best objective found per region (%), the runs without
    a feasible plan counted under each box."""
    ok = runs[runs["feasible"] & runs["objective"].notna()].copy()
    best = ok.groupby("region")["objective"].transform("min")
    ok["gap"] = 100 * (ok["objective"] - best) / best.where(best != 0)
    solvers = list(dict.fromkeys(runs.loc[runs["status"] != "not_applicable", "solver"]))
    fig, ax = plt.subplots(figsize=(6, 4))
    if not solvers:
        ax.text(0.5, 0.5, "no run", ha="center", transform=ax.transAxes)
        return fig
    failed = {s: int((~runs.loc[runs["solver"] == s, "feasible"].astype(bool)).sum()) for s in solvers}
    ax.boxplot([ok.loc[ok["solver"] == s, "gap"].dropna() for s in solvers],
               tick_labels=[f"{s}\n{failed[s]} without a plan" if failed[s] else s for s in solvers])  # fmt: skip
    ax.set_ylabel("gap to the best found (%)")
    ax.set_title(f"{instance}: gaps per region and seed", fontsize=10)
    return fig


COMPONENTS = (
    ("C1", "C1 vehicles"),
    ("C2", "C2 transport"),
    ("C3", "C3 congestion"),
    ("C4", "C4 centers"),
    ("feeder", "feeder trips"),
    ("LH_trucks", "line-haul trucks"),
    ("LH_hub", "hub"),
    ("LH_shuttle", "shuttles"),
)
LINE_HAUL = ("LH_trucks", "LH_hub", "LH_shuttle")


def cost_bars(delivery: pd.DataFrame, designs: pd.DataFrame, instance: str) -> plt.Figure:
    """Stacked cost components: independent delivery (its best solver) and the best
    joint plan of each line-haul design, with line-haul (left) and without (right)."""
    bars: list[tuple[str, dict[str, float]]] = []
    alone = delivery[(delivery["delivery"] == "independent") & delivery["feasible"].astype(bool)]
    if not alone.empty:
        row = alone.loc[alone["TC"].idxmin()]
        bars.append(("independent", {c: float(row.get(c, 0.0) or 0.0) for c, _ in COMPONENTS} | {"LH_trucks": 0.0}))
    ok = designs[designs["feasible"].astype(bool)] if not designs.empty else designs
    for design, group in ok.groupby("design", sort=False):
        row = group.loc[group["TC"].idxmin()]
        bars.append((f"joint, {design}\n({row['scope']})", {c: float(row.get(c, 0.0) or 0.0) for c, _ in COMPONENTS}))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=False)
    colours = palette_for(len(COMPONENTS))
    for ax, with_line_haul in zip(axes, (True, False), strict=True):
        bottom = np.zeros(len(bars))
        for (column, label), colour in zip(COMPONENTS, colours, strict=True):
            if not with_line_haul and column in LINE_HAUL:
                continue
            values = np.array([b[1].get(column, 0.0) for b in bars])
            if values.any():
                ax.bar(range(len(bars)), values, bottom=bottom, color=colour, label=label)
                bottom += values
        for k, total in enumerate(bottom):
            ax.text(k, total, f"{total:,.0f}", ha="center", va="bottom", fontsize=7)
        ax.set_ylim(0, 1.1 * max(bottom.max(), 1.0))
        ax.set_xticks(range(len(bars)), [b[0] for b in bars], fontsize=7)
        ax.set_ylabel("CNY per day")
        ax.set_title("with line-haul" if with_line_haul else "without line-haul (the study's convention)", fontsize=9)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"{instance}: what each policy costs", fontsize=11)
    return fig


def palette_for(count: int) -> list[tuple[float, ...]]:
    return [colour for colour, _ in palette(count)]


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


def savings_bars(allocation: pd.DataFrame, instance: str) -> plt.Figure:  # the `savings-<instance>` figure
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
        allocation, network, plans = store.table("allocation"), store.table("network"), store.table("map")
        delivery, designs, verdicts = store.table("delivery"), store.table("designs"), store.table("verdict")
        scenarios, indices = store.scenarios(), store.table("uncertainty_indices")
        names = instance_names(store)
    finally:
        store.close()
    target = folder / "figures"
    written: list[Path] = []
    runs = runs[~runs["instance"].str.contains(VARIANT, regex=False)]
    for instance, block in runs.groupby("instance", sort=True):
        name = names[str(instance)]
        sites = _of(locations, instance)
        joint = block[~block["region"].str.startswith(INDEPENDENT)]
        mine = _of(designs, instance)
        if not mine.empty:
            written += _save(cost_bars(_of(delivery, instance), mine, str(instance)), target, f"costs-{name}")
        if not sites.empty:
            verdict = _of(verdicts, instance)
            design = str(verdict["design"].iloc[0]) if not verdict.empty else "tour"
            figure = map_figure(sites, _of(network, instance), _of(plans, instance), str(instance), design)
            written += _save(figure, target, f"map-{name}")
            main = reference(joint[joint["feasible"]])
            if not main.empty:
                solver = str(main["solver"].iloc[0])
                totals = main.groupby("seed")["objective"].sum()
                best = main[main["seed"] == totals.idxmin()]
                figure = routes_figure(sites, _of(network, instance), best, str(instance), solver)
                written += _save(figure, target, f"routes-{name}")
        largest = joint.sort_values(["n_customers", "region"], ascending=[False, True])["region"].head(1)
        if not largest.empty:
            region = largest.iloc[0]
            part = joint[joint["region"] == region]
            exact = part[(part["solver"] == "exact") & part["bound"].notna()]
            bound = float(exact["bound"].max()) if not exact.empty else None
            written += _save(convergence(part, str(instance), region, bound), target, f"convergence-{name}")
        written += _save(gap_boxes(block, str(instance)), target, f"gaps-{name}")
    if not allocation.empty:
        several = allocation["solver"].nunique() > 1
        for (instance, solver), table in allocation.groupby(["instance", "solver"], sort=True):
            name = f"savings-{names[str(instance)]}" + (f"-{solver}" if several else "")
            written += _save(savings_bars(table, str(instance)), target, name)
    if not sensitivity.empty:
        for instance, table in sensitivity.groupby("instance", sort=True):
            written += _save(sensitivity_curves(table, str(instance)), target, f"sensitivity-{names[str(instance)]}")
    written += uncertainty_figures(scenarios, indices, names, target)
    return written


def uncertainty_figures(scenarios: pd.DataFrame, indices: pd.DataFrame, names: dict, target: Path) -> list[Path]:
    from experiments.uncertainty_figures import break_even, histogram, tornado

    written: list[Path] = []
    for instance, rows in scenarios.groupby("instance", sort=True) if not scenarios.empty else ():
        name, ranked = names[str(instance)], _of(indices, instance)
        if (rows["status"] == "ok").sum() < 2:
            continue
        written += _save(histogram(rows, str(instance)), target, f"scenarios-{name}")
        if not ranked.empty:
            written += _save(tornado(ranked, str(instance)), target, f"tornado-{name}")
            figure = break_even(rows, ranked, str(instance))
            if figure is not None:
                written += _save(figure, target, f"break-even-{name}")
    return written


def _of(table: pd.DataFrame, instance: object) -> pd.DataFrame:
    """`table`'s rows of `instance` (an empty table stays empty)."""
    return table[table["instance"] == instance] if not table.empty else table


def main(argv: list[str] | None = None) -> int:
    return folder_main(argv, __doc__.strip().split("\n\n")[1], write_figures)


if __name__ == "__main__":
    sys.exit(main())
