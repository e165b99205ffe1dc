"""The two-echelon ruin and recreate (`heuristics.ruin_recreate`, the `ga` solver's
two-echelon form): its trucks' plans against the first-echelon model, and its routes
against brute force on tiny problems."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from test_two_echelon import brute_force, brute_force_problem, write

from experiments.solvers import solve
from formulations.first_echelon import solve_first_echelon
from heuristics.ruin_recreate import TruckPlanner
from lastmile.readers import load_instance
from lastmile.two_echelon import TwoEchelonProblem


def problem_with(tmp_path, seed: int, centers: int, trucks: str) -> TwoEchelonProblem:
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 40, size=(1 + centers + 4, 2))
    stores = "   ".join(f"{x},{y}" for x, y in xy[: 1 + centers])
    customers = "   ".join(f"{x},{y},3" for x, y in xy[1 + centers :])
    return TwoEchelonProblem.whole(load_instance(write(tmp_path, trucks, "4,4,10,1,0", stores, customers)))


@pytest.mark.parametrize("seed", range(8))
def test_the_trucks_plan_carries_the_loads_and_is_never_below_the_model(tmp_path, seed):
    problem = problem_with(tmp_path, seed, centers=4, trucks="12,10,1,2")
    rng = np.random.default_rng(seed)
    loads = rng.integers(0, 25, size=4).astype(float)
    planner = TruckPlanner(problem)
    cost, trucks = planner.plan(loads)
    carried = np.zeros(4)
    for stops in trucks:
        assert sum(d for _, d, _ in stops) <= 10 + 1e-9  # within a truck's capacity
        for s, d, _ in stops:
            carried[s] += d
        path = [0, *(1 + s for s, _, _ in stops), 0]
        cost -= 2 + sum(problem.truck_cost[a, b] for a, b in itertools.pairwise(path))
    assert carried == pytest.approx(loads) and cost == pytest.approx(0.0, abs=1e-9)  # its cost is its trucks'
    used = [s for s in range(4) if loads[s] > 0]
    model = solve_first_echelon(
        problem.truck_cost[np.ix_([0, *(1 + s for s in used)], [0, *(1 + s for s in used)])],
        [float(loads[s]) for s in used],
        [0.0] * len(used),
        capacity=10.0,
        fixed_cost=2.0,
        trucks=12,
        time_limit=30,
    )
    assert model.status == "optimal" and planner.cost(loads) >= model.cost - 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_without_splits_the_trucks_plan_is_the_models_optimum(tmp_path, seed):
    problem = problem_with(tmp_path, seed, centers=4, trucks="4,1000,1,2")  # one truck holds everything
    loads = np.random.default_rng(seed).integers(1, 25, size=4).astype(float)
    model = solve_first_echelon(
        problem.truck_cost[:5, :5], loads.tolist(), [0.0] * 4, capacity=1000.0, fixed_cost=2.0, trucks=4, time_limit=30
    )
    assert TruckPlanner(problem).cost(loads) == pytest.approx(model.cost)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_search_finds_the_brute_force_optimum(tmp_path, seed):
    problem = brute_force_problem(tmp_path, seed)
    result = solve("ga", problem, time_limit=60, seed=seed, iterations=300)
    assert result.feasible and math.isfinite(result.objective)
    assert result.objective == pytest.approx(brute_force(problem), rel=1e-9)
