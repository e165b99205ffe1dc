"""Branch-and-price against the flow model on published instances, in the same run (issue 17).

    python benchmarks/branch_and_price.py --set cvrp --max-customers 50 --time-limit 600
    python benchmarks/branch_and_price.py --set solomon --only C101 R102 --time-limit 600
    python benchmarks/branch_and_price.py --set cvrp --only A-n32-k5 --formulations branch-and-price

`cvrp`: the CVRPLIB A, B, E and P instances of at most `--max-customers` customers
(published optima); `solomon`: the Solomon VRPTW instances of `--classes` (C1, R1 and
RC1 by default; distances truncated to one decimal, published optima). One row per
instance and formulation: status, objective, bound, time to proof (when proven), the
root bound and its gap to the published optimum, nodes, columns and cuts (`limit_s`:
`--flow-time-limit` may give the flow model a shorter limit). Run it alone on the
machine: the time to proof is wall time.
"""

from __future__ import annotations

import re
from dataclasses import replace

from report import finish, known, parser, save
from tqdm import tqdm

from formulations.exact import solve_routing
from lastmile.readers import read_cvrplib
from lastmile.readers.solomon import read_solomon
from lastmile.routing import RoutingProblem


def main() -> None:
    p = parser(__doc__.split("\n\n")[0], time_limit=600)
    p.add_argument("--set", choices=["cvrp", "solomon"], default="cvrp")
    p.add_argument("--max-customers", type=int, default=60)
    p.add_argument("--classes", nargs="+", default=["C1", "R1", "RC1"], help="Solomon classes")
    p.add_argument("--formulations", nargs="+", default=["branch-and-price", "flow"])
    p.add_argument(
        "--flow-time-limit", type=float, help="seconds per instance for the flow model (default: --time-limit)"
    )
    args = p.parse_args()
    cvrp = args.set == "cvrp"
    folder = args.benchmarks / ("cvrp" if cvrp else "solomon")
    published = known(folder)
    value = "bks" if cvrp else "bks_distance"
    if cvrp:
        files = [
            path
            for family in "ABEP"
            for path in sorted((folder / family).glob("*.vrp"))
            if int(published[path.stem]["n_customers"]) <= args.max_customers
        ]
    else:
        pattern = re.compile(rf"^({'|'.join(args.classes)})\d\d$")
        files = [path for path in sorted(folder.glob("*.txt")) if pattern.match(path.stem)]
    files = [path for path in files if not args.only or path.stem in args.only]
    name = f"branch_and_price_{args.set}"
    if files:  # compiled kernels (numba: some 20 s to build) built before any timed run, not in the first
        first = read_cvrplib(files[0]) if cvrp else read_solomon(files[0])
        whole = RoutingProblem.whole(first)
        for formulation in args.formulations:
            solve_routing(replace(whole, customers=whole.customers[:5]), time_limit=1.0, formulation=formulation)
    rows = []
    for path in tqdm(files, desc=name, unit="instance"):
        instance = read_cvrplib(path) if cvrp else read_solomon(path)
        best = float(published[path.stem][value])
        for formulation in args.formulations:
            limit = args.flow_time_limit if formulation == "flow" and args.flow_time_limit else args.time_limit
            result = solve_routing(
                RoutingProblem.whole(instance), time_limit=limit, threads=args.threads, formulation=formulation
            )
            params = result.params
            root = params.get("root_bound")
            rows.append(
                {
                    "instance": path.stem,
                    "customers": len(instance.nodes),
                    "optimum": best,
                    "formulation": formulation,
                    "status": result.status,
                    "objective": result.objective,
                    "bound": result.bound,
                    "gap_pct": None if result.gap is None else 100 * result.gap,
                    "proof_s": round(result.time_s, 2) if result.status == "optimal" else None,
                    "limit_s": limit,
                    "time_s": round(result.time_s, 2),
                    "root_bound": root,
                    "root_gap_pct": None if root is None else 100 * (best - float(root)) / best,
                    "nodes": params.get("nodes"),
                    "columns": params.get("columns"),
                    "cuts": params.get("cuts", params.get("capacity_cuts")),
                }
            )
            save(rows, name, args.out)
    finish(rows, name, args.out)


if __name__ == "__main__":
    main()
