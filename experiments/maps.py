"""Maps of an experiment's instances (matplotlib), drawn from its results store alone.

- `map_figure`: the road network, the regions (a palette that tells 40 apart: matplotlib's
  tab20, tab20b and tab20c, then markers), candidate and opened centers, depots, the hub,
  the best joint design's line-haul paths and shuttles, with axes in degrees (or km), a
  scale bar and a legend;
- `routes_figure`: one solver's routes of every joint region over the same base.
"""

from __future__ import annotations

import json
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.collections import LineCollection

KM_PER_DEGREE = 111.32
#: Scale bar lengths to choose from (km): the longest under a fifth of the map's width.
BARS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
MARKERS = ("o", "D", "v", "P")


def palette(count: int) -> list[tuple[tuple[float, ...], str]]:
    """(colour, marker) for `count` regions: 60 colours, each with its marker."""
    colours = [colormaps[name](k) for name in ("tab20", "tab20b", "tab20c") for k in range(20)]
    return [(colours[k % len(colours)], MARKERS[(k // len(colours)) % len(MARKERS)]) for k in range(count)]


def _geographic(locations: pd.DataFrame) -> bool:
    """Whether the coordinates read as longitude and latitude."""
    return bool(locations["x"].between(-180, 180).all() and locations["y"].between(-90, 90).all())


def _base(ax: plt.Axes, locations: pd.DataFrame, network: pd.DataFrame, geographic: bool) -> None:
    """Roads, axes and the scale bar."""
    if not network.empty:
        segments = np.stack([network[["x0", "y0"]].to_numpy(float), network[["x1", "y1"]].to_numpy(float)], axis=1)
        ax.add_collection(LineCollection(segments, colors="0.82", linewidths=0.5, zorder=0))
    ax.set_xlabel("longitude (°)" if geographic else "x")
    ax.set_ylabel("latitude (°)" if geographic else "y")
    mid = float(locations["y"].mean())
    if geographic:
        ax.set_aspect(1.0 / max(math.cos(math.radians(mid)), 1e-6), adjustable="datalim")
    else:
        ax.set_aspect("equal", adjustable="datalim")
    ax.autoscale()
    _scale_bar(ax, geographic, mid)


def _scale_bar(ax: plt.Axes, geographic: bool, latitude: float) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    per_km = 1.0 / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 1e-6)) if geographic else 1.0
    width_km = (x1 - x0) / per_km
    length = max((b for b in BARS if b <= width_km / 5), default=BARS[0])
    left, bottom = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot([left, left + length * per_km], [bottom, bottom], color="black", lw=2, zorder=5)
    ax.text(left, bottom + 0.015 * (y1 - y0), f"{length:g} km", fontsize=7, zorder=5)


def _regions(ax: plt.Axes, nodes: pd.DataFrame) -> None:
    regions = sorted(r for r in set(nodes["region"]) if r)
    for region, (colour, marker) in zip(regions, palette(len(regions)), strict=True):
        group = nodes[nodes["region"] == region]
        ax.scatter(group["x"], group["y"], s=14, color=colour, marker=marker, label=str(region), zorder=2)
    loose = nodes[nodes["region"] == ""]
    if not loose.empty:
        ax.scatter(loose["x"], loose["y"], s=8, color="0.5", label="no region", zorder=2)


def map_figure(
    locations: pd.DataFrame, network: pd.DataFrame, plan: pd.DataFrame, instance: str, design: str
) -> plt.Figure:
    """The instance and its best joint design (module docstring)."""
    geographic = _geographic(locations)
    fig, ax = plt.subplots(figsize=(8, 6.5))
    _regions(ax, locations[locations["kind"] == "node"].fillna({"region": ""}))
    centers = locations[locations["kind"] == "center"]
    opened = set(plan.loc[plan["kind"] == "opened", "id"]) if not plan.empty else set()
    candidates = centers[~centers["id"].isin(opened)]
    if not candidates.empty:
        ax.scatter(candidates["x"], candidates["y"], marker="s", s=36, facecolors="none", edgecolors="black",
                   label="candidate center", zorder=3)  # fmt: skip
    chosen = centers[centers["id"].isin(opened)]
    if not chosen.empty:
        ax.scatter(chosen["x"], chosen["y"], marker="s", s=48, color="black", label="opened center", zorder=4)
    for kind, marker, label in (("depot", "^", "company depot"), ("hub", "*", "hub candidate")):
        sites = locations[locations["kind"] == kind]
        if not sites.empty:
            ax.scatter(sites["x"], sites["y"], marker=marker, s=70, color="firebrick", label=label, zorder=4)
    for kind, style, colour in (("line-haul", "--", "firebrick"), ("shuttle", ":", "navy")):
        if plan.empty:
            break
        part = plan[plan["kind"] == kind]
        for k, (_, path) in enumerate(part.groupby("owner", sort=True)):
            ordered = path.sort_values("seq")
            ax.plot(ordered["x"], ordered["y"], ls=style, lw=1.0, color=colour, zorder=3,
                    label=f"{kind} ({design})" if k == 0 else None)  # fmt: skip
    _base(ax, locations, network, geographic)
    ax.set_title(f"{instance}: regions, centers and the best joint design ({design} line-haul)", fontsize=10)
    ax.legend(fontsize=6, ncols=2, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


def routes_figure(
    locations: pd.DataFrame, network: pd.DataFrame, runs: pd.DataFrame, instance: str, solver: str
) -> plt.Figure:
    """`solver`'s routes of every joint region (its best seed) over the instance."""
    geographic = _geographic(locations)
    xy = {row["id"]: (row["x"], row["y"]) for _, row in locations.iterrows()}
    fig, ax = plt.subplots(figsize=(8, 6.5))
    nodes = locations[locations["kind"] == "node"]
    ax.scatter(nodes["x"], nodes["y"], s=6, color="0.6", zorder=2)
    routes = [
        (row["center"], stops)
        for _, row in runs.iterrows()
        for stops in json.loads(row["routes"])
        if row["center"] in xy
    ]
    for (center, stops), (colour, _) in zip(routes, palette(len(routes)), strict=True):
        path = [xy[center], *(xy[s] for s in stops if s in xy), xy[center]]
        ax.plot([p[0] for p in path], [p[1] for p in path], lw=0.9, color=colour, zorder=3)
    centers = {row["center"] for _, row in runs.iterrows() if row["center"] in xy}
    ax.scatter([xy[c][0] for c in centers], [xy[c][1] for c in centers], marker="s", s=40, color="black",
               label="center", zorder=4)  # fmt: skip
    _base(ax, locations, network, geographic)
    ax.set_title(f"{instance}: {len(routes)} routes by {solver}", fontsize=10)
    ax.legend(fontsize=7, loc="upper right")
    return fig
