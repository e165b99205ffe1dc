"""The one cost function: `evaluate(instance, solution)`.

Every objective value the toolkit stores or prints comes from here, never from a
solver. The breakdown follows the study's Table 8: C1 vehicle fixed cost, C2
transport cost, C3 congestion cost, C4 center fixed cost, TC their sum, and the
carbon emissions E = e_f * km (Eq. 18).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lastmile.distances import tables
from lastmile.model import Instance, Route, Solution


@dataclass(frozen=True)
class RouteCost:
    vehicle: str
    km: float
    delivered: float
    picked_up: float
    load_rate: float  # delivered / capacity


@dataclass(frozen=True)
class CostBreakdown:
    vehicle_fixed: float  # C1
    transport: float  # C2
    congestion: float  # C3
    center_fixed: float  # C4
    km: float
    co2_kg: float  # E
    routes: tuple[RouteCost, ...]
    dispatched: int = 0  # vehicles of a location-only solution (Eq. 11)

    @property
    def total(self) -> float:
        """TC = C1 + C2 + C3 + C4."""
        return self.vehicle_fixed + self.transport + self.congestion + self.center_fixed

    @property
    def n_vehicles(self) -> int:
        return len(self.routes) + self.dispatched

    @property
    def mean_load_rate(self) -> float:
        return float(np.mean([r.load_rate for r in self.routes])) if self.routes else 0.0

    def as_row(self) -> dict[str, float]:
        """The breakdown under the study's column names."""
        return {
            "C1": self.vehicle_fixed,
            "C2": self.transport,
            "C3": self.congestion,
            "C4": self.center_fixed,
            "TC": self.total,
            "km": self.km,
            "E_kgCO2": self.co2_kg,
            "vehicles": float(self.n_vehicles),
            "load_rate": self.mean_load_rate,
        }


def route_km(instance: Instance, path: tuple[str, ...]) -> float:
    """Length of a path through location ids."""
    idx = [instance.index[loc] for loc in path]
    return float(tables(instance).km[idx[:-1], idx[1:]].sum())


def stop_quantities(instance: Instance, route: Route, company: str | None) -> list[tuple[float, float]]:
    """(delivered, collected) parcels at each stop: one company's, or all companies'."""
    out = []
    for stop in route.stops:
        node = instance.node_by_id[stop]
        if company is None:
            out.append((node.total_demand, node.total_pickup))
        else:
            out.append((node.demand.get(company, 0.0), node.pickup.get(company, 0.0)))
    return out


def evaluate(instance: Instance, solution: Solution) -> CostBreakdown:
    """Cost a solution. Raises KeyError for ids the instance does not know.

    A routed solution pays, per used vehicle, its fleet's fixed cost (C1) and
    `cost_per_km` on the distance (C2) and on the congestion surcharge (C3). A
    location-only solution (`routes is None`) pays the direct assignment cost
    instead: the instance's `assignment_cost`, or `parcel_km_cost * demand * km`
    plus its congestion surcharge, and the fixed cost of its dispatched vehicles
    (Eqs. 5 and 11).
    """
    center_fixed = sum(instance.center_by_id[c].fixed_cost for c in solution.open_centers)
    if solution.routes is None:
        transport, congestion = _assignment_cost(instance, solution)
        vehicles = sum(solution.dispatched.values())
        fixed = vehicles * instance.pooled_fleet().fixed_cost if vehicles else 0.0
        return CostBreakdown(fixed, transport, congestion, float(center_fixed), 0.0, 0.0, (), vehicles)
    t = tables(instance)
    fixed = transport = congestion = km_total = 0.0
    costs = []
    for route in solution.routes:
        if not route.stops:
            continue
        vehicle = instance.vehicle(route.vehicle)
        idx = [instance.index[loc] for loc in route.path]
        km = float(t.km[idx[:-1], idx[1:]].sum())
        extra = float(t.congestion_km[idx[:-1], idx[1:]].sum())
        company = vehicle.company if solution.mode == "independent" else None
        quantities = stop_quantities(instance, route, company)
        delivered = sum(d for d, _ in quantities)
        picked = sum(p for _, p in quantities)
        fixed += vehicle.fleet.fixed_cost
        transport += km * vehicle.fleet.cost_per_km
        congestion += extra * vehicle.fleet.cost_per_km
        km_total += km
        costs.append(RouteCost(route.vehicle, km, delivered, picked, delivered / vehicle.fleet.capacity))
    return CostBreakdown(
        fixed,
        transport,
        congestion,
        float(center_fixed),
        km_total,
        km_total * instance.emission_factor,
        tuple(costs),
    )


def assignment_cost_matrix(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """(centers x nodes) cost of serving each node wholly from each center, and its
    congestion surcharge; the location models (Eqs. 5 and 11) use the same numbers."""
    if instance.assignment_cost is not None:
        return instance.assignment_cost, np.zeros_like(instance.assignment_cost)
    t = tables(instance)
    rows = [instance.index[c.id] for c in instance.centers]
    cols = [instance.index[n.id] for n in instance.nodes]
    demand = np.array([n.total_demand for n in instance.nodes])
    scale = instance.parcel_km_cost * demand[None, :]
    return t.km[np.ix_(rows, cols)] * scale, t.congestion_km[np.ix_(rows, cols)] * scale


def _assignment_cost(instance: Instance, solution: Solution) -> tuple[float, float]:
    cost, extra = assignment_cost_matrix(instance)
    center_pos = {c.id: i for i, c in enumerate(instance.centers)}
    node_pos = {n.id: j for j, n in enumerate(instance.nodes)}
    transport = congestion = 0.0
    for node, shares in solution.assignment.items():
        j = node_pos[node]
        for center, share in shares.items():
            transport += share * float(cost[center_pos[center], j])
            congestion += share * float(extra[center_pos[center], j])
    return transport, congestion
