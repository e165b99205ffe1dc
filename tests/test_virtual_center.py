"""The virtual-center bound's parts (`formulations.virtual_center`): the assignment
bound by hand on a tiny case, and both parts never above the optimum of small random
problems (every route set enumerated by the exact solver)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.solvers import solve
from formulations.virtual_center import assignment_bound, virtual_center_bound
from lastmile.model import Center, Company, DistanceSpec, Fleet, Instance, Node, Site
from lastmile.routing import RoutingProblem


def test_the_assignment_bound_by_hand():
    # two customers 1 apart, each 5 from the center both ways; one van must leave (fixed 10):
    # the best assignment is center -> a -> b -> center (5 + 1 + 5 + 10) = 21
    arc = np.array([[0.0, 1.0], [1.0, 0.0]])
    legs = np.array([5.0, 5.0])
    assert assignment_bound(legs, legs, arc, vans=3, fewest_vans=1, fixed_cost=10.0) == pytest.approx(21.0)
    # two vans must leave: center -> a -> center and center -> b -> center (4 x 5 + 2 x 10)
    assert assignment_bound(legs, legs, arc, vans=3, fewest_vans=2, fixed_cost=10.0) == pytest.approx(40.0)


@pytest.mark.parametrize("seed", range(5))
def test_both_bounds_are_at_most_the_optimum(seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 20, size=(8, 2))
    demand = rng.integers(1, 6, size=7).astype(float)
    fleet = Fleet(4, 10.0, 3.0, 1.0)
    instance = Instance(
        name=f"random{seed}",
        nodes=tuple(Node(f"n{k}", *xy[k + 1], {"A": demand[k]}) for k in range(7)),
        companies=(Company("A", "A", Site("dA", *xy[0]), fleet),),
        centers=(Center(Site("C", *xy[0]), 0.0, None),),
        distance=DistanceSpec("euclidean"),
        coordinates="planar",
    )
    problem = RoutingProblem.whole(instance)
    optimum = solve("exact", problem, time_limit=60, seed=1)
    assert optimum.status == "optimal"
    cost = problem.arc_cost
    args = (cost[0, 1:], cost[1:, 0], cost[1:, 1:])
    fewest = int(np.ceil(demand.sum() / 10.0 - 1e-9))
    assert assignment_bound(*args, vans=4, fewest_vans=fewest, fixed_cost=3.0) <= optimum.objective + 1e-6
    bound, how = virtual_center_bound(*args, demand, vans=4, capacity=10.0, fixed_cost=3.0, seconds=5)
    assert bound is not None and bound <= optimum.objective + 1e-6
    assert how == "assignment" or how.startswith("branch-and-price")
