"""OR-Library capacitated warehouse location (multi-source) against the published optima.

    python benchmarks/cflp.py [--time-limit 600] [--only cap41 capa-1]

Each problem is solved by the location model (Eqs. 5-10, continuous assignment, no
fixed p) on HiGHS; model-build and solve times are reported apart.
"""

from __future__ import annotations

import csv

from report import finish, location_row, parser, save
from tqdm import tqdm

from formulations.exact import solve_location
from lastmile import load_instance


def main() -> None:
    args = parser(__doc__.split("\n\n")[0], time_limit=600).parse_args()
    folder = args.benchmarks / "cflp"
    with open(folder / "optimal.csv", newline="") as f:
        problems = [r for r in csv.DictReader(f) if not args.only or r["instance"] in args.only]
    rows = []
    for problem in tqdm(problems, desc="cflp", unit="instance"):
        spec = str(folder / problem["file"])
        if problem["capacity_substitute"]:
            spec += f"#capacity={problem['capacity_substitute']}"
        instance = load_instance(spec)
        result = solve_location(instance, time_limit=args.time_limit, threads=args.threads)
        rows.append(location_row(problem["instance"], instance, result, float(problem["optimal"])))
        save(rows, "cflp", args.out)
    finish(rows, "cflp", args.out)


if __name__ == "__main__":
    main()
