"""VRP with simultaneous pickup and delivery in LKH-3's VRPLIB-style layout (`.vrpspd`:
Dethloff 2001 and others), split by vrplib and checked here as the CVRPLIB reader is.

LKH-3's files hold integers: an EXPLICIT distance matrix, demands and a capacity
scaled up. Its reported values are tour lengths divided by 10^4, so distances (and
times, which are distances) are divided by `scale` (default 10^4): a tour costs what
the published tables say. PICKUP_AND_DELIVERY_SECTION rows are `node, (unused),
earliest, latest, service time, pickup, delivery`. `VEHICLES` is LKH-3's bound on the
routes, not part of the problem (Dethloff's instances leave the fleet free), so the
fleet is unlimited unless `fleet_bound=True`. `DISTANCE` is a route length limit
(0: none).

Where every window spans the depot's day and no service takes time, a route's duration
is its length, so the depot's closing time becomes a route length limit (exact);
otherwise the windows are kept and close no later than the depot's due date less the
service and the leg back (as for Solomon files).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lastmile.errors import InstanceError
from lastmile.model import Center, Company, DistanceSpec, Fleet, Instance, Node, Provenance, Site, TimeWindow
from lastmile.readers.cvrplib import depot_of, explicit_matrix, header_of, node_table, sections_of, vrplib_parts
from lastmile.readers.physics import number
from lastmile.readers.solomon import SPEED, day_windows
from lastmile.walk import TOLERANCE

COMPANY = "vrpspd"
#: LKH-3 reports tour lengths divided by 10^4 (its integer matrices are scaled up by it).
SCALE = 1e4
HEADER_KEYS = frozenset(
    {"NAME", "TYPE", "DIMENSION", "VEHICLES", "CAPACITY", "DISTANCE", "EDGE_WEIGHT_TYPE", "EDGE_WEIGHT_FORMAT"}
)
SECTIONS = frozenset({"EDGE_WEIGHT_SECTION", "PICKUP_AND_DELIVERY_SECTION", "DEPOT_SECTION"})
KIND = "VRPSPD"


def read_vrpspd(path: str | Path, scale: float = SCALE, fleet_bound: bool = False) -> Instance:
    """Read a `.vrpspd` file (see the module docstring for the conventions)."""
    file = str(path)
    specs, sections = vrplib_parts(path)
    header = header_of(file, specs, HEADER_KEYS, KIND)
    if header.get("TYPE") != KIND:
        raise InstanceError(file, "TYPE", f"{header.get('TYPE', '(missing)')!r}: only {KIND} files are read")
    if header.get("EDGE_WEIGHT_TYPE") != "EXPLICIT":
        raise InstanceError(
            file, "EDGE_WEIGHT_TYPE", f"{header.get('EDGE_WEIGHT_TYPE', '(missing)')!r}: only EXPLICIT weights are read"
        )
    n = _whole(file, header, "DIMENSION", 2)
    vehicles = _whole(file, header, "VEHICLES", 1)
    capacity = number(file, "CAPACITY", header.get("CAPACITY", "(missing)"), what="vehicle capacity")
    if capacity <= 0:
        raise InstanceError(file, "CAPACITY", "the vehicle capacity must be positive")
    limit = number(file, "DISTANCE", header.get("DISTANCE", "0"), what="route length limit")
    rows = sections_of(file, sections, SECTIONS, KIND)
    if "EDGE_WEIGHT_SECTION" not in rows:
        raise InstanceError(file, "EDGE_WEIGHT_SECTION", "missing section")
    matrix = explicit_matrix(file, header, rows["EDGE_WEIGHT_SECTION"], n, symmetric=False) / scale
    table = node_table(file, rows, "PICKUP_AND_DELIVERY_SECTION", n, 6)
    depot = depot_of(file, rows, n, KIND)
    order = [depot, *[i for i in range(n) if i != depot]]
    table, matrix = table[order], matrix[np.ix_(order, order)]
    early, due, service = table[:, 1] / scale, table[:, 2] / scale, table[:, 3] / scale
    pickup, delivery = table[:, 4], table[:, 5]
    field = f"PICKUP_AND_DELIVERY_SECTION row {depot + 1}"
    if pickup[0] or delivery[0]:
        raise InstanceError(file, field, "the depot has parcels to deliver or collect")
    if np.any(due < early):
        i = int(np.argmax(due < early))
        raise InstanceError(
            file, f"PICKUP_AND_DELIVERY_SECTION row {order[i] + 1}", "its window closes before it opens"
        )
    early, due = np.maximum(early - early[0], 0.0), due - early[0]
    untimed = bool(np.all(early == 0) and np.all(due >= due[0]) and np.all(service == 0))
    max_km = limit / scale if limit > 0 else None
    if untimed:
        max_km = min(due[0], max_km) if max_km is not None else float(due[0])
        latest = None
    else:
        labels = [f"PICKUP_AND_DELIVERY_SECTION row {i + 1}" for i in order]
        latest = day_windows(file, labels, early, due, service, matrix[:, 0], matrix[0, :])
    if max_km is not None:
        beyond = matrix[0, :] + matrix[:, 0] > max_km + TOLERANCE
        if np.any(beyond):
            i = int(np.argmax(beyond))
            raise InstanceError(
                file,
                f"PICKUP_AND_DELIVERY_SECTION row {order[i] + 1}",
                "lies beyond the route length limit, there and back",
            )
    name = str(header.get("NAME", Path(file).stem))
    ids = [str(i + 1) for i in order]
    nodes = tuple(
        Node(
            ids[i],
            0.0,
            0.0,
            {COMPANY: float(delivery[i])},
            {COMPANY: float(pickup[i])} if pickup[i] else {},
            time_window=None if latest is None else TimeWindow(float(early[i]), float(latest[i])),
            service_time=float(service[i]),
        )
        for i in range(1, n)
    )
    inner = [0, 0, *range(1, n)]  # center, company depot (both the file's depot), nodes
    fleet = Fleet(min(vehicles, n - 1) if fleet_bound else None, capacity, 0.0, 1.0, max_km)
    return Instance(
        name=name,
        nodes=nodes,
        companies=(Company(COMPANY, "VRPSPD fleet", Site(f"{ids[0]}.depot", 0.0, 0.0), fleet),),
        centers=(Center(Site(ids[0], 0.0, 0.0), 0.0, None),),
        distance=DistanceSpec("explicit"),
        coordinates="planar",
        speed_kmh=SPEED,
        units={"distance": f"file units / {scale:g}", "cost": "distance units", "demand": "units", "time": "distance"},
        provenance=Provenance(
            summary=f"VRPSPD instance {name} (LKH-3 layout); distances as given / {scale:g}; "
            + ("fleet bounded by VEHICLES" if fleet_bound else f"fleet unlimited (VEHICLES {vehicles} is LKH-3's)"),
            real=("all data (published benchmark)",),
            sources=(file,),
        ),
        matrix=matrix[np.ix_(inner, inner)],
        source=file,
    )


def _whole(file: str, header: dict[str, str], key: str, least: int) -> int:
    value = number(file, key, header.get(key, "(missing)"))
    if value != int(value) or value < least:
        raise InstanceError(file, key, f"{value:g}: needs a whole number of {least} or more")
    return int(value)
