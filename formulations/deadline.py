"""Hold a wall-clock deadline that HiGHS itself overruns: the work runs in a forked child
process, which is ended at the deadline.

HiGHS checks its time limit in the simplex and in branch-and-bound, but not everywhere
before them: on the 200-customer flow model (273,178 rows) its MIP presolve ran 3.4 s
at a 1 s limit, and neither its interrupt callbacks (`cbSimplexInterrupt`,
`cbMipInterrupt`, `cbIpmInterrupt`) nor presolve or symmetry detection turned off
stopped it in time (issue 16). Only ending the process does. The child reports what it
learns as it goes (`report`), so a child ended at the deadline still leaves its bound
and its best incumbent behind.

Why not a library: `multiprocessing.Process` refuses to start inside a daemonic process
(Dask's workers are daemonic), and `concurrent.futures` cannot end a running task; so
this is `os.fork` with a `multiprocessing` pipe. Where fork is unsafe or missing (not
Linux), the work runs in this process and the deadline is HiGHS' own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import Pipe
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

#: Runs fork a child only where fork is safe with the libraries loaded (glibc's at-fork
#: handlers, OpenBLAS's); macOS and Windows run the work in this process.
FORKS = sys.platform.startswith("linux")


@dataclass(frozen=True)
class Forked(Generic[T]):
    """How forked work ended: `done` with its `result`, or `deadline` (ended at the
    deadline) or `died` (the child ended without an answer), with what it reported."""

    ended: Literal["done", "deadline", "died"]
    result: T | None
    reports: tuple[object, ...]
    seconds: float


class ChildError(RuntimeError):
    """The work raised in the child: the child's traceback, as text."""


def run_forked(work: Callable[[Callable[[object], None]], T], *, seconds: float) -> Forked[T]:
    """`work(report)` in a forked child, ended after `seconds` of wall time.

    `report(item)` hands a picklable `item` to this process at once; the work's return
    value comes back pickled. An exception in the work is raised here as `ChildError`.
    """
    started = time.perf_counter()
    reports: list[object] = []
    if not FORKS:
        result = work(reports.append)
        return Forked("done", result, tuple(reports), time.perf_counter() - started)
    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: never returns
        reader.close()
        _child(work, writer)
    writer.close()
    ended: Literal["done", "deadline", "died"] = "deadline"
    result: T | None = None
    try:
        while (left := seconds - (time.perf_counter() - started)) > 0 and reader.poll(left):
            try:
                kind, item = reader.recv()
            except EOFError:
                ended = "died"
                break
            if kind == "report":
                reports.append(item)
            elif kind == "failed":
                raise ChildError(item)
            else:
                ended, result = "done", item
                break
    finally:
        reader.close()
        if ended != "done":
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return Forked(ended, result, tuple(reports), time.perf_counter() - started)


def _child(work: Callable[[Callable[[object], None]], object], writer) -> None:
    """Run the work and send its answer (or its traceback); exit without running this
    process's exit handlers or flushing its buffers, which belong to the parent."""
    code = 1
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):  # the parent's Python handlers are not ours
            if callable(signal.getsignal(sig)):
                signal.signal(sig, signal.SIG_DFL)
        try:
            result = work(lambda item: writer.send(("report", item)))
        except BaseException:
            writer.send(("failed", traceback.format_exc(limit=8)))
        else:
            writer.send(("done", result))
            code = 0
    finally:
        os._exit(code)
