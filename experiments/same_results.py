"""Whether two experiment folders hold the same runs: a regression check for a change
that must not change results (run both with `--iterations`, which makes every
heuristic run reproducible bit for bit).

    python experiments/same_results.py BEFORE_DIR AFTER_DIR

Compares `results.csv` row by row on (instance, region, solver, seed): status,
objective and routes. The exact solver's runs stopped by its time limit are left out
(HiGHS is deterministic only when it finishes); so are routes of proven optima that
differ only among optima of equal cost. Prints what differs; exit status 1 if anything
does, 2 on a bad folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "experiments":
    sys.path[0] = str(ROOT)  # run as a script: the checkout's packages, not this folder's modules

import pandas as pd  # noqa: E402

from experiments.store import CSV_NAME  # noqa: E402
from experiments.store import KEY as STORE_KEY  # noqa: E402

KEY = list(STORE_KEY)
COMPARED = ("status", "objective", "routes")
TOLERANCE = 1e-9


def differences(before: pd.DataFrame, after: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows that differ (a `what` column says how), and how many rows were left out."""
    merged = before.merge(after, on=KEY, suffixes=("_before", "_after"), how="outer", indicator=True)
    missing = merged[merged["_merge"] != "both"].assign(what="only in one folder")
    both = merged[merged["_merge"] == "both"]
    proven = (both["status_before"] == "optimal") & (both["status_after"] == "optimal")
    unproven_exact = (both["solver"] == "exact") & ~proven
    kept = both[~unproven_exact]
    a, b = kept["objective_before"], kept["objective_after"]
    same_objective = ((a - b).abs() <= TOLERANCE) | (a.isna() & b.isna())
    same_routes = (kept["routes_before"] == kept["routes_after"]) | (proven[~unproven_exact] & same_objective)
    status = kept[kept["status_before"] != kept["status_after"]].assign(what="status")
    objective = kept[~same_objective].assign(what="objective")
    routes = kept[same_objective & ~same_routes].assign(what="routes")
    out = pd.concat([missing, status, objective, routes], ignore_index=True)
    return out, int(unproven_exact.sum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    tables = []
    for folder in (args.before, args.after):
        try:
            table = pd.read_csv(folder / CSV_NAME)
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            print(f"error: {folder / CSV_NAME}: cannot read it ({exc.__class__.__name__})", file=sys.stderr)
            return 2
        missing = [c for c in (*KEY, *COMPARED) if c not in table.columns]
        if missing:
            print(f"error: {folder / CSV_NAME}: not an experiment's runs (no {', '.join(missing)})", file=sys.stderr)
            return 2
        tables.append(table)
    found, left_out = differences(*tables)
    compared = len(tables[0].merge(tables[1], on=KEY)) - left_out
    print(f"{compared} runs compared, {left_out} exact runs stopped by the clock left out, {len(found)} differ")
    if not found.empty:
        print(found[[*KEY, "what", "objective_before", "objective_after"]].to_string(index=False))
    return 1 if not found.empty else 0


if __name__ == "__main__":
    sys.exit(main())
