"""Exact routing on the CVRPLIB instances of up to 25 customers against the published optima.

python benchmarks/cvrp_exact.py [--time-limit 60] [--max-customers 25] [--formulation auto]
"""

from __future__ import annotations

from report import finish, known, parser, save
from tqdm import tqdm

from formulations.exact import solve_routing
from lastmile.readers import read_cvrplib
from lastmile.routing import RoutingProblem


def main() -> None:
    p = parser(__doc__.split("\n\n")[0], time_limit=60)
    p.add_argument("--max-customers", type=int, default=25)
    p.add_argument("--formulation", choices=["auto", "flow", "set-partitioning"], default="auto")
    args = p.parse_args()
    folder = args.benchmarks / "cvrp"
    published = known(folder)
    files = sorted(
        path
        for path in folder.glob("*/*.vrp")
        if int(published[path.stem]["n_customers"]) <= args.max_customers and (not args.only or path.stem in args.only)
    )
    rows = []
    for path in tqdm(files, desc="cvrp-exact", unit="instance"):
        instance = read_cvrplib(path)
        result = solve_routing(
            RoutingProblem.whole(instance),
            time_limit=args.time_limit,
            threads=args.threads,
            formulation=args.formulation,
        )
        best = float(published[path.stem]["bks"])
        rows.append(
            {
                "instance": path.stem,
                "customers": len(instance.nodes),
                "bks": best,
                "bks_optimal": published[path.stem]["optimal"],
                "objective": result.objective,
                "gap_to_bks_pct": None if result.objective is None else 100 * (result.objective - best) / best,
                "bound": result.bound,
                "status": result.status,
                "feasible": result.feasible,
                "formulation": result.params["formulation"],
                "time_s": round(result.time_s, 3),
            }
        )
        save(rows, "cvrp_exact", args.out)
    finish(rows, "cvrp_exact", args.out)


if __name__ == "__main__":
    main()
