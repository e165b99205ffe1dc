"""What every solver returns: a `SolveResult`, re-costed and re-checked here.

Solvers never report their own objective. `finalize` costs the solution with
`lastmile.cost.evaluate` and checks it with `lastmile.check.check`; the solver only
contributes its status, its bound and its improvement trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from lastmile.check import check
from lastmile.cost import CostBreakdown, evaluate
from lastmile.model import Instance, Solution

Status = Literal["optimal", "feasible", "infeasible", "no_solution", "error"]
Scope = Literal["routing", "total"]


@dataclass(frozen=True)
class SolveResult:
    """One solver run.

    `objective` is the scope's cost of `solution` by the shared cost function:
    `routing` (C1 + C2 + C3, the center being given) or `total` (TC). `status` is
    `optimal` only when the solver proved it and the checker found the solution
    feasible. `trace` holds (seconds, objective) at each improvement.
    """

    solver: str
    status: Status
    solution: Solution | None
    objective: float | None
    bound: float | None
    time_s: float
    feasible: bool
    cost: CostBreakdown | None = None
    violations: tuple[str, ...] = ()
    trace: tuple[tuple[float, float], ...] = ()
    params: Mapping[str, object] = field(default_factory=dict)
    message: str = ""

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound, as HiGHS defines it."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


def scoped(cost: CostBreakdown, scope: Scope) -> float:
    """The objective a solver is judged on: its routes (C1 + C2 + C3) and, with scope
    `total`, its centers (C4). Line-haul and feeder trips follow from the assignment and
    the policy, which no routing or location model decides: they are costed in the
    whole solution's breakdown (`experiments.aggregate`), not here."""
    own = cost.vehicle_fixed + cost.transport + cost.congestion
    return own + cost.center_fixed if scope == "total" else own


def finalize(
    instance: Instance,
    solver: str,
    status: Status,
    solution: Solution | None,
    *,
    scope: Scope,
    time_s: float,
    bound: float | None = None,
    trace: tuple[tuple[float, float], ...] = (),
    params: Mapping[str, object] | None = None,
    message: str = "",
) -> SolveResult:
    """Re-cost and re-check a solver's answer into a `SolveResult`.

    A solution the checker rejects is kept (for inspection) but marked infeasible,
    and never reported as optimal.
    """
    if solution is None:
        return SolveResult(solver, status, None, None, bound, time_s, False, params=params or {}, message=message)
    cost = evaluate(instance, solution)
    violations = tuple(str(v) for v in check(instance, solution))
    if violations and status == "optimal":
        status = "feasible"
        message = (message + "; " if message else "") + "the checker rejected the solver's solution"
    return SolveResult(
        solver=solver,
        status=status,
        solution=solution,
        objective=scoped(cost, scope),
        bound=bound,
        time_s=time_s,
        feasible=not violations,
        cost=cost,
        violations=violations,
        trace=trace,
        params=params or {},
        message=message,
    )
