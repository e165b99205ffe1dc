"""Every solver under the name users type, and what an iteration means to it.

    solve(name, problem, *, time_limit, seed, iterations=None) -> SolveResult

goes through the one entry `lastmile.solve.solve`. A solver's module is imported only
when the solver is first asked for, so naming solvers (configuration, tables) costs
nothing. What stops a run (`stopping`):

- `exact`: the clock alone (HiGHS has no iteration budget; on one thread it is
  deterministic when it finishes);
- `ortools`: solutions found, with the clock still bounding the run (guided local
  search may stop finding solutions);
- `pso`: swarm steps (every particle moves once); `ga`: generations (one offspring
  each); `pyvrp`: PyVRP's iterations. Given an iteration budget these three ignore
  the clock, so the same seed gives the same result on any machine.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from lastmile.result import SolveResult
from lastmile.routing import MultiDepotProblem
from lastmile.solve import Problem, Solver
from lastmile.solve import solve as solve_problem
from lastmile.stop import FirstOf, MaxIterations, MaxRuntime, NoImprovement, StoppingCriterion
from lastmile.two_echelon import TwoEchelonProblem


@dataclass(frozen=True)
class Entry:
    """Where a solver lives (`module:attribute`, a class made with no arguments), what
    one of its iterations is (None: it has no iteration budget), whether its clock
    still applies under an iteration budget, and whether its seed changes anything."""

    target: str
    iteration: str | None
    clock_with_iterations: bool = False
    seeded: bool = True
    two_echelon: str | None = None  # `module:function` making its two-echelon solver, if any
    two_echelon_iteration: str | None = None
    multi_depot: bool = False  # whether it routes several centers' vehicles at once (`MultiDepotProblem`)
    stall: int | None = None  # its iterations without improvement that end a run asked to stop on a stall


#: Iterations without a better solution after which a run asked to stop on a stall ends
#: (`compare.py`'s `stop_on_stall`; benchmarks run to their clock). Measured on the default
#: run's regions and companies (1-23 customers, 1 s per run): every GA, PSO and PyVRP
#: run found its best within 0.19, 0.42 and 0.95 s, after which the rest of the second
#: bought nothing; the GA makes about 2,000 generations a second there, PSO 90 to 400
#: swarm steps, PyVRP 4,000 to 25,000 iterations. These stalls take about a quarter of a
#: second there; on the whole Ling Shan instance (222 customers, 17 s) they end a run
#: only once it has converged.
STALL = {"ga": 500, "pso": 50, "pyvrp": 5000}
REGISTRY: dict[str, Entry] = {
    "exact": Entry("formulations.exact:Exact", None, seeded=False, two_echelon="formulations.exact:Exact"),
    "ortools": Entry(
        "heuristics.ortools_solver:OrTools",
        "a solution found",
        clock_with_iterations=True,
        seeded=False,
        two_echelon="heuristics.two_echelon:ortools_vans",
        two_echelon_iteration="a solution found",
        multi_depot=True,
    ),
    "pso": Entry(
        "heuristics.pso:PSO",
        "a swarm step (every particle moves once)",
        stall=STALL["pso"],
        two_echelon="heuristics.two_echelon:pso_search",
        two_echelon_iteration="a round of the assignment search",
    ),
    "ga": Entry(
        "heuristics.ga:GA",
        "a generation (one offspring)",
        stall=STALL["ga"],
        two_echelon="heuristics.ruin_recreate:ruin_recreate",
        two_echelon_iteration="a ruin-and-recreate iteration",
    ),
    "pyvrp": Entry(
        "heuristics.pyvrp_solver:PyVRP",
        "a PyVRP iteration",
        stall=STALL["pyvrp"],
        two_echelon="heuristics.two_echelon:pyvrp_vans",
        two_echelon_iteration="a PyVRP iteration",
        multi_depot=True,
    ),
}
SOLVERS = tuple(REGISTRY)
#: Solvers whose result does not depend on the seed: run once, with the first seed.
SEEDLESS = frozenset(name for name, entry in REGISTRY.items() if not entry.seeded)


def _known(name: str) -> Entry:
    if name not in REGISTRY:
        raise ValueError(f"unknown solver {name!r}; choose from {', '.join(REGISTRY)}")
    return REGISTRY[name]


@cache
def solver(name: str) -> Solver:
    """The registered solver, its module imported on first use."""
    module, _, attribute = _known(name).target.partition(":")
    made: Solver = getattr(importlib.import_module(module), attribute)()
    return made


@cache
def two_echelon_solver(name: str) -> Solver | None:
    """The registered solver's two-echelon form (None: it takes no two-echelon problem)."""
    target = _known(name).two_echelon
    if target is None:
        return None
    module, _, attribute = target.partition(":")
    made: Solver = getattr(importlib.import_module(module), attribute)()
    return made


def stopping(name: str, time_limit: float, iterations: int | None = None, stall: bool = False) -> StoppingCriterion:
    """What stops solver `name` given a time limit and, optionally, an iteration budget;
    with `stall`, also its registered iterations without improvement (`STALL`)."""
    entry = _known(name)
    if iterations is None or entry.iteration is None:
        criteria: list[MaxRuntime | MaxIterations | NoImprovement] = [MaxRuntime(time_limit)]
    elif entry.clock_with_iterations:
        criteria = [MaxIterations(iterations), MaxRuntime(time_limit)]
    else:
        criteria = [MaxIterations(iterations)]
    if stall and entry.stall is not None:
        criteria.append(NoImprovement(entry.stall))
    return criteria[0] if len(criteria) == 1 else FirstOf(tuple(criteria))


def solve(
    name: str,
    problem: Problem,
    *,
    time_limit: float,
    seed: int | np.random.Generator,
    iterations: int | None = None,
    stall: bool = False,
) -> SolveResult:
    """Solver `name` on `problem`; a problem kind it does not take is a result saying so.
    `stall` (routing problems) also ends a run after its registered iterations without
    improvement."""
    if isinstance(problem, MultiDepotProblem) and not _known(name).multi_depot:
        return SolveResult.not_applicable(name, f"{name} takes no multi-depot problem")
    if isinstance(problem, TwoEchelonProblem):
        chosen = two_echelon_solver(name)
        if chosen is None:
            return SolveResult.not_applicable(name, f"{name} takes no two-echelon problem")
        return solve_problem(problem, chosen, stopping(name, time_limit, iterations), seed)
    return solve_problem(problem, solver(name), stopping(name, time_limit, iterations, stall), seed)
