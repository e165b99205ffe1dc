"""The solver contract: every registered solver through the one `solve` entry, results
that cost and check themselves, stopping criteria, and no result built elsewhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import build, tiny_doc
from test_operators import problem

from experiments.solvers import REGISTRY, SEEDLESS, SOLVERS, solve, solver, stopping
from lastmile import check, evaluate
from lastmile.location import LocationProblem
from lastmile.model import Route, Solution
from lastmile.result import SolveResult, scoped
from lastmile.routing import RoutingProblem
from lastmile.solve import Answer, Solver, seed_value
from lastmile.solve import solve as lastmile_solve
from lastmile.stop import FirstOf, MaxIterations, MaxRuntime, NoImprovement, Search

ROOT = Path(__file__).resolve().parents[1]
BUDGET = {"exact": None, "ortools": 100, "pso": 5, "ga": 50, "pyvrp": 100}


def assert_invariants(result: SolveResult, problem: object) -> None:
    """The result's objective is the shared cost, its flag the shared checker's."""
    assert result.solution is not None, result.message
    scope = problem.scope  # type: ignore[attr-defined]
    assert result.objective == pytest.approx(scoped(evaluate(scope, result.solution), problem.objective))  # type: ignore[attr-defined]
    assert result.feasible == (check(scope, result.solution) == [])
    assert result.violations == tuple(str(v) for v in check(scope, result.solution))
    if result.status == "optimal":
        assert result.feasible and result.bound is not None and result.gap is not None and result.gap <= 1e-6


@pytest.mark.parametrize("name", SOLVERS)
def test_every_registered_solver_satisfies_the_contract(name):
    made = solver(name)
    assert isinstance(made, Solver) and made.name == name
    p = problem(2, n=7)
    result = solve(name, p, time_limit=20, seed=3, iterations=BUDGET[name])
    assert result.solver == name and result.feasible
    assert_invariants(result, p)
    assert result.params["seed"] == 3
    # the trace is the solver's own view of its incumbents (integer-scaled for OR-Tools, PyVRP)
    assert result.trace and result.trace[-1][1] == pytest.approx(result.objective, rel=1e-4)


def test_a_location_problem_goes_through_the_same_entry():
    doc = tiny_doc()
    doc["joint_fleet"] = {"count": 2, "capacity": 10, "fixed_cost": 80, "cost_per_km": 2}  # Eqs. 11-16 need one type
    instance = build(doc)
    for located in (LocationProblem(instance, p=1), LocationProblem(instance, vehicles=True)):
        result = solve("exact", located, time_limit=20, seed=0)
        assert result.status == "optimal"
        assert_invariants(result, located)


@dataclass(frozen=True)
class Claims:
    """A solver that answers whatever it is told to: what a careless adapter might say."""

    answer: Answer
    name: str = "claims"

    def __call__(self, problem: object, stop: object, seed: int) -> Answer:
        return self.answer


def test_a_result_costs_and_checks_itself_whatever_the_solver_claims():
    problem = RoutingProblem(build(tiny_doc()), "O", ("a", "b"), ("A-1", "A-2"))
    good = Solution.routed([Route.through("A-1", "O", ["a", "b"])])

    def claimed(answer: Answer) -> SolveResult:
        return lastmile_solve(problem, Claims(answer), MaxRuntime(1.0), 0)

    unproven = claimed(Answer("optimal", good))
    assert unproven.status == "feasible" and "not proven" in unproven.message  # no bound, no proof
    assert unproven.objective == pytest.approx(100 + 24 + 4.8)  # the shared cost, not the solver's
    assert claimed(Answer("optimal", good, bound=unproven.objective)).status == "optimal"
    assert claimed(Answer("optimal", good, bound=unproven.objective - 1)).status == "feasible"
    twice = Solution.routed([Route.through("A-1", "O", ["a", "b"]), Route.through("A-1", "O", ["b"])])
    rejected = claimed(Answer("optimal", twice, bound=0.0))
    assert rejected.status == "feasible" and not rejected.feasible and rejected.violations
    nothing = claimed(Answer("feasible", None))
    assert nothing.status == "no_solution" and nothing.objective is None and not nothing.feasible


def test_stopping_criteria_and_what_an_iteration_means():
    assert stopping("exact", 5.0, 100) == MaxRuntime(5.0)  # HiGHS has no iteration budget
    assert stopping("ortools", 5.0, 100) == FirstOf((MaxIterations(100), MaxRuntime(5.0)))
    for name in ("pso", "ga", "pyvrp"):
        assert stopping(name, 5.0, 100) == MaxIterations(100) and stopping(name, 5.0) == MaxRuntime(5.0)
    assert {"exact", "ortools"} == SEEDLESS and set(REGISTRY) == set(SOLVERS)
    both = FirstOf((MaxIterations(3), MaxRuntime(60.0)))
    assert both.max_iterations == 3 and both.max_seconds == 60.0
    search = Search(both)
    for _ in range(3):
        assert not search.exhausted()
        search.tick()
    assert search.exhausted()
    with pytest.raises(ValueError):
        MaxRuntime(float("nan"))
    with pytest.raises(ValueError):
        MaxIterations(0)
    with pytest.raises(ValueError):
        NoImprovement(0)


def test_a_stall_counts_iterations_since_the_last_improvement():
    search = Search(FirstOf((NoImprovement(3), MaxRuntime(60.0))))
    assert search.stop.max_stall == 3
    for _ in range(2):
        search.tick()
    search.improved()  # at iteration 2
    for _ in range(2):
        search.tick()
        assert not search.exhausted()
    search.tick()
    assert search.exhausted()  # 3 iterations since
    assert stopping("ga", 5.0, stall=True) == FirstOf((MaxRuntime(5.0), NoImprovement(REGISTRY["ga"].stall)))
    assert stopping("exact", 5.0, stall=True) == MaxRuntime(5.0)  # no stall registered


@pytest.mark.parametrize("name", ["ga", "pso", "pyvrp"])
def test_a_run_asked_to_stop_on_a_stall_ends_long_before_its_clock(name):
    tiny = problem(3, n=6)
    result = solve(name, tiny, time_limit=600, seed=1, stall=True)
    assert result.feasible
    assert result.params["iterations"] <= 20 * REGISTRY[name].stall


def test_a_generator_seed_is_drawn_once_at_the_entry():
    assert seed_value(7) == 7
    drawn = int(np.random.default_rng(5).integers(2**31 - 1))
    p = problem(4, n=7)
    from_generator = solve("ga", p, time_limit=20, seed=np.random.default_rng(5), iterations=20)
    from_int = solve("ga", p, time_limit=20, seed=drawn, iterations=20)
    assert from_generator.params["seed"] == drawn
    assert from_generator.solution == from_int.solution and from_generator.objective == from_int.objective


def test_results_are_built_only_in_the_library():
    """No solver, runner or benchmark builds a result: `solve` does (the contract)."""
    offenders = []
    folders = ("experiments", "formulations", "heuristics", "zoning", "simulation", "benchmarks", "instances", "tests")
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            if re.search(r"\bSolveResult\(|\bfinalize\(", path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
