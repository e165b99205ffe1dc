"""The one cost function: `evaluate(instance, solution)`.

Every objective value the toolkit stores or prints comes from here, never from a
solver. The breakdown follows the study's Table 8: C1 vehicle fixed cost, C2
transport cost, C3 congestion cost, C4 center fixed cost, and the carbon emissions
E = e_f * km (Eq. 18). Two lines the study leaves out are costed apart, so a table
can show the total with and without them:

- **line-haul** (joint delivery): each company's parcels go by truck from its depot
  to the centers that serve its nodes and its collected parcels come back
  (`Instance.line_haul`), by the solution's design (issue 30): `tour` (one tour per
  company through its centers), `direct` (out and back to each center) or `hub` (to one
  cross-dock hub and back, `CostBreakdown.line_haul`; the hub's fixed and handling cost,
  `CostBreakdown.hub`; the alliance's trucks from the hub through the centers,
  `CostBreakdown.shuttle`, the first echelon of a two-echelon problem);
- **feeder** (seed 004's status quo): each village service point's staff fetch their
  parcels from their town and back (`Instance.feeder`, `Instance.feeder_legs`).

TC is the sum of all of them; `CostBreakdown.total_without_line_haul` is TC as the
study counts joint delivery (no line-haul of any design: no company legs, hub or shuttles).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np

from lastmile.distances import tables
from lastmile.model import Instance, Route, Shuttle, Solution, Truck


@dataclass(frozen=True)
class RouteCost:
    vehicle: str
    km: float
    delivered: float
    picked_up: float
    load_rate: float  # delivered / capacity
    return_load_rate: float = 0.0  # collected / capacity: the load brought home
    cost: float = 0.0  # its share of C1 + C2 + C3: fixed cost, and cost per km on km and congestion km


@dataclass(frozen=True)
class TruckCost:
    """Trips of a `Truck` type: how many, their km, money and kg CO2; `cost` is
    trips x fixed cost + km x cost per km + `congestion` (cost per km on the congestion
    km along the trips)."""

    trips: int
    km: float
    cost: float
    co2_kg: float
    congestion: float = 0.0


@dataclass(frozen=True)
class HubCost:
    """The `hub` design's hub: its fixed cost and the handling of the parcels through it."""

    hub: str
    fixed: float
    handling: float
    parcels: float

    @property
    def cost(self) -> float:
        return self.fixed + self.handling


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
    line_haul: TruckCost | None = None  # the companies' trucks (to the centers, or to the hub)
    feeder: TruckCost | None = None
    hub: HubCost | None = None  # the `hub` design's hub
    shuttle: TruckCost | None = None  # the `hub` design's trucks from the hub through the centers
    center_handling: float = 0.0  # per parcel through a center with a handling cost (2E-VRP set 6b)

    @property
    def line_haul_cost(self) -> float:
        """Every line-haul line of the design: the companies' trucks, the hub, the shuttles."""
        return sum(t.cost for t in (self.line_haul, self.hub, self.shuttle) if t is not None)

    @property
    def line_haul_co2_kg(self) -> float:
        return sum(t.co2_kg for t in (self.line_haul, self.shuttle) if t is not None)

    @property
    def total(self) -> float:
        """TC: C1 + C2 + C3 + C4 (the study's Table 8) plus line-haul and feeder trips."""
        routes = self.vehicle_fixed + self.transport + self.congestion + self.center_fixed + self.center_handling
        return routes + self.line_haul_cost + (self.feeder.cost if self.feeder else 0.0)

    @property
    def total_co2_kg(self) -> float:
        """E of the delivery routes (Eq. 18) plus the line-haul and feeder trips."""
        return self.co2_kg + self.line_haul_co2_kg + (self.feeder.co2_kg if self.feeder else 0.0)

    @property
    def total_without_line_haul(self) -> float:
        """TC as the study counts joint delivery: no line-haul of any design."""
        return self.total - self.line_haul_cost

    @property
    def co2_without_line_haul(self) -> float:
        return self.total_co2_kg - self.line_haul_co2_kg

    @property
    def n_vehicles(self) -> int:
        return len(self.routes) + self.dispatched

    @property
    def mean_load_rate(self) -> float:
        return float(np.mean([r.load_rate for r in self.routes])) if self.routes else 0.0


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
    trips = {
        "line_haul": line_haul(instance, solution),
        "feeder": feeder(instance),
        "hub": hub_cost(instance, solution),
        "shuttle": shuttles(instance, solution),
    }
    if solution.routes is None:
        transport, congestion = _assignment_cost(instance, solution)
        vehicles = sum(solution.dispatched.values())
        fixed = vehicles * instance.pooled_fleet().fixed_cost if vehicles else 0.0
        return CostBreakdown(fixed, transport, congestion, float(center_fixed), 0.0, 0.0, (), vehicles, **trips)
    t = tables(instance)
    fixed = transport = congestion = km_total = handling = 0.0
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
        if route.center in instance.center_by_id:
            handling += instance.center_by_id[route.center].handling_cost * (delivered + picked)
        capacity = vehicle.fleet.capacity
        money = vehicle.fleet.fixed_cost + vehicle.fleet.cost_per_km * (km + extra)
        costs.append(RouteCost(route.vehicle, km, delivered, picked, delivered / capacity, picked / capacity, money))
    return CostBreakdown(
        fixed,
        transport,
        congestion,
        float(center_fixed),
        km_total,
        km_total * instance.emission_factor,
        tuple(costs),
        **trips,
        center_handling=handling,
    )


def _trips(truck: Truck, trips: int, km: float, extra_km: float) -> TruckCost:
    """`trips` of `truck` over `km` in all (with `extra_km` of congestion surcharge)."""
    cost = trips * truck.fixed_cost + truck.cost_per_km * (km + extra_km)
    return TruckCost(trips, km, cost, km * truck.emission_factor, truck.cost_per_km * extra_km)


def center_loads(instance: Instance, solution: Solution) -> tuple[dict, dict]:
    """Per company and center, the parcels the center delivers and collects for it
    (from the solution's assignment shares)."""
    delivered: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    collected: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for node_id, shares in solution.assignment.items():
        node = instance.node_by_id[node_id]
        for center, share in shares.items():
            for company, q in node.demand.items():
                if q > 0:
                    delivered[company][center] += share * q
            for company, q in node.pickup.items():
                if q > 0:
                    collected[company][center] += share * q
    return delivered, collected


def line_haul(instance: Instance, solution: Solution) -> TruckCost | None:
    """The companies' trucks in joint delivery, by the solution's design (issue 30).

    - `tour`: per company, one closed tour from its depot through the centers serving
      its parcels (Christofides' tour, networkx: a fixed, deterministic rule, so the cost
      is a function of the solution alone);
    - `direct`: per company and center, out and back;
    - `hub`: per company, out to the solution's hub and back.
    Each leg is driven ceil(max(delivered, collected) / capacity) times over what it
    carries: the truck brings the company's parcels and takes its collected parcels home.
    """
    truck = instance.line_haul
    if truck is None or solution.mode != "joint" or not instance.companies:
        return None
    design = solution.design(instance)
    if design == "hub" and solution.hub is None:
        return None  # the checker names the missing hub
    t = tables(instance)
    trips = 0
    km = extra = 0.0
    for leg in line_haul_legs(instance, solution):
        tour = [instance.index[loc] for loc in leg.stops]
        length = float(t.km[tour[:-1], tour[1:]].sum())
        if length <= 0:  # the depot stands where it delivers: nothing to truck
            continue
        n = truck_trips(truck, max(leg.delivered, leg.collected))
        trips += n
        km += n * length
        extra += n * float(t.congestion_km[tour[:-1], tour[1:]].sum())
    return _trips(truck, trips, km, extra)


@dataclass(frozen=True)
class Leg:
    """One closed truck path of a company's line-haul (`line_haul_legs`): its locations
    from the depot back to it, and the parcels it carries out and brings home."""

    company: str
    stops: list[str]
    delivered: float
    collected: float


def line_haul_legs(instance: Instance, solution: Solution) -> list[Leg]:
    """The companies' truck paths under the solution's design (`line_haul`'s rules),
    each driven as many times as its load needs."""
    design = solution.design(instance)
    delivered, collected = center_loads(instance, solution)
    legs: list[Leg] = []
    for company in instance.companies:
        own_d, own_c = delivered[company.id], collected[company.id]
        centers = sorted(set(own_d) | set(own_c))
        if not centers:
            continue
        depot = company.depot.id
        if design == "tour":
            legs.append(Leg(company.id, _tour(instance, [depot, *centers]), sum(own_d.values()), sum(own_c.values())))
        elif design == "direct":
            legs += [Leg(company.id, [depot, c, depot], own_d.get(c, 0.0), own_c.get(c, 0.0)) for c in centers]
        else:
            assert solution.hub is not None
            legs.append(Leg(company.id, [depot, solution.hub, depot], sum(own_d.values()), sum(own_c.values())))
    return legs


def truck_trips(truck: Truck, load: float) -> int:
    """How many trips of `truck` carry `load` parcels (at least one)."""
    return 1 if truck.capacity is None else max(1, math.ceil(load / truck.capacity - 1e-9))


def hub_cost(instance: Instance, solution: Solution) -> HubCost | None:
    """The `hub` design's hub: its fixed cost and the handling of every parcel its
    shuttles deliver to the centers or bring back from them."""
    if solution.hub is None or solution.mode != "joint" or solution.design(instance) != "hub":
        return None
    hub = instance.hub_by_id[solution.hub]
    parcels = sum(stop.delivered + stop.collected for s in solution.shuttles for stop in s.stops)
    return HubCost(hub.id, hub.fixed_cost, hub.handling_cost * parcels, parcels)


def shuttle_path(solution: Solution, shuttle: Shuttle) -> list[str]:
    assert solution.hub is not None
    return [solution.hub, *(stop.center for stop in shuttle.stops), solution.hub]


def shuttles(instance: Instance, solution: Solution) -> TruckCost | None:
    """The `hub` design's first echelon: each truck used pays its fixed cost, and every
    truck its km (and congestion) from the hub through its centers and back."""
    truck = instance.shuttle
    if truck is None or solution.hub is None or solution.design(instance) != "hub":
        return None
    t = tables(instance)
    used = [s for s in solution.shuttles if s.stops]
    km = extra = 0.0
    for shuttle in used:
        idx = [instance.index[loc] for loc in shuttle_path(solution, shuttle)]
        km += float(t.km[idx[:-1], idx[1:]].sum())
        extra += float(t.congestion_km[idx[:-1], idx[1:]].sum())
    return _trips(truck, len(used), km, extra)


def _tour(instance: Instance, stops: list[str]) -> list[str]:
    """A closed tour from `stops[0]` through the others (Christofides on the
    symmetrised distances; exact for up to three stops)."""
    if len(stops) <= 3:
        return [*stops, stops[0]]
    idx = [instance.index[s] for s in stops]
    km = tables(instance).km[np.ix_(idx, idx)]
    graph = nx.Graph()
    for a in range(len(stops)):
        for b in range(a + 1, len(stops)):
            graph.add_edge(a, b, weight=(km[a, b] + km[b, a]) / 2)
    cycle = nx.approximation.christofides(graph, weight="weight")[:-1]
    start = cycle.index(0)
    order = cycle[start:] + cycle[:start]
    return [stops[k] for k in order] + [stops[0]]


def feeder(instance: Instance) -> TruckCost | None:
    """The village staff's daily round trips to their towns (seed 004's status quo), as
    many per village as its parcels need at the feeder's capacity."""
    truck = instance.feeder
    if truck is None or not instance.feeder_legs:
        return None
    trips = [truck_trips(truck, leg.parcels) for leg in instance.feeder_legs]
    km = sum(2 * leg.km * n for leg, n in zip(instance.feeder_legs, trips, strict=True))
    return _trips(truck, sum(trips), km, 0.0)


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
