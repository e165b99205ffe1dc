"""The design table as readers see it (issue 30): per routing scope and line-haul design,
the cheapest feasible plan found. Apart from `experiments.designs`, which solves, so that
the tables and the report import no solver."""

from __future__ import annotations

import pandas as pd

#: The design table's columns as tables and the report show them.
DESIGN_COLUMNS = ["scope", "design", "hub", "solver", "TC", "TC_no_LH", "LH", "E", "vehicles", "km"]


#: The order scopes are shown in (`experiments.scopes`): the study's, then wider.
SCOPE_ORDER = ("region", "center", "whole", "relocated")
#: The windows table's columns as tables and the report show them.
WINDOW_COLUMNS = ["policy", "windows", "solver", "TC", "E", "vehicles", "km", "windows_met_pct", "parcels_late_pct"]


def best_designs(designs: pd.DataFrame) -> pd.DataFrame:
    """Per scope and design, the cheapest feasible plan found (over solvers and seeds);
    LH is every line-haul line of the design (company trucks, hub, shuttles). A scope
    that shares another's runs reads `center (= whole)`."""
    ok = designs[designs["feasible"].astype(bool)]
    if ok.empty:
        return pd.DataFrame(columns=DESIGN_COLUMNS)
    ok = ok.assign(LH=ok["TC"] - ok["TC_no_LH"])
    best = ok.loc[ok.groupby(["scope", "design"], sort=False)["TC"].idxmin()]
    order = {s: k for k, s in enumerate(SCOPE_ORDER)}
    best = best.sort_values("scope", key=lambda c: c.map(order).fillna(len(order)), kind="stable")
    if "same_as" in best:
        shared = best["same_as"].fillna("").astype(str)
        best = best.assign(scope=[f"{s} (= {o})" if o else s for s, o in zip(best["scope"], shared, strict=True)])
    return best[DESIGN_COLUMNS].reset_index(drop=True)


def window_rows(windows: pd.DataFrame) -> pd.DataFrame:
    """The windows table (`experiments.windows`) as readers see it."""
    shown = [c for c in WINDOW_COLUMNS if c in windows]
    return windows[shown].reset_index(drop=True)
