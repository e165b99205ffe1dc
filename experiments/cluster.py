"""Runs on a Dask cluster, and the faults that are the cluster's, not the runs'.

A task's own failure never reaches Dask: `execute` turns it into a stored `error`
row. So any exception a Dask future gives back (a lost scheduler or worker, a
`KilledWorker`, a cancelled future) is the cluster's fault. Such a run is not
stored: the experiment stops with `RunsNotDone` and `--resume` runs it again.

dask.distributed is imported here only when a cluster is used, so a command that
runs locally never loads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from experiments.folder import ExperimentError

#: Seconds to reach the scheduler when the experiment starts.
CONNECT_TIMEOUT = 10.0
#: While no run comes back, the scheduler is asked this often whether it still
#: answers, and given this long to answer: a lost scheduler stops the experiment
#: within about a minute instead of leaving it waiting for ever.
PING_EVERY = 30.0
PING_TIMEOUT = 15.0


class RunsNotDone(Exception):
    """Runs the cluster lost: not stored, so `--resume` runs them again."""

    def __init__(self, count: int, reason: str) -> None:
        super().__init__(f"{count} run(s) not done: {reason}")
        self.count = count
        self.reason = reason


class ClusterError(ExperimentError):
    """A scheduler address that is malformed or does not answer."""


class Keyed(Protocol):
    @property
    def key(self) -> tuple[Hashable, ...]: ...


T = TypeVar("T", bound=Keyed)
R = TypeVar("R")


def _connect(address: str, runs: int) -> Any:
    from distributed import Client

    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (ValueError, OSError) as exc:  # the scheduler went away since `check_scheduler`
        raise RunsNotDone(runs, f"cannot reach the Dask scheduler at {address} ({_first_line(exc)})") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def check_scheduler(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Refuse, before any folder is made, an address with no Dask scheduler behind it.

    Asks the address for its identity under one deadline: `Client()` alone can wait
    for ever on a port where some other server listens (a dashboard, say), and
    reads garbage from it as a frame length."""
    from distributed.core import rpc

    async def identity() -> Any:
        async with rpc(address, timeout=timeout) as remote:
            return await remote.identity()

    try:
        info = asyncio.run(asyncio.wait_for(identity(), timeout + 1))
    except ValueError as exc:  # malformed: refused before any connection is tried
        raise ClusterError(f"--scheduler {address!r}: not a scheduler address ({_first_line(exc)})") from None
    except OSError:  # refused, unknown host, silent server (TimeoutError and CommClosedError are OSErrors)
        raise ClusterError(f"--scheduler {address}: no Dask scheduler answers there within {timeout:g} s") from None
    except Exception as exc:  # another kind of server answered
        raise ClusterError(f"--scheduler {address}: not a Dask scheduler ({type(exc).__name__})") from None
    if not isinstance(info, dict) or info.get("type") != "Scheduler":
        kind = info.get("type") if isinstance(info, dict) else "something else"
        raise ClusterError(f"--scheduler {address}: a Dask {kind}, not the scheduler")


def _silence_dask() -> None:
    """After a cluster fault, dask's own loggers would print reconnection tracebacks
    while the client closes; the experiment's one-line message says it all. (dask's
    config sets these loggers' levels one by one: the parent alone is not enough.)"""
    for name in ("distributed", "distributed.client", "distributed.core", "distributed.comm"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _answers(client: Any) -> bool:
    try:
        client.sync(client.scheduler.identity, callback_timeout=PING_TIMEOUT)
    except Exception:
        return False
    return True


def run_on_cluster(tasks: Sequence[T], address: str, execute: Callable[[T], R]) -> Iterator[R]:
    """Each task's row as it comes back from the cluster at `address`; `RunsNotDone`
    (after every row that did come back) when the cluster lost some."""
    from distributed import as_completed

    client = _connect(address, len(tasks))
    lost: list[str] = []
    finished = False
    try:
        futures = {
            client.submit(execute, task, pure=False, key=f"run-{'-'.join(map(str, task.key))}"): task for task in tasks
        }
        pending = as_completed(futures)
        returned = 0
        heard = time.monotonic()
        while not pending.is_empty():
            if not pending.has_ready():
                time.sleep(0.2)
                if time.monotonic() - heard >= PING_EVERY:
                    if not _answers(client):
                        raise RunsNotDone(len(tasks) - returned, f"the Dask scheduler at {address} stopped answering")
                    heard = time.monotonic()
                continue
            for future in pending.next_batch(block=False):
                heard = time.monotonic()
                try:
                    row = future.result()
                except Exception as exc:  # `execute` never raises: this is the cluster's fault
                    _silence_dask()
                    lost.append(f"{type(exc).__name__}: {_first_line(exc)}")
                    continue
                returned += 1
                yield row
        finished = True
    finally:
        if not finished:
            _silence_dask()
        with contextlib.suppress(Exception):
            client.close(timeout=PING_TIMEOUT)
    if lost:
        raise RunsNotDone(len(lost), f"the Dask cluster lost them ({lost[0]})")
