"""Single-source CFLP (Holmberg et al. 1999) against the published optima.

python benchmarks/sscflp.py [--time-limit 600]
"""

from __future__ import annotations

import csv

from report import finish, location_row, parser, save
from tqdm import tqdm

from formulations.exact import solve_location
from lastmile import load_instance


def main() -> None:
    args = parser(__doc__.split("\n\n")[0], time_limit=600).parse_args()
    folder = args.benchmarks / "sscflp" / "holmberg"
    with open(folder / "optimal.csv", newline="") as f:
        problems = [r for r in csv.DictReader(f) if not args.only or r["instance"] in args.only]
    rows = []
    for problem in tqdm(problems, desc="sscflp", unit="instance"):
        instance = load_instance(f"sscflp:{folder / problem['instance']}")
        result = solve_location(instance, time_limit=args.time_limit, threads=args.threads)
        rows.append(location_row(problem["instance"], instance, result, float(problem["optimal"])))
        save(rows, "sscflp", args.out)
    finish(rows, "sscflp", args.out)


if __name__ == "__main__":
    main()
