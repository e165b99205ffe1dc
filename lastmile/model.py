"""The shared domain model: one `Instance` and one `Solution` for every solver.

Everything here is a frozen dataclass. Mappings are typed `Mapping` and must not be
mutated after construction; numeric matrices are read-only numpy arrays. Derived
tables (distances, travel times) are computed once per instance and cached, see
`lastmile.distances`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

Metric = Literal["haversine", "euclidean", "road", "explicit"]
Rounding = Literal["none", "nint", "ceil100", "trunc1"]
CoordinateSystem = Literal["wgs84", "gcj02", "planar"]
DeliveryMode = Literal["joint", "independent"]
#: How joint delivery's parcels reach the shared centers (issue 30; `lastmile.cost.line_haul`):
#: `tour`, each company's truck tours the centers it feeds; `direct`, out and back to each;
#: `hub`, every company trucks to one cross-dock hub and the alliance's trucks route from
#: there through the centers (the first echelon of a two-echelon problem).
LineHaulDesign = Literal["tour", "direct", "hub"]
LINE_HAUL_DESIGNS: tuple[LineHaulDesign, ...] = ("tour", "direct", "hub")
#: The owner of the alliance's first-echelon trucks (`Instance.shuttle`): `truck-<k>`.
SHUTTLE_OPERATOR = "truck"

#: The shift of a day of delivery, in minutes, where a file of the project's format names
#: none (`Instance.shift_min`): a day. No window may open after it, no service outlast
#: it, no node lie further from every start than it (`lastmile.readers.physics`). The
#: benchmark formats model no time (None) but Solomon's, whose depot's due date ends it.
DAY_MIN = 1440.0

#: Carbon emission factor of a light logistics vehicle, kg CO2 per km (study, Eq. 18).
DEFAULT_EMISSION_FACTOR = 0.24

#: The owner of an instance's shared alliance fleet (`Instance.joint_fleet`): its
#: vehicles are `joint-<k>`, so no company may take this id.
JOINT_OPERATOR = "joint"


@dataclass(frozen=True)
class TimeWindow:
    """Earliest and latest start of service, minutes after the start of the day's shift."""

    earliest: float
    latest: float


@dataclass(frozen=True)
class CommunityFeatures:
    """The seven community attributes the service-mode classifier uses (study, Table 4)."""

    main_type: int  # 1 residential, 2 commercial, 3 mixed
    residential_areas: int
    buildings: int
    coverage_km2: float
    density_level: int  # 1 low, 2 medium, 3 high
    age_level: int  # 1 new, 2 middle-aged, 3 old
    subway_stations: int


@dataclass(frozen=True)
class Node:
    """A delivery node (outlet, community, village service point).

    `demand` and `pickup` map a company id to parcels per day delivered to, and
    collected from, this node.
    """

    id: str
    x: float
    y: float
    demand: Mapping[str, float]
    pickup: Mapping[str, float] = field(default_factory=dict)
    time_window: TimeWindow | None = None
    service_time: float = 0.0
    features: CommunityFeatures | None = None
    label: str = ""
    town: str | None = None  # a village service point's town (seed 004): where its staff fetch parcels

    @property
    def total_demand(self) -> float:
        return float(sum(self.demand.values()))

    @property
    def total_pickup(self) -> float:
        return float(sum(self.pickup.values()))

    def needs_service(self, company: str | None = None) -> bool:
        """Whether the node has parcels to deliver or collect (for one company, or any)."""
        if company is None:
            return self.total_demand > 0 or self.total_pickup > 0
        return self.demand.get(company, 0.0) > 0 or self.pickup.get(company, 0.0) > 0


@dataclass(frozen=True)
class Fleet:
    """A company's vehicles. `count=None` means an unlimited fleet (CVRPLIB set X).

    `min_load_rate`: a vehicle used must leave loaded to at least this share of its
    capacity (the study's exclusive-operation regions; 0 in instance files).
    """

    count: int | None
    capacity: float
    fixed_cost: float  # per vehicle-day
    cost_per_km: float
    max_route_km: float | None = None
    min_load_rate: float = 0.0


@dataclass(frozen=True)
class Access:
    """The road that joins a site outside the road network (a company's sorting
    warehouse outside the district) to its entry `Site.node`: `km` long, congested as
    `road_type` (None: the instance's default congestion)."""

    km: float
    road_type: str | None = None


@dataclass(frozen=True)
class Site:
    """A located facility. `node` names the delivery node it stands at, or, with
    `access`, the node its access road enters the road network at."""

    id: str
    x: float
    y: float
    node: str | None = None
    access: Access | None = None


@dataclass(frozen=True)
class Truck:
    """A vehicle type costed per trip: line-haul trucks from company depots to the
    shared centers, or the village staff's small vehicles (seed 004's status quo).

    `capacity` in parcels (None: unlimited), `fixed_cost` per trip-day, `cost_per_km`
    and `emission_factor` (kg CO2 per km) on the trip's km.
    """

    capacity: float | None
    fixed_cost: float
    cost_per_km: float
    emission_factor: float
    count: int | None = None  # trucks there are (None: as many as the trips need)


@dataclass(frozen=True)
class Hub:
    """A candidate cross-dock hub of the `hub` line-haul design (issue 30), or a
    two-echelon problem's depot: every company trucks its parcels here, the alliance's
    trucks (`Instance.shuttle`) route from here through the centers.

    `fixed_cost` per day when used, `handling_cost` per parcel through it (delivered and
    collected), `capacity` parcels per day through it (None: unlimited).
    """

    site: Site
    fixed_cost: float
    handling_cost: float
    capacity: float | None

    @property
    def id(self) -> str:
        return self.site.id


@dataclass(frozen=True)
class FeederLeg:
    """A village service point's daily round trip to its town (seed 004, status quo):
    `km` one way, carrying `parcels` (the larger of the village's deliveries and its
    collected parcels) each way."""

    village: str
    town: str
    km: float
    parcels: float


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    depot: Site
    fleet: Fleet


@dataclass(frozen=True)
class Center:
    """A candidate distribution center. `capacity=None` means uncapacitated;
    `max_vehicles` bounds the delivery vehicles based here (a 2E-VRP satellite's
    city freighters; None: no bound of its own); `handling_cost` is paid per parcel its
    vehicles deliver or collect (2E-VRP set 6b; 0 elsewhere)."""

    site: Site
    fixed_cost: float
    capacity: float | None
    max_vehicles: int | None = None
    handling_cost: float = 0.0

    @property
    def id(self) -> str:
        return self.site.id


@dataclass(frozen=True)
class RoadType:
    """A road class: its difficulty weight (study, Table 1) and congestion coefficient."""

    id: str
    weight: float
    congestion: float
    description: str = ""
    speed_kmh: float | None = None  # free-flow speed on this class (None: the instance's `speed_kmh`)


@dataclass(frozen=True)
class Edge:
    """A road between two locations or road vertices; `oneway` roads are driven from `u`
    to `v` only; `speed_kmh` (e.g. OpenStreetMap's `maxspeed`) overrides its road type's."""

    u: str
    v: str
    road_type: str
    length_km: float
    oneway: bool = False
    speed_kmh: float | None = None


@dataclass(frozen=True)
class RoadVertex:
    """A point of the road network that is no location (an intersection): roads join
    there, nothing is delivered."""

    id: str
    x: float
    y: float


@dataclass(frozen=True)
class DistanceSpec:
    """How travel distances are obtained.

    `circuity` multiplies straight-line distances (haversine, euclidean) to approximate
    road distances; `rounding` is applied last and names a benchmark convention:
    `nint` (CVRPLIB: nearest integer), `ceil100` (Prodhon LRP: ceil of 100 x d) or
    `trunc1` (Solomon VRPTW optima: truncated to one decimal, floor(10 d) / 10).
    """

    metric: Metric
    rounding: Rounding = "none"
    circuity: float = 1.0


@dataclass(frozen=True)
class Provenance:
    """What in an instance is real and what is synthetic, and how it was made."""

    summary: str
    real: tuple[str, ...] = ()
    synthetic: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    generator: str | None = None
    seed: int | None = None
    calibration: tuple[str, ...] = ()  # each calibrated parameter, its target, the value reached


@dataclass(frozen=True)
class Vehicle:
    id: str
    company: str
    fleet: Fleet


@dataclass(frozen=True)
class Instance:
    """A joint last-mile delivery instance, or a benchmark read into the same shape.

    Locations are indexed in the order centers, company depots, nodes, hubs (`location_ids`).
    `matrix` holds explicit distances over those locations when `distance.metric` is
    `explicit`; `assignment_cost` (centers x nodes) replaces the default location-stage
    transport cost `parcel_km_cost * demand * distance` when given (OR-Library files).
    """

    name: str
    nodes: tuple[Node, ...]
    companies: tuple[Company, ...]
    centers: tuple[Center, ...]
    distance: DistanceSpec
    coordinates: CoordinateSystem
    road_types: tuple[RoadType, ...] = ()
    edges: tuple[Edge, ...] = ()
    road_vertices: tuple[RoadVertex, ...] = ()  # the road network's intersections, beside its locations
    default_congestion: float = 1.0
    emission_factor: float = DEFAULT_EMISSION_FACTOR
    speed_kmh: float = 30.0
    shift_min: float | None = None  # the day's working time: windows open, services end, starts reach within it
    parcel_km_cost: float = 0.0
    single_sourcing: bool = True
    units: Mapping[str, str] = field(default_factory=dict)
    provenance: Provenance = Provenance(summary="")
    matrix: np.ndarray | None = field(default=None, compare=False, repr=False)
    assignment_cost: np.ndarray | None = field(default=None, compare=False, repr=False)
    source: str = ""
    joint_fleet: Fleet | None = None  # the alliance's shared vehicles, `joint-<k>`
    line_haul: Truck | None = None  # depot -> shared centers in joint delivery
    feeder: Truck | None = None  # village staff's vehicle (status quo)
    feeder_legs: tuple[FeederLeg, ...] = ()  # set by `lastmile.policies.status_quo`
    alliance_centers: int | None = None  # centers the alliance opens over the instance; None: one per region
    independent_windows: bool = True  # whether companies delivering alone plan to the windows
    hubs: tuple[Hub, ...] = ()  # candidate cross-dock hubs of the `hub` line-haul design
    shuttle: Truck | None = None  # the alliance's trucks from a hub through the centers, `truck-<k>`
    line_haul_design: LineHaulDesign = "tour"  # the design a solution that names none is costed by

    @cached_property
    def location_ids(self) -> tuple[str, ...]:
        return (
            tuple(c.id for c in self.centers)
            + tuple(c.depot.id for c in self.companies)
            + tuple(n.id for n in self.nodes)
            + tuple(h.id for h in self.hubs)
        )

    @cached_property
    def index(self) -> Mapping[str, int]:
        """Location id to row of the distance tables."""
        return {loc: i for i, loc in enumerate(self.location_ids)}

    @cached_property
    def node_by_id(self) -> Mapping[str, Node]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def company_by_id(self) -> Mapping[str, Company]:
        return {c.id: c for c in self.companies}

    @cached_property
    def center_by_id(self) -> Mapping[str, Center]:
        return {c.id: c for c in self.centers}

    @cached_property
    def hub_by_id(self) -> Mapping[str, Hub]:
        return {h.id: h for h in self.hubs}

    @cached_property
    def road_type_by_id(self) -> Mapping[str, RoadType]:
        return {r.id: r for r in self.road_types}

    @cached_property
    def coords(self) -> np.ndarray:
        """(n_locations, 2) array of x, y (longitude, latitude when geographic)."""
        sites = [c.site for c in self.centers] + [c.depot for c in self.companies]
        xy = [(s.x, s.y) for s in sites] + [(n.x, n.y) for n in self.nodes] + [(h.site.x, h.site.y) for h in self.hubs]
        out = np.asarray(xy, dtype=float).reshape(-1, 2)
        out.setflags(write=False)
        return out

    @property
    def total_demand(self) -> float:
        return float(sum(n.total_demand for n in self.nodes))

    @property
    def total_pickup(self) -> float:
        return float(sum(n.total_pickup for n in self.nodes))

    def company_demand(self, company: str) -> float:
        return float(sum(n.demand.get(company, 0.0) for n in self.nodes))

    def vehicle(self, vehicle_id: str) -> Vehicle:
        """The vehicle `<company>-<k>` or, with a joint fleet, `joint-<k>`, k = 1..fleet
        count; KeyError if there is none."""
        owner, _, number = vehicle_id.rpartition("-")
        company = self.company_by_id.get(owner)
        if owner == JOINT_OPERATOR and self.joint_fleet is not None:
            fleet = self.joint_fleet
        elif company is not None:
            fleet = company.fleet
        else:
            raise KeyError(vehicle_id)
        if not number.isdigit() or int(number) < 1 or (fleet.count is not None and int(number) > fleet.count):
            raise KeyError(vehicle_id)
        return Vehicle(vehicle_id, owner, fleet)

    def vehicle_ids(self, company: str) -> tuple[str, ...]:
        """The ids of a company's vehicles (the first n_nodes ones for an unlimited fleet)."""
        count = self.company_by_id[company].fleet.count
        return tuple(f"{company}-{k}" for k in range(1, (count or len(self.nodes)) + 1))

    def joint_vehicle_ids(self) -> tuple[str, ...]:
        """The vehicles joint delivery may use: the alliance's own, or every company's."""
        if self.joint_fleet is None:
            return tuple(v for c in self.companies for v in self.vehicle_ids(c.id))
        count = self.joint_fleet.count or len(self.nodes)
        return tuple(f"{JOINT_OPERATOR}-{k}" for k in range(1, count + 1))

    def pooled_fleet(self) -> Fleet:
        """The one vehicle type of a shared (joint) fleet: the alliance's own fleet when
        the instance has one, else all companies' vehicles pooled.

        Raises ValueError when there is no joint fleet and the companies' vehicles
        differ in capacity or cost.
        """
        if self.joint_fleet is not None:
            return self.joint_fleet
        kinds = {(f.capacity, f.fixed_cost, f.cost_per_km, f.max_route_km) for f in (c.fleet for c in self.companies)}
        if len(kinds) != 1:
            raise ValueError(f"{self.name}: the companies' vehicles differ, so there is no single pooled type")
        counts = [c.fleet.count for c in self.companies]
        total = None if any(k is None for k in counts) else sum(k or 0 for k in counts)
        capacity, fixed_cost, cost_per_km, max_route_km = kinds.pop()
        return Fleet(total, capacity, fixed_cost, cost_per_km, max_route_km)

    def site(self, location_id: str) -> Site:
        """The center, depot or hub site with this id."""
        for center in self.centers:
            if center.id == location_id:
                return center.site
        for company in self.companies:
            if company.depot.id == location_id:
                return company.depot
        for hub in self.hubs:
            if hub.id == location_id:
                return hub.site
        raise KeyError(location_id)


@dataclass(frozen=True)
class Route:
    """One vehicle's tour: `path` starts and ends at `center` (a center or a depot)."""

    vehicle: str
    center: str
    path: tuple[str, ...]
    region: str = ""

    @property
    def stops(self) -> tuple[str, ...]:
        return self.path[1:-1]

    @classmethod
    def through(cls, vehicle: str, center: str, stops: tuple[str, ...] | list[str], region: str = "") -> Route:
        """The route that leaves `center`, visits `stops` in order and returns."""
        return cls(vehicle, center, (center, *stops, center), region)


@dataclass(frozen=True)
class ShuttleStop:
    """What a first-echelon truck leaves at a center and takes back from it."""

    center: str
    delivered: float
    collected: float = 0.0


@dataclass(frozen=True)
class Shuttle:
    """A first-echelon truck route: `vehicle` (`truck-<k>`) leaves the solution's hub,
    calls at `stops` in order and returns (a center's load may be split over trucks)."""

    vehicle: str
    stops: tuple[ShuttleStop, ...]


@dataclass(frozen=True)
class Solution:
    """Open centers, node-to-center assignment and, once planned, the routes.

    `assignment` maps a node to the share of its demand each center serves (a single
    center with share 1 under single sourcing). `routes=None` marks a location-only
    solution, costed by direct assignment; a tuple (possibly empty) a routed one.
    In `independent` mode every company serves its own demand from its own depot, and
    `open_centers` and `assignment` are empty. `dispatched` gives, for a
    location-only solution, the vehicles each center sends out (Eq. 11).
    `line_haul_design` names how joint delivery's parcels reach the centers (None: the
    instance's default); the `hub` design carries its `hub` and the first-echelon
    `shuttles` from it.
    """

    open_centers: frozenset[str]
    assignment: Mapping[str, Mapping[str, float]]
    routes: tuple[Route, ...] | None = None
    mode: DeliveryMode = "joint"
    dispatched: Mapping[str, int] = field(default_factory=dict)
    line_haul_design: LineHaulDesign | None = None
    hub: str | None = None
    shuttles: tuple[Shuttle, ...] = ()

    def design(self, instance: Instance) -> LineHaulDesign:
        """The line-haul design this solution is costed and checked by."""
        return self.line_haul_design or instance.line_haul_design

    @classmethod
    def single_source(
        cls,
        assignment: Mapping[str, str],
        routes: tuple[Route, ...] | None = None,
        open_centers: frozenset[str] | None = None,
    ) -> Solution:
        """A joint solution in which each node is served wholly by one center."""
        opened = frozenset(assignment.values()) if open_centers is None else open_centers
        return cls(opened, {n: {c: 1.0} for n, c in assignment.items()}, routes, "joint")

    @classmethod
    def routed(cls, routes: tuple[Route, ...] | list[Route]) -> Solution:
        """A joint solution whose assignment is read off its routes."""
        assignment = {stop: r.center for r in routes for stop in r.stops}
        centers = frozenset(r.center for r in routes)
        return cls.single_source(assignment, tuple(routes), centers)

    @classmethod
    def independent(cls, routes: tuple[Route, ...] | list[Route]) -> Solution:
        return cls(frozenset(), {}, tuple(routes), "independent")
