"""Shared plumbing of the benchmark scripts: where the published files are, and how a
finished table is printed and written (one CSV row per run)."""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the checkout's packages, when run as a script
    sys.path.insert(0, str(ROOT))

from lastmile.model import Instance  # noqa: E402
from lastmile.result import SolveResult  # noqa: E402

SHARED_BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
RESULTS = ROOT / "results" / "benchmarks"

if TYPE_CHECKING:
    from lastmile.routing import RoutingProblem


def parser(description: str, *, time_limit: float) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--benchmarks", type=Path, default=SHARED_BENCHMARKS, help="folder of the published files")
    p.add_argument("--time-limit", type=float, default=time_limit, help="seconds per instance")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--only", nargs="*", help="instance names to run (default: all)")
    p.add_argument("--out", type=Path, help="CSV file to write (default: results/benchmarks/NAME.csv)")
    return p


def warm_up(names: list[str], problem: RoutingProblem) -> None:
    """Run each solver once on the first five customers of `problem`, so that compiled
    kernels (numba, cached on disk after a first build of some 20 s) are built before
    any timed run instead of inside the first one's budget."""
    from experiments.solvers import solve

    tiny = replace(problem, customers=problem.customers[:5])
    for name in names:
        solve(name, tiny, time_limit=0.5, seed=1)


def known(folder: Path) -> dict[str, dict[str, str]]:
    """The published values in `folder`'s `bks.csv`, a row per instance name."""
    with open(folder / "bks.csv", newline="") as f:
        return {r["instance"]: r for r in csv.DictReader(f)}


def save(rows: list[dict], name: str, out: Path | None) -> Path:
    """Write the rows so far, so an interrupted benchmark keeps every finished instance."""
    target = out or RESULTS / f"{name}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(target, index=False)
    return target


def finish(rows: list[dict], name: str, out: Path | None) -> pd.DataFrame:
    target = save(rows, name, out)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(table.to_string(index=False))
    print(f"\nwrote {target}")
    return table


def location_row(name: str, instance: Instance, result: SolveResult, optimum: float) -> dict:
    """One row of a facility-location benchmark table."""
    objective = result.objective
    return {
        "instance": name,
        "facilities": len(instance.centers),
        "customers": len(instance.nodes),
        "optimal": optimum,
        "objective": objective,
        "gap_to_optimal_pct": None if objective is None else 100 * (objective - optimum) / optimum,
        "bound": result.bound,
        "status": result.status,
        "feasible": result.feasible,
        "build_s": round(float(result.params["build_s"]), 3),
        "solve_s": round(float(result.params["solve_s"]), 3),
    }
