"""Published best-known values for benchmark instance files, found beside the file.

A CVRPLIB `NAME.sol` next to `NAME.vrp` gives its routes: they are checked by the shared
`check` and re-costed by the shared `evaluate` on the instance, and the file is refused
(an `InstanceError` naming it) if they are infeasible or disagree with its `Cost` line
(issue 32: a value never enters a gap table unchecked). Otherwise the nearest
`bks.csv` or `optimal.csv` in the file's folder or one of its two parents gives the
value of the row whose `instance` is the instance's name (columns `bks`,
`bks_distance` or `optimal`, the layout of `../shared/benchmarks/`). A 2E-VRP file
without one takes its value from the project's sourced `benchmarks/two_echelon_values.csv`
(column `value`, issue 31).
"""

from __future__ import annotations

import csv
from pathlib import Path

from lastmile.check import check
from lastmile.cost import evaluate
from lastmile.errors import InstanceError
from lastmile.model import Instance
from lastmile.readers import read_cvrplib_cost, read_cvrplib_solution, spec_path

VALUE_COLUMNS = ("bks", "bks_distance", "optimal", "value")
#: The published 2E-VRP values, each with its source (benchmarks/two_echelon.py reads it too).
TWO_ECHELON_VALUES = Path(__file__).resolve().parents[1] / "benchmarks" / "two_echelon_values.csv"
#: How far a `.sol` file's `Cost` may lie from its routes' cost: CVRPLIB prints costs
#: whole or to two decimals, in the instance's own rounding convention (which
#: `load_instance` keeps), so a cent plus float noise.
COST_TOLERANCE = 0.01


def best_known(spec: str, instance: Instance) -> float | None:
    """The best-known objective of `instance` (loaded from `spec`), or None."""
    path = spec_path(spec)
    solution = path.with_suffix(".sol")
    if path.suffix == ".vrp" and solution.is_file():
        return checked_solution_cost(solution, instance)
    for folder in (path.parent, *list(path.parents)[1:3]):
        for table in ("bks.csv", "optimal.csv"):
            value = _lookup(folder / table, instance.name)
            if value is not None:
                return value
    if path.suffix == ".dat":
        return _lookup(TWO_ECHELON_VALUES, instance.name)
    return None


def checked_solution_cost(path: Path, instance: Instance) -> float:
    """The cost of the `.sol` file's routes on `instance`, refused if they are infeasible
    or disagree with the file's `Cost` line."""
    file = str(path)
    solution = read_cvrplib_solution(path, instance)
    faults = check(instance, solution)
    if faults:
        raise InstanceError(file, "Route", f"infeasible for {instance.name}: {faults[0]}")
    cost = evaluate(instance, solution).total
    stated = read_cvrplib_cost(path)
    if stated is not None and abs(stated - cost) > COST_TOLERANCE + 1e-9 * abs(cost):
        raise InstanceError(file, "Cost", f"{stated:g} disagrees with its routes' cost {cost:.2f} on {instance.name}")
    return cost


def _lookup(table: Path, name: str) -> float | None:
    if not table.is_file():
        return None
    with open(table, newline="") as f:
        for row in csv.DictReader(f):
            if row.get("instance") == name:
                for column in VALUE_COLUMNS:
                    if row.get(column):
                        return float(row[column])
    return None
