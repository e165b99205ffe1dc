"""The location-level problem every location model takes (the study's Eqs. 5-16)."""

from __future__ import annotations

from dataclasses import dataclass

from lastmile.model import Instance
from lastmile.result import Scope

#: Defaults of `LocationProblem.nearest_centers` and `whole_pairs` (see there for why).
NEAREST_CENTERS = 2
WHOLE_PAIRS = 5_000


@dataclass(frozen=True)
class LocationProblem:
    """Which candidate centers open and which serves each node with demand.

    Without `vehicles`, the location model (Eqs. 5-10; exactly `p` centers when
    given); with it, the assignment and transport model (Eqs. 11-16: vehicles per
    center from the joint fleet, congestion, and the full-load requirement that a
    `full_load_share` of each center's vehicles leave at least `full_load_fraction`
    full), whose open centers `open_centers` fixes when given. Judged on its whole
    cost (scope `total`).

    Assignment with open centers given, past `whole_pairs` (open centers x nodes with
    demand): each node may be served by its `nearest_centers` cheapest open centers
    only, doubled while that leaves the model infeasible. Up to it, or with
    `nearest_centers` None, every node may go to any open center (the study's model).
    The defaults (5,000 pairs, 2 centers) keep the study's instances whole (Xiqing:
    9 centers x 86 nodes, 0.9 s to optimality) and a city's model small. Measured with
    `formulations.exact.solve_assignment` at a 30 s limit on `instances/city.py --nodes
    3000 --companies 6` with its default plan's 27 open centers: the whole model ran
    105 s in HiGHS (its root node outruns the clock) and ended 6.2% above the bound;
    with 2 nearest centers, 31 s and 0.07%; with 3, 5, 8 and 10: 0.51%, 0.51%, 0.08%
    and 4.5%.
    """

    instance: Instance
    p: int | None = None
    vehicles: bool = False
    open_centers: frozenset[str] | None = None
    full_load_share: float = 0.5
    full_load_fraction: float = 0.8
    nearest_centers: int | None = NEAREST_CENTERS
    whole_pairs: int = WHOLE_PAIRS

    def __post_init__(self) -> None:
        if self.vehicles and self.p is not None:
            raise ValueError("the assignment model (Eqs. 11-16) takes open centers, not p")
        if not self.vehicles and self.open_centers is not None:
            raise ValueError("the location model (Eqs. 5-10) chooses its centers: give p, not open centers")
        if self.nearest_centers is not None and self.nearest_centers < 1:
            raise ValueError(f"nearest_centers must be at least 1, not {self.nearest_centers}")

    @property
    def scope(self) -> Instance:
        return self.instance

    @property
    def objective(self) -> Scope:
        return "total"

    @property
    def n(self) -> int:
        return len(self.instance.nodes)
