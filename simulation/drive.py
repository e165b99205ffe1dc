"""One day of delivery as a discrete-event simulation (SimPy).

Every vehicle is a process: it waits for a loading bay at its center or depot (a
`simpy.Resource` with `bays` places; loading takes `loading_min_per_parcel` per
parcel), then drives its planned route. Each leg takes the free-flow time
(km / speed) plus the congestion delay of the instance (its congestion km), the
whole times a traffic factor drawn per leg (lognormal, mean 1, coefficient of
variation `travel_noise`: traffic varies a leg's whole travel time, not only its
congestion surcharge; `free_flow=True` leaves the delay out). At a stop the vehicle waits
for the window to open, then serves for the node's service time. A vehicle that
would reach its next stop after `shift_end_min` turns back: the stops it leaves are
unserved.

Kilometres and costs of a leg count in the region of the node the leg arrives at
(the way home counts in the region of the last stop), so independent company routes
that cross regions are split between them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy

from lastmile.cost import stop_quantities
from lastmile.distances import DistanceTables, tables
from lastmile.model import Instance, Route


@dataclass(frozen=True)
class DriveOptions:
    free_flow: bool = False
    travel_noise: float = 0.1
    shift_end_min: float = 720.0
    bays: int = 2
    loading_min_per_parcel: float = 0.05


@dataclass(frozen=True)
class RegionMeasures:
    """One region's day under one policy, as `simulation_days.csv` holds it."""

    km: float
    co2_kg: float
    cost: float
    stops: int
    stops_on_time: int
    stops_windowed: int  # stops at a node with a time window
    stops_windowed_on_time: int
    parcels: float
    parcels_late: float
    parcels_unserved: float
    load_rate: float  # mean over the region's vehicles; NaN with none


@dataclass
class RegionDay:
    """What happened in one region on one day under one policy."""

    km: float = 0.0
    cost: float = 0.0  # vehicle fixed (shared by stops) + transport + congestion
    stops: int = 0
    stops_on_time: int = 0
    stops_windowed: int = 0
    stops_windowed_on_time: int = 0
    parcels: float = 0.0
    parcels_late: float = 0.0
    parcels_unserved: float = 0.0
    load_rates: list[float] = field(default_factory=list)


def drive(
    instance: Instance,
    routes: Sequence[Route],
    region_of: Mapping[str, str],
    rng: np.random.Generator,
    options: DriveOptions = DriveOptions(),
    *,
    independent: bool = False,
) -> dict[str, RegionMeasures]:
    """Simulate `routes` on `instance` for one day; one row of measures per region.

    Parcels of nodes that need service and are not visited (no route, or a route cut
    at the end of the shift) count as unserved in their region.
    """
    t = tables(instance)
    index = instance.index
    env = simpy.Environment()
    bays = {home: simpy.Resource(env, capacity=options.bays) for home in sorted({r.center for r in routes})}
    days: dict[str, RegionDay] = defaultdict(RegionDay)
    served: set[tuple[str, str | None]] = set()

    def leg_minutes(a: str, b: str) -> float:
        i, j = index[a], index[b]
        planned = t.km[i, j] if options.free_flow else t.km[i, j] + t.congestion_km[i, j]
        factor = 1.0 if options.travel_noise == 0 else lognormal_factor(rng, options.travel_noise)
        return float(planned / instance.speed_kmh * 60.0 * factor)

    def vehicle(route: Route) -> Iterator[simpy.Event]:  # a SimPy process
        fleet = instance.vehicle(route.vehicle).fleet
        company = instance.vehicle(route.vehicle).company if independent else None
        quantities = stop_quantities(instance, route, company)
        load = sum(d for d, _ in quantities)
        stops_regions = [region_of.get(s, "") for s in route.stops]
        for region in set(stops_regions):
            days[region].load_rates.append(load / fleet.capacity)
        share = fleet.fixed_cost / max(len(route.stops), 1)
        with bays[route.center].request() as bay:
            yield bay
            yield env.timeout(load * options.loading_min_per_parcel)
        here, last_region = route.center, stops_regions[0] if stops_regions else ""
        for stop, region, (delivered, picked) in zip(route.stops, stops_regions, quantities, strict=True):
            minutes = leg_minutes(here, stop)
            if env.now + minutes > options.shift_end_min:
                break
            yield env.timeout(minutes)
            _count_leg(days[region], t, index, here, stop, fleet.cost_per_km)
            node = instance.node_by_id[stop]
            on_time = node.time_window is None or env.now <= node.time_window.latest + 1e-9
            wait = 0.0 if node.time_window is None else max(0.0, node.time_window.earliest - env.now)
            day = days[region]
            day.cost += share
            day.stops += 1
            day.stops_on_time += on_time
            if node.time_window is not None:
                day.stops_windowed += 1
                day.stops_windowed_on_time += on_time
            day.parcels += delivered + picked
            day.parcels_late += 0.0 if on_time else delivered + picked
            served.add((stop, company))
            yield env.timeout(wait + node.service_time)
            here, last_region = stop, region
        if here != route.center:
            yield env.timeout(leg_minutes(here, route.center))
            _count_leg(days[last_region], t, index, here, route.center, fleet.cost_per_km)

    for route in routes:
        if route.stops:
            env.process(vehicle(route))
    env.run()
    companies = [c.id for c in instance.companies] if independent else [None]
    for node in instance.nodes:
        for company in companies:
            if node.needs_service(company) and (node.id, company) not in served:
                parcels = (
                    node.total_demand + node.total_pickup
                    if company is None
                    else node.demand.get(company, 0.0) + node.pickup.get(company, 0.0)
                )
                days[region_of.get(node.id, "")].parcels_unserved += parcels
    out = {}
    for region, day in sorted(days.items()):
        rates = day.load_rates
        out[region] = RegionMeasures(
            km=day.km,
            co2_kg=day.km * instance.emission_factor,
            cost=day.cost,
            stops=day.stops,
            stops_on_time=day.stops_on_time,
            stops_windowed=day.stops_windowed,
            stops_windowed_on_time=day.stops_windowed_on_time,
            parcels=day.parcels,
            parcels_late=day.parcels_late,
            parcels_unserved=day.parcels_unserved,
            load_rate=float(np.mean(rates)) if rates else float("nan"),
        )
    return out


def _count_leg(day: RegionDay, t: DistanceTables, index: Mapping[str, int], a: str, b: str, cost_per_km: float) -> None:
    i, j = index[a], index[b]
    day.km += float(t.km[i, j])
    day.cost += cost_per_km * float(t.km[i, j] + t.congestion_km[i, j])


def lognormal_factor(rng: np.random.Generator, cv: float) -> float:
    """A lognormal factor with mean 1 and coefficient of variation `cv`."""
    sigma2 = np.log1p(cv * cv)
    return float(rng.lognormal(-sigma2 / 2, np.sqrt(sigma2)))
