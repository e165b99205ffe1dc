"""The routing subproblem every routing solver takes, exact or heuristic.

A `RoutingProblem` is one center (or, in independent delivery, one company depot),
the customers it serves and the vehicles it may use, with numpy tables indexed
0 = center, 1..n = customers. Solvers return routes as lists of customer indices;
`RoutingProblem.solution` turns them into the shared `Solution`, which the
`SolveResult` built by `lastmile.solve.solve` costs and checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from lastmile.distances import tables
from lastmile.model import JOINT_OPERATOR, Fleet, Instance, Route, Solution
from lastmile.result import Scope
from lastmile.subset import only_company, restrict, with_min_load_rate


class _Tables:
    """The numpy tables and the objective of a routing problem, indexed depots first,
    then customers;
    the problem gives `instance`, `customers`, `locations`, `fleet`, `company`,
    `time_windows` and how many `depots` lead its index."""

    instance: Instance
    customers: tuple[str, ...]
    company: str | None
    time_windows: bool
    depots: int
    locations: list[int]
    fleet: Fleet

    @property
    def objective(self) -> Scope:
        """A routing problem is judged on its routes (C1 + C2 + C3): its centers are given."""
        return "routing"

    @property
    def n(self) -> int:
        return len(self.customers)

    def _square(self, table: np.ndarray) -> np.ndarray:
        out = np.array(table[np.ix_(self.locations, self.locations)], dtype=float)
        out.setflags(write=False)
        return out

    @cached_property
    def km(self) -> np.ndarray:
        return self._square(tables(self.instance).km)

    @cached_property
    def minutes(self) -> np.ndarray:
        return self._square(tables(self.instance).minutes)

    @cached_property
    def arc_cost(self) -> np.ndarray:
        """Money per arc: cost per km on the distance and its congestion surcharge (C2 + C3)."""
        t = tables(self.instance)
        return self.fleet.cost_per_km * (self._square(t.km) + self._square(t.congestion_km))

    def _per_customer(self, values: Sequence[float]) -> np.ndarray:
        out = np.array([0.0] * self.depots + list(values))
        out.setflags(write=False)
        return out

    def _parcels(self, kind: str) -> np.ndarray:
        """Deliveries (`demand`) or pickups per index: this problem's company's, or all."""
        nodes = [self.instance.node_by_id[c] for c in self.customers]
        if self.company is None:
            return self._per_customer([sum(getattr(n, kind).values()) for n in nodes])
        return self._per_customer([getattr(n, kind).get(self.company, 0.0) for n in nodes])

    @cached_property
    def demand(self) -> np.ndarray:
        return self._parcels("demand")

    @cached_property
    def pickup(self) -> np.ndarray:
        return self._parcels("pickup")

    @property
    def has_pickups(self) -> bool:
        return bool(self.pickup.any())

    @cached_property
    def windows(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(earliest, latest) per index, or None when no customer has a window."""
        nodes = [self.instance.node_by_id[c] for c in self.customers]
        if not self.time_windows or all(n.time_window is None for n in nodes):
            return None
        early = self._per_customer([n.time_window.earliest if n.time_window else 0.0 for n in nodes])
        late = self._per_customer([n.time_window.latest if n.time_window else np.inf for n in nodes])
        return early, late

    @cached_property
    def service(self) -> np.ndarray:
        return self._per_customer([self.instance.node_by_id[c].service_time for c in self.customers])


@dataclass(frozen=True)
class RoutingProblem(_Tables):
    """Route `customers` from `center` with `vehicles` (None: an unlimited fleet of
    `company`'s vehicle type). `company` set means independent delivery: only that
    company's parcels count. `time_windows=False` drops door-to-door windows.
    `min_load_rate` makes every vehicle used leave with at least that share of its
    capacity (the study's higher load threshold for exclusive-operation regions)."""

    instance: Instance
    center: str
    customers: tuple[str, ...]
    vehicles: tuple[str, ...] | None
    company: str | None = None
    time_windows: bool = True
    region: str = ""
    min_load_rate: float = 0.0

    depots = 1  # the center, index 0

    @classmethod
    def whole(cls, instance: Instance, company: str | None = None) -> RoutingProblem:
        """All nodes from the first center (joint) or from `company`'s depot (independent)."""
        if company is None:
            center = instance.centers[0].id
            fleets = [instance.joint_fleet] if instance.joint_fleet else [c.fleet for c in instance.companies]
            pool = instance.joint_vehicle_ids()
        else:
            center = instance.company_by_id[company].depot.id
            fleets = [instance.company_by_id[company].fleet]
            pool = instance.vehicle_ids(company)
        customers = tuple(n.id for n in instance.nodes if n.needs_service(company))
        vehicles = None if any(f.count is None for f in fleets) else pool
        windows = company is None or instance.independent_windows
        return cls(instance, center, customers, vehicles, company, time_windows=windows)

    @cached_property
    def scope(self) -> Instance:
        """The instance a solution of this problem is costed and checked against: the
        instance (as its company alone sees it, in independent delivery; with this
        problem's minimum load rate on every fleet), or its sub-instance of this center
        and these customers."""
        base = self.instance if self.company is None else only_company(self.instance, self.company)
        if self.min_load_rate > 0:
            base = with_min_load_rate(base, self.min_load_rate)
        everyone = {n.id for n in base.nodes if n.needs_service(self.company)}
        if set(self.customers) == everyone:
            return base
        return restrict(base, self.customers, self._own_center(base))

    def compact(self) -> RoutingProblem:
        """The same problem on its own sub-instance: its center, its customers and the
        parent's distances sliced (`restrict`), so the same tables, scope and costs.
        What a run carries to a worker: a region of a 3,000-node city would otherwise
        pickle the city's three n x n tables (about 230 MB) with every run. A problem
        of the whole instance is returned as it is: its worker computes the tables,
        which a benchmark file's coordinates make cheap to send."""
        if self.n >= len(self.instance.nodes):
            return self
        return replace(self, instance=restrict(self.instance, self.customers, self._own_center(self.instance)))

    def _own_center(self, instance: Instance) -> list[str]:
        """This problem's center, when it is one of `instance`'s centers (not a company depot)."""
        return [self.center] if self.center in instance.center_by_id else []

    @property
    def fleet_size(self) -> int | None:
        return None if self.vehicles is None else len(self.vehicles)

    @cached_property
    def fleet(self) -> Fleet:
        """The one vehicle type of this problem (companies' identical vehicles pool into
        one type, counted here); mixed types are refused."""
        if self.vehicles is None:
            return self.instance.vehicle(self.vehicle_id(0)).fleet
        fleets = (self.instance.vehicle(v).fleet for v in self.vehicles)
        kinds = {(f.capacity, f.fixed_cost, f.cost_per_km, f.max_route_km) for f in fleets}
        if len(kinds) != 1:
            raise ValueError(f"{self.instance.name}: the routing subproblem needs one vehicle type, got {len(kinds)}")
        return Fleet(len(self.vehicles), *kinds.pop())

    @cached_property
    def locations(self) -> list[int]:
        index = self.instance.index
        return [index[self.center]] + [index[c] for c in self.customers]

    def vehicle_id(self, k: int) -> str:
        if self.vehicles is not None:
            return self.vehicles[k]
        if self.company is None and self.instance.joint_fleet is not None:
            owner = JOINT_OPERATOR
        else:
            owner = self.company or self.instance.companies[0].id
        return f"{owner}-{k + 1}"

    def solution(self, routes: Sequence[Sequence[int]]) -> Solution:
        """The shared `Solution` for routes given as customer indices (1..n)."""
        used = [r for r in routes if len(r) > 0]
        if self.fleet_size is not None and len(used) > self.fleet_size:
            raise ValueError(f"{len(used)} routes for {self.fleet_size} vehicles")
        built = tuple(
            Route.through(self.vehicle_id(k), self.center, [self.customers[i - 1] for i in r], self.region)
            for k, r in enumerate(used)
        )
        return Solution.independent(built) if self.company is not None else Solution.routed(built)


@dataclass(frozen=True)
class MultiDepotProblem(_Tables):
    """Several open centers, each with its own vehicles (one type), serving `customers`
    together: the whole joint instance routed as one problem from the centers the
    three-stage plan opened (issue 12, the price of region division). Tables are
    indexed 0..m-1 = centers, m..m+n-1 = customers; a route is (center index, customer
    positions 1..n). Solved by PyVRP, which handles several depots."""

    instance: Instance
    centers: tuple[str, ...]
    customers: tuple[str, ...]
    vehicles: tuple[tuple[str, ...], ...]  # per center
    region: str = ""

    min_load_rate = 0.0  # the regions' load thresholds do not carry over to one problem
    company = None  # joint delivery: every company's parcels
    time_windows = True

    @property
    def depots(self) -> int:  # type: ignore[override]
        return len(self.centers)

    @cached_property
    def scope(self) -> Instance:
        return restrict(self.instance, self.customers, self.centers)

    @property
    def fleet_size(self) -> int:
        return sum(len(v) for v in self.vehicles)

    @cached_property
    def fleet(self) -> Fleet:
        one = RoutingProblem(
            self.instance, self.centers[0], self.customers, tuple(v for vs in self.vehicles for v in vs)
        )
        return one.fleet

    @cached_property
    def locations(self) -> list[int]:
        index = self.instance.index
        return [index[c] for c in self.centers] + [index[c] for c in self.customers]

    def solution(self, routes: Sequence[tuple[int, Sequence[int]]]) -> Solution:
        """The shared `Solution` for routes given as (center index, customer positions 1..n)."""
        used: dict[int, int] = {}
        built = []
        for depot, stops in routes:
            if not stops:
                continue
            k = used.get(depot, 0)
            if k >= len(self.vehicles[depot]):
                raise ValueError(f"more routes than vehicles at {self.centers[depot]}")
            used[depot] = k + 1
            path = [self.customers[i - 1] for i in stops]
            built.append(Route.through(self.vehicles[depot][k], self.centers[depot], path, self.region))
        return Solution.routed(tuple(built))
