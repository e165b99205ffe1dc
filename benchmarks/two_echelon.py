"""Two-echelon routing (2E-VRP) against published values: every solver at the same wall clock.

    python benchmarks/two_echelon.py [--sets Set2a Set3 Set5] [--time-limit 60] [--seeds 3]
                                     [--solvers exact ga pso pyvrp ortools] [--max-customers 200]
    python benchmarks/two_echelon.py --combine part1.csv part2.csv --out all.csv

(`--combine` summarises run files written by several processes, e.g. one per core with
disjoint `--only` lists.)

Instances are the unified-format files of `../shared/benchmarks/2evrp/` (read by path,
never copied); the published values are `benchmarks/two_echelon_values.csv`, each with
its source (paper or table, repository and commit where a copy was read), whether it
is proven optimal, a second source where one was found, and its kind: `published`, or
`unpublished upper bound` (a third party's solution file, re-costed by this project's
`evaluate` and passed by its `check`, where no published value was found: Set2c, Set5
and three Set3 instances); the summary keeps the two kinds apart. Instances without a value
run all the same: their rows carry each run's cost and, for the exact solver, its bound,
so a gap to the best bound found is given. Per run: cost (both echelons, by the shared
`evaluate`), feasibility (the shared `check`), status and bound, the gap to the
published value. The summary per set and solver (mean and best gap, feasible share,
runs proven optimal) is printed and written as CSV and LaTeX beside the runs CSV.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from report import RESULTS, finish, parser, save
from tqdm import tqdm

from experiments.latex import to_latex
from experiments.solvers import SEEDLESS, solve
from lastmile.readers import load_instance
from lastmile.two_echelon import TwoEchelonProblem

VALUES = Path(__file__).with_name("two_echelon_values.csv")


def published() -> dict[str, tuple[float, bool, str]]:
    with VALUES.open(newline="") as handle:
        return {
            r["instance"]: (float(r["value"]), r["proven_optimal"] == "true", r["kind"]) for r in csv.DictReader(handle)
        }


def warm_up(names: list[str]) -> None:
    """Each solver once on a tiny two-echelon problem, so compiled kernels are built
    before the timed runs."""
    from lastmile.model import Center, Company, DistanceSpec, Fleet, Hub, Instance, Node, Site, Truck

    fleet = Fleet(4, 10.0, 0.0, 1.0)
    tiny = Instance(
        name="warm-up",
        nodes=tuple(Node(f"n{k}", float(k), float(k % 3), {"v": 2.0}) for k in range(5)),
        companies=(Company("v", "vans", Site("d", 0.0, 0.0), fleet),),
        centers=(Center(Site("S1", 1.0, 1.0), 0.0, None), Center(Site("S2", 4.0, 0.0), 0.0, None)),
        distance=DistanceSpec("euclidean"),
        coordinates="planar",
        joint_fleet=fleet,
        hubs=(Hub(Site("H", 0.0, 0.0), 0.0, 0.0, None),),
        shuttle=Truck(20.0, 0.0, 1.0, 0.0, count=2),
    )
    for name in names:
        solve(name, TwoEchelonProblem.whole(tiny), time_limit=1.0, seed=1)


def main() -> None:
    p = parser(__doc__.split("\n\n")[0], time_limit=60)
    p.add_argument("--sets", nargs="+", default=["Set2a", "Set2b", "Set3", "Set5"])
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--master-seed", type=int, default=2024)
    p.add_argument("--solvers", nargs="+", default=["exact", "ga", "pso", "pyvrp", "ortools"])
    p.add_argument("--max-customers", type=int, default=200)
    p.add_argument("--combine", nargs="+", type=Path, metavar="CSV", help="summarise these run files, run nothing")
    args = p.parse_args()
    if args.combine:
        combined = pd.concat([pd.read_csv(f) for f in args.combine], ignore_index=True)
        summarise(
            finish(combined.to_dict("records"), "two_echelon_runs", args.out), args.out.parent if args.out else RESULTS
        )
        return
    folder = args.benchmarks / "2evrp"
    values = published()
    files = sorted(
        (f for s in args.sets for f in folder.glob(f"{s}_*.dat")),
        key=lambda f: (f.stem.split("_")[0], len(load_instance(f).nodes), f.stem),
    )
    files = [f for f in files if len(load_instance(f).nodes) <= args.max_customers]
    files = [f for f in files if not args.only or f.stem in args.only]
    seeds = np.random.SeedSequence(args.master_seed).generate_state(args.seeds).tolist()
    runs = [
        (f, s, name)
        for f in files
        for i, s in enumerate(seeds)
        for name in args.solvers
        if i == 0 or name not in SEEDLESS
    ]
    warm_up(list(args.solvers))
    rows = []
    for path, seed, name in tqdm(runs, desc="two-echelon", unit="run"):
        instance = load_instance(path)
        value, proven, kind = values.get(path.stem, (None, False, ""))
        result = solve(name, TwoEchelonProblem.whole(instance), time_limit=args.time_limit, seed=seed)
        rows.append(
            {
                "set": path.stem.split("_")[0],
                "instance": path.stem,
                "customers": len(instance.nodes),
                "satellites": len(instance.centers),
                "solver": name,
                "seed": seed,
                "published": value,
                "published_optimal": proven,
                "reference": kind,
                "objective": result.objective,
                "bound": result.bound,
                "status": result.status,
                "feasible": result.feasible,
                "gap_pct": None
                if result.objective is None or value is None
                else 100 * (result.objective - value) / value,
                "time_s": round(result.time_s, 2),
                "message": result.message[:120],
            }
        )
        save(rows, "two_echelon_runs", args.out)
    summarise(finish(rows, "two_echelon_runs", args.out), args.out.parent if args.out else RESULTS)


def summarise(runs: pd.DataFrame, folder: Path) -> None:
    """The summary per set and solver, as CSV and LaTeX, in `folder`."""
    runs = runs.assign(proven=runs["status"].eq("optimal"), reference=runs["reference"].fillna(""))
    summary = (
        runs.groupby(["set", "reference", "solver"], sort=False)
        .agg(
            runs=("status", "size"),
            with_value=("gap_pct", "count"),
            mean_gap_pct=("gap_pct", "mean"),
            best_gap_pct=("gap_pct", "min"),
            feasible=("feasible", "mean"),
            proven=("proven", "sum"),
            mean_time_s=("time_s", "mean"),
        )
        .reset_index()
    )
    print(summary.to_string(index=False))
    folder.mkdir(parents=True, exist_ok=True)
    summary.to_csv(folder / "two_echelon_summary.csv", index=False)
    caption = (
        "2E-VRP: gap to the reference value per set, kind of reference (published, or an unpublished "
        "third-party upper bound re-costed here) and solver (%), mean and best over the instances with a "
        "value and the seeds; share of feasible runs; runs proven optimal; mean time (s)."
    )
    (folder / "two_echelon_summary.tex").write_text(to_latex(summary, caption=caption, label="tab:two_echelon"))
    print(f"wrote {folder}/two_echelon_summary.csv|.tex")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
