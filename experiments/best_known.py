"""Published best-known values for benchmark instance files, found beside the file.

A CVRPLIB `NAME.sol` next to `NAME.vrp` gives its cost; otherwise the nearest
`bks.csv` or `optimal.csv` in the file's folder or one of its two parents gives the
value of the row whose `instance` is the instance's name (columns `bks`,
`bks_distance` or `optimal`, the layout of `../shared/benchmarks/`). A 2E-VRP file
without one takes its value from the project's sourced `benchmarks/two_echelon_values.csv`
(column `value`, issue 31).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from lastmile.readers import spec_path

VALUE_COLUMNS = ("bks", "bks_distance", "optimal", "value")
#: The published 2E-VRP values, each with its source (benchmarks/two_echelon.py reads it too).
TWO_ECHELON_VALUES = Path(__file__).resolve().parents[1] / "benchmarks" / "two_echelon_values.csv"
_COST = re.compile(r"^\s*cost\s+([0-9.eE+-]+)", re.IGNORECASE | re.MULTILINE)


def best_known(spec: str, name: str) -> float | None:
    """The best-known objective of the instance loaded from `spec`, or None."""
    path = spec_path(spec)
    solution = path.with_suffix(".sol")
    if path.suffix == ".vrp" and solution.is_file():
        found = _COST.search(solution.read_text())
        if found:
            return float(found.group(1))
    for folder in (path.parent, *list(path.parents)[1:3]):
        for table in ("bks.csv", "optimal.csv"):
            value = _lookup(folder / table, name)
            if value is not None:
                return value
    if path.suffix == ".dat":
        return _lookup(TWO_ECHELON_VALUES, name)
    return None


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
