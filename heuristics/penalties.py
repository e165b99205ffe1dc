"""Adaptive penalty weights for the infeasible search (after HGS, Vidal et al. 2012).

One weight per limit of `heuristics.arrays.EXCESS` (four: the kernels' order) turns a route's excess into money.
Every `every` educated solutions, each weight is raised by `increase` where fewer than
`target` (less a margin of 0.05) of those solutions kept that limit, and lowered by
`decrease` where more than `target` (plus 0.05) did, so that the search spends about a
`target` share of its time on the feasible side of each limit. The start values put
one unit of excess at the price of the costliest arc per unit of the limit's quantity
(parcels, minutes, km), so no limit starts free or prohibitive; weights stay within a
factor 10^4 of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from heuristics.arrays import ProblemArrays

#: How far the weights may move from their start values, either way.
RANGE = 1e4


@dataclass(frozen=True)
class PenaltyParams:
    target: float = 0.2  # share of educated solutions feasible for each limit (HGS: 0.2)
    increase: float = 1.2
    decrease: float = 0.85
    every: int = 100  # educated solutions between updates
    repair: float = 0.5  # share of infeasible solutions a repair is tried on (HGS: 0.5)


@dataclass
class Penalties:
    params: PenaltyParams
    start: np.ndarray
    weights: np.ndarray
    kept: list[np.ndarray] = field(default_factory=list)

    @classmethod
    def of(cls, arrays: ProblemArrays, params: PenaltyParams) -> Penalties:
        top = float(arrays.cost.max()) or 1.0
        per = np.array(
            [arrays.demand.max(), arrays.minutes.max(), arrays.km.max(), arrays.demand.max()], dtype=np.float64
        )
        start = top / np.where(per > 0, per, 1.0)
        return cls(params, start, start.copy())

    def penalty(self, excess: np.ndarray) -> float:
        return float(self.weights @ excess)

    def record(self, excess: np.ndarray) -> bool:
        """Note which limits an educated solution kept; return whether the weights changed."""
        self.kept.append(excess <= 0.0)
        if len(self.kept) < self.params.every:
            return False
        share = np.mean(self.kept, axis=0)
        self.kept.clear()
        p = self.params
        factor = np.where(share < p.target - 0.05, p.increase, np.where(share > p.target + 0.05, p.decrease, 1.0))
        self.weights = np.clip(self.weights * factor, self.start / RANGE, self.start * RANGE)
        return bool(np.any(factor != 1.0))
