"""Runs: one solver on one problem with one seed, executed anywhere, stored by the caller.

`execute(task)` is a pure function of its task (with an iteration budget, the same
task gives the same row on any machine), so runs can go to a local process pool or
to a Dask cluster (`experiments.cluster`) and come back identical. It never raises: a
solver that fails gives a row with status `error` and the message. `run_all` runs any
kind of task the same way (`Work`: routing runs, the game's coalitions).

The coordinating process stores each row the moment it comes back (`run_all`), so an
interrupted experiment keeps every finished run; runs a cluster lost are not stored
(`RunsNotDone`), so `--resume` runs them.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Generic

from tqdm import tqdm

from experiments.cluster import R, T, run_on_cluster
from experiments.solvers import solve
from experiments.store import RunRow
from lastmile.location import LocationProblem
from lastmile.result import SolveResult
from lastmile.solve import Problem


@dataclass(frozen=True)
class Task:
    instance: str
    region: str
    solver: str
    seed: int
    problem: Problem
    time_limit: float
    iterations: int | None
    stall: bool = False  # also stop on the solver's registered stall (`experiments.solvers.STALL`)

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.instance, self.region, self.solver, self.seed)


def _routes(result: SolveResult) -> tuple[list[list[str]], list[str], list[str]]:
    """Each used route's stops, vehicle and center."""
    if result.solution is None or result.solution.routes is None:
        return [], [], []
    routes = [r for r in result.solution.routes if r.stops]
    return [list(r.stops) for r in routes], [r.vehicle for r in routes], [r.center for r in routes]


def _shuttles(result: SolveResult) -> list[dict[str, object]]:
    """The first echelon's truck routes, as `RunRow.shuttles` stores them."""
    if result.solution is None:
        return []
    return [
        {"vehicle": s.vehicle, "stops": [[stop.center, stop.delivered, stop.collected] for stop in s.stops]}
        for s in result.solution.shuttles
    ]


def row_of(task: Task, result: SolveResult) -> RunRow:
    routes, vehicles, centers = _routes(result)
    center = centers[0] if centers else getattr(task.problem, "center", "")
    cost = result.cost
    if isinstance(task.problem, LocationProblem) and result.solution is not None:
        center = ",".join(sorted(result.solution.open_centers))
    return RunRow(
        instance=task.instance,
        region=task.region,
        solver=task.solver,
        seed=task.seed,
        objective=result.objective,
        bound=result.bound,
        status=result.status,
        feasible=result.feasible,
        time_s=round(result.time_s, 3),
        n_customers=task.problem.n,
        routes=json.dumps(routes),
        vehicles=json.dumps(vehicles),
        center=center,
        centers=json.dumps(centers),
        hub=(result.solution.hub or "") if result.solution is not None else "",
        shuttles=json.dumps(_shuttles(result)),
        km=None if cost is None else cost.km,
        co2_kg=None if cost is None else cost.co2_kg,
        vehicle_fixed=None if cost is None else cost.vehicle_fixed,
        transport=None if cost is None else cost.transport,
        congestion=None if cost is None else cost.congestion,
        trace=json.dumps([[round(t, 4), c] for t, c in result.trace]),
        violations=json.dumps(list(result.violations)),
        message=result.message,
    )


def execute(task: Task) -> RunRow:
    """Run one task; every failure becomes a row with status `error`."""
    started = time.perf_counter()
    try:
        if isinstance(task.problem, LocationProblem) and task.solver != "exact":
            why = f"{task.instance} is a location-only instance: only the exact solver applies"
            return row_of(task, SolveResult.not_applicable(task.solver, why))
        result = solve(
            task.solver,
            task.problem,
            time_limit=task.time_limit,
            seed=task.seed,
            iterations=task.iterations,
            stall=task.stall,
        )
        return row_of(task, result)
    except Exception as exc:  # a failing run is stored, never allowed to stop the others
        message = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
        return failed_row(task, message, time.perf_counter() - started)
    finally:
        _release_memory()


def _release_memory() -> None:
    """Hand back to the system the heap a finished run freed: glibc keeps it otherwise,
    so a worker idling through the last long run would go on holding the peak of the
    largest run it had. No library exposes `malloc_trim`; it is one libc call."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def failed_row(task: Task, message: str, time_s: float = 0.0) -> RunRow:
    return row_of(task, SolveResult.failed(task.solver, message, time_s))


@dataclass(frozen=True)
class Work(Generic[T, R]):
    """What the runner does with a kind of task: `execute` it (a module-level function
    that never raises, so workers can pickle it), or make the row of a task whose
    worker died (`failed`); `describe` a row for the progress bar."""

    execute: Callable[[T], R]
    failed: Callable[[T, str], R]
    describe: Callable[[R], str]


def _describe(row: RunRow) -> str:
    return f"{row.region} {row.solver} {row.status}"


#: Routing and location runs: one `Task`, one `RunRow`.
RUNS: Work[Task, RunRow] = Work(execute, failed_row, _describe)


def _quiet_worker() -> None:
    """A worker leaves Ctrl-C to the coordinating process, which stops it (`_stop`):
    otherwise every worker would print its own KeyboardInterrupt traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn: workers start clean (no forked solver or BLAS thread state)
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_quiet_worker)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Drop the queued tasks and end the workers now, the running ones too. Python
    3.11's executor has no public way to end a running worker (3.14 adds
    `terminate_workers`), so its process table is read; without this, workers go on
    running their tasks after the coordinating process has exited."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)


def _isolated(task: T, work: Work[T, R]) -> R:
    """Run one task alone in its own worker; a crash of that worker is this task's fault."""
    solo = _pool(1)
    try:
        return solo.submit(work.execute, task).result()
    except BrokenProcessPool:
        return work.failed(task, "the worker process running this task died")
    finally:
        _stop(solo)


def _local(tasks: Sequence[T], workers: int, work: Work[T, R]) -> Iterator[R]:
    if workers <= 1:
        yield from map(work.execute, tasks)
        return
    queue = list(reversed(tasks))  # pop() takes them in order
    while queue:
        pool = _pool(workers)
        pending: dict[Future[R], T] = {}
        try:
            while queue or pending:
                while queue and len(pending) < 2 * workers:  # a bounded number in flight
                    task = queue.pop()
                    pending[pool.submit(work.execute, task)] = task
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    if isinstance(future.exception(), BrokenProcessPool):
                        raise BrokenProcessPool
                    pending.pop(future)
                    yield future.result()
        except BrokenProcessPool:
            # A worker died (a solver crashed the interpreter): the runs in flight are
            # run again one by one, each alone, so only the culprit is stored as failed.
            _stop(pool)
            for future, task in pending.items():
                done_well = future.done() and future.exception() is None
                yield future.result() if done_well else _isolated(task, work)
            continue
        except BaseException:  # Ctrl-C, SIGTERM, a full disk: stop the workers, then report
            _stop(pool)
            raise
        pool.shutdown()


def run_all(
    tasks: Sequence[T],
    store_row: Callable[[R], None],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    label: str = "runs",
    work: Work[T, R] = RUNS,  # type: ignore[assignment]
) -> None:
    """Execute every task (in a pool of `workers` processes, or on the Dask cluster at
    `scheduler`) and hand each row to `store_row` as soon as it is back. Runs a
    cluster lost are not stored: `RunsNotDone` once the others are in."""
    if not tasks:
        return
    rows = run_on_cluster(tasks, scheduler, work.execute) if scheduler is not None else _local(tasks, workers, work)
    # On a terminal the bar redraws every second; in a log file, a line every 30 s.
    interval = 1.0 if sys.stderr.isatty() else 30.0
    with tqdm(total=len(tasks), desc=label, unit="run", dynamic_ncols=True, mininterval=interval) as bar:
        for row in rows:
            store_row(row)
            bar.set_postfix_str(work.describe(row), refresh=False)
            bar.update()
