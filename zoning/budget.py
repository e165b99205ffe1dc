"""The region-algorithm comparison (Table 2) within a time budget per algorithm.

Girvan-Newman's edge betweenness grows as m^2 n: 11.6 s at 1,000 nodes, past 30 s from
2,000 (benchmarks/scaling.py). An algorithm compared for the table must not block the run, so the comparison
runs in one child process (spawned: nothing of the parent's threads is inherited) that
sends each algorithm's partition, then its scalability, as they are done. The parent
waits for each at most its budget; when one is late, the child is killed, the
algorithm gets a row that says so (`Outcome.partition` None), and a new child takes
the algorithms left. A running algorithm cannot be stopped any other way: a Python
thread cannot be killed, and igraph's C calls do not return until they are done.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection

import networkx as nx
import numpy as np

from zoning.scaling import UNMEASURED, Scaling

#: The child's own start (imports) is not counted against an algorithm's budget, but
#: a child that has not started within this many seconds is a fault of the machine.
START_S = 120.0
#: A scalability measurement may run past its budget by the run under way
#: (`zoning.scaling`); it is given up after this many times its budget, plus a second.
SCALING_SLACK = 3.0


@dataclass(frozen=True)
class Job:
    """One algorithm to divide with (`rng`, the generator `divide` draws its seed from)
    and to time on resized networks (`scaling_seed`)."""

    algorithm: str
    rng: np.random.Generator
    scaling_seed: int


@dataclass(frozen=True)
class Outcome:
    """An algorithm's partition (None: it did not finish within the budget) and its
    scalability (`UNMEASURED` when not asked for, or not finished in time)."""

    algorithm: str
    partition: object | None  # zoning.regions.Partition; typed loosely to keep the import one-way
    scaling: Scaling


def _child(
    connection: Connection,
    graph: nx.Graph,
    jobs: Sequence[Job],
    options: dict,
) -> None:
    from zoning.regions import divide, scalability

    connection.send(("ready", None))
    try:
        for job in jobs:
            partition = divide(
                graph,
                job.algorithm,
                job.rng,
                n_regions=options["n_regions"],
                louvain_stages=options["louvain_stages"],
            )
            connection.send(("partition", partition))
            connection.send(("scaling", scalability(graph, partition, job.scaling_seed, **options)))
    except Exception:  # a bug, not a budget: the parent raises it
        connection.send(("error", traceback.format_exc()))
    connection.close()


def run_within(
    graph: nx.Graph,
    jobs: Sequence[Job],
    budget_s: float,
    *,
    n_regions: int | None,
    louvain_stages: int | None,
    scaling_budget_s: float,
) -> list[Outcome]:
    """Each job's outcome, in order; see the module docstring. A child that dies or
    fails raises RuntimeError: that is a fault, not a budget."""
    options = {"n_regions": n_regions, "louvain_stages": louvain_stages, "scaling_budget_s": scaling_budget_s}
    context = multiprocessing.get_context("spawn")
    outcomes: list[Outcome] = []
    left = list(jobs)
    while left:
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(sender, graph, left, options), daemon=True)
        try:
            child.start()
        except BaseException:
            receiver.close()
            raise
        finally:
            sender.close()  # the child holds its own end
        try:
            _expect(receiver, "ready", START_S)
            for job in list(left):
                partition = _expect(receiver, "partition", budget_s)
                if partition is None:
                    outcomes.append(Outcome(job.algorithm, None, UNMEASURED))
                    left.remove(job)
                    break
                scaling = _expect(receiver, "scaling", SCALING_SLACK * scaling_budget_s + 1.0)
                outcomes.append(Outcome(job.algorithm, partition, scaling or UNMEASURED))
                left.remove(job)
                if scaling is None:  # the child is still timing: a new one takes the rest
                    break
        finally:
            if child.is_alive():
                child.kill()
            child.join()
            receiver.close()
    return outcomes


def _expect(receiver: Connection, kind: str, wait_s: float) -> object | None:
    """The child's next message, which must be `kind`; None when it does not come in time."""
    if not receiver.poll(wait_s):
        if kind == "ready":
            raise RuntimeError(f"the region-algorithm process did not start within {wait_s:g} s")
        return None
    try:
        got, payload = receiver.recv()
    except EOFError:
        raise RuntimeError("the region-algorithm process died") from None
    if got == "error":
        raise RuntimeError(f"a region algorithm failed:\n{payload}")
    if got != kind:
        raise RuntimeError(f"the region-algorithm process sent {got!r} where {kind!r} was due")
    return payload
