"""A lower bound on routing from any of several centers: one virtual center.

Vans that may leave from any candidate center and must return to the one they left are
relaxed to vans of one virtual center whose leg out to a customer is the cheapest leg
from any center and whose leg home is the cheapest leg to any center (a route may
return elsewhere; per-center limits go). Every plan of the original problem is a plan
of the relaxation at no greater cost, so the relaxation's optimum, and any valid lower
bound on it, bounds the original. Pickups, windows, route-length limits and minimum
loads may be dropped by the caller: dropping a constraint only lowers the optimum, so
the bound stays valid.

Two bounds on the relaxation, of which `virtual_center_bound` reports the larger:

- the **assignment bound** (the AP relaxation of the asymmetric CVRP, Toth and Vigo
  2002, ch. 1): every customer has one successor and one predecessor, the virtual center
  has `vans` copies of which at least k = ceil(max(delivered, collected) / capacity)
  send a van out (each such arc carrying the van's fixed cost), the rest may idle. Every
  plan is an assignment in that graph, so its optimum (`scipy.optimize.
  linear_sum_assignment`, milliseconds at 222 customers) is a bound;
- **branch-and-price** (`formulations.branch_and_price`) within a time limit (its
  Lagrangian or tree bound when stopped), for up to `BRANCH_AND_PRICE_MAX` customers.
  Measured on this code (the shipped cases' joint instances): Xiqing's 66 customers,
  assignment 771.85, branch-and-price 748.30 at 2 s and 797.64 at 10 s; Ling Shan's
  222 customers, assignment 3117.68, branch-and-price 2891.60 at 2 s and at 10 s (its
  pricing does not converge at that size, so the time buys nothing).
"""

from __future__ import annotations

import math

import numpy as np

from formulations.highs import DEFAULT_MIP_GAP
from formulations.routing import routing_answer
from lastmile.model import Center, Company, DistanceSpec, Fleet, Instance, Node, Site
from lastmile.routing import RoutingProblem

#: Customers up to which branch-and-price is tried beside the assignment bound.
BRANCH_AND_PRICE_MAX = 150


def assignment_bound(
    out_leg: np.ndarray,
    home_leg: np.ndarray,
    arc: np.ndarray,
    *,
    vans: int,
    fewest_vans: int,
    fixed_cost: float,
) -> float:
    """The AP relaxation's optimum (module docstring): `vans` copies of the virtual
    center, at least `fewest_vans` of them leaving it (each at `fixed_cost` plus its
    leg out), the others idle at no cost."""
    from scipy.optimize import linear_sum_assignment

    n = len(out_leg)
    if n == 0:
        return 0.0
    vans = max(vans, fewest_vans)
    forbidden = 1e6 * (1.0 + float(np.max(np.abs(arc), initial=0.0)) + float(np.max(out_leg) + np.max(home_leg)))
    matrix = np.full((n + vans, n + vans), forbidden)
    matrix[:n, :n] = arc
    matrix[np.arange(n), np.arange(n)] = forbidden
    matrix[:n, n:] = home_leg[:, None]
    matrix[n:, :n] = out_leg[None, :] + fixed_cost
    idle = np.arange(fewest_vans, vans)
    matrix[n + idle, n + idle] = 0.0
    rows, cols = linear_sum_assignment(matrix)
    return float(matrix[rows, cols].sum())


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
    pickup: np.ndarray | None = None,
) -> tuple[float | None, str]:
    """The relaxation's lower bound, the larger of the assignment bound and
    branch-and-price's (module docstring), and how it was reached (`assignment`, or
    branch-and-price's status). `arc` is money per arc between customers, `out_leg` /
    `home_leg` per customer."""
    n = len(demand)
    carried = max(float(np.sum(demand)), 0.0 if pickup is None else float(np.sum(pickup)))
    fewest = 0 if carried <= 0 else math.ceil(carried / capacity - 1e-9)
    best: tuple[float | None, str] = (
        assignment_bound(out_leg, home_leg, arc, vans=vans, fewest_vans=fewest, fixed_cost=fixed_cost),
        "assignment",
    )
    if n > BRANCH_AND_PRICE_MAX or seconds <= 0:
        return best
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
        formulation="branch-and-price",
        time_limit=max(seconds, 1.0),
        seed=0,
        threads=threads,
        mip_gap=DEFAULT_MIP_GAP,
    )
    if answer.bound is not None and (best[0] is None or answer.bound > best[0]):
        return answer.bound, f"branch-and-price {answer.status}"
    return best
