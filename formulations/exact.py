"""The exact solver users call `exact`: models solved by HiGHS (through Pyomo or highspy),
as a `lastmile.solve.Solver`.

A routing problem gets branch-and-price, set partitioning or the flow model
(`formulations.routing`), a two-echelon problem set partitioning over its van routes
with its trucks (`formulations.two_echelon`), a location problem the location model (Eqs. 5-10,
`formulations.location`) or, with vehicles, the assignment and transport model (Eqs.
11-16, `formulations.assignment`). HiGHS has no iteration budget: it stops by the
clock alone (`stop.max_seconds`), and on one thread it is deterministic when it
finishes (branch-and-price too, unless the clock stops its GA start or its integer
master first; a run ended at its deadline answers with what it had, which depends on
the machine). `solve_routing`, `solve_location`
and `solve_assignment` are the same entry (`lastmile.solve.solve`) with a time limit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from formulations.assignment import assignment_answer
from formulations.highs import DEFAULT_MIP_GAP
from formulations.location import location_answer
from formulations.routing import Formulation, routing_answer
from formulations.two_echelon import two_echelon_answer
from lastmile.location import NEAREST_CENTERS, WHOLE_PAIRS, LocationProblem
from lastmile.model import Instance
from lastmile.result import SolveResult
from lastmile.routing import RoutingProblem
from lastmile.solve import Answer, solve
from lastmile.stop import MaxRuntime, StoppingCriterion
from lastmile.two_echelon import TwoEchelonProblem


@dataclass(frozen=True)
class Exact:
    """HiGHS on `threads` threads to a relative gap of `mip_gap`; for routing, the
    `formulation` and the share of the time limit spent on capacity cuts."""

    threads: int = 1
    mip_gap: float = DEFAULT_MIP_GAP
    formulation: Formulation = "auto"
    cut_share: float = 0.25
    name: str = "exact"

    def __call__(
        self, problem: RoutingProblem | LocationProblem | TwoEchelonProblem, stop: StoppingCriterion, seed: int
    ) -> Answer:
        if stop.max_seconds is None:
            raise ValueError("the exact solver stops by the clock: it needs a wall-clock limit")
        if isinstance(problem, TwoEchelonProblem):
            return two_echelon_answer(problem, stop, threads=self.threads, mip_gap=self.mip_gap, seed=seed)
        common = {"time_limit": stop.max_seconds, "seed": seed, "threads": self.threads, "mip_gap": self.mip_gap}
        if isinstance(problem, RoutingProblem):
            return routing_answer(problem, formulation=self.formulation, cut_share=self.cut_share, **common)
        if problem.vehicles:
            return assignment_answer(problem, **common)
        return location_answer(problem, **common)


def solve_routing(
    problem: RoutingProblem,
    *,
    time_limit: float = 60.0,
    seed: int | np.random.Generator = 0,
    threads: int = 1,
    mip_gap: float = DEFAULT_MIP_GAP,
    cut_share: float = 0.25,
    formulation: Formulation = "auto",
) -> SolveResult:
    """A routing subproblem solved exactly (see `formulations.routing.routing_answer`)."""
    solver = Exact(threads, mip_gap, formulation, cut_share)
    return solve(problem, solver, MaxRuntime(time_limit), seed)


def solve_location(
    instance: Instance,
    *,
    p: int | None = None,
    time_limit: float = 60.0,
    seed: int | np.random.Generator = 0,
    threads: int = 1,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> SolveResult:
    """The location model (Eqs. 5-10) of `instance`, with exactly `p` centers when given."""
    return solve(LocationProblem(instance, p=p), Exact(threads, mip_gap), MaxRuntime(time_limit), seed)


def solve_assignment(
    instance: Instance,
    *,
    open_centers: Collection[str] | None = None,
    full_load_share: float = 0.5,
    full_load_fraction: float = 0.8,
    nearest_centers: int | None = NEAREST_CENTERS,
    whole_pairs: int = WHOLE_PAIRS,
    time_limit: float = 60.0,
    seed: int | np.random.Generator = 0,
    threads: int = 1,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> SolveResult:
    """The assignment and transport model (Eqs. 11-16) with the instance's joint fleet
    (past `whole_pairs`, each node served by its `nearest_centers` open centers: see
    `LocationProblem`)."""
    problem = LocationProblem(
        instance,
        vehicles=True,
        open_centers=None if open_centers is None else frozenset(open_centers),
        full_load_share=full_load_share,
        full_load_fraction=full_load_fraction,
        nearest_centers=nearest_centers,
        whole_pairs=whole_pairs,
    )
    return solve(problem, Exact(threads, mip_gap), MaxRuntime(time_limit), seed)
