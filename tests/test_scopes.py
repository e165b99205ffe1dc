"""Routing scopes and relocation (issue 30, `experiments.scopes`): each region whole to
one relocated center at least Eq. (5) cost within capacity (against enumeration), a
scope routing another's problems shares its runs, and a solver that takes no
multi-depot problem answers `not_applicable`."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from experiments.plan import Plan
from experiments.scopes import center_groups, relocated_centers, scope_plans
from experiments.solvers import solve
from lastmile.cost import assignment_cost_matrix
from lastmile.model import Center, Company, DistanceSpec, Fleet, Instance, Node, Site
from lastmile.routing import MultiDepotProblem, RoutingProblem


def toy(seed: int, capacities: tuple[float | None, ...]) -> Plan:
    """Eight nodes in four two-node regions, each routed from its own center (as the
    location stage would), and candidate centers of the given capacities."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 30, size=(8 + len(capacities) + 1, 2))
    nodes = tuple(Node(f"n{k}", *xy[k], {"A": float(rng.integers(1, 6))}) for k in range(8))
    centers = tuple(
        Center(Site(f"C{k}", *xy[8 + k]), float(rng.integers(5, 40)), capacity) for k, capacity in enumerate(capacities)
    )
    instance = Instance(
        name=f"toy{seed}",
        nodes=nodes,
        companies=(Company("A", "A", Site("dA", *xy[-1]), Fleet(8, 10.0, 5.0, 1.0)),),
        centers=centers,
        distance=DistanceSpec("euclidean"),
        coordinates="planar",
    )
    vehicles = instance.joint_vehicle_ids()
    problems = {
        f"R{r + 1}": RoutingProblem(
            instance, centers[r % len(centers)].id, (f"n{2 * r}", f"n{2 * r + 1}"), vehicles[2 * r : 2 * r + 2]
        )
        for r in range(4)
    }
    return Plan("toy", instance, instance, problems)


@pytest.mark.parametrize("seed", range(6))
def test_each_region_goes_whole_to_a_relocated_center_at_least_cost(seed):
    plan = toy(seed, (10.0, 12.0, 30.0, 9.0, None))
    groups = center_groups(plan)
    assert groups is not None
    assert sorted(r for members in groups.values() for r in members) == ["R1", "R2", "R3", "R4"]
    instance = plan.planned
    cost, extra = assignment_cost_matrix(instance)
    column = {n.id: j for j, n in enumerate(instance.nodes)}
    row = {c.id: i for i, c in enumerate(instance.centers)}

    def transport(center: str, region: str) -> float:
        return float(sum((cost + extra)[row[center], column[n]] for n in plan.problems[region].customers))

    def load(region: str) -> float:
        return sum(instance.node_by_id[n].total_demand for n in plan.problems[region].customers)

    for center, members in groups.items():  # within each center's capacity (Eq. 10)
        room = instance.center_by_id[center].capacity
        assert room is None or sum(load(r) for r in members) <= room + 1e-9
    found = sum(transport(c, r) for c, members in groups.items() for r in members)
    opened = relocated_centers(instance)
    if set(groups) == set(opened):  # no extra center was needed: the least-cost packing, by enumeration
        best = math.inf
        for choice in itertools.product(opened, repeat=4):
            regions = [f"R{r + 1}" for r in range(4)]
            used = {c: sum(load(r) for r, x in zip(regions, choice, strict=True) if x == c) for c in opened}
            rooms = {c: instance.center_by_id[c].capacity for c in opened}
            if all(rooms[c] is None or used[c] <= rooms[c] + 1e-9 for c in opened):
                best = min(best, sum(transport(c, r) for r, c in zip(regions, choice, strict=True)))
        assert found == pytest.approx(best)


def test_a_scope_routing_the_same_problems_shares_the_earlier_scopes_runs():
    # one uncapacitated, free center: relocation opens it alone, and every region was routed from it
    plan = toy(1, (None,))
    scopes = {s.scope: s for s in scope_plans(plan)}
    assert isinstance(scopes["whole"].problems["whole"], RoutingProblem)
    assert scopes["whole"].same_as is None and scopes["whole"].label == "toy@whole"
    for name in ("relocated", "center"):
        assert scopes[name].same_as == "whole" and scopes[name].label == "toy@whole"
    assert scopes["whole"].regions == {"whole": 4}


def test_the_center_scope_routes_each_centers_regions_together():
    plan = toy(2, (14.0, 14.0, 14.0, 14.0))  # each center bases one van: relocation opens several
    scopes = {s.scope: s for s in scope_plans(plan)}
    assert isinstance(scopes["whole"].problems["whole"], MultiDepotProblem)
    assert isinstance(scopes["relocated"].problems["relocated"], MultiDepotProblem)
    center = scopes["center"]
    assert center.label == "toy@center" and center.same_as is None and len(center.problems) >= 2
    customers = sorted(c for p in center.problems.values() for c in p.customers)
    assert customers == sorted(n.id for n in plan.instance.nodes)
    assert sum(center.regions.values()) == 4
    for name, problem in center.problems.items():  # each keeps its regions' vehicles
        assert problem.center == name and len(problem.vehicles) == 2 * center.regions[name]


@pytest.mark.parametrize("name", ["exact", "ga", "pso"])
def test_a_solver_without_multi_depot_search_answers_not_applicable(name):
    problem = scope_plans(toy(2, (None, None, None, None)))[1].problems["whole"]
    result = solve(name, problem, time_limit=1, seed=1, iterations=2)
    assert result.status == "not_applicable"
    assert result.message == f"not applicable: {name} takes no multi-depot problem"
