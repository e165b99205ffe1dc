"""How each stage's time and memory grow with the size of a city (issue 16).

    python benchmarks/scaling.py                                   # 250 ... 5,000 nodes
    python benchmarks/scaling.py --sizes 250 500 --solvers ga --out results/benchmarks/scaling-small

For each size, a synthetic city (`instances/city.py`, six companies, seeded) goes
through the whole comparison (`experiments/compare.py`, a process of its own, at
`--time-limit` per routing run), and each stage's wall time and memory come from what
the run records: each instance's `stages` table (distances, graph, region algorithms
with each algorithm's own runtime from Table 2, classifier, location, lockers,
assignment, routing problems), the routing runs per region and per company (their
summed run seconds, and how many problems), and `stages.csv` (runs, aggregation,
tables, figures, report). Memory is the peak resident set in MB of the run's main
process, and for `runs` that of its largest routing worker. The growth exponent b of time ~ n^b is
fitted per stage over the sizes where the stage took at least `FIT_FLOOR_S`. Writes
`scaling.csv` (one row per size and stage), `scaling-table.csv`, `scaling.md` and the
log-log figure `scaling.pdf`/`.png` into `--out`; prints the table and, per size, the
stage that dominates.

Run it alone on the machine: a second heavy job shares its two cores.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "instances"))

from city import CitySpec, city, render  # noqa: E402

from experiments.stages import peak_mb  # noqa: E402
from experiments.table2 import markdown  # noqa: E402

SIZES = (250, 500, 1000, 2000, 5000)
#: Times below this are fixed costs and clock noise, not growth: left out of the fit.
FIT_FLOOR_S = 0.05
#: The stages one of which dominates a size (the per-algorithm rows are parts of
#: "region algorithms (Table 2)", the routing sums parts of "runs").
TOP = (
    "distances",
    "graph",
    "region algorithms (Table 2)",
    "classifier",
    "location",
    "lockers",
    "assignment",
    "routing problems",
    "runs",
    "aggregation",
    "tables",
    "figures",
    "report",
)


def measure(size: int, args: argparse.Namespace) -> tuple[pd.DataFrame, float]:
    """One size's stage rows (stage, time_s, peak_mb, detail) and the run's wall time."""
    folder = args.out / f"city{size}"
    instance = args.out / f"city{size}.json"
    instance.write_text(render(city(CitySpec(nodes=size, companies=args.companies, seed=args.seed))), encoding="utf-8")
    command = [
        sys.executable,
        str(ROOT / "experiments" / "compare.py"),
        "--instances",
        str(instance),
        "--time-limit",
        str(args.time_limit),
        "--seeds",
        str(args.seeds),
        "--solvers",
        *args.solvers,
        "--out",
        str(folder),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"city{size}: compare.py exited {done.returncode}:\n{done.stderr[-2000:]}")
    return stage_rows(folder, f"city{size}"), wall


def stage_rows(folder: Path, label: str) -> pd.DataFrame:
    """The stage rows of one finished comparison folder."""
    with sqlite3.connect(folder / "results.sqlite") as db:

        def table(name: str) -> pd.DataFrame:
            row = db.execute("SELECT data FROM tables WHERE instance = ? AND name = ?", (label, name)).fetchone()
            return pd.read_json(StringIO(row[0]), orient="split") if row else pd.DataFrame()

        planning = table("stages").assign(detail="")
        regions = table("regions")
        runs = pd.read_sql("SELECT region, solver, time_s FROM runs WHERE instance = ?", db, params=(label,))
    rows = [planning]
    if not regions.empty:
        finished = regions["note"].fillna("") == ""
        rows.append(
            pd.DataFrame(
                {
                    "stage": "algorithm: " + regions["algorithm"],
                    "time_s": regions["runtime_s"].where(finished),
                    "detail": regions["note"].fillna(""),
                }
            )
        )
    alone = runs["region"].str.startswith("independent:")
    for name, part in (("routing per region (run s)", runs[~alone]), ("routing per company (run s)", runs[alone])):
        problems = part["region"].nunique()
        rows.append(pd.DataFrame([{"stage": name, "time_s": part["time_s"].sum(), "detail": f"{problems} problems"}]))
    experiment = pd.read_csv(folder / "stages.csv").assign(detail="")
    experiment.loc[experiment["stage"] == "runs", "peak_mb"] = experiment["children_peak_mb"]
    rows.append(experiment[experiment["stage"] != "planning"])
    return pd.concat(rows, ignore_index=True)[["stage", "time_s", "peak_mb", "detail"]]


def exponents(long: pd.DataFrame) -> pd.Series:
    """Per stage, b of time ~ n^b over the sizes where it took at least `FIT_FLOOR_S`."""
    out = {}
    for stage, part in long.groupby("stage", sort=False):
        usable = part[part["time_s"] >= FIT_FLOOR_S]  # a missing time fails the test too
        if usable["nodes"].nunique() >= 2:
            out[stage] = float(np.polyfit(np.log(usable["nodes"]), np.log(usable["time_s"]), 1)[0])
        else:
            out[stage] = np.nan
    return pd.Series(out, name="exponent")


def figure(long: pd.DataFrame, target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    for stage, part in long[long["stage"].isin(TOP)].groupby("stage", sort=False):
        part = part[part["time_s"] > 0]
        if len(part) >= 2:
            ax.loglog(part["nodes"], part["time_s"], marker="o", label=stage)
    ax.set_xlabel("nodes")
    ax.set_ylabel("wall time (s)")
    ax.set_title("Time per stage against city size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    for suffix in (".pdf", ".png"):
        fig.savefig(target.with_suffix(suffix), dpi=150)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--companies", type=int, default=6)
    parser.add_argument("--seed", type=int, default=CitySpec().seed)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--solvers", nargs="+", default=["exact", "ortools", "pso", "ga", "pyvrp"])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "benchmarks" / "scaling")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    parts, walls = [], {}
    for size in sorted(args.sizes):
        print(f"city of {size} nodes ...", file=sys.stderr, flush=True)
        rows, walls[size] = measure(size, args)
        parts.append(rows.assign(nodes=size))
        print(f"  {walls[size]:.0f} s", file=sys.stderr, flush=True)
    peak = peak_mb(resource.RUSAGE_CHILDREN)
    long = pd.concat(parts, ignore_index=True)
    long.to_csv(args.out / "scaling.csv", index=False)
    wide = long.pivot_table(index="stage", columns="nodes", values="time_s", aggfunc="first", sort=False)
    wide = wide.reindex(pd.unique(long["stage"]))
    wide.columns = [f"{n} s" for n in wide.columns]
    memory = long.pivot_table(index="stage", columns="nodes", values="peak_mb", aggfunc="first", sort=False)
    memory.columns = [f"{n} MB" for n in memory.columns]
    table = wide.join(exponents(long)).join(memory).reset_index()
    table.to_csv(args.out / "scaling-table.csv", index=False)
    dominant = {
        n: part[part["stage"].isin(TOP)].sort_values("time_s", ascending=False)["stage"].iloc[0]
        for n, part in long.groupby("nodes")
    }
    lines = [*markdown(table, digits=2), ""]
    lines += [f"- {n} nodes: whole run {walls[n]:.0f} s, dominated by {dominant[n]}" for n in sorted(walls)]
    lines.append(f"- largest process peak over all sizes: {peak:.0f} MB")
    details = long[long["detail"] != ""]
    lines += [f"- {r.nodes} nodes, {r.stage}: {r.detail}" for r in details.itertuples()]
    text = "\n".join(lines) + "\n"
    (args.out / "scaling.md").write_text(text, encoding="utf-8")
    figure(long, args.out / "scaling")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
