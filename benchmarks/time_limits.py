"""Whether each solver's wall time holds its limit, model building included (issue 16).

    python benchmarks/time_limits.py                       # 100, 300 and 500 customers at 2 s
    python benchmarks/time_limits.py --customers 1500 --time-limit 2 --solvers ga pyvrp

Each size is one company's first customers in a synthetic city (`instances/city.py`,
windows, pickups, a route limit); each solver first solves five customers, so a
process's one-time costs (imports, numba's cached kernels) are not counted. Prints
one row per solver and size: wall seconds, wall over limit, status; the contract
(`tests/test_time_limits.py`) is at most the limit plus 10%, plus 1 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "instances"))

from city import CitySpec, city, render  # noqa: E402
from report import warm_up  # noqa: E402

from experiments.solvers import SOLVERS, solve  # noqa: E402
from experiments.table2 import markdown  # noqa: E402
from lastmile.readers.json_format import parse_json_instance  # noqa: E402
from lastmile.routing import RoutingProblem  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100, 300, 500])
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--solvers", nargs="+", default=list(SOLVERS))
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    rows = []
    for size in args.customers:
        spec = CitySpec(nodes=max(60, round(2.6 * size)), companies=2, seed=args.seed)
        whole = RoutingProblem.whole(parse_json_instance(render(city(spec)), "city.json"), "C1")
        if whole.n < size:
            raise SystemExit(f"the city of {spec.nodes} nodes gives company C1 only {whole.n} customers")
        problem = replace(whole, customers=whole.customers[:size])
        warm_up(args.solvers, problem)
        for name in args.solvers:
            started = time.perf_counter()
            result = solve(name, problem, time_limit=args.time_limit, seed=1)
            wall = time.perf_counter() - started
            rows.append(
                {
                    "customers": size,
                    "solver": name,
                    "limit_s": args.time_limit,
                    "wall_s": round(wall, 2),
                    "over_limit": round(wall / args.time_limit, 2),
                    "holds": wall <= 1.1 * args.time_limit + 1.0,
                    "status": result.status,
                }
            )
            print(f"{size} customers, {name}: {wall:.2f} s ({result.status})", file=sys.stderr, flush=True)
    print("\n".join(markdown(pd.DataFrame(rows), digits=2)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
