"""One uncertainty scenario, planned, routed and costed (issue 34, `experiments.uncertainty`).

A scenario's instance is the base instance with its re-plan factors (the vans' costs),
its demand level and its day-to-day demand (the day's seed, `uncertainty.day_seed`). On it the
base plan's regions are planned again (`region_problems`: the joint fleet shared out,
lockers, each company's problems over what it serves today) and both policies routed:
independent delivery, and the alliance's best design of the base run (its routing
scope, by `experiments.scopes`, and its line-haul design). Single-center problems go to
the GA, multi-depot ones to PyVRP, both on a fixed iteration budget
(`uncertainty_iterations` generations; PyVRP `PYVRP_PER_GENERATION` times as many
iterations), so a scenario gives the same result on any machine. Both plans are then
costed by `evaluate` on the instance with the re-cost factors too (centers, trucks,
hub, feeder), and each company's own routes alone with its parcels and km-weighted
parcels (the weights of the proportional allocation rules). A scenario is a run like
any other: stored as it finishes (table `scenarios`), skipped on `--resume`, spread
over the workers.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from experiments.aggregate import delivery_row
from experiments.designs import hub_plan
from experiments.game import weights
from experiments.plan import Plan, PlanError, RegionSpec, region_problems
from experiments.runner import Work
from experiments.scopes import scope_plans
from experiments.solvers import solve
from experiments.store import ScenarioRow
from experiments.uncertainty import daily_demand, scaled
from lastmile.cost import evaluate
from lastmile.model import Instance, Route, Solution
from lastmile.routing import MultiDepotProblem

#: PyVRP's iterations per GA generation on a scenario's multi-depot problems (a PyVRP
#: iteration is one offspring and its local search, far cheaper than a GA generation).
PYVRP_PER_GENERATION = 20


@dataclass(frozen=True)
class ScenarioOptions:
    iterations: int = 100
    dispersion: float = 0.0
    max_customers: int = 300


@dataclass(frozen=True)
class ScenarioTask:
    """Scenario `index` of instance `label`: its factors, its day's seed (day-to-day
    demand) and the solvers' seed (the same in every scenario of an instance: common
    random numbers), the base instance and plan regions, and the best design to plan
    (routing scope, line-haul design)."""

    label: str
    index: int
    factors: Mapping[str, float]
    day: int
    seed: int
    instance: Instance
    specs: tuple[RegionSpec, ...]
    region_of: Mapping[str, str]
    scope: str
    design: str
    options: ScenarioOptions = field(default_factory=ScenarioOptions)

    @property
    def key(self) -> tuple[str, int]:
        return (self.label, self.index)


def _route(problems: Mapping[str, object], task: ScenarioTask) -> list[Route] | str:
    """Every problem's routes, or why one has none."""
    routes: list[Route] = []
    for region, problem in problems.items():
        multi = isinstance(problem, MultiDepotProblem)
        budget = task.options.iterations * (PYVRP_PER_GENERATION if multi else 1)
        result = solve("pyvrp" if multi else "ga", problem, time_limit=3600, seed=task.seed, iterations=budget)
        if not result.feasible or result.solution is None or result.solution.routes is None:
            return f"{region}: {result.status} {result.message}".strip()
        routes += [r for r in result.solution.routes if r.stops]
    return routes


def evaluate_scenario(task: ScenarioTask) -> ScenarioRow:
    """The scenario's row (module docstring); never raises (a failure is a row)."""
    started = time.perf_counter()
    base = ScenarioRow(task.label, task.index, "error", False, json.dumps(dict(task.factors), sort_keys=True))
    try:
        routing = scaled(task.instance, task.factors, replan=True)
        day = daily_demand(routing, task.factors.get("demand", 1.0), task.day, task.options.dispersion)
        try:
            planned, problems = region_problems(day, task.specs, max_customers=task.options.max_customers)
        except PlanError as exc:
            return replace(base, status="no plan", message=str(exc), time_s=time.perf_counter() - started)
        plan = Plan(task.label, day, planned, problems, region_of=task.region_of, specs=task.specs)
        chosen = {s.scope: s for s in scope_plans(plan)}.get(task.scope) or scope_plans(plan)[0]
        alone = _route({r: plan.problems[r] for r in plan.independent_regions}, task)
        joint = _route(chosen.problems, task)
        for routes in (alone, joint):
            if isinstance(routes, str):
                return replace(base, status="infeasible", message=routes, time_s=time.perf_counter() - started)
        assert not isinstance(alone, str) and not isinstance(joint, str)
        independent_instance = scaled(plan.independent_instance, task.factors, replan=False)
        joint_instance = scaled(plan.planned, task.factors, replan=False)
        solution = Solution.routed(joint)
        designed = hub_plan(joint_instance, solution) if task.design == "hub" else None
        if designed is None:  # tour, direct, or a hub design the scenario's instance cannot take
            design = task.design if task.design != "hub" else "tour"
            designed = replace(solution, line_haul_design=design)  # type: ignore[arg-type]
        rows = {
            "independent": delivery_row(independent_instance, Solution.independent(alone), "independent", "", 0),
            "joint": delivery_row(joint_instance, designed, "joint", "", 0),
        }
        shares = weights(plan)
        companies = {}
        for company in task.instance.companies:
            own = [r for r in alone if independent_instance.vehicle(r.vehicle).company == company.id]
            companies[company.id] = {
                "alone": evaluate(independent_instance, Solution.independent(own)).total,
                "parcels": shares["parcels"][company.id],
                "weighted": shares["km-weighted parcels"][company.id],
            }
        feasible = bool(rows["independent"]["feasible"] and rows["joint"]["feasible"])
        return replace(
            base,
            status="ok" if feasible else "infeasible",
            feasible=feasible,
            TC_independent=float(rows["independent"]["TC"]),
            TC_joint=float(rows["joint"]["TC"]),
            TC_no_LH_independent=float(rows["independent"]["TC_no_LH"]),
            TC_no_LH_joint=float(rows["joint"]["TC_no_LH"]),
            E_independent=float(rows["independent"]["E"]),
            E_joint=float(rows["joint"]["E"]),
            E_no_LH_independent=float(rows["independent"]["E_no_LH"]),
            E_no_LH_joint=float(rows["joint"]["E_no_LH"]),
            companies=json.dumps(companies, sort_keys=True),
            time_s=time.perf_counter() - started,
            message="; ".join(str(r["violations"]) for r in rows.values() if r["violations"]),
        )
    except Exception as exc:  # stored as an error row, never allowed to stop the others
        message = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
        return replace(base, message=message, time_s=time.perf_counter() - started)


def _failed(task: ScenarioTask, message: str) -> ScenarioRow:
    return ScenarioRow(task.label, task.index, "error", False, json.dumps(dict(task.factors)), message=message)


def _describe(row: ScenarioRow) -> str:
    return f"scenario {row.scenario} {row.status}"


SCENARIOS: Work[ScenarioTask, ScenarioRow] = Work(evaluate_scenario, _failed, _describe)
