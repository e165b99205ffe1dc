"""A routing problem's money and parcels as whole numbers, for the solvers that work on
integers (OR-Tools, PyVRP): one scaling for both, so they see the same problem."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lastmile.routing import MultiDepotProblem, RoutingProblem


def rounded_up(values: np.ndarray, scale: int) -> np.ndarray:
    """Limited quantities (travel and service times, route km) times `scale`, rounded
    up: the integer model never takes a leg shorter than it is, so a plan it finds
    within a window or a route limit is within it exactly, as `check` sees it (rounding
    to nearest let OR-Tools arrive 0.005 min late per leg). The price: a plan with less
    slack than 1/scale per leg is missed, so the scale is fine."""
    return np.ceil(np.asarray(values, dtype=float) * scale - 1e-6).astype(np.int64)


def integer_scale(values: np.ndarray) -> int:
    """1 when all values are whole numbers, else 1000 (three decimals kept)."""
    finite = values[np.isfinite(values)]
    return 1 if np.allclose(finite, np.round(finite)) else 1000


@dataclass(frozen=True)
class IntegerProblem:
    """Arc costs (C2 + C3) and the fixed cost times `scale`; deliveries, pickups and
    capacity times their own scale (1, or 1000 for fractional parcels); all rounded to
    integers."""

    scale: int
    arc: np.ndarray
    fixed_cost: int
    demand: np.ndarray
    pickup: np.ndarray
    capacity: int

    @classmethod
    def of(cls, problem: RoutingProblem | MultiDepotProblem) -> IntegerProblem:
        fleet = problem.fleet
        scale = integer_scale(np.append(problem.arc_cost.ravel(), fleet.fixed_cost))
        qscale = integer_scale(np.concatenate((problem.demand, problem.pickup, [fleet.capacity])))
        return cls(
            scale=scale,
            arc=np.round(problem.arc_cost * scale).astype(np.int64),
            fixed_cost=round(fleet.fixed_cost * scale),
            demand=np.round(problem.demand * qscale).astype(np.int64),
            pickup=np.round(problem.pickup * qscale).astype(np.int64),
            capacity=round(fleet.capacity * qscale),
        )
