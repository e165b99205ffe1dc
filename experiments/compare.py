"""Compare exact and heuristic solutions of last-mile delivery instances, end to end.

    python experiments/compare.py                       # the shipped Xiqing and Ling Shan instances
    python experiments/compare.py --instances '../shared/benchmarks/cvrp/E/*.vrp' --seeds 5
    python experiments/compare.py --config plan.toml --resume
    python experiments/compare.py --validate --instances FILE [FILE ...]

Per instance: zoning (regions, service modes, lockers), location and assignment
(HiGHS), then every region's routing problem solved by each solver and seed; every
solution re-costed by the shared cost function and re-checked by the shared checker
before it is stored. Joint delivery is set against each company delivering alone.

Everything goes to one folder (--out): results.sqlite (one row per run, written as
each run finishes), results.csv, provenance.json, tables/*.tex (booktabs) and
figures/*.pdf|png. Interrupt it at any time; --resume continues without repeating or
duplicating a finished run.

Instance files: our JSON, CVRPLIB .vrp, OR-Library cap*.txt (`PATH#capacity=N` for
capa/b/c), Holmberg (`sscflp:PATH`), Prodhon LRP .dat. A bad file or option gets one
line naming the file and the field, and exit status 2.
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "experiments":
    sys.path[0] = str(ROOT)  # run as a script: the checkout's packages, not this folder's modules

import pandas as pd  # noqa: E402

from experiments.config import Config, read_config, resolve  # noqa: E402
from experiments.solvers import SOLVERS  # noqa: E402
from experiments.store import VARIANT, Store  # noqa: E402
from lastmile.errors import InstanceError  # noqa: E402
from lastmile.readers import KINDS, load_instance  # noqa: E402
from lastmile.summary import summary_table  # noqa: E402

SHIPPED = (ROOT / "instances" / "xiqing.json", ROOT / "instances" / "lingshan.json")
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    defaults = Config()
    p = argparse.ArgumentParser(
        prog="compare.py",
        description=__doc__.split("\n\n")[0],
        epilog="Options left out take their value from --config, else the default shown.",
    )
    p.add_argument(
        "--instances", nargs="+", metavar="FILE", help="instance files or globs (default: the shipped instances)"
    )
    p.add_argument(
        "--solvers",
        nargs="+",
        choices=list(SOLVERS),
        metavar="NAME",
        help=f"routing solvers, of {', '.join(SOLVERS)} (default: all)",
    )
    p.add_argument(
        "--seeds",
        type=int,
        metavar="N",
        help=f"seeds per region and solver (default: {defaults.seeds}); exact and ortools, "
        "whose results do not depend on the seed, run once",
    )
    p.add_argument(
        "--master-seed", type=int, metavar="S", help=f"the seed all seeds derive from ({defaults.master_seed})"
    )
    p.add_argument(
        "--time-limit", type=float, metavar="SEC", help=f"seconds per routing run (default: {defaults.time_limit:g})"
    )
    p.add_argument(
        "--iterations",
        type=int,
        metavar="N",
        help="a deterministic budget per heuristic run instead of the clock (generations, swarm "
        "iterations, search iterations), so the same seed gives the same result on any machine; the exact "
        "solver keeps --time-limit",
    )
    p.add_argument("--workers", type=int, metavar="N", help=f"local worker processes (default: {defaults.workers})")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask cluster at this scheduler address")
    p.add_argument("--config", type=Path, metavar="FILE.toml", help="the same options as a TOML file")
    p.add_argument("--out", metavar="DIR", help="output folder (default: a new results/compare-DATE-TIME)")
    p.add_argument("--resume", action="store_true", help="continue the experiment in --out, skipping finished runs")
    p.add_argument("--sensitivity", action="store_true", default=None, help="also sweep vehicle fixed cost and demand")
    p.add_argument(
        "--simulate",
        action="store_true",
        default=None,
        help="also simulate days of joint against independent delivery (SimPy; days, replications and noise "
        "from --config)",
    )
    p.add_argument(
        "--allocate",
        action="store_true",
        default=None,
        help="also play the cost-allocation game: every coalition of companies delivered jointly "
        "(allocation_solvers, allocation_iterations from --config), shared by proportional rules, the Shapley "
        "value and the nucleolus, each checked against the core",
    )
    p.add_argument(
        "--no-line-haul",
        dest="line_haul",
        action="store_false",
        default=None,
        help="the study's convention: joint delivery pays no line-haul from the company depots (config: line_haul)",
    )
    p.add_argument("--validate", action="store_true", help="only load, check and summarise the instances, then exit")
    return p.parse_args(argv)


def expand(patterns: list[str]) -> list[str]:
    """Expand globs (keeping a `KIND:` prefix and `#variant` suffix); a pattern that
    matches nothing is kept, so loading names it."""
    out: list[str] = []
    for pattern in patterns:
        prefix, sep, rest = pattern.partition(":")
        if not (sep and prefix in KINDS):
            prefix, rest = "", pattern
        path_part, hash_sign, variant = rest.partition("#")
        matches = sorted(glob.glob(path_part)) if glob.has_magic(path_part) else []
        head = f"{prefix}:" if prefix else ""
        out.extend([f"{head}{m}{hash_sign}{variant}" for m in matches] or [pattern])
    return out


def options(args: argparse.Namespace) -> dict[str, object]:
    return {
        "instances": args.instances,
        "solvers": args.solvers,
        "seeds": args.seeds,
        "master_seed": args.master_seed,
        "time_limit": args.time_limit,
        "iterations": args.iterations,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "out": args.out,
        "sensitivity": args.sensitivity,
        "simulate": args.simulate,
        "line_haul": args.line_haul,
        "allocate": args.allocate,
    }


def print_summary(store: Store) -> None:
    from experiments.tables import delivery_summary, routing_summary

    runs = store.runs()
    with pd.option_context("display.width", 160, "display.max_rows", 400, "display.float_format", "{:.2f}".format):
        for instance, block in runs[~runs["instance"].str.contains(VARIANT, regex=False)].groupby("instance"):
            summary = routing_summary(block)
            wide = summary.pivot_table(index="region", columns="solver", values="mean", sort=False)
            print(f"\n{instance}: mean objective per region and solver")
            print(wide.to_string())
        delivery = store.table("delivery")
        if not delivery.empty:
            table = delivery_summary(delivery)
            print("\njoint against independent delivery (means over seeds)")
            print(table.drop(columns=["feasible"]).to_string(index=False))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    try:
        planned = read_config(args.config) if args.config else {}
        if args.resume and not (args.out or planned.get("out")):
            raise InstanceError("(command line)", "--resume", "name the experiment folder to resume with --out")
        config = resolve(planned, options(args))
        specs = expand(list(config.instances)) if config.instances else [str(p) for p in SHIPPED]
        instances = [load_instance(spec) for spec in specs]
    except InstanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.validate:
        print(summary_table(instances).to_string(index=False))
        return 0
    # the planning and solver stack, only for a run (validation needs none of it)
    from experiments.experiment import Experiment, ExperimentError, labelled

    experiment = Experiment(config, labelled(specs, instances), argv)
    try:
        store = experiment.run(resume=args.resume)
    except ExperimentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are in {config.out}; continue with --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    print_summary(store)
    store.close()
    tex, figures, _ = experiment.report()
    print(
        f"\nwrote {config.out}: results.sqlite, results.csv, provenance.json, report.md, report.tex, "
        f"{len(tex)} tables, {len(figures)} figures"
    )
    for failure in experiment.failures:
        print(f"warning: not planned: {failure}", file=sys.stderr)
    return 1 if experiment.failures else 0


if __name__ == "__main__":
    sys.exit(main())
