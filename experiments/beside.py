"""One function run in a child process beside the coordinator's own work (e.g. the
classifier comparison while the instances are planned): both cores busy where the
planning alone would leave one idle.

A spawned `multiprocessing.Process` sends its result back through a pipe (a function
that starts processes of its own, such as joblib's, would leave them holding this
process's output open after it ends: give it one job). A
child that fails or dies is no loss: `result` then computes the same value in this
process (the function is deterministic in its arguments). Leaving the block ends the
child, however the block is left.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any


def _child(sender: Connection, function: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    try:
        sender.send(("ok", function(*args, **kwargs)))
    except Exception:  # reported to the parent, which computes the value itself
        sender.send(("error", traceback.format_exc()))
    finally:
        sender.close()


class Beside:
    """`with Beside(f, *args, start=True, **kwargs) as job: ...; job.result()`."""

    def __init__(self, function: Callable[..., Any], *args: Any, start: bool = True, **kwargs: Any) -> None:
        self.function, self.args, self.kwargs = function, args, kwargs
        self.start = start
        self.process: multiprocessing.process.BaseProcess | None = None
        self.receiver: Connection | None = None

    def __enter__(self) -> Beside:
        if self.start:
            context = multiprocessing.get_context("spawn")
            self.receiver, sender = context.Pipe(duplex=False)
            self.process = context.Process(target=_child, args=(sender, self.function, self.args, self.kwargs))
            self.process.start()
            sender.close()
        return self

    def result(self) -> Any:
        """The function's value: the child's, or computed here if it failed."""
        if self.receiver is not None:
            try:
                status, value = self.receiver.recv()
            except (EOFError, OSError):
                status, value = "died", None
            if status == "ok":
                return value
        return self.function(*self.args, **self.kwargs)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
        if self.receiver is not None:
            self.receiver.close()
