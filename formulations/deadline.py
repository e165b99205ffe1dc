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
import ctypes
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

#: Linux's `prctl` option that signals a child when its parent dies.
PR_SET_PDEATHSIG = 1

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
    parent = os.getpid()
    # no Ctrl-C between the fork and the child's own signal handlers, nor before the
    # parent's `try`: either would leave a child neither ended nor reaped
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(work, writer, reader, parent, mask)
    ended: Literal["done", "deadline", "died"] = "deadline"
    result: T | None = None
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        writer.close()
        while (left := seconds - (time.perf_counter() - started)) > 0 and reader.poll(left):
            ended, result = _receive(reader, reports)
            if ended != "deadline":
                break
    finally:
        if ended != "done":
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while ended == "deadline" and reader.poll(0):  # what it sent before it was ended
            kind, item = _receive(reader, reports)
            if kind == "died" and item is None:  # the pipe's end: it was ended, not dead
                break
            ended, result = kind, item
        reader.close()
    if ended == "died" and result is not None:
        raise ChildError(str(result))
    return Forked(ended, None if ended != "done" else result, tuple(reports), time.perf_counter() - started)


def _receive(reader, reports: list[object]) -> tuple[Literal["done", "deadline", "died"], object]:
    """One message from the child: a report (kept; the child goes on), its answer, or
    its end (a traceback when it raised)."""
    try:
        kind, item = reader.recv()
    except (EOFError, OSError):  # ended, or died part-way through a message
        return "died", None
    if kind == "report":
        reports.append(item)
        return "deadline", None
    if kind == "failed":
        return "died", item
    return "done", item


def _child(work: Callable[[Callable[[object], None]], object], writer, reader, parent: int, mask) -> None:
    """Run the work and send its answer (or its traceback); exit without running this
    process's exit handlers or flushing its buffers, which belong to the parent. The
    child dies with its parent (a pool worker ended by its coordinator, say)."""
    code = 1
    try:
        reader.close()
        for sig in (signal.SIGINT, signal.SIGTERM):  # the parent's handlers are not ours
            signal.signal(sig, signal.SIG_DFL)
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent ended before prctl took effect
            return
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        try:
            result = work(lambda item: writer.send(("report", item)))
        except BaseException:
            writer.send(("failed", traceback.format_exc(limit=8)))
        else:
            writer.send(("done", result))
            code = 0
    finally:
        os._exit(code)
