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
each run finishes), results.csv, provenance.json, tables/*.tex (booktabs),
figures/*.pdf|png and report.md|tex. Interrupt it at any time; --resume continues without repeating or
duplicating a finished run.

Instance files: our JSON, CVRPLIB .vrp, OR-Library cap*.txt (`PATH#capacity=N` for
capa/b/c), Holmberg (`sscflp:PATH`), Prodhon LRP .dat. A bad file or option gets one
line naming the file and the field, and exit status 2; so does an --out that cannot
take the experiment (checked before anything is made). A run stopped by its
surroundings (a full disk, a lost Dask cluster) exits 3, Ctrl-C 130, SIGTERM 143; the
finished runs are kept and --resume continues (--retry-errors also reruns `error` rows).
"""

from __future__ import annotations

import argparse
import errno
import glob
import os
import shutil
import signal
import sqlite3
import sys
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "experiments":
    sys.path[0] = str(ROOT)  # run as a script: the checkout's packages, not this folder's modules

import pandas as pd  # noqa: E402

from experiments.best_known import best_known  # noqa: E402
from experiments.cluster import RunsNotDone, check_scheduler  # noqa: E402
from experiments.config import Config, read_config, resolve  # noqa: E402
from experiments.folder import ExperimentError, check_folder, locked  # noqa: E402
from experiments.solvers import SOLVERS  # noqa: E402
from experiments.store import STORE_NAME, VARIANT, Store, StoreError, sqlite_fault  # noqa: E402
from lastmile.errors import InstanceError, shorten  # noqa: E402
from lastmile.model import Instance  # noqa: E402
from lastmile.readers import exists, load_instance, split_spec  # noqa: E402
from lastmile.summary import summary_table  # noqa: E402

SHIPPED = (ROOT / "instances" / "xiqing.json", ROOT / "instances" / "lingshan.json")
EXIT_BAD_INPUT = 2
EXIT_STOPPED = 3  # the run stopped for a fault not its own (a lost cluster, a full disk): --resume continues
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # SIGTERM (128 + SIGTERM)


class Parser(argparse.ArgumentParser):
    """argparse with the toolkit's one-line error (argparse prints its usage first)."""

    def error(self, message: str) -> NoReturn:
        print(f"error: (command line): {shorten(message)}; see --help", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    defaults = Config()
    p = Parser(
        prog="compare.py",
        description=__doc__.split("\n\n")[0],
        epilog="Options left out take their value from --config, else the default shown.",
    )
    p.add_argument(
        "--instances",
        nargs="+",
        action="extend",
        metavar="FILE",
        help="instance files or globs, the option repeated or not (default: the shipped instances)",
    )
    p.add_argument(
        "--solvers",
        nargs="+",
        action="extend",
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
    p.add_argument(
        "--reuse-folder",
        action="store_true",
        help="start an experiment in an --out that holds other files (files of the report's names are replaced)",
    )
    p.add_argument(
        "--retry-errors",
        action="store_true",
        help="with --resume: also run again the runs stored with status error (a crash), replacing them",
    )
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
        help="play the cost-allocation game for every instance: every coalition of companies delivered jointly "
        "(allocation_solvers, allocation_iterations from --config), shared by proportional rules, the Shapley "
        "value and the nucleolus, each checked against the core (default: for instances of at most "
        "allocation_max_companies companies)",
    )
    p.add_argument(
        "--no-allocate",
        dest="allocate",
        action="store_false",
        default=None,
        help="play no allocation game (config: allocate = false)",
    )
    p.add_argument(
        "--uncertainty",
        type=int,
        metavar="N",
        help="also draw N scenarios of the uncertain inputs (uncertainty_method, default Morris) and plan both "
        "policies in each: P(joint delivery pays), the saving's spread, who gains, the deciding assumption",
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
    matches nothing is an error naming it."""
    out: list[str] = []
    for pattern in patterns:
        kind, path_part, variant = split_spec(pattern)
        if not glob.has_magic(path_part) or exists(path_part):
            out.append(pattern)
            continue
        matches = sorted(glob.glob(path_part))
        if not matches:
            raise InstanceError(path_part, "", "the pattern matches no file")
        head, tail = (f"{kind}:" if kind else ""), (f"#{variant}" if variant else "")
        out.extend(f"{head}{m}{tail}" for m in matches)
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
        "scenarios": args.uncertainty,
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: the workers are stopped, the finished runs kept."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    try:
        planned = read_config(args.config) if args.config else {}
        if args.resume and not (args.out or planned.get("out")):
            raise InstanceError("(command line)", "--resume", "name the experiment folder to resume with --out")
        if args.retry_errors and not args.resume:
            raise InstanceError(
                "(command line)", "--retry-errors", "retries the runs of a stored experiment: add --resume"
            )
        config = resolve(planned, options(args))
        specs = expand(list(config.instances)) if config.instances else [str(p) for p in SHIPPED]
        instances = [load_instance(spec, config.memory_share) for spec in specs]
        for spec, instance in zip(specs, instances, strict=True):
            best_known(spec, instance)  # a .sol beside it is checked and re-costed now, not mid-run
        folder = Path(config.out)
        if not args.validate:
            check_folder(folder, resume=args.resume, reuse=args.reuse_folder)
            if config.scheduler is not None:
                check_scheduler(config.scheduler)
    except (InstanceError, ExperimentError) as exc:
        return _fail(exc, EXIT_BAD_INPUT)
    if args.validate:
        print(summary_table(instances).to_string(index=False))
        return 0
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args, argv, config, specs, instances, folder)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(
    args: argparse.Namespace, argv: list[str], config: Config, specs: list[str], instances: list[Instance], folder: Path
) -> int:
    """Run the experiment in its locked folder; every way it can stop is one line."""
    from experiments.experiment import Experiment, labelled

    experiment = Experiment(config, labelled(specs, instances), argv)
    identity: tuple[int, int] | None = None
    try:
        with locked(folder) as made:
            identity = _identity(folder)
            try:
                store = experiment.run(resume=args.resume, retry_errors=args.retry_errors)
                print_summary(store)
                store.close()
                tex, figures, _ = experiment.report()
            except (RunsNotDone, KeyboardInterrupt):
                raise
            except Exception:  # a fault: no half-made folder of ours blocks the retry (the lock still held)
                _discard_unused(folder, made)
                raise
    except (ExperimentError, StoreError, OSError, sqlite3.DatabaseError) as exc:
        if identity is not None and _identity(folder) != identity:
            return _fail(
                f"{folder} was removed or replaced by another process while this run held its lock; the runs "
                "stored in it went with it: run again with another --out",
                EXIT_STOPPED,
            )
        if isinstance(exc, ExperimentError | StoreError):
            return _fail(exc, EXIT_BAD_INPUT)
        return _fail(_write_fault(exc, folder), EXIT_STOPPED)
    except RunsNotDone as exc:
        return _fail(f"{exc}; the finished runs are in {folder}: continue with --resume", EXIT_STOPPED)
    except KeyboardInterrupt as exc:
        print(f"\ninterrupted: finished runs are in {folder}; continue with --resume", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    print(
        f"\nwrote {folder}: results.sqlite, results.csv, provenance.json, report.md, report.tex, report.html, "
        f"{len(tex)} tables, {len(figures)} figures"
    )
    for failure in experiment.failures:
        print(f"warning: not planned: {failure}", file=sys.stderr)
    return 1 if experiment.failures else 0


def _identity(folder: Path) -> tuple[int, int] | None:
    """The folder's device and inode (None once it is gone): what a run that holds its
    lock checks to tell a folder lost to another process from a fault of its own."""
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _fail(problem: object, code: int) -> int:
    print(f"error: {problem}", file=sys.stderr)
    return code


def _write_fault(exc: OSError | sqlite3.DatabaseError, folder: Path) -> str:
    """One line for a fault of the disk, the file system or the store under the folder."""
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "full" in str(exc):
        if not folder.is_dir() or not _holds_results(folder):
            return f"{folder}: no space left on the device before any run was stored; free space and run again"
        return f"{folder}: no space left on the device; the finished runs are kept: free space, then --resume"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"{folder / STORE_NAME}: {sqlite_fault(exc)}"
    return f"{exc.filename or folder}: cannot write ({exc.strerror or exc})"


def _discard_unused(folder: Path, made: bool) -> None:
    """Remove a folder this command made and stored no result in, so a retry of the
    same command is not refused for a half-made experiment."""
    if made and folder.is_dir() and not _holds_results(folder):
        shutil.rmtree(folder, ignore_errors=True)


def _holds_results(folder: Path) -> bool:
    try:
        db = sqlite3.connect(f"file:{folder / STORE_NAME}?mode=ro", uri=True)
        try:
            return any(db.execute("SELECT 1 FROM runs UNION ALL SELECT 1 FROM coalitions LIMIT 1").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return False


if __name__ == "__main__":
    sys.exit(main())
