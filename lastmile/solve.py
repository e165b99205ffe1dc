"""The one solver contract (after PyVRP's `solve(data, stop, seed)`).

A solver is anything that satisfies `Solver`: given a problem, a `StoppingCriterion`
and an integer seed, it returns an `Answer` (its routes or location solution, status,
bound, trace and parameters) and never a `SolveResult`. `solve` is the one entry point:
it normalises the seed once, times the call, and builds the `SolveResult`, which costs
the answer with `evaluate` and checks it with `check` on the instance the problem is
judged on. This module imports no solver.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np

from lastmile.model import Instance, Solution
from lastmile.result import Param, Scope, SolveResult, Status
from lastmile.stop import StoppingCriterion

#: Seeds are drawn below this bound from a generator (every solver takes a 31-bit seed).
SEED_BOUND = 2**31 - 1


@runtime_checkable
class Problem(Protocol):
    """What a solver is asked: `scope` is the instance its answer is costed and checked
    on, `objective` which part of the cost it is judged on, `n` its size."""

    @property
    def scope(self) -> Instance: ...

    @property
    def objective(self) -> Scope: ...

    @property
    def n(self) -> int: ...


@dataclass(frozen=True)
class Answer:
    """A solver's raw answer: what it found and what it can say about it."""

    status: Status
    solution: Solution | None
    bound: float | None = None
    trace: tuple[tuple[float, float], ...] = ()
    params: Mapping[str, Param] = field(default_factory=dict)
    message: str = ""


P_contra = TypeVar("P_contra", contravariant=True)


@runtime_checkable
class Solver(Protocol[P_contra]):
    """A solver under the name users type; `__call__` answers one problem."""

    @property
    def name(self) -> str: ...

    def __call__(self, problem: P_contra, stop: StoppingCriterion, seed: int) -> Answer: ...


def seed_value(seed: int | np.random.Generator) -> int:
    """The integer seed a solver gets: as given, or drawn once from a generator."""
    return int(seed.integers(SEED_BOUND)) if isinstance(seed, np.random.Generator) else int(seed)


def solve(problem: Problem, solver: Solver, stop: StoppingCriterion, seed: int | np.random.Generator) -> SolveResult:
    """Run `solver` on `problem` until `stop`; the result is costed and checked."""
    value = seed_value(seed)
    started = time.perf_counter()
    answer = solver(problem, stop, value)
    elapsed = time.perf_counter() - started
    return SolveResult(
        problem.scope,
        problem.objective,
        solver.name,
        answer.status,
        answer.solution,
        answer.bound,
        elapsed,
        trace=answer.trace,
        params={"seed": value, **answer.params},
        message=answer.message,
    )
