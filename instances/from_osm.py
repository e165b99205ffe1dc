"""A researcher's own city: OpenStreetMap roads and order files in, a checked instance out (issue 35).

    python instances/from_osm.py --roads city.osm.pbf --customers customers.csv \\
        --companies companies.csv [--centers centers.csv] [--hubs hubs.csv] --out city.json \\
        [--max-snap-m 500] [--name city]

The CSV files (UTF-8, a header row of exactly these column names; a column not listed
is refused, an optional one left out takes its default):

- customers: `id, company, lat, lon, parcels`; optional `pickups` (0), `window_start`,
  `window_end` (minutes after the shift start; both or neither), `service_min` (0);
- companies: `id, depot_lat, depot_lon, vehicles, capacity, fixed_cost, cost_per_km`;
  optional `route_km` (no limit), `shift_min` (a day);
- centers: `id, lat, lon, fixed_cost, capacity`; hubs: `id, lat, lon, fixed_cost,
  handling_cost, capacity`.

What is decided, and why:

- **Roads**: `.osm` and `.osm.bz2` by `osmnx.graph_from_xml`, `.osm.pbf` by pyrosm's
  driving network; both simplified to intersections, lengths from the ways' geometry,
  one-way streets driven one way (`oneway` edges). Only drivable ways are kept
  (`DRIVABLE` highway classes) and, of them, the largest strongly connected component,
  so every location reaches every other. Between two intersections the shortest way is
  kept per direction.
- **Speeds**: a way's numeric `maxspeed` (km/h, or mph converted), else its class's
  speed (`SPEEDS`, urban free-flow speeds); congestion coefficients per class
  (`CONGESTION`, in the study's range 1.0-1.5, heavier on the main roads), overridable
  with `--congestion CLASS=VALUE`; difficulty weights per class from the study's Table 1
  (main, secondary, branch: `WEIGHTS`).
- **Snapping**: every customer, depot, center and hub to its nearest intersection of
  the kept network (a k-d tree on a local metric projection), refused beyond
  `--max-snap-m`; a customer joins the network by an `access` road of the snapping
  distance (at least 1 m), a depot, center or hub by its site's access leg.
- **One address, one node**: customers with the same coordinates (to 1e-6 degrees) are
  one node: parcels and pickups added per company, windows intersected (refused if they
  do not meet), service times added (each is served in turn); the node's label lists
  their ids.
- **Fleets**: each company's own; where they differ, the alliance's `joint_fleet` has
  all their vehicles at the smallest capacity and route limit and the largest costs,
  so joint delivery is never flattered. The instance's shift is the longest company
  shift (a day where none is given).
- **Without centers**: candidate sites at the intersections nearest the k-means
  centroids of the customers (k = `--candidates`, default round(2 sqrt(n)), at least
  2), each `--center-fixed-cost` CNY a day (default 100) and room for three times its
  share of the parcels; the provenance says so.

The instance carries the road file's SHA-256, the date, every setting, and "(c)
OpenStreetMap contributors, ODbL 1.0"; it passes the project's loader before it is
written. A fault is one line naming the file, the row and the field, exit 2, and
nothing is written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from lastmile.errors import InstanceError  # noqa: E402
from lastmile.model import Instance  # noqa: E402
from lastmile.readers.physics import number, read_text  # noqa: E402

ATTRIBUTION = "(c) OpenStreetMap contributors, ODbL 1.0"
#: Highway classes a delivery van drives on (OSM's `highway` tag; `_link` roads take
#: their class). Tracks, paths, footways, cycleways and private service roads are left out.
DRIVABLE = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
)
#: Free-flow speed (km/h) per class where a way has no numeric `maxspeed`: urban limits.
SPEEDS = {
    "motorway": 90.0,
    "trunk": 70.0,
    "primary": 50.0,
    "secondary": 50.0,
    "tertiary": 40.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 20.0,
    "road": 30.0,
    "access": 10.0,
}
#: Congestion coefficient per class (the study's range 1.0-1.5): heavier where traffic is.
CONGESTION = {
    "motorway": 1.3,
    "trunk": 1.3,
    "primary": 1.25,
    "secondary": 1.2,
    "tertiary": 1.15,
    "unclassified": 1.1,
    "residential": 1.05,
    "living_street": 1.0,
    "service": 1.0,
    "road": 1.1,
    "access": 1.0,
}
#: Difficulty weights per class, the study's Table 1: main, secondary and branch roads.
WEIGHTS = {
    "motorway": 0.2675,
    "trunk": 0.2675,
    "primary": 0.2675,
    "secondary": 0.2760,
    "tertiary": 0.2760,
}
BRANCH_WEIGHT = 0.4565
#: Decimal degrees to which two customers share an address (about 0.1 m).
SAME_ADDRESS = 6
ID = re.compile(r"[A-Za-z0-9_.]+")

CUSTOMERS = (("id", "company", "lat", "lon", "parcels"), ("pickups", "window_start", "window_end", "service_min"))
COMPANIES = (
    ("id", "depot_lat", "depot_lon", "vehicles", "capacity", "fixed_cost", "cost_per_km"),
    ("route_km", "shift_min"),
)
CENTERS = (("id", "lat", "lon", "fixed_cost", "capacity"), ())
HUBS = (("id", "lat", "lon", "fixed_cost", "handling_cost", "capacity"), ())


@dataclass(frozen=True)
class Settings:
    """Every choice of an import, as the provenance records it."""

    max_snap_m: float = 500.0
    candidates: int | None = None  # None: round(2 sqrt(customers)), at least 2
    center_fixed_cost: float = 100.0
    congestion: dict[str, float] = field(default_factory=dict)  # overrides of `CONGESTION`
    seed: int = 1


# --- the order files --------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One data row of a CSV file: its line number and its values by column."""

    file: str
    line: int
    values: dict[str, str]

    def text(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def number(self, column: str, *, minimum: float | None = 0.0, default: float | None = None) -> float | None:
        """An optional column's number: `default` where the column or the cell is empty."""
        raw = self.text(column)
        return default if not raw else number(self.file, f"row {self.line} {column}", raw, minimum=minimum)

    def required(self, column: str, *, minimum: float | None = 0.0) -> float:
        """A required column's number; an empty cell is refused."""
        value = self.number(column, minimum=minimum)
        if value is None:
            raise InstanceError(self.file, f"row {self.line} {column}", "is empty")
        return value


def read_rows(path: Path, columns: tuple[Sequence[str], Sequence[str]]) -> list[Row]:
    """The rows of a CSV file whose header holds every required column and no column
    that is neither required nor optional; InstanceError (file, row, field) otherwise."""
    file = str(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InstanceError(file, "header", "the file is empty") from None
    required, optional = columns
    unknown = [h for h in header if h not in (*required, *optional)]
    if unknown:
        raise InstanceError(
            file,
            "header",
            f"unknown columns {', '.join(map(repr, unknown))}: the columns are {', '.join(required)}"
            + (f" and optionally {', '.join(optional)}" if optional else ""),
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise InstanceError(file, "header", f"missing columns {', '.join(map(repr, missing))}")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise InstanceError(file, "header", f"repeated columns {', '.join(map(repr, repeated))}")
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise InstanceError(file, f"row {line}", f"{len(values)} values for {len(header)} columns")
        rows.append(Row(file, line, dict(zip(header, values, strict=True))))
    if not rows:
        raise InstanceError(file, "rows", "no data rows")
    return rows


def unique_ids(rows: list[Row], column: str = "id") -> None:
    seen: dict[str, int] = {}
    for row in rows:
        value = row.text(column)
        if not value:
            raise InstanceError(row.file, f"row {row.line} {column}", "is empty")
        if value in seen:
            raise InstanceError(row.file, f"row {row.line} {column}", f"duplicate id {value!r} (row {seen[value]})")
        seen[value] = row.line


def point(row: Row, lat: str = "lat", lon: str = "lon") -> tuple[float, float]:
    """(lon, lat) of a row, each in range."""
    y = row.required(lat, minimum=None)
    x = row.required(lon, minimum=None)
    if not -90.0 <= y <= 90.0:
        raise InstanceError(row.file, f"row {row.line} {lat}", f"{y:g} is not a latitude")
    if not -180.0 <= x <= 180.0:
        raise InstanceError(row.file, f"row {row.line} {lon}", f"{x:g} is not a longitude")
    return x, y


def safe_id(row: Row, prefix: str) -> str:
    """A location id from the row's `id`: the project's ids take letters, digits, `_`
    and `.`, so any other character becomes `_`."""
    return prefix + re.sub(r"[^A-Za-z0-9_.]", "_", row.text("id"))


# --- the road network -------------------------------------------------------------------


@dataclass(frozen=True)
class Roads:
    """The kept road network: intersections (OSM ids, lon, lat) and directed arcs."""

    ids: list[int]
    lon: np.ndarray
    lat: np.ndarray
    arcs: dict[tuple[int, int], tuple[float, str, float | None]]  # (u, v): km, class, maxspeed


def road_class(tag: object) -> str | None:
    """A way's drivable class (`DRIVABLE`), or None."""
    tags = tag if isinstance(tag, list) else [tag]
    for value in tags:
        name = str(value).removesuffix("_link")
        if name in DRIVABLE:
            return name
    return None


def speed_limit(tag: object) -> float | None:
    """A numeric `maxspeed` in km/h (mph converted), else None (`RU:urban`, `signals`, ...)."""
    values = tag if isinstance(tag, list) else [tag]
    found = []
    for value in values:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*", str(value))
        if match:
            found.append(float(match.group(1)) * (1.609344 if match.group(2) == "mph" else 1.0))
    return min(found) if found else None


def read_roads(path: Path) -> Roads:
    """The drivable network of an OSM file (module docstring), its largest strongly
    connected component."""
    import networkx as nx

    file = str(path)
    name = path.name.lower()
    try:
        if name.endswith(".osm.pbf") or name.endswith(".pbf"):
            from pyrosm import OSM

            osm = OSM(str(path))
            nodes, edges = osm.get_network(network_type="driving", nodes=True)
            if nodes is None or edges is None or len(edges) == 0:
                raise InstanceError(file, "ways", "no drivable road in the file")
            graph = osm.to_graph(nodes, edges, graph_type="networkx", osmnx_compatible=True, retain_all=True)
        elif name.endswith(".osm") or name.endswith(".osm.bz2") or name.endswith(".xml"):
            import osmnx

            graph = osmnx.graph_from_xml(path, simplify=True, retain_all=True)
        else:
            raise InstanceError(file, "", "a road file is .osm, .osm.bz2 or .osm.pbf")
    except InstanceError:
        raise
    except (OSError, ValueError, KeyError, EOFError) as exc:  # parsers' faults: the file, not us
        raise InstanceError(file, "", f"cannot read the road network ({type(exc).__name__}: {exc})") from None
    kept = nx.MultiDiGraph()
    for u, v, data in graph.edges(data=True):
        kind = road_class(data.get("highway"))
        if kind is None or u == v:
            continue
        kept.add_edge(u, v, km=float(data["length"]) / 1000.0, kind=kind, speed=speed_limit(data.get("maxspeed")))
    if kept.number_of_edges() == 0:
        raise InstanceError(file, "ways", "no drivable road in the file")
    largest = max(nx.strongly_connected_components(kept), key=len)
    arcs: dict[tuple[int, int], tuple[float, str, float | None]] = {}
    for u, v, data in kept.subgraph(largest).edges(data=True):
        if (u, v) not in arcs or data["km"] < arcs[(u, v)][0]:
            arcs[(u, v)] = (max(data["km"], 0.001), data["kind"], data["speed"])
    ids = sorted(largest)
    lon = np.array([float(graph.nodes[i]["x"]) for i in ids])
    lat = np.array([float(graph.nodes[i]["y"]) for i in ids])
    return Roads(ids, lon, lat, arcs)


class Snapper:
    """The nearest intersection of each point, on a local metric projection (k-d tree)."""

    def __init__(self, roads: Roads) -> None:
        from scipy.spatial import cKDTree

        self.lon0, self.lat0 = float(roads.lon.mean()), float(roads.lat.mean())
        self.roads = roads
        self.tree = cKDTree(self.project(roads.lon, roads.lat))
        margin_lon = 1.0 / (111.32 * max(math.cos(math.radians(self.lat0)), 1e-6))
        self.bounds = (
            roads.lon.min() - margin_lon,
            roads.lon.max() + margin_lon,
            roads.lat.min() - 1.0 / 110.57,
            roads.lat.max() + 1.0 / 110.57,
        )

    def project(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Metres east and north of the network's middle (equirectangular)."""
        x = (np.asarray(lon) - self.lon0) * 111_320.0 * math.cos(math.radians(self.lat0))
        y = (np.asarray(lat) - self.lat0) * 110_574.0
        return np.column_stack([x, y])

    def snap(self, row: Row, where: tuple[float, float], limit_m: float, fields: str) -> tuple[int, float]:
        """(index of the nearest intersection, metres to it); refused outside the
        extract (1 km around its roads) or beyond `limit_m`."""
        lon, lat = where
        west, east, south, north = self.bounds
        if not (west <= lon <= east and south <= lat <= north):
            raise InstanceError(
                row.file, f"row {row.line} {fields}", f"({lat:g}, {lon:g}) lies outside the road file's extract"
            )
        metres, k = self.tree.query(self.project([lon], [lat])[0])
        if metres > limit_m:
            raise InstanceError(
                row.file,
                f"row {row.line} {fields}",
                f"{metres:.0f} m from the nearest drivable road, beyond --max-snap-m {limit_m:g}",
            )
        return int(k), float(metres)


# --- the instance ------------------------------------------------------------------------


def vertex_id(osm_id: int) -> str:
    return f"v{osm_id}"


def build(
    roads_file: Path,
    customers_file: Path,
    companies_file: Path,
    centers_file: Path | None,
    hubs_file: Path | None,
    name: str,
    settings: Settings,
) -> dict:
    """The instance document (module docstring); InstanceError for the first fault."""
    companies = read_rows(companies_file, COMPANIES)
    unique_ids(companies)
    for row in companies:
        if not ID.fullmatch(row.text("id")) or row.text("id") == "joint":
            raise InstanceError(
                row.file, f"row {row.line} id", f"{row.text('id')!r}: letters, digits, '_' and '.' only, not 'joint'"
            )
    company_ids = {row.text("id") for row in companies}
    customers = read_rows(customers_file, CUSTOMERS)
    unique_ids(customers)
    for row in customers:
        if row.text("company") not in company_ids:
            raise InstanceError(
                row.file, f"row {row.line} company", f"{row.text('company')!r} is not in {companies_file}"
            )
    centers = read_rows(centers_file, CENTERS) if centers_file else []
    hubs = read_rows(hubs_file, HUBS) if hubs_file else []
    for rows in (centers, hubs):
        if rows:
            unique_ids(rows)
    roads = read_roads(roads_file)
    snapper = Snapper(roads)
    limit = settings.max_snap_m
    vertices_used: set[int] = set()

    def site(row: Row, prefix: str, lat: str = "lat", lon: str = "lon") -> dict:
        where = point(row, lat, lon)
        k, metres = snapper.snap(row, where, limit, f"{lat}/{lon}")
        vertices_used.add(k)
        return {
            "id": safe_id(row, prefix),
            "x": where[0],
            "y": where[1],
            "node": vertex_id(roads.ids[k]),
            "access": {"km": round(max(metres, 1.0) / 1000.0, 6), "road_type": "access"},
        }

    nodes, access_edges = _nodes(customers, snapper, roads, limit, vertices_used)
    doc_companies = []
    shifts = []
    for row in companies:
        fleet = {
            "count": _whole(row, "vehicles"),
            "capacity": row.required("capacity"),
            "fixed_cost": row.required("fixed_cost"),
            "cost_per_km": row.required("cost_per_km"),
        }
        route = row.number("route_km", default=None)
        if route is not None:
            fleet["max_route_km"] = route
        shift = row.number("shift_min", default=None)
        if shift is not None:
            shifts.append(shift)
        depot = site(row, "depot_", "depot_lat", "depot_lon")
        depot["id"] = f"depot_{row.text('id')}"
        doc_companies.append({"id": row.text("id"), "depot": depot, "fleet": fleet})
    total = sum(sum(n["demand"].values()) for n in nodes)
    proposed = not centers
    if centers:
        doc_centers = [
            site(row, "C_") | {"fixed_cost": row.required("fixed_cost"), "capacity": row.required("capacity")}
            for row in centers
        ]
    else:
        doc_centers = _proposed_centers(nodes, snapper, roads, settings, total, vertices_used)
    doc_hubs = [
        site(row, "H_")
        | {
            "fixed_cost": row.required("fixed_cost"),
            "handling_cost": row.required("handling_cost"),
            "capacity": row.required("capacity"),
        }
        for row in hubs
    ]
    congestion = CONGESTION | settings.congestion
    kinds = sorted({kind for _, kind, _ in roads.arcs.values()} | {"access"})
    doc = {
        "format": "lastmile-instance/1",
        "name": name,
        "coordinates": "wgs84",
        "distance": {"metric": "road"},
        "units": {"distance": "km", "cost": "CNY", "demand": "parcels", "time": "min"},
        "provenance": _provenance(
            roads_file, customers_file, companies_file, centers_file, hubs_file, settings, proposed
        ),
        "road_types": [
            {
                "id": kind,
                "weight": WEIGHTS.get(kind, BRANCH_WEIGHT),
                "congestion": congestion.get(kind, 1.0),
                "speed_kmh": SPEEDS.get(kind, 30.0),
                "description": "the access from a point to its nearest road" if kind == "access" else f"OSM {kind}",
            }
            for kind in kinds
        ],
        "companies": doc_companies,
        "centers": doc_centers,
        "nodes": nodes,
        "road_vertices": [
            {"id": vertex_id(i), "x": float(x), "y": float(y)}
            for i, x, y in zip(roads.ids, roads.lon, roads.lat, strict=True)
        ],
        "edges": _edges(roads) + access_edges,
    }
    if shifts:
        doc["shift_min"] = max(shifts)
    joint = _joint_fleet([c["fleet"] for c in doc_companies])
    if joint is not None:
        doc["joint_fleet"] = joint
    if doc_hubs:
        doc["hubs"] = doc_hubs
    return doc


def _whole(row: Row, column: str) -> int:
    value = row.required(column)
    if value != int(value) or value < 1:
        raise InstanceError(row.file, f"row {row.line} {column}", f"{value:g}: a whole number, 1 or more")
    return int(value)


def _nodes(
    customers: list[Row], snapper: Snapper, roads: Roads, limit: float, used: set[int]
) -> tuple[list[dict], list[dict]]:
    """One node per address (module docstring), each joined to its intersection."""
    by_address: dict[tuple[float, float], list[Row]] = {}
    for row in customers:
        lon, lat = point(row)
        by_address.setdefault((round(lon, SAME_ADDRESS), round(lat, SAME_ADDRESS)), []).append(row)
    nodes, edges = [], []
    for k, ((lon, lat), rows) in enumerate(by_address.items(), start=1):
        demand: dict[str, float] = {}
        pickup: dict[str, float] = {}
        early, late, service = -math.inf, math.inf, 0.0
        windowed = False
        for row in rows:
            company = row.text("company")
            demand[company] = demand.get(company, 0.0) + row.required("parcels")
            picked = row.number("pickups", default=0.0) or 0.0
            if picked:
                pickup[company] = pickup.get(company, 0.0) + picked
            start = row.number("window_start", default=None)
            end = row.number("window_end", default=None)
            if (start is None) != (end is None):
                raise InstanceError(row.file, f"row {row.line} window_end", "window_start and window_end go together")
            if start is not None and end is not None:
                if start > end:
                    raise InstanceError(row.file, f"row {row.line} window_start", f"opens at {start:g} after {end:g}")
                early, late, windowed = max(early, start), min(late, end), True
                if early > late:
                    raise InstanceError(
                        row.file,
                        f"row {row.line} window_start",
                        f"its window does not meet the other windows at its address (row {rows[0].line})",
                    )
            service += row.number("service_min", default=0.0) or 0.0
        vertex, metres = snapper.snap(rows[0], (lon, lat), limit, "lat/lon")
        used.add(vertex)
        node: dict[str, object] = {
            "id": f"n{k}",
            "x": lon,
            "y": lat,
            "demand": demand,
            "label": ", ".join(r.text("id") for r in rows),
        }
        if pickup:
            node["pickup"] = pickup
        if windowed:
            node["time_window"] = [early, late]
        if service:
            node["service_time"] = service
        nodes.append(node)
        length = round(max(metres, 1.0) / 1000.0, 6)
        edges.append({"u": f"n{k}", "v": vertex_id(roads.ids[vertex]), "road_type": "access", "length_km": length})
    return nodes, edges


def _edges(roads: Roads) -> list[dict]:
    """The road arcs as edges: one two-way edge where both directions have the same
    length and class, else one one-way edge per direction."""
    out = []
    for (u, v), (km, kind, speed) in sorted(roads.arcs.items()):
        back = roads.arcs.get((v, u))
        twin = back is not None and abs(back[0] - km) < 1e-9 and back[1] == kind and back[2] == speed
        if twin and u > v:
            continue  # written once, from the smaller id
        edge: dict[str, object] = {"u": vertex_id(u), "v": vertex_id(v), "road_type": kind, "length_km": round(km, 6)}
        if not twin:
            edge["oneway"] = True
        if speed is not None:
            edge["speed_kmh"] = speed
        out.append(edge)
    return out


def _proposed_centers(
    nodes: list[dict], snapper: Snapper, roads: Roads, settings: Settings, total: float, used: set[int]
) -> list[dict]:
    """Candidate centers at the intersections nearest the k-means centroids of the
    customers (module docstring)."""
    from sklearn.cluster import KMeans

    xy = snapper.project(np.array([n["x"] for n in nodes]), np.array([n["y"] for n in nodes]))
    k = settings.candidates or max(2, round(2 * math.sqrt(len(nodes))))
    k = min(k, len(nodes))
    model = KMeans(n_clusters=k, n_init=4, random_state=settings.seed).fit(xy)
    _, nearest = snapper.tree.query(model.cluster_centers_)
    room = math.ceil(3 * total / k)
    out = []
    for c, index in enumerate(dict.fromkeys(int(i) for i in nearest), start=1):
        used.add(index)
        out.append(
            {
                "id": f"C{c}",
                "x": float(roads.lon[index]),
                "y": float(roads.lat[index]),
                "node": vertex_id(roads.ids[index]),
                "access": {"km": 0.001, "road_type": "access"},
                "fixed_cost": settings.center_fixed_cost,
                "capacity": room,
            }
        )
    return out


def _joint_fleet(fleets: list[dict]) -> dict | None:
    """Where the companies' vehicles differ, the alliance's own (module docstring)."""
    kinds = {(f["capacity"], f["fixed_cost"], f["cost_per_km"], f.get("max_route_km")) for f in fleets}
    if len(kinds) == 1:
        return None
    joint = {
        "count": sum(f["count"] for f in fleets),
        "capacity": min(f["capacity"] for f in fleets),
        "fixed_cost": max(f["fixed_cost"] for f in fleets),
        "cost_per_km": max(f["cost_per_km"] for f in fleets),
    }
    limits = [f["max_route_km"] for f in fleets if "max_route_km" in f]
    if limits:
        joint["max_route_km"] = min(limits)
    return joint


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _provenance(
    roads: Path,
    customers: Path,
    companies: Path,
    centers: Path | None,
    hubs: Path | None,
    settings: Settings,
    proposed: bool,
) -> dict:
    files = [p for p in (roads, customers, companies, centers, hubs) if p is not None]
    overridden = f", overridden: {json.dumps(settings.congestion)}" if settings.congestion else ""
    synthetic = [
        "road speeds where a way has no numeric maxspeed (instances/from_osm.py SPEEDS), congestion coefficients "
        f"per road class (CONGESTION{overridden}), difficulty weights per class from the Xiqing study's Table 1"
    ]
    if proposed:
        k = settings.candidates or "round(2 sqrt(n))"
        synthetic.append(
            f"candidate centers: no centers file, so k-means on the customers (k = {k}, seed {settings.seed}) at the "
            f"nearest intersections, {settings.center_fixed_cost:g} CNY a day each, room for three times their share "
            "of the parcels"
        )
    return {
        "summary": f"imported by instances/from_osm.py on {datetime.now(UTC).date().isoformat()}; {ATTRIBUTION}",
        "real": [f"road network from {roads.name} (sha256 {_sha256(roads)}), {ATTRIBUTION}"]
        + [f"{p.name} (sha256 {_sha256(p)})" for p in files[1:]],
        "synthetic": synthetic,
        "sources": [str(p) for p in files],
        "generator": "instances/from_osm.py " + json.dumps(settings.__dict__, sort_keys=True),
    }


def checked(text: str, file: str) -> Instance:
    """The instance as the project's loader reads and checks it (`load_instance`'s
    checks: the format, the physics, the memory it needs, every node reachable)."""
    from lastmile.memory import check_memory
    from lastmile.readers.json_format import parse_json_instance
    from lastmile.readers.physics import check_instance, check_reachable

    instance = parse_json_instance(text, file)
    check_instance(instance)
    check_memory(instance)
    check_reachable(instance)
    return instance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roads", type=Path, required=True, help="OpenStreetMap extract: .osm, .osm.bz2 or .osm.pbf")
    parser.add_argument("--customers", type=Path, required=True)
    parser.add_argument("--companies", type=Path, required=True)
    parser.add_argument("--centers", type=Path, help="candidate centers (default: proposed by k-means)")
    parser.add_argument("--hubs", type=Path, help="candidate hubs of the hub line-haul design")
    parser.add_argument("--out", type=Path, required=True, help="the instance file to write (.json)")
    parser.add_argument("--name", help="the instance's name (default: the --out file's stem)")
    parser.add_argument("--max-snap-m", type=float, default=Settings.max_snap_m)
    parser.add_argument("--candidates", type=int, help="candidate centers to propose without --centers")
    parser.add_argument("--center-fixed-cost", type=float, default=Settings.center_fixed_cost)
    parser.add_argument("--congestion", nargs="*", default=[], metavar="CLASS=VALUE")
    args = parser.parse_args(argv)
    try:
        overrides = {}
        for item in args.congestion:
            kind, _, value = item.partition("=")
            overrides[kind] = number("(command line)", f"--congestion {kind}", value, minimum=1.0)
        name = args.name or args.out.stem.replace(".", "_")
        settings = Settings(args.max_snap_m, args.candidates, args.center_fixed_cost, overrides)
        doc = build(args.roads, args.customers, args.companies, args.centers, args.hubs, name, settings)
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
        instance = checked(text, str(args.out))
    except InstanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from experiments.output import write_atomic

    write_atomic(args.out, text)
    print(
        f"wrote {args.out}: {len(instance.nodes)} nodes ({len(doc['road_vertices'])} road intersections), "
        f"{len(instance.companies)} companies, {len(instance.centers)} candidate centers"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
