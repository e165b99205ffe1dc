"""The uncertainty figures of an instance (issue 34), from its stored scenarios:

- `tornado-<instance>`: each input's sensitivity index of the saving, largest on top
  (Morris mu* with its confidence interval, Sobol' total and first order, or |SRC|);
- `scenarios-<instance>`: the saving's histogram over scenarios (TC with line-haul, in
  percent of independent delivery), the break-even line at 0 and the 90% interval;
- `break-even-<instance>`: the two most influential inputs' factors (the day of
  day-to-day demand is no axis), each scenario a point (pays or not), and shaded where a
  least-squares plane of the saving through all inputs (the others at their median) says
  joint delivery pays.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.uncertainty import DAY

PAYS, LOSES = "#1b7837", "#b2182b"


def _savings(rows: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Each scenario with an outcome: its factors (columns) and its saving (% of TC)."""
    ok = rows[rows["status"] == "ok"].sort_values("scenario")
    factors = pd.DataFrame([json.loads(f) for f in ok["factors"]])
    saving = 100 * (ok["TC_independent"] - ok["TC_joint"]) / ok["TC_independent"]
    return factors, saving.to_numpy(float)


def tornado(indices: pd.DataFrame, instance: str) -> plt.Figure:
    """Horizontal bars of each input's index, the deciding one on top."""
    table = indices.iloc[::-1]
    fig, ax = plt.subplots(figsize=(6, 0.45 * len(table) + 1.2))
    y = np.arange(len(table))
    colours = ["#2166ac" if r else "#878787" for r in table["replans"]]
    if "mu_star" in table:
        ax.barh(y, table["mu_star"], xerr=table["mu_star_conf"], color=colours, capsize=3)
        ax.set_xlabel("Morris mu* of the saving (CNY); blue: re-plans, grey: re-costs")
    elif "ST" in table:
        ax.barh(y + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], color=colours, capsize=3, label="total order")
        ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], color="#d1e5f0", capsize=3, label="first order")
        ax.set_xlabel("Sobol' index of the saving")
        ax.legend(fontsize=7)
    else:
        ax.barh(y, table["index"], color=colours)
        ax.set_xlabel("|standardised regression coefficient| of the saving")
    ax.set_yticks(y, table["input"], fontsize=8)
    ax.set_title(f"{instance}: which assumption decides the saving", fontsize=9)
    return fig


def histogram(rows: pd.DataFrame, instance: str) -> plt.Figure:
    _, saving = _savings(rows)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    bins = np.histogram_bin_edges(saving, bins="auto")
    ax.hist(saving[saving > 0], bins=bins, color=PAYS, label="joint delivery pays")
    ax.hist(saving[saving <= 0], bins=bins, color=LOSES, label="joint delivery does not pay")
    ax.axvline(0.0, color="black", lw=1.2, label="break-even")
    for q in np.percentile(saving, [5, 95]):
        ax.axvline(q, color="black", lw=0.8, ls="--")
    ax.set_xlabel("saving of the best joint design (% of independent TC); dashed: 5th and 95th percentiles")
    ax.set_ylabel("scenarios")
    ax.set_title(f"{instance}: the saving over {len(saving)} scenarios", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def break_even(rows: pd.DataFrame, indices: pd.DataFrame, instance: str) -> plt.Figure | None:
    """None when fewer than two inputs vary."""
    factors, saving = _savings(rows)
    varied = [c for c in indices["input"] if c != DAY and c in factors and factors[c].std() > 0]
    if len(varied) < 2 or len(saving) < len(varied) + 2:
        return None
    x_name, y_name = varied[:2]
    design = np.column_stack([factors[varied].to_numpy(float), np.ones(len(factors))])
    coef, *_ = np.linalg.lstsq(design, saving, rcond=None)
    xs = np.linspace(factors[x_name].min(), factors[x_name].max(), 120)
    ys = np.linspace(factors[y_name].min(), factors[y_name].max(), 120)
    grid_x, grid_y = np.meshgrid(xs, ys)
    fixed = coef[-1] + sum(coef[k] * float(factors[c].median()) for k, c in enumerate(varied) if k >= 2)
    plane = coef[0] * grid_x + coef[1] * grid_y + fixed
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.contourf(grid_x, grid_y, (plane > 0).astype(float), levels=[-0.5, 0.5, 1.5], colors=["#fddbc7", "#d9f0d3"])
    if plane.min() < 0 < plane.max():
        ax.contour(grid_x, grid_y, plane, levels=[0.0], colors="black", linewidths=1.0)
    pays = saving > 0
    ax.scatter(factors.loc[pays, x_name], factors.loc[pays, y_name], s=12, c=PAYS, label="pays")
    ax.scatter(factors.loc[~pays, x_name], factors.loc[~pays, y_name], s=12, c=LOSES, marker="x", label="does not pay")
    ax.set_xlabel(f"{x_name} (factor on the instance's value)")
    ax.set_ylabel(f"{y_name} (factor)")
    ax.set_title(
        f"{instance}: where joint delivery pays\n(green: a plane fitted to the scenarios, other inputs at median)",
        fontsize=8,
    )
    ax.legend(fontsize=7)
    return fig
