"""The bound on any joint plan (issue 30, `experiments.designs`): never above the cost
of a plan, whatever its centers and line-haul design, on random small instances and on
the shipped cases."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.designs import hub_plan, joint_bound
from experiments.plan import PlanOptions, plan_instance
from experiments.scopes import scope_plans
from experiments.solvers import solve
from lastmile.check import check
from lastmile.cost import evaluate
from lastmile.model import Center, Company, DistanceSpec, Fleet, Hub, Instance, Node, Site, Solution, Truck
from lastmile.readers import load_instance
from lastmile.routing import RoutingProblem

ROOT = Path(__file__).resolve().parents[1]


def random_instance(seed: int) -> Instance:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 20, size=(13, 2))
    fleet = Fleet(4, 15.0, 5.0, 1.0)
    nodes = tuple(
        Node(
            f"n{k}",
            *xy[k],
            {"A": float(rng.integers(0, 4)), "B": float(rng.integers(1, 4))},
            {"A": float(rng.integers(0, 2))},
        )
        for k in range(6)
    )
    return Instance(
        name=f"random{seed}",
        nodes=nodes,
        companies=(Company("A", "A", Site("dA", *xy[6]), fleet), Company("B", "B", Site("dB", *xy[7]), fleet)),
        centers=tuple(Center(Site(f"C{k}", *xy[8 + k]), float(rng.integers(0, 30)), None) for k in range(3)),
        distance=DistanceSpec("euclidean"),
        coordinates="planar",
        joint_fleet=fleet,
        line_haul=Truck(8.0, 3.0, 1.5, 0.4),
        hubs=tuple(Hub(Site(f"H{k}", *xy[11 + k]), 10.0, 0.2, None) for k in range(2)),
        shuttle=Truck(20.0, 4.0, 1.0, 0.3),
    )


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_the_bound_is_at_most_every_plan_under_every_design(seed):
    instance = random_instance(seed)
    bound = joint_bound(SimpleNamespace(planned=instance), seconds=10)
    assert bound is not None
    customers = tuple(n.id for n in instance.nodes if n.needs_service())
    for center in instance.centers:
        problem = RoutingProblem(instance, center.id, customers, instance.joint_vehicle_ids())
        result = solve("ga", problem, time_limit=5, seed=1, iterations=10)
        assert result.feasible
        routed = Solution.routed(result.solution.routes)
        plans = [routed, Solution(routed.open_centers, routed.assignment, routed.routes, line_haul_design="direct")]
        plans.append(hub_plan(instance, routed))
        for plan in plans:
            assert check(instance, plan) == []
            assert bound.total <= evaluate(instance, plan).total + 1e-6


@pytest.mark.parametrize("name", ["xiqing", "lingshan"])
def test_the_bound_is_at_most_every_design_of_the_shipped_cases(name):
    """The shipped cases' plans (regions, and each relocated center's regions together),
    routed by the GA on a small budget, under every line-haul design: none below the bound."""
    instance = load_instance(str(ROOT / "instances" / f"{name}.json"))
    plan = plan_instance(instance, name, np.random.default_rng(7), PlanOptions(compare_algorithms=False))
    bound = joint_bound(plan, seconds=1)
    assert bound is not None and bound.vans > 0
    for scope in scope_plans(plan, ("region", "center")):
        routes = []
        for problem in scope.problems.values():
            result = solve("ga", problem.compact(), time_limit=5, seed=1, iterations=3)
            assert result.feasible, result.message
            routes += result.solution.routes
        routed = Solution.routed(routes)
        for plan_of_design in (routed, replace(routed, line_haul_design="direct"), hub_plan(plan.planned, routed)):
            assert check(plan.planned, plan_of_design) == []
            assert bound.total <= evaluate(plan.planned, plan_of_design).total + 1e-6
