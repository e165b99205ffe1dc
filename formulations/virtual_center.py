"""A lower bound on routing from any of several centers: one virtual center.

Vans that may leave from any candidate center and must return to the one they left are
relaxed to vans of one virtual center whose leg out to a customer is the cheapest leg
from any center and whose leg home is the cheapest leg to any center (a route may
return elsewhere; per-center limits go). Every plan of the original problem is a plan
of the relaxation at no greater cost, so the relaxation's optimum, and any valid lower
bound on it, bounds the original. Branch-and-price (`formulations.branch_and_price`)
gives that bound within a time limit (its Lagrangian or tree bound when stopped).
Pickups, windows, route-length limits and minimum loads may be dropped by the caller:
dropping a constraint only lowers the optimum, so the bound stays valid.
"""

from __future__ import annotations

import numpy as np

from formulations.highs import DEFAULT_MIP_GAP
from formulations.routing import routing_answer
from lastmile.model import Center, Company, DistanceSpec, Fleet, Instance, Node, Site
from lastmile.routing import RoutingProblem


def virtual_center_bound(
    out_leg: np.ndarray,
    home_leg: np.ndarray,
    arc: np.ndarray,
    demand: np.ndarray,
    *,
    vans: int,
    capacity: float,
    fixed_cost: float,
    seconds: float,
    threads: int = 1,
) -> tuple[float | None, str]:
    """The relaxation's lower bound (None if none was reached) and the run's status.
    `arc` is money per arc between customers, `out_leg` / `home_leg` per customer."""
    n = len(demand)
    size = 2 + n  # the virtual center, a depot no route uses, the customers
    matrix = np.zeros((size, size))
    matrix[2:, 2:] = arc
    matrix[0, 2:] = out_leg
    matrix[2:, 0] = home_leg
    fleet = Fleet(vans, capacity, fixed_cost, 1.0)
    relaxed = Instance(
        name="virtual center",
        nodes=tuple(Node(str(k), 0.0, 0.0, {"v": float(q)}) for k, q in enumerate(demand, start=1)),
        companies=(Company("v", "vans", Site("unused", 0.0, 0.0), fleet),),
        centers=(Center(Site("V", 0.0, 0.0), 0.0, None),),
        distance=DistanceSpec("explicit"),
        coordinates="planar",
        matrix=matrix,
    )
    answer = routing_answer(
        RoutingProblem.whole(relaxed),
        formulation="branch_and_price",
        time_limit=max(seconds, 1.0),
        seed=0,
        threads=threads,
        mip_gap=DEFAULT_MIP_GAP,
        cut_share=0.25,
    )
    return answer.bound, answer.status
