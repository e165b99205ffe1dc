"""Build the shipped instances `xiqing.json` and `lingshan.json`, byte for byte.

    python instances/generate.py            # (re)write both files
    python instances/generate.py --check    # exit 1 if the files differ from a rebuild

Both are synthetic reconstructions. What is real is kept in the tables below, each
with its source; everything else comes from one seeded `numpy.random.Generator` per
instance and the rules written here. Each file's `provenance` field repeats this.

Real facts used (read from the project's reference folder `shared/geo/`, itself from
Vonng/adcode (Amap centers, GCJ-02) and NBS 2016 village counts, and from the
Xiqing study, seeds/002):
- Xiqing: town seats and community points inside the study's bounding box, the seven
  node coordinates of the study's Table 6, 86 nodes, 134 edges, 3 road types with
  their weights (Table 1), 4 companies with fleets 3/3/2/3 at 100 CNY per vehicle and
  about 2.08 CNY/km (Table 8), e_f = 0.24 kg CO2/km (Eq. 18).
- Ling Shan: the 19 township units (2 subdistricts, 17 towns) with their seats and
  2016 village (村委会) counts, the county seat, the 53% village service-point
  coverage and the 10 express companies of seeds/004.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import networkx as nx
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lastmile.cost import CostBreakdown  # noqa: E402
from lastmile.distances import haversine_km  # noqa: E402
from lastmile.model import DEFAULT_EMISSION_FACTOR  # noqa: E402
from lastmile.readers.json_format import parse_json_instance  # noqa: E402

XIQING_SEED = 20_240_601
LINGSHAN_SEED = 20_210_450

# --- Xiqing ------------------------------------------------------------------------

XIQING_BOX = ((117.00, 117.10), (39.09, 39.15))

#: Table 6 of the study: node number -> (longitude, latitude), kept exactly.
XIQING_TABLE6 = {
    "2": (117.0601, 39.1021),
    "9": (117.0993, 39.0978),
    "29": (117.0825, 39.1171),
    "48": (117.0300, 39.1419),
    "54": (117.0177, 39.1355),
    "55": (117.0323, 39.1275),
    "57": (117.0303, 39.1245),
}

#: Cluster anchors: real seats and community points inside the box (geo/, GCJ-02),
#: and two of the study's Table 6 nodes for the south of the box, which has none.
XIQING_ANCHORS = (
    ("Zhongbei", 117.091798, 39.126226, "Zhongbei town seat"),
    ("Yangliuqing", 117.015214, 39.128392, "Yangliuqing town seat"),
    ("Wangzhuang", 117.059844, 39.143417, "Wangzhuang village committee"),
    ("Shiliujie", 117.043653, 39.144826, "Shiliujie village committee"),
    ("Xiezhuang", 117.038764, 39.129408, "Xiezhuang village committee"),
    ("Dongmazhuang", 117.030249, 39.114946, "Dongmazhuang village committee"),
    ("Xibeixie", 117.065735, 39.120798, "Xibeixie village committee"),
    ("Huatingjiayuan", 117.075391, 39.121897, "Huatingjiayuan community"),
    ("Shijixinyuan", 117.015693, 39.139038, "Shijixinyuan community"),
    ("South-2", 117.0601, 39.1021, "Table 6 node 2"),
    ("South-9", 117.0993, 39.0978, "Table 6 node 9"),
)

XIQING_ROAD_TYPES = (
    # id, weight (study Table 1), congestion coefficient (chosen: see provenance)
    ("main", 0.2675, 1.025, "Type 1: main roads, good road conditions"),
    ("secondary", 0.2760, 1.025, "Type 2: secondary roads, moderate congestion"),
    ("branch", 0.4565, 1.03, "Type 3: branch roads, high delivery difficulty"),
)

XIQING_COMPANIES = (("A", 3), ("S", 3), ("J", 2), ("C", 3))  # fleets, study Table 8

#: Table 8, each company's independent delivery: vehicles (C1 / 100 CNY), C2, C3 (CNY), E (kg CO2).
XIQING_TABLE8 = {
    "A": (3, 504.03, 12.83, 58.2),
    "S": (3, 532.32, 13.54, 61.3),
    "J": (2, 448.65, 11.42, 47.3),
    "C": (3, 571.97, 14.58, 64.7),
}
#: Compass bearing from the district to each company's sorting warehouse (synthetic: the
#: study names none; spread round the district so no two share an access road).
XIQING_DEPOT_BEARINGS = {"A": 315.0, "S": 225.0, "J": 45.0, "C": 135.0}
#: Road km per straight-line km of an access road, to place a warehouse on the map.
ACCESS_CIRCUITY = 1.3
#: Vehicle capacity: this share above an even split of the company's parcels over its
#: fleet, rounded up to 10 parcels, so the whole fleet is needed (Table 8: C1 = 100 x
#: fleet) and a solver still has room to split the load.
CAPACITY_HEADROOM = 0.10
#: A light truck's day; above every calibrated route (about 100 km), so it never binds.
XIQING_MAX_ROUTE_KM = 150
#: The strongest solver (PyVRP) on a deterministic budget, so a rebuild is byte for byte.
CALIBRATION_SOLVER = "pyvrp"
CALIBRATION_ITERATIONS = 2000
CALIBRATION_ROUNDS = 4  # access-road updates at most; each closes the km gap exactly when the routes stay
CALIBRATION_TOLERANCE = 0.01  # relative km gap at which the access road is left as it is
#: Time windows (minutes after the 8:00 start): 30% of nodes by the morning close, 20%
#: from 180, the rest all day. The morning close is set so that independent delivery,
#: which plans without windows (`independent_windows`), meets 80-92% of them in the
#: day simulation at the default travel noise; joint delivery plans to them.
XIQING_MORNING_CLOSE = 260
#: The alliance's shared vehicles: 12, the study's joint C1 = 1200 CNY at 100 CNY each;
#: 300 parcels (the file's former common vehicle), Table 8's 2.08 CNY/km, 80 km a day.
XIQING_JOINT_FLEET = {"count": 12, "capacity": 300, "fixed_cost": 100, "cost_per_km": 2.08, "max_route_km": 80}
#: Line-haul truck, depot -> centers (assumed, the study has none): a 4-8 t diesel
#: truck, 1,500 parcels, 150 CNY per truck-day, 3.0 CNY/km, 18 L/100 km x 2.68 kg CO2/L.
LINE_HAUL_TRUCK = {"capacity": 1500, "fixed_cost": 150, "cost_per_km": 3.0, "emission_factor": 0.48}
#: Cross-dock hub candidates of the `hub` line-haul design (issue 30; assumed, the study
#: has none): one where each company's access road meets the district's main roads (its
#: entry node at the district's edge), a leased cross-dock bay at 300 CNY a day (rent and
#: two sorting staff) and 0.10 CNY per parcel handled (sorting labour), unlimited. The
#: alliance's shuttle trucks from the hub to the centers are the line-haul truck above.
XIQING_HUB = {"fixed_cost": 300, "handling_cost": 0.1}

# --- Ling Shan ---------------------------------------------------------------------

#: code, pinyin, seat longitude, seat latitude (GCJ-02), village committees 2016.
LINGSHAN_TOWNS = (
    ("450721001", "ling cheng", 109.29982, 22.42363, 6),
    ("450721002", "san hai", 109.26920, 22.39984, 16),
    ("450721101", "xin xu", 109.292775, 22.379041, 31),
    ("450721102", "feng tang", 109.313903, 22.564039, 18),
    ("450721103", "ping shan", 109.436497, 22.51079, 17),
    ("450721104", "shi tang", 109.50857, 22.581958, 17),
    ("450721105", "fo zi", 109.379772, 22.439792, 17),
    ("450721106", "ping nan", 109.213165, 22.510369, 19),
    ("450721107", "yan dun", 109.084675, 22.476778, 20),
    ("450721108", "tan xu", 109.205083, 22.340005, 23),
    ("450721109", "na long", 109.109464, 22.327021, 30),
    ("450721110", "san long", 109.036603, 22.279803, 17),
    ("450721111", "lu wu", 108.950959, 22.277446, 29),
    ("450721112", "jiu zhou", 108.941286, 22.395678, 29),
    ("450721113", "tai ping", 108.811828, 22.430132, 29),
    ("450721114", "sha ping", 108.967301, 22.51801, 14),
    ("450721115", "wu li", 109.239885, 22.162868, 19),
    ("450721116", "wen li", 109.262708, 22.01879, 15),
    ("450721117", "bo lao", 109.10983, 22.10805, 21),
)
LINGSHAN_COUNTY_SEAT = (109.291006, 22.416536)
LINGSHAN_SERVICE_POINT_SHARE = 0.53  # seeds/004: 53% of villages have a service point
LINGSHAN_COMPANIES = 10
# Vehicles per company: enough that every company can serve its villages alone within the
# 250 km route limit (independent delivery); unused vehicles cost nothing.
LINGSHAN_FLEET = 6
#: Status quo (seed 004, 2.3.1): a village service point's staff fetch its parcels from
#: the town every day. Assumed vehicle: a motor tricycle, 0.5 CNY/km (fuel and wear),
#: 20 CNY a trip (about an hour of a rural worker's time), 2.5 L/100 km petrol x 2.3 kg
#: CO2/L = 0.06 kg CO2/km, no capacity limit for a village's few parcels.
LINGSHAN_FEEDER = {"fixed_cost": 20, "cost_per_km": 0.5, "emission_factor": 0.06}
#: The alliance (seed 004, 3.2): one county center, "a joint storage center and a
#: terminal joint distribution alliance logistics center" (candidates: county seat and
#: three town seats).
LINGSHAN_ALLIANCE_CENTERS = 1
#: Line-haul from a company's county depot to the alliance center, 1-2 km away in the
#: county seat (assumed): a van shuttle, 30 CNY a trip (about an hour of van and driver,
#: not a truck-day), 1.8 CNY/km and 0.24 kg CO2/km like the county's delivery vehicles,
#: 1,000 parcels.
LINGSHAN_LINE_HAUL = {"capacity": 1000, "fixed_cost": 30, "cost_per_km": 1.8, "emission_factor": 0.24}
#: The `hub` design's candidate (issue 30; assumed): a cross-dock in the county seat, 200
#: CNY a day and 0.10 CNY per parcel handled; its shuttles are the line-haul van above.
LINGSHAN_HUB = {"fixed_cost": 200, "handling_cost": 0.1}

KM_PER_DEG_LAT = 111.195


def _r(value: float, digits: int = 6) -> float:
    return round(float(value), digits)


def _offset(lon: float, lat: float, east_km: float, north_km: float) -> tuple[float, float]:
    return lon + east_km / (KM_PER_DEG_LAT * math.cos(math.radians(lat))), lat + north_km / KM_PER_DEG_LAT


def _features(rng: np.random.Generator, profile: dict[str, int]) -> dict[str, float | int]:
    """Community features near a cluster's profile (ranges of the study's Table 4)."""
    return {
        "main_type": int(profile["main_type"] if rng.random() < 0.8 else rng.integers(1, 4)),
        "residential_areas": int(np.clip(profile["residential_areas"] + rng.integers(-2, 3), 1, 15)),
        "buildings": int(np.clip(profile["buildings"] + rng.integers(-60, 61), 60, 430)),
        "coverage_km2": _r(np.clip(profile["coverage"] / 10 + rng.normal(0, 0.4), 1.0, 4.5), 1),
        "density_level": int(profile["density_level"] if rng.random() < 0.75 else rng.integers(1, 4)),
        "age_level": int(profile["age_level"] if rng.random() < 0.75 else rng.integers(1, 4)),
        "subway_stations": int(np.clip(profile["subway_stations"] + rng.integers(-1, 2), 0, 3)),
    }


def xiqing() -> dict:
    rng = np.random.default_rng(XIQING_SEED)
    (lon_lo, lon_hi), (lat_lo, lat_hi) = XIQING_BOX
    anchors = np.array([(a[1], a[2]) for a in XIQING_ANCHORS])
    n_clusters = len(anchors)
    # The seven Table 6 nodes join their nearest anchor; 79 more are drawn around anchors.
    cluster_of: dict[str, int] = {}
    coords: dict[str, tuple[float, float]] = {}
    for node_id, xy in XIQING_TABLE6.items():
        coords[node_id] = xy
        cluster_of[node_id] = int(np.argmin(haversine_km(np.array([xy]), anchors)[0]))
    sizes = np.full(n_clusters, 7)
    sizes[rng.choice(n_clusters, size=86 - len(XIQING_TABLE6) - sizes.sum(), replace=False)] += 1
    free_ids = iter(str(k) for k in range(1, 87) if str(k) not in XIQING_TABLE6)
    for c, (lon, lat) in enumerate(anchors):
        for _ in range(sizes[c]):
            node_id = next(free_ids)
            east, north = rng.normal(0.0, 0.45, size=2)
            x, y = _offset(lon, lat, east, north)
            coords[node_id] = (_r(np.clip(x, lon_lo, lon_hi)), _r(np.clip(y, lat_lo, lat_hi)))
            cluster_of[node_id] = c
    ids = [str(k) for k in range(1, 87)]
    xy = np.array([coords[i] for i in ids])
    dist = haversine_km(xy, xy)
    pos = {node_id: k for k, node_id in enumerate(ids)}

    # Road network: a spanning tree inside each cluster, a tree of main roads between
    # clusters, then the shortest missing links until there are 134 edges.
    edges: dict[tuple[str, str], str] = {}
    for c in range(n_clusters):
        members = [i for i in ids if cluster_of[i] == c]
        graph = nx.Graph()
        graph.add_nodes_from(members)
        graph.add_weighted_edges_from((a, b, dist[pos[a], pos[b]]) for a in members for b in members if a < b)
        for a, b in nx.minimum_spanning_edges(graph, data=False):
            edges[tuple(sorted((a, b)))] = "secondary"

    def closest_pair(c1: int, c2: int) -> tuple[str, str]:
        pairs = [(dist[pos[a], pos[b]], a, b) for a in ids if cluster_of[a] == c1 for b in ids if cluster_of[b] == c2]
        _, a, b = min(pairs)
        return tuple(sorted((a, b)))

    between = nx.Graph()
    for c1 in range(n_clusters):
        for c2 in range(c1 + 1, n_clusters):
            a, b = closest_pair(c1, c2)
            between.add_edge(c1, c2, weight=dist[pos[a], pos[b]], pair=(a, b))
    tree = list(nx.minimum_spanning_edges(between, data=True))
    for _, _, data in tree:
        edges[data["pair"]] = "main"
    in_tree = {(min(a, b), max(a, b)) for a, b, _ in tree}
    spare_between = sorted(
        (data["weight"], data["pair"])
        for a, b, data in between.edges(data=True)
        if (min(a, b), max(a, b)) not in in_tree
    )
    for _, pair in spare_between[:6]:
        edges[pair] = "main"
    candidates = sorted(
        (dist[pos[a], pos[b]], a, b)
        for a in ids
        for b in ids
        if a < b and cluster_of[a] == cluster_of[b] and (a, b) not in edges
    )
    for _, a, b in candidates[: 134 - len(edges)]:
        edges[(a, b)] = "branch"
    assert len(edges) == 134, len(edges)

    profiles = [
        {
            "main_type": int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2])),
            "residential_areas": int(rng.integers(4, 13)),
            "buildings": int(rng.integers(90, 400)),
            "coverage": int(rng.integers(14, 42)),
            "density_level": int(rng.integers(1, 4)),
            "age_level": int(rng.integers(1, 4)),
            "subway_stations": int(rng.integers(0, 3)),
        }
        for _ in range(n_clusters)
    ]
    companies = [c for c, _ in XIQING_COMPANIES]
    nodes = []
    for node_id in ids:
        c = cluster_of[node_id]
        serving = [k for k in companies if rng.random() < 0.6] or [companies[int(rng.integers(len(companies)))]]
        demand = {k: int(rng.integers(3, 15)) for k in serving}
        pickup = {k: int(rng.integers(1, 4)) for k in serving if rng.random() < 0.4}
        window = [[0, XIQING_MORNING_CLOSE], [180, 600], [0, 600]][int(rng.choice(3, p=[0.3, 0.2, 0.5]))]
        node = {
            "id": node_id,
            "label": f"{XIQING_ANCHORS[c][0]} cluster",
            "x": coords[node_id][0],
            "y": coords[node_id][1],
            "demand": demand,
            "time_window": window,
            "service_time": 5,
            "features": _features(rng, profiles[c]),
        }
        if pickup:
            node["pickup"] = pickup
        nodes.append(node)

    # Candidate centers: per cluster, the node nearest its centroid and one more.
    centers = []
    for c in range(n_clusters):
        members = [i for i in ids if cluster_of[i] == c]
        centroid = xy[[pos[i] for i in members]].mean(axis=0)
        nearest = min(members, key=lambda i: float(haversine_km(np.array([centroid]), xy[[pos[i]]])[0, 0]))
        other = str(rng.choice([i for i in members if i != nearest]))
        for node_id in (nearest, other):
            centers.append(
                {
                    "id": f"DC{len(centers) + 1}",
                    "node": node_id,
                    "x": coords[node_id][0],
                    "y": coords[node_id][1],
                    "fixed_cost": 100,
                    "capacity": 600,
                }
            )
    # The draw that once placed the depots inside the district, kept so that the edge
    # lengths drawn after it stay the same.
    rng.choice(ids, size=len(companies), replace=False)
    doc = {
        "format": "lastmile-instance/1",
        "name": "xiqing",
        "description": "Xiqing District, Tianjin: 86 delivery nodes of 4 express companies (synthetic reconstruction)",
        "coordinates": "gcj02",
        "distance": {"metric": "road"},
        "units": {"distance": "km", "cost": "CNY", "demand": "parcels/day", "time": "min", "emissions": "kg CO2"},
        "provenance": {
            "summary": "Synthetic reconstruction of the Xiqing study (seeds/002) on real anchor points; "
            "only the facts listed under 'real' come from sources.",
            "real": [
                "node, edge, company and road-type counts, road-type weights (study Tables 1-2)",
                "fleets A 3, S 3, J 2, C 3 at 100 CNY/vehicle-day, e_f 0.24 kg CO2/km (Table 8, Eq. 18); "
                "cost per km 2.08/2.08/2.28/2.12 CNY (A/S/J/C: Table 8's C2 / (E / e_f))",
                "targets of the calibration: each company's Table 8 row (vehicles, C2, E; C3 about 2.5% of C2)",
                "coordinates of nodes 2, 9, 29, 48, 54, 55, 57 (Table 6)",
                "cluster anchors: Zhongbei and Yangliuqing town seats and 7 community points (Amap via "
                "Vonng/adcode, GCJ-02), bounding box 117.00-117.10 E, 39.09-39.15 N",
            ],
            "synthetic": [
                "79 of the 86 node positions (the other 7 are Table 6's: see 'real'): normal, sd 0.45 km, "
                "around 11 anchors, clipped to the box",
                "road network: per-cluster spanning trees, 16 main roads between clusters, shortest extra "
                "links as branch roads; lengths = great-circle km x U(1.15, 1.45)",
                "congestion coefficients 1.025/1.025/1.03 (main/secondary/branch), chosen so congestion adds "
                "about 2.5% to transport cost as C3/C2 does in Table 8",
                "demand (each company serves a node with p 0.6, 3-14 parcels), pickups (p 0.4, 1-3 parcels), "
                "service times 5 min",
                f"time windows (min after the shift start): 30% of nodes [0, {XIQING_MORNING_CLOSE}], 20% "
                "[180, 600], 50% [0, 600]; the morning close is chosen so that independent delivery, which "
                "plans without windows (independent_windows = false), meets 80-92% of them in the day "
                "simulation at the default travel noise, while joint delivery plans to them",
                "company depots (sorting warehouses) outside the district: on a bearing of 315/225/45/135 "
                "degrees (A/S/J/C), joined to the district's outermost node that way by an access road of "
                "calibrated length (main road); vehicle capacity and access roads calibrated (see "
                "'calibration'), route limit 150 km",
                "alliance fleet: 12 vehicles (Table 8's joint C1 = 1200 CNY at 100 CNY), 300 parcels, "
                "2.08 CNY/km, 80 km a day",
                "line-haul truck (depot to centers, assumed): 1,500 parcels, 150 CNY/truck-day, 3.0 CNY/km, "
                "0.48 kg CO2/km (18 L/100 km diesel)",
                "candidate centers (2 per cluster, at nodes; 100 CNY/day, 600 parcels), "
                "community features (cluster profiles with noise), parcel_km_cost",
            ],
            "sources": [
                "seeds/002 (Xiqing study)",
                "shared/geo/120111_xiqing_towns.csv",
                "shared/geo/120111_xiqing_villages_2016.csv",
            ],
            "generator": "instances/generate.py",
            "seed": XIQING_SEED,
        },
        "emission_factor": 0.24,
        "speed_kmh": 25,
        "parcel_km_cost": 0.05,
        "road_types": [{"id": i, "weight": w, "congestion": k, "description": d} for i, w, k, d in XIQING_ROAD_TYPES],
        "independent_windows": False,
        "companies": [_xiqing_company(company, count, nodes, coords) for company, count in XIQING_COMPANIES],
        "joint_fleet": XIQING_JOINT_FLEET,
        "line_haul": LINE_HAUL_TRUCK,
        "centers": centers,
        "nodes": nodes,
        "edges": [
            {"u": a, "v": b, "road_type": kind, "length_km": _r(dist[pos[a], pos[b]] * rng.uniform(1.15, 1.45), 3)}
            for (a, b), kind in sorted(edges.items(), key=lambda e: (int(e[0][0]), int(e[0][1])))
        ],
    }
    calibrate_xiqing(doc)
    at = {n["id"]: n for n in doc["nodes"]}
    doc["hubs"] = [
        {"id": f"hub_{c['id']}", "node": (e := c["depot"]["node"]), "x": at[e]["x"], "y": at[e]["y"], **XIQING_HUB}
        for c in doc["companies"]
    ]
    doc["shuttle"] = LINE_HAUL_TRUCK
    doc["provenance"]["synthetic"].append(
        "hub candidates (line-haul design 'hub', assumed): where each company's access road enters the district, "
        "300 CNY a day, 0.10 CNY per parcel handled; shuttles from the hub are the line-haul truck"
    )
    return doc


def _xiqing_company(company: str, count: int, nodes: list[dict], coords: dict[str, tuple[float, float]]) -> dict:
    """A company before calibration: its warehouse at its entry node (access road
    still to size), Table 8's cost per km, a capacity that needs the whole fleet."""
    _, transport, _, emissions = XIQING_TABLE8[company]
    bearing = math.radians(XIQING_DEPOT_BEARINGS[company])
    east, north = math.sin(bearing), math.cos(bearing)
    lon0 = float(np.mean([xy[0] for xy in coords.values()]))
    lat0 = float(np.mean([xy[1] for xy in coords.values()]))
    scale = KM_PER_DEG_LAT * math.cos(math.radians(lat0))
    entry = max(
        sorted(coords),
        key=lambda i: (coords[i][0] - lon0) * scale * east + (coords[i][1] - lat0) * KM_PER_DEG_LAT * north,
    )
    parcels = sum(n["demand"].get(company, 0) for n in nodes)
    capacity = math.ceil((1 + CAPACITY_HEADROOM) * parcels / count / 10) * 10
    return {
        "id": company,
        "name": f"Express company {company}",
        "depot": {"id": f"depot_{company}", "node": entry, "x": coords[entry][0], "y": coords[entry][1]},
        "fleet": {
            "count": count,
            "capacity": capacity,
            "fixed_cost": 100,
            "cost_per_km": round(transport / (emissions / DEFAULT_EMISSION_FACTOR), 2),
            "max_route_km": XIQING_MAX_ROUTE_KM,
        },
    }


def calibrate_xiqing(doc: dict) -> None:
    """Size each company's warehouse access road so that its independent plan, solved by
    `CALIBRATION_SOLVER` on `CALIBRATION_ITERATIONS`, drives Table 8's km (E / e_f);
    record every calibrated parameter with its target and the value reached in the
    provenance. Each round moves the access road by the km gap over twice the fleet
    (every vehicle is used: the capacity sees to it), which closes the gap exactly while
    the routes inside the district stay the same."""
    from experiments.solvers import solve  # the solvers only where calibration needs them
    from lastmile.routing import RoutingProblem

    entries = {c["id"]: (c["depot"]["x"], c["depot"]["y"]) for c in doc["companies"]}
    access = {c["id"]: 0.0 for c in doc["companies"]}
    reached: dict[str, CostBreakdown] = {}
    for _ in range(CALIBRATION_ROUNDS):
        for company in doc["companies"]:
            depot = company["depot"]
            lon, lat = entries[company["id"]]
            bearing = math.radians(XIQING_DEPOT_BEARINGS[company["id"]])
            straight = max(access[company["id"]], 0.1) / ACCESS_CIRCUITY
            x, y = _offset(lon, lat, straight * math.sin(bearing), straight * math.cos(bearing))
            depot.update(
                x=_r(x), y=_r(y), access={"km": max(round(access[company["id"]], 1), 0.1), "road_type": "main"}
            )
        instance = parse_json_instance(render(doc), "xiqing.json")
        moved = False
        for company in instance.companies:
            count, _, _, emissions = XIQING_TABLE8[company.id]
            target = emissions / instance.emission_factor
            problem = RoutingProblem.whole(instance, company.id)
            result = solve(
                CALIBRATION_SOLVER, problem, time_limit=60.0, seed=XIQING_SEED, iterations=CALIBRATION_ITERATIONS
            )
            if result.cost is None:
                raise RuntimeError(f"calibration: {CALIBRATION_SOLVER} found no plan for company {company.id}")
            cost = result.cost  # the shared cost of the plan, on the problem's scope
            reached[company.id] = cost
            if abs(cost.km - target) > CALIBRATION_TOLERANCE * target:
                access[company.id] += (target - cost.km) / (2 * count)
                moved = True
        if not moved:
            break
    doc["provenance"]["calibration"] = _calibration_lines(doc, reached)


def _calibration_lines(doc: dict, reached: dict[str, CostBreakdown]) -> list[str]:
    """Every calibrated parameter, its target and the value reached."""
    budget = f"{CALIBRATION_SOLVER}, {CALIBRATION_ITERATIONS} iterations, seed {XIQING_SEED}"
    lines = [f"reached = each company's independent plan by {budget}"]
    for company in doc["companies"]:
        key, fleet = company["id"], company["fleet"]
        count, transport, congestion, emissions = XIQING_TABLE8[key]
        cost = reached[key]
        km = emissions / doc["emission_factor"]
        used = len(cost.routes)
        lines += [
            f"{key} warehouse access road {company['depot']['access']['km']} km: target km {km:.1f} "
            f"(Table 8 E {emissions} / {doc['emission_factor']}), reached {cost.km:.1f} km "
            f"({cost.km / km - 1:+.1%}), E {cost.co2_kg:.1f} kg",
            f"{key} vehicle capacity {fleet['capacity']:g} parcels: target {count} vehicles used "
            f"(C1 {100 * count}), reached {used} (C1 {cost.vehicle_fixed:g})",
            f"{key} cost per km {fleet['cost_per_km']} CNY: target C2 {transport}, reached "
            f"{cost.transport:.2f} ({cost.transport / transport - 1:+.1%})",
            f"{key} congestion (main-road coefficient 1.025): target C3 {congestion} "
            f"({congestion / transport:.2%} of C2), reached {cost.congestion:.2f} "
            f"({cost.congestion / cost.transport:.2%} of C2)",
        ]
    return lines


def lingshan() -> dict:
    rng = np.random.default_rng(LINGSHAN_SEED)
    companies = [f"K{k:02d}" for k in range(1, LINGSHAN_COMPANIES + 1)]
    nodes = []
    for code, pinyin, lon, lat, villages in LINGSHAN_TOWNS:
        town = pinyin.replace(" ", "")
        serving = [companies[0]] + [k for k in companies[1:] if rng.random() < 0.7]
        nodes.append(
            {
                "id": town,
                "label": f"{pinyin} township service center ({code})",
                "x": lon,
                "y": lat,
                "demand": {k: int(rng.integers(2, 8)) for k in serving},
                "pickup": {k: int(rng.integers(1, 5)) for k in serving if rng.random() < 0.5},
                "service_time": 15,
            }
        )
        radius = 3.0 if code.endswith("001") else 8.0  # the county-seat subdistrict is compact
        for v in range(1, round(LINGSHAN_SERVICE_POINT_SHARE * villages) + 1):
            r = radius * math.sqrt(rng.uniform(0.04, 1.0))
            angle = rng.uniform(0.0, 2 * math.pi)
            x, y = _offset(lon, lat, r * math.cos(angle), r * math.sin(angle))
            serving = [companies[0]] + [k for k in companies[1:] if rng.random() < 0.35]
            node = {
                "id": f"{town}.v{v:02d}",
                "label": f"village service point {v} of {pinyin}",
                "x": _r(x),
                "y": _r(y),
                "demand": {k: int(rng.integers(1, 4)) for k in serving},
                "service_time": 5,
                "town": town,
            }
            pickup = {k: int(rng.integers(1, 4)) for k in serving if rng.random() < 0.3}
            if pickup:
                node["pickup"] = pickup
            nodes.append(node)
    for node in nodes:
        if not node.get("pickup"):
            node.pop("pickup", None)
    towns = {n["id"]: n for n in nodes if "." not in n["id"]}
    centers = [
        {
            "id": "alliance_county",
            "x": LINGSHAN_COUNTY_SEAT[0],
            "y": LINGSHAN_COUNTY_SEAT[1],
            "fixed_cost": 800,
            "capacity": 4000,
        }
    ] + [
        {"id": f"alliance_{t}", "node": t, "x": towns[t]["x"], "y": towns[t]["y"], "fixed_cost": 800, "capacity": 4000}
        for t in ("sanhai", "xinxu", "fozi")
    ]
    depots = []
    for k, company in enumerate(companies):
        angle = 2 * math.pi * k / len(companies)
        x, y = _offset(*LINGSHAN_COUNTY_SEAT, 1.2 * math.cos(angle), 1.2 * math.sin(angle))
        depots.append({"id": f"depot_{company}", "x": _r(x), "y": _r(y)})
    return {
        "format": "lastmile-instance/1",
        "name": "lingshan",
        "description": "Ling Shan County, Guangxi: 19 township service centers and village service points, "
        "10 express companies, deliveries and agricultural pickups (synthetic reconstruction)",
        "coordinates": "gcj02",
        "distance": {"metric": "haversine", "circuity": 1.35},
        "units": {"distance": "km", "cost": "CNY", "demand": "parcels/day", "time": "min", "emissions": "kg CO2"},
        "provenance": {
            "summary": "Synthetic reconstruction of the Ling Shan case (seeds/004) on the real township seats; "
            "only the facts listed under 'real' come from sources.",
            "real": [
                "19 township units (2 subdistricts, 17 towns) at their seats (Amap via Vonng/adcode, GCJ-02; "
                "Lingcheng and Sanhai seats are means of village points)",
                "2016 village committee counts per township (NBS), 387 in all; 53% service-point coverage "
                "and 10 express companies (seeds/004)",
                "county seat position (candidate site alliance_county)",
            ],
            "synthetic": [
                "village service-point positions: uniform in a disc of 8 km (3 km for Lingcheng) around the seat",
                "demand and pickups per company, service times, fleets (6 vehicles of 200 parcels per company, "
                "150 CNY/vehicle-day, 1.8 CNY/km, 250 km limit), company depots 1.2 km around the county seat",
                "alliance center candidates at the county seat and three township seats (800 CNY/day, 4000 parcels); "
                "the alliance opens one (seed 004: one county alliance center)",
                "status quo (seed 004, 2.3.1): each company routes from its depot over the township service "
                "centers it has parcels for; each village service point's staff fetch the village's parcels "
                "from its town daily by motor tricycle (assumed 20 CNY a trip, 0.5 CNY/km, 0.06 kg CO2/km)",
                "line-haul (company depot to the alliance center in the county seat, assumed): a van shuttle of "
                "1,000 parcels, 30 CNY a trip, 1.8 CNY/km, 0.24 kg CO2/km",
                "circuity 1.35 road km per great-circle km; no congestion (coefficient 1.0) in the rural network",
                "hub candidate (line-haul design 'hub', assumed): a cross-dock in the county seat, 200 CNY a day, "
                "0.10 CNY per parcel handled; shuttles from it are the line-haul van",
            ],
            "sources": ["seeds/004 (Ling Shan study)", "shared/geo/450721_lingshan_towns.csv"],
            "generator": "instances/generate.py",
            "seed": LINGSHAN_SEED,
        },
        "emission_factor": 0.24,
        "alliance_centers": LINGSHAN_ALLIANCE_CENTERS,
        "line_haul": LINGSHAN_LINE_HAUL,
        "feeder": LINGSHAN_FEEDER,
        "hubs": [{"id": "hub_county", "x": LINGSHAN_COUNTY_SEAT[0], "y": LINGSHAN_COUNTY_SEAT[1], **LINGSHAN_HUB}],
        "shuttle": LINGSHAN_LINE_HAUL,
        "speed_kmh": 40,
        "parcel_km_cost": 0.05,
        "default_congestion": 1.0,
        "companies": [
            {
                "id": company,
                "name": f"Express company {k + 1}" + (" (postal)" if k == 0 else ""),
                "depot": depots[k],
                "fleet": {
                    "count": LINGSHAN_FLEET,
                    "capacity": 200,
                    "fixed_cost": 150,
                    "cost_per_km": 1.8,
                    "max_route_km": 250,
                },
            }
            for k, company in enumerate(companies)
        ],
        "centers": centers,
        "nodes": nodes,
    }


def render(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


BUILDERS = {"xiqing.json": xiqing, "lingshan.json": lingshan}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: instances/)")
    args = parser.parse_args(argv)
    status = 0
    for name, build in BUILDERS.items():
        text = render(build())
        parse_json_instance(text, name)  # the generator's output must pass the loader's checks
        target = args.out / name
        if args.check:
            same = target.is_file() and target.read_text(encoding="utf-8") == text
            print(f"{name}: {'identical' if same else 'DIFFERS from a rebuild'}")
            status |= not same
        else:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
    return status


if __name__ == "__main__":
    sys.exit(main())
