"""Heuristics on published routing sets against their best-known values.

    python benchmarks/cvrp_heuristics.py [--set x|solomon|dethloff] [--time-limit 60] [--seeds 3]
                                         [--solvers ortools pso ga pyvrp]

Sets: `x`, the CVRPLIB X instances (101 to about 250 customers; the default);
`solomon`, Solomon VRPTW (100 customers, distances truncated to one decimal, optima);
`dethloff`, Dethloff VRPSPD (50 customers, LKH-3's best values to four decimals). Every solver
gets the same wall-clock budget per instance and seed, in this one process on one
core. Per run: cost, feasibility, gap to the best-known value, time to within 1%. The
summary (mean and best gap per solver, share of feasible runs, how many runs came
within 1% and, over those, the mean time it took) is printed and written as CSV and
LaTeX, named after the set (`cvrp_heuristics_*` for X, `solomon_heuristics_*`,
`dethloff_heuristics_*`), beside the runs CSV (`--out`). Each solver first runs once on
five customers, so compiled kernels are built before the timed runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from report import RESULTS, finish, known, parser, save, warm_up
from tqdm import tqdm

from experiments.latex import to_latex
from experiments.solvers import solve
from lastmile.readers import load_instance
from lastmile.routing import RoutingProblem

#: Per set: folder, instance files, the bks.csv column with the value, tables' prefix, caption name.
SETS = {
    "x": ("cvrp", "X/X-*.vrp", "bks", "cvrp_heuristics", "CVRPLIB X"),
    "solomon": ("solomon", "*.txt", "bks_distance", "solomon_heuristics", "Solomon VRPTW"),
    "dethloff": ("vrpspd", "dethloff/*.vrpspd", "lkh3_best_4dp", "dethloff_heuristics", "Dethloff VRPSPD"),
}


def time_to_within(trace: tuple[tuple[float, float], ...], target: float) -> float | None:
    return next((t for t, cost in trace if cost <= target + 1e-9), None)


def main() -> None:
    p = parser(__doc__.split("\n\n")[0], time_limit=60)
    p.add_argument("--set", choices=sorted(SETS), default="x", help="the published set (default: CVRPLIB X)")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--master-seed", type=int, default=2024)
    p.add_argument("--solvers", nargs="+", default=["ortools", "pso", "ga", "pyvrp"])
    p.add_argument("--max-customers", type=int, default=256)
    p.add_argument(
        "--once",
        nargs="*",
        default=["ortools"],
        help="solvers run with the first seed only (default: ortools, whose seed has no effect)",
    )
    p.add_argument("--summarise", type=Path, metavar="RUNS.csv", help="only rebuild the tables from a runs CSV")
    args = p.parse_args()
    folder_name, pattern, column, prefix, label = SETS[args.set]
    if args.summarise:
        summarise(pd.read_csv(args.summarise), prefix, label, args.summarise.parent)
        return
    folder = args.benchmarks / folder_name
    published = known(folder)
    files = sorted(
        (path for path in folder.glob(pattern) if int(published[path.stem]["n_customers"]) <= args.max_customers),
        key=lambda path: (int(published[path.stem]["n_customers"]), path.stem),
    )
    files = [f for f in files if not args.only or f.stem in args.only]
    seeds = np.random.SeedSequence(args.master_seed).generate_state(args.seeds).tolist()
    runs = [
        (f, s, name)
        for f in files
        for i, s in enumerate(seeds)
        for name in args.solvers
        if i == 0 or name not in args.once
    ]
    if files:
        warm_up(args.solvers, RoutingProblem.whole(load_instance(files[0])))
    rows = []
    for path, seed, name in tqdm(runs, desc=prefix.replace("_", "-"), unit="run"):
        instance = load_instance(path)
        best = float(published[path.stem][column])
        result = solve(name, RoutingProblem.whole(instance), time_limit=args.time_limit, seed=seed)
        rows.append(
            {
                "instance": path.stem,
                "customers": len(instance.nodes),
                "solver": name,
                "seed": seed,
                "bks": best,
                "objective": result.objective,
                "feasible": result.feasible,
                "gap_pct": None if result.objective is None else 100 * (result.objective - best) / best,
                "time_to_1pct_s": time_to_within(result.trace, 1.01 * best),
                "time_s": round(result.time_s, 2),
            }
        )
        save(rows, f"{prefix}_runs", args.out)
    summarise(finish(rows, f"{prefix}_runs", args.out), prefix, label, args.out.parent if args.out else RESULTS)


def summarise(runs: pd.DataFrame, prefix: str, label: str, folder: Path) -> None:
    """Write the per-solver summary and the per-instance gap table, as CSV and LaTeX, in
    `folder` (the runs CSV's)."""
    summary = (
        runs.groupby("solver", sort=False)
        .agg(
            runs=("gap_pct", "size"),
            mean_gap_pct=("gap_pct", "mean"),
            best_gap_pct=("gap_pct", "min"),
            feasible=("feasible", "mean"),
            within_1pct=("time_to_1pct_s", "count"),
            mean_time_to_1pct_s=("time_to_1pct_s", "mean"),
        )
        .reset_index()
    )
    print(summary.to_string(index=False))
    per_instance = runs.pivot_table(index=["instance", "customers"], columns="solver", values="gap_pct", aggfunc="mean")
    per_instance = per_instance[list(summary["solver"])].reset_index()
    solvers = list(summary["solver"])
    folder.mkdir(parents=True, exist_ok=True)
    for name, table, caption, bold in (
        (
            f"{prefix}_summary",
            summary,
            f"{label}: gap to the best-known value per solver (%), mean and best over instances and seeds "
            "(feasible runs); share of feasible runs; runs within 1% and their mean time to get there (s).",
            {"best_in_columns": ["mean_gap_pct"]},
        ),
        (
            f"{prefix}_instances",
            per_instance,
            f"{label}: mean gap to the best-known value (%) per instance and solver.",
            {"best_in_rows": solvers},
        ),
    ):
        table.to_csv(folder / f"{name}.csv", index=False)
        (folder / f"{name}.tex").write_text(to_latex(table, caption=caption, label=f"tab:{name}", **bold))
    print(f"wrote {folder}/{prefix}_summary.csv|.tex and {prefix}_instances.csv|.tex")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
