"""Solve a Pyomo model with HiGHS and report honestly what happened.

`solve_model` maps HiGHS' termination into the toolkit's statuses: `optimal` only
when HiGHS proved optimality (within the requested gap), `feasible` for an incumbent
found before a limit, `infeasible`, `no_solution` (a limit hit before any incumbent)
or `error`. Incumbent values are loaded into the model whenever one exists.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from lastmile.model import Solution
from lastmile.result import Param, Status
from lastmile.solve import Answer

#: Default relative MIP gap: tight enough that "optimal" means optimal.
DEFAULT_MIP_GAP = 1e-7


@dataclass(frozen=True)
class Outcome:
    status: Status
    incumbent: float | None  # the model's objective, for cross-checks only
    bound: float | None
    time_s: float
    message: str


def solve_model(
    model: pyo.ConcreteModel,
    *,
    time_limit: float,
    threads: int = 1,
    mip_gap: float = DEFAULT_MIP_GAP,
    seed: int = 0,
) -> Outcome:
    solver = Highs()
    started = time.perf_counter()
    try:
        results = solver.solve(
            model,
            time_limit=float(time_limit),
            threads=int(threads),
            rel_gap=float(mip_gap),
            load_solutions=False,
            raise_exception_on_nonoptimal_result=False,
            solver_options={"random_seed": int(seed) % 2_147_483_647, "output_flag": False},
        )
    except Exception as exc:  # HiGHS or Pyomo failing is a result, not a crash
        return Outcome("error", None, None, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - started
    term = results.termination_condition
    has_solution = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if has_solution:
        results.solution_loader.load_vars()
    bound = results.objective_bound
    bound = float(bound) if bound is not None and abs(bound) != float("inf") else None
    incumbent = float(results.incumbent_objective) if has_solution else None
    status = _status(
        optimal=term == TerminationCondition.convergenceCriteriaSatisfied,
        infeasible=term in (TerminationCondition.provenInfeasible, TerminationCondition.infeasibleOrUnbounded),
        limited=term
        in (TerminationCondition.maxTimeLimit, TerminationCondition.iterationLimit, TerminationCondition.interrupted),
        has_solution=has_solution,
    )
    return Outcome(status, incumbent, bound, elapsed, f"HiGHS: {term.name}")


def _status(*, optimal: bool, infeasible: bool, limited: bool, has_solution: bool) -> Status:
    """The toolkit's status for how HiGHS ended: `optimal` only when proven with a
    solution, `no_solution` for a limit hit before any incumbent, `error` otherwise."""
    if optimal and has_solution:
        return "optimal"
    if infeasible:
        return "infeasible"
    if limited:
        return "feasible" if has_solution else "no_solution"
    return "feasible" if has_solution else "error"


def quiet_highs(threads: int | None = None):
    """A new, silent highspy model (on `threads` threads when given)."""
    import highspy

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    if threads is not None:
        highs.setOptionValue("threads", int(threads))
    return highs


def run_highs(
    highs, *, mip: bool, time_limit: float, threads: int = 1, mip_gap: float = DEFAULT_MIP_GAP, seed: int = 0
) -> Outcome:
    """Run a model built in highspy directly (`formulations.routing.FlowModel`), with the
    same statuses as `solve_model`; the solution stays in `highs`. The bound is HiGHS'
    dual bound for a `mip`, the optimum for an LP solved to optimality."""
    import highspy

    for option, value in (
        ("time_limit", float(max(time_limit, 1e-3))),
        ("threads", int(threads)),
        ("mip_rel_gap", float(mip_gap)),
        ("random_seed", int(seed) % 2_147_483_647),
    ):
        highs.setOptionValue(option, value)
    started = time.perf_counter()
    try:
        highs.run()
    except Exception as exc:  # HiGHS failing is a result, not a crash
        return Outcome("error", None, None, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - started
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    incumbent = float(info.objective_function_value) if has_solution else None
    kind = highspy.HighsModelStatus
    bound = float(info.mip_dual_bound) if mip else (incumbent if model_status == kind.kOptimal else None)
    bound = bound if bound is not None and math.isfinite(bound) else None
    status = _status(
        optimal=model_status == kind.kOptimal,
        infeasible=model_status in (kind.kInfeasible, kind.kUnboundedOrInfeasible),
        limited=model_status in (kind.kTimeLimit, kind.kIterationLimit, kind.kInterrupt, kind.kSolutionLimit),
        has_solution=has_solution,
    )
    return Outcome(status, incumbent, bound, elapsed, f"HiGHS: {highs.modelStatusToString(model_status)}")


def model_answer(
    build: Callable[[], pyo.ConcreteModel],
    to_solution: Callable[[pyo.ConcreteModel], Solution],
    *,
    params: Mapping[str, Param],
    time_limit: float,
    threads: int = 1,
    mip_gap: float = DEFAULT_MIP_GAP,
    seed: int = 0,
) -> Answer:
    """Build a location-level model, solve it, and answer with its solution and bound
    (build and solve times apart in the parameters)."""
    started = time.perf_counter()
    model = build()
    build_s = time.perf_counter() - started
    outcome = solve_model(model, time_limit=time_limit, threads=threads, mip_gap=mip_gap, seed=seed)
    solution = to_solution(model) if outcome.status in ("optimal", "feasible") else None
    return Answer(
        outcome.status,
        solution,
        bound=outcome.bound,
        params={**params, "build_s": build_s, "solve_s": outcome.time_s, "threads": threads, "seed": seed},
        message=outcome.message,
    )
