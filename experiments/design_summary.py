"""The design table as readers see it (issue 30): per routing scope and line-haul design,
the cheapest feasible plan found. Apart from `experiments.designs`, which solves, so that
the tables and the report import no solver."""

from __future__ import annotations

import pandas as pd

#: The design table's columns as tables and the report show them.
DESIGN_COLUMNS = ["scope", "design", "hub", "solver", "TC", "TC_no_LH", "LH", "E", "vehicles", "km"]


def best_designs(designs: pd.DataFrame) -> pd.DataFrame:
    """Per scope and design, the cheapest feasible plan found (over solvers and seeds);
    LH is every line-haul line of the design (company trucks, hub, shuttles)."""
    ok = designs[designs["feasible"].astype(bool)]
    if ok.empty:
        return pd.DataFrame(columns=DESIGN_COLUMNS)
    ok = ok.assign(LH=ok["TC"] - ok["TC_no_LH"])
    best = ok.loc[ok.groupby(["scope", "design"], sort=False)["TC"].idxmin()]
    return best[DESIGN_COLUMNS].reset_index(drop=True)
