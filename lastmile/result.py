"""What every solver run returns: a `SolveResult`, which costs and checks itself.

Solvers never report their own objective. A `SolveResult` is built from the solver's
answer and the instance it answers for: on construction it costs the solution with
`lastmile.cost.evaluate`, checks it with `lastmile.check.check`, and holds its
status to what was shown (`optimal` only with a proof: a feasible solution whose
objective meets the solver's bound). So an objective that is not the shared cost, a
`feasible` flag that is not the checker's, or an unproven `optimal` cannot be built.
`lastmile.solve.solve` is the one place that builds one for a solver run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from typing import Literal

from lastmile.check import check
from lastmile.cost import CostBreakdown, evaluate
from lastmile.model import Instance, Solution

#: `not_applicable`: the solver takes no problem of this kind (its message says why); no
#: run was made, and no later run replaces the row.
Status = Literal["optimal", "feasible", "infeasible", "no_solution", "error", "not_applicable"]
Scope = Literal["routing", "total", "two_echelon"]
#: A solver's parameters as a results row stores them.
Param = str | int | float | bool | None
#: Relative objective-bound gap within which `optimal` counts as proven: HiGHS's own
#: gaps are far tighter (1e-7); this leaves room for re-costing in another order.
PROOF_GAP = 1e-6
_SOLVED: tuple[Status, ...] = ("optimal", "feasible")


def scoped(cost: CostBreakdown, scope: Scope) -> float:
    """The objective a solver is judged on: its routes (C1 + C2 + C3) and, with scope
    `total`, its centers (C4). Line-haul and feeder trips follow from the assignment and
    the policy, which no routing or location model decides: they are costed in the
    whole solution's breakdown (`experiments.aggregate`), not here. A two-echelon problem
    (`lastmile.two_echelon`) decides its line-haul: scope `two_echelon` adds the
    centers' handling and every line-haul line (the trucks, the hub)."""
    own = cost.vehicle_fixed + cost.transport + cost.congestion
    if scope == "two_echelon":
        return own + cost.center_handling + cost.line_haul_cost
    return own + cost.center_fixed if scope == "total" else own


@dataclass(frozen=True)
class SolveResult:
    """One solver run on `instance` (given at construction, not kept).

    `objective` is the scope's cost of `solution` by the shared cost function:
    `routing` (C1 + C2 + C3, the center being given) or `total` (with C4). `trace`
    holds (seconds, objective) at each improvement, or the final point for a solver
    that reports none. A solution the checker rejects is
    kept for inspection, marked infeasible and never optimal.
    """

    instance: InitVar[Instance | None]
    scope: InitVar[Scope]
    solver: str
    status: Status
    solution: Solution | None
    bound: float | None
    time_s: float
    trace: tuple[tuple[float, float], ...] = ()
    params: Mapping[str, Param] = field(default_factory=dict)
    message: str = ""
    objective: float | None = field(init=False, default=None)
    feasible: bool = field(init=False, default=False)
    cost: CostBreakdown | None = field(init=False, default=None)
    violations: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self, instance: Instance | None, scope: Scope) -> None:
        if self.solution is None:
            if self.status in _SOLVED:
                self._set(status="no_solution", message=self._note("the solver reported no solution"))
            return
        if instance is None:
            raise ValueError("a result with a solution needs the instance it is costed on")
        cost = evaluate(instance, self.solution)
        violations = tuple(str(v) for v in check(instance, self.solution))
        self._set(cost=cost, objective=scoped(cost, scope), violations=violations, feasible=not violations)
        if not self.trace:  # a solver that reports no incumbents (HiGHS through Pyomo): its final point
            self._set(trace=((self.time_s, self.objective),))
        if self.status == "optimal" and violations:
            self._set(status="feasible", message=self._note("the checker rejected the solver's solution"))
        elif self.status == "optimal" and not self._proven():
            self._set(status="feasible", message=self._note("optimality was not proven by a matching bound"))
        elif self.status not in _SOLVED:
            self._set(status="feasible")  # a solution came back after all: it is what it is

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def _note(self, text: str) -> str:
        return f"{self.message}; {text}" if self.message else text

    def _proven(self) -> bool:
        gap = self.gap
        return gap is not None and gap <= PROOF_GAP

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound, as HiGHS defines it."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)

    @classmethod
    def failed(cls, solver: str, message: str, time_s: float = 0.0) -> SolveResult:
        """A run that raised: no solution, status `error`, the message kept."""
        return cls(None, "routing", solver, "error", None, None, time_s, message=message)

    @classmethod
    def not_applicable(cls, solver: str, why: str) -> SolveResult:
        """A problem the solver takes no part of: status `not_applicable`, its message
        `not applicable: <why>`."""
        return cls(None, "routing", solver, "not_applicable", None, None, 0.0, message=f"not applicable: {why}")
