"""The location-level problem every location model takes (the study's Eqs. 5-16)."""

from __future__ import annotations

from dataclasses import dataclass

from lastmile.model import Instance
from lastmile.result import Scope


@dataclass(frozen=True)
class LocationProblem:
    """Which candidate centers open and which serves each node with demand.

    Without `vehicles`, the location model (Eqs. 5-10; exactly `p` centers when
    given); with it, the assignment and transport model (Eqs. 11-16: vehicles per
    center from the joint fleet, congestion, and the full-load requirement that a
    `full_load_share` of each center's vehicles leave at least `full_load_fraction`
    full), whose open centers `open_centers` fixes when given. Judged on its whole
    cost (scope `total`).
    """

    instance: Instance
    p: int | None = None
    vehicles: bool = False
    open_centers: frozenset[str] | None = None
    full_load_share: float = 0.5
    full_load_fraction: float = 0.8

    def __post_init__(self) -> None:
        if self.vehicles and self.p is not None:
            raise ValueError("the assignment model (Eqs. 11-16) takes open centers, not p")
        if not self.vehicles and self.open_centers is not None:
            raise ValueError("the location model (Eqs. 5-10) chooses its centers: give p, not open centers")

    @property
    def scope(self) -> Instance:
        return self.instance

    @property
    def objective(self) -> Scope:
        return "total"

    @property
    def n(self) -> int:
        return len(self.instance.nodes)
