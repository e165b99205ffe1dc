"""The two-echelon routing problem (issue 31), the `hub` design's whole delivery.

Trucks (`Instance.shuttle`, `truck-<k>`) leave a hub, leave parcels at centers
(satellites) and take back what those centers' vans collected; vans (`joint-<k>`) leave
the centers and serve the customers. A center's load may be split over trucks; a van
route starts and ends at one center, and a center bases at most `Center.max_vehicles`
vans. `TwoEchelonProblem` holds the numpy tables solvers read (index 0 = hub,
1..m = centers, m+1..m+n = customers); `solution` turns index routes into the shared
`Solution`, which the `SolveResult` built by `lastmile.solve.solve` costs by `evaluate`
and checks by `check`, both echelons included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from lastmile.distances import tables
from lastmile.model import SHUTTLE_OPERATOR, Fleet, Instance, Route, Shuttle, ShuttleStop, Solution, Truck
from lastmile.result import Scope
from lastmile.subset import restrict


@dataclass(frozen=True)
class TwoEchelonProblem:
    """Serve `customers` from `hub` through `centers`, vans `vans` (alliance ids)."""

    instance: Instance
    hub: str
    centers: tuple[str, ...]
    customers: tuple[str, ...]
    vans: tuple[str, ...]
    region: str = ""

    @classmethod
    def whole(cls, instance: Instance, hub: str | None = None) -> TwoEchelonProblem:
        """Every customer of `instance` from its first hub (or `hub`) through every center."""
        if not instance.hubs or instance.shuttle is None:
            raise ValueError(f"{instance.name}: a two-echelon problem needs a hub and shuttle trucks")
        customers = tuple(n.id for n in instance.nodes if n.needs_service())
        return cls(
            instance,
            hub or instance.hubs[0].id,
            tuple(c.id for c in instance.centers),
            customers,
            instance.joint_vehicle_ids(),
        )

    @property
    def objective(self) -> Scope:
        """Judged on both echelons: vans (C1-C3), center handling, trucks and the hub."""
        return "two_echelon"

    @property
    def n(self) -> int:
        return len(self.customers)

    @property
    def m(self) -> int:
        return len(self.centers)

    @cached_property
    def scope(self) -> Instance:
        everyone = {n.id for n in self.instance.nodes if n.needs_service()}
        if set(self.customers) == everyone and len(self.centers) == len(self.instance.centers):
            return self.instance
        return restrict(self.instance, self.customers, self.centers)

    @cached_property
    def fleet(self) -> Fleet:
        return self.instance.vehicle(self.vans[0]).fleet

    @cached_property
    def truck(self) -> Truck:
        assert self.instance.shuttle is not None
        return self.instance.shuttle

    @cached_property
    def locations(self) -> list[int]:
        index = self.instance.index
        return [index[self.hub]] + [index[c] for c in self.centers] + [index[c] for c in self.customers]

    def _square(self, table: np.ndarray) -> np.ndarray:
        out = np.array(table[np.ix_(self.locations, self.locations)], dtype=float)
        out.setflags(write=False)
        return out

    @cached_property
    def km(self) -> np.ndarray:
        return self._square(tables(self.instance).km)

    @cached_property
    def van_cost(self) -> np.ndarray:
        """Money per arc for a van (C2 + C3)."""
        t = tables(self.instance)
        return self.fleet.cost_per_km * (self._square(t.km) + self._square(t.congestion_km))

    @cached_property
    def truck_cost(self) -> np.ndarray:
        """Money per arc for a truck (cost per km on distance and congestion)."""
        t = tables(self.instance)
        return self.truck.cost_per_km * (self._square(t.km) + self._square(t.congestion_km))

    @cached_property
    def demand(self) -> np.ndarray:
        """Parcels per index (0 at the hub and the centers)."""
        nodes = [self.instance.node_by_id[c] for c in self.customers]
        return np.array([0.0] * (1 + self.m) + [n.total_demand for n in nodes])

    @cached_property
    def pickup(self) -> np.ndarray:
        nodes = [self.instance.node_by_id[c] for c in self.customers]
        return np.array([0.0] * (1 + self.m) + [n.total_pickup for n in nodes])

    @cached_property
    def handling(self) -> np.ndarray:
        """Per center (0..m-1), the handling cost per parcel its vans carry."""
        return np.array([self.instance.center_by_id[c].handling_cost for c in self.centers])

    @cached_property
    def base_limits(self) -> np.ndarray:
        """Per center, the vans it may base (the whole fleet where it sets no bound)."""
        limits = [self.instance.center_by_id[c].max_vehicles for c in self.centers]
        return np.array([len(self.vans) if k is None else min(k, len(self.vans)) for k in limits], dtype=np.int64)

    @property
    def trucks(self) -> int:
        """Trucks available (as many as there are customers where the fleet is unlimited)."""
        return self.truck.count if self.truck.count is not None else max(self.n, 1)

    @property
    def has_side_constraints(self) -> bool:
        """Windows, pickups or a route-length limit: what the exact 2E-VRP model leaves out."""
        nodes = [self.instance.node_by_id[c] for c in self.customers]
        return bool(self.pickup.any()) or self.fleet.max_route_km is not None or any(n.time_window for n in nodes)

    def solution(
        self,
        routes: Sequence[tuple[int, Sequence[int]]],
        shuttles: Sequence[Sequence[tuple[int, float, float]]],
    ) -> Solution:
        """The shared `Solution` for van routes as (center 0..m-1, customer positions
        1..n) and truck routes as [(center 0..m-1, delivered, collected), ...]."""
        used = [(c, stops) for c, stops in routes if len(stops) > 0]
        if len(used) > len(self.vans):
            raise ValueError(f"{len(used)} van routes for {len(self.vans)} vans")
        built = tuple(
            Route.through(self.vans[k], self.centers[c], [self.customers[i - 1] for i in stops], self.region)
            for k, (c, stops) in enumerate(used)
        )
        trucks = tuple(
            Shuttle(
                f"{SHUTTLE_OPERATOR}-{k + 1}",
                tuple(ShuttleStop(self.centers[c], float(d), float(p)) for c, d, p in stops),
            )
            for k, stops in enumerate(s for s in shuttles if s)
        )
        routed = Solution.routed(built)
        return Solution(
            routed.open_centers,
            routed.assignment,
            routed.routes,
            line_haul_design="hub",
            hub=self.hub,
            shuttles=trucks,
        )
