"""The one feasibility checker: `check(instance, solution)`.

It knows nothing about any solver and returns every violation it finds, so a test or
a results row can say exactly what is wrong. An empty list means feasible.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from lastmile.model import JOINT_OPERATOR, SHUTTLE_OPERATOR, Instance, Route, Solution
from lastmile.walk import TOLERANCE, walk


@dataclass(frozen=True)
class Violation:
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def check(instance: Instance, solution: Solution) -> list[Violation]:
    """Every way `solution` breaks the rules of `instance`."""
    out: list[Violation] = []
    if solution.mode == "joint":
        out += _check_assignment(instance, solution)
    out += _check_shuttles(instance, solution)
    if solution.routes is None:
        if solution.mode == "independent":
            out.append(Violation("unserved", "an independent solution needs routes"))
        return out
    valid_routes = []
    for k, route in enumerate(solution.routes):
        found = _check_route_ids(instance, solution, k, route)
        out += found
        if not found:
            valid_routes.append((k, route))
    out += _check_service(instance, solution)
    out += _check_fleet(instance, solution)
    for k, route in valid_routes:
        out += _check_route(instance, solution, k, route)
    return out + _check_base_limits(instance, solution)


def _check_base_limits(instance: Instance, solution: Solution) -> list[Violation]:
    """No center bases more vehicles than it may (`Center.max_vehicles`)."""
    assert solution.routes is not None
    based = Counter(r.center for r in solution.routes if r.stops)
    out = []
    for center_id, n in sorted(based.items()):
        center = instance.center_by_id.get(center_id)
        if center is not None and center.max_vehicles is not None and n > center.max_vehicles:
            message = f"center {center_id} sends out {n} vehicles, it may base {center.max_vehicles}"
            out.append(Violation("fleet_size", message))
    return out


def _center_flows(instance: Instance, solution: Solution) -> tuple[dict[str, float], dict[str, float]]:
    """Per open center, the parcels its routes deliver and collect (by the assignment
    shares for a location-only solution)."""
    out: dict[str, float] = defaultdict(float)
    back: dict[str, float] = defaultdict(float)
    if solution.routes is None:
        for node_id, shares in solution.assignment.items():
            node = instance.node_by_id.get(node_id)
            for center, share in shares.items():
                if node is not None:
                    out[center] += share * node.total_demand
                    back[center] += share * node.total_pickup
        return out, back
    for route in solution.routes:
        for stop in route.stops:
            node = instance.node_by_id.get(stop)
            if node is not None:
                out[route.center] += node.total_demand
                back[route.center] += node.total_pickup
    return out, back


def _check_shuttles(instance: Instance, solution: Solution) -> list[Violation]:
    """The `hub` design (issue 30) and the two-echelon problems: a known hub within its
    capacity, the alliance's trucks each used once and within capacity along their
    stops, and at every center what the trucks leave equal to what its routes deliver and
    what they take back equal to what its routes collect."""
    if solution.design(instance) != "hub" or solution.mode != "joint":
        if solution.shuttles or solution.hub is not None:
            return [Violation("line_haul", f"a hub and shuttles under the {solution.design(instance)!r} design")]
        return []
    if solution.hub is None or solution.hub not in instance.hub_by_id:
        return [Violation("line_haul", f"the hub design needs one of the instance's hubs, got {solution.hub!r}")]
    truck = instance.shuttle
    if truck is None and solution.shuttles:
        return [Violation("line_haul", "shuttles, but the instance has no shuttle trucks")]
    out: list[Violation] = []
    left: dict[str, float] = defaultdict(float)
    taken: dict[str, float] = defaultdict(float)
    used: Counter[str] = Counter()
    for k, shuttle in enumerate(solution.shuttles):
        where = f"shuttle {k} ({shuttle.vehicle})"
        owner, _, number = shuttle.vehicle.rpartition("-")
        assert truck is not None
        if owner != SHUTTLE_OPERATOR or not number.isdigit() or not (1 <= int(number) <= (truck.count or 10**9)):
            out.append(Violation("fleet_size", f"{where}: no such truck"))
        used[shuttle.vehicle] += 1
        load = sum(stop.delivered for stop in shuttle.stops)
        peak = load
        for stop in shuttle.stops:
            if stop.center not in solution.open_centers:
                out.append(Violation("center_closed", f"{where} calls at {stop.center!r}, not an open center"))
            if stop.delivered < -TOLERANCE or stop.collected < -TOLERANCE:
                out.append(Violation("line_haul", f"{where}: a negative quantity at {stop.center}"))
            left[stop.center] += stop.delivered
            taken[stop.center] += stop.collected
            load += stop.collected - stop.delivered
            peak = max(peak, load)
        if truck is not None and truck.capacity is not None and peak > truck.capacity + TOLERANCE:
            out.append(Violation("vehicle_capacity", f"{where} carries {peak:g} parcels, capacity {truck.capacity:g}"))
    out += [
        Violation("fleet_size", f"truck {vehicle} drives {n} shuttles, at most one a day")
        for vehicle, n in sorted(used.items())
        if n > 1
    ]
    delivers, collects = _center_flows(instance, solution)
    for center in sorted(set(delivers) | set(collects) | set(left) | set(taken)):
        for what, need, got in (("delivers", delivers, left), ("collects", collects, taken)):
            if abs(need.get(center, 0.0) - got.get(center, 0.0)) > TOLERANCE * max(1.0, need.get(center, 0.0)):
                message = (
                    f"center {center} {what} {need.get(center, 0.0):g} parcels, "
                    f"its shuttles carry {got.get(center, 0.0):g}"
                )
                out.append(Violation("center_balance", message))
    hub = instance.hub_by_id[solution.hub]
    through = sum(left.values()) + sum(taken.values())
    if hub.capacity is not None and through > hub.capacity + TOLERANCE:
        out.append(Violation("hub_capacity", f"hub {hub.id}: {through:g} parcels over capacity {hub.capacity:g}"))
    return out


def _check_assignment(instance: Instance, solution: Solution) -> list[Violation]:
    out = []
    for center in solution.open_centers:
        if center not in instance.center_by_id:
            out.append(Violation("unknown_id", f"open center {center!r} is not a candidate center"))
    load: dict[str, float] = defaultdict(float)
    for node_id, shares in solution.assignment.items():
        node = instance.node_by_id.get(node_id)
        if node is None:
            out.append(Violation("unknown_id", f"assignment names unknown node {node_id!r}"))
            continue
        total = sum(shares.values())
        if abs(total - 1.0) > TOLERANCE or any(s < -TOLERANCE for s in shares.values()):
            out.append(Violation("assignment", f"node {node_id}: center shares sum to {total:g}, not 1"))
        if instance.single_sourcing and sum(1 for s in shares.values() if s > TOLERANCE) > 1:
            out.append(Violation("assignment", f"node {node_id}: split across centers under single sourcing"))
        for center, share in shares.items():
            if center not in solution.open_centers:
                out.append(Violation("center_closed", f"node {node_id} is assigned to closed center {center!r}"))
            load[center] += share * node.total_demand
    for node in instance.nodes:
        if solution.routes is None and node.needs_service() and node.id not in solution.assignment:
            out.append(Violation("unserved", f"node {node.id} is assigned to no center"))
    if solution.dispatched:
        out += _check_dispatched(instance, solution, load)
    for center_id, used in sorted(load.items()):
        center = instance.center_by_id.get(center_id)
        if center is not None and center.capacity is not None and used > center.capacity + TOLERANCE:
            out.append(
                Violation("center_capacity", f"center {center_id}: {used:g} parcels over capacity {center.capacity:g}")
            )
    return out


def _check_dispatched(instance: Instance, solution: Solution, load: dict[str, float]) -> list[Violation]:
    """Vehicles sent out per center (location-level solutions): enough for the load,
    from open centers, and no more than the pooled fleet."""
    out = []
    fleet = instance.pooled_fleet()
    for center, vehicles in sorted(solution.dispatched.items()):
        if vehicles and center not in solution.open_centers:
            out.append(Violation("center_closed", f"{vehicles} vehicles dispatched from closed center {center!r}"))
    total = sum(solution.dispatched.values())
    if fleet.count is not None and total > fleet.count:
        out.append(Violation("fleet_size", f"{total} vehicles dispatched, the fleet has {fleet.count}"))
    for center, used in sorted(load.items()):
        room = solution.dispatched.get(center, 0) * fleet.capacity
        if used > room + TOLERANCE:
            out.append(Violation("vehicle_capacity", f"center {center}: {used:g} parcels, vehicles hold {room:g}"))
    return out


def _check_route_ids(instance: Instance, solution: Solution, k: int, route: Route) -> list[Violation]:
    out = []
    where = f"route {k} ({route.vehicle})"
    if len(route.path) < 2 or route.path[0] != route.center or route.path[-1] != route.center:
        out.append(Violation("route_endpoints", f"{where} does not start and end at its center {route.center!r}"))
    try:
        vehicle = instance.vehicle(route.vehicle)
    except KeyError:
        vehicle = None
        out.append(Violation("fleet_size", f"{where}: no such vehicle in the fleet"))
    for stop in route.stops:
        if stop not in instance.node_by_id:
            out.append(Violation("unknown_id", f"{where} visits unknown node {stop!r}"))
    if solution.mode == "joint":
        if vehicle is not None and instance.joint_fleet is not None and vehicle.company != JOINT_OPERATOR:
            out.append(Violation("fleet_size", f"{where}: joint delivery uses the alliance's own vehicles"))
        if route.center not in instance.center_by_id:
            out.append(Violation("unknown_id", f"{where} starts at {route.center!r}, not a candidate center"))
        elif route.center not in solution.open_centers:
            out.append(Violation("center_closed", f"{where} starts at closed center {route.center!r}"))
    elif vehicle is not None and vehicle.company not in instance.company_by_id:
        out.append(Violation("fleet_size", f"{where}: an alliance vehicle in independent delivery"))
    elif vehicle is not None and instance.company_by_id[vehicle.company].depot.id != route.center:
        out.append(Violation("route_endpoints", f"{where} does not start at its company's depot"))
    return out


def _check_service(instance: Instance, solution: Solution) -> list[Violation]:
    """Each node (joint) or each node-company pair (independent) served exactly once."""
    assert solution.routes is not None
    visits: Counter[tuple[str, str | None]] = Counter()
    for route in solution.routes:
        company = route.vehicle.rpartition("-")[0] if solution.mode == "independent" else None
        for stop in route.stops:
            visits[(stop, company)] += 1
    out = []
    for node in instance.nodes:
        companies: list[str | None] = (
            [None] if solution.mode == "joint" else [c.id for c in instance.companies if node.needs_service(c.id)]
        )
        for company in companies:
            count = visits.get((node.id, company), 0)
            who = f"node {node.id}" + (f" for company {company}" if company else "")
            if count == 0 and node.needs_service(company):
                out.append(Violation("unserved", f"{who} is not served"))
            elif count > 1:
                out.append(Violation("served_twice", f"{who} is served {count} times"))
    if solution.mode == "joint":
        for route in solution.routes:
            for stop in route.stops:
                shares = solution.assignment.get(stop, {})
                if stop in instance.node_by_id and shares.get(route.center, 0.0) < 1.0 - TOLERANCE:
                    out.append(
                        Violation("assignment", f"node {stop} is routed from {route.center} but assigned elsewhere")
                    )
    return out


def _check_fleet(instance: Instance, solution: Solution) -> list[Violation]:
    assert solution.routes is not None
    used = Counter(r.vehicle for r in solution.routes if r.stops)
    return [
        Violation("fleet_size", f"vehicle {vehicle} drives {n} routes, at most one a day")
        for vehicle, n in sorted(used.items())
        if n > 1
    ]


def _check_route(instance: Instance, solution: Solution, k: int, route: Route) -> list[Violation]:
    """A route against its vehicle's limits, by the one route walk (`lastmile.walk`)."""
    out = []
    where = f"route {k} ({route.vehicle})"
    vehicle = instance.vehicle(route.vehicle)
    fleet = vehicle.fleet
    company = vehicle.company if solution.mode == "independent" else None
    windows = solution.mode == "joint" or instance.independent_windows
    done = walk(instance, route, company, fleet.capacity, windows)
    load = done.start_load
    if route.stops and load < fleet.min_load_rate * fleet.capacity - TOLERANCE:
        out.append(
            Violation(
                "minimum_load",
                f"{where} leaves with {load:g} parcels, below {fleet.min_load_rate:g} of capacity {fleet.capacity:g}",
            )
        )
    if load > fleet.capacity + TOLERANCE:
        out.append(Violation("vehicle_capacity", f"{where} leaves with {load:g} parcels, capacity {fleet.capacity:g}"))
    elif done.overload is not None:
        stop, peak = done.overload
        message = f"{where} carries {peak:g} parcels after node {stop}, capacity {fleet.capacity:g}"
        out.append(Violation("vehicle_capacity", message))
    if fleet.max_route_km is not None and done.km > fleet.max_route_km + TOLERANCE:
        out.append(Violation("route_length", f"{where} is {done.km:.3f} km long, limit {fleet.max_route_km:g} km"))
    for stop, clock, latest in done.late:
        message = f"{where} reaches node {stop} at {clock:.1f} min, window closes at {latest:g}"
        out.append(Violation("time_window", message))
    return out
