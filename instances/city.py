"""Synthetic city instances of any size, for scaling runs (issue 16).

    python instances/city.py --nodes 3000 --companies 6 --out city-3000.json
    python instances/city.py --nodes 500 --windows 0.5 --pickups 0.3 --depots center --seed 7 --out c.json

Everything here is synthetic and says so in the file's `provenance`; the same
`CitySpec` and seed give the same file byte for byte. The rules, each a field of
`CitySpec` with the reason for its default:

- nodes in neighbourhoods: `nodes / NODES_PER_CLUSTER` anchors uniform in a square of
  `nodes / density` km^2, each node normal around its anchor (sd `cluster_sd_km`);
- road network: the Delaunay triangulation of the nodes without its longest links
  (above `LONG_LINK` x the median, unless the Euclidean minimum spanning tree needs
  them, so the network stays connected and the hull's slivers go); a link inside a
  neighbourhood is a branch or secondary road, a link between neighbourhoods a main
  road (the Xiqing study's three road types, Table 1); length = straight km x
  U(1.1, 1.4);
- companies: each serves each node with probability `serve_share` (every node by at
  least one), 1-4 parcels; `pickup_share` of those (node, company) pairs also collect
  1-2 parcels; alike vehicles (so joint delivery pools them), a fleet of
  `FLEET_HEADROOM` more than its parcels need plus one;
- windows: `window_share` of nodes get a 3-hour window starting on the hour in a
  10-hour day; the others none;
- depots (`depots`): `edge` (each company's sorting warehouse at the boundary node
  on its bearing, the usual case), `center` (the node nearest the middle) or `random`;
- candidate centers: at the nodes nearest the k-means centroids of the nodes, one per
  `nodes_per_center` nodes, `center_capacity` parcels each;
- community features near a neighbourhood's profile (the shipped Xiqing rule), so the
  service-mode classifier runs on every region.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import LINE_HAUL_TRUCK, XIQING_ROAD_TYPES, _features  # noqa: E402

NODES_PER_CLUSTER = 40  # a neighbourhood of about 40 delivery points (Xiqing: 86 nodes, 11 clusters, 8 each)
LONG_LINK = 2.5  # Delaunay links longer than this many median links are not roads (hull slivers)
FLEET_HEADROOM = 0.25  # a company's vehicles carry 25% more than its parcels, plus one vehicle
DAY_MIN = 600  # a 10-hour shift
WINDOW_MIN = 180  # the 3-hour windows of the trial instance
PROFILE_KEYS = ("main_type", "residential_areas", "buildings", "coverage", "density_level", "age_level")


@dataclass(frozen=True)
class CitySpec:
    """What a synthetic city is made of (see the module docstring for each rule)."""

    nodes: int = 1000
    companies: int = 6
    window_share: float = 1 / 3  # the trial city: a third of the customers with windows
    pickup_share: float = 0.2  # (node, company) pairs that also collect parcels
    serve_share: float = 0.5  # each company serves about half the nodes (100 of 200 in the trial)
    depots: str = "edge"  # edge | center | random
    density: float = 10.0  # nodes per km^2: 1,000 nodes on 10 x 10 km
    cluster_sd_km: float = 0.6
    capacity: int = 150  # parcels per vehicle
    fixed_cost: float = 100.0  # CNY per vehicle-day (Xiqing, Table 8)
    cost_per_km: float = 2.08  # CNY (Xiqing, Table 8)
    max_route_km: float = 200.0  # the trial city
    service_min: float = 3.0
    center_capacity: int = 1500  # parcels a day a candidate center holds
    nodes_per_center: int = 25  # one candidate center per this many nodes (Xiqing: 22 for 86; a city has fewer)
    center_fixed_cost: float = 200.0
    seed: int = 2026

    def __post_init__(self) -> None:
        if self.nodes < 10:
            raise ValueError("a city needs at least 10 nodes")
        if not 1 <= self.companies <= 99:
            raise ValueError("between 1 and 99 companies")
        for name in ("window_share", "pickup_share", "serve_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a share in [0, 1]")
        if self.depots not in ("edge", "center", "random"):
            raise ValueError("depots is edge, center or random")


def city(spec: CitySpec) -> dict:
    """The instance document (format `lastmile-instance/1`) of `spec`."""
    rng = np.random.default_rng(spec.seed)
    n = spec.nodes
    side = math.sqrt(n / spec.density)
    n_clusters = max(1, round(n / NODES_PER_CLUSTER))
    anchors = rng.uniform(0.0, side, size=(n_clusters, 2))
    cluster = np.sort(rng.integers(n_clusters, size=n))
    xy = anchors[cluster] + rng.normal(0.0, spec.cluster_sd_km, size=(n, 2))
    outside = (xy < 0.0) | (xy > side)
    xy[outside] = rng.uniform(0.0, side, size=int(outside.sum()))  # a point off the map lands anywhere on it
    xy = np.round(xy, 6)
    if len(np.unique(xy, axis=0)) < n:  # Delaunay needs distinct points; at 1 mm apart this never happens
        raise ValueError(f"seed {spec.seed}: two nodes drawn at one point; take another seed")
    ids = [f"n{k:0{len(str(n))}d}" for k in range(1, n + 1)]

    companies = [f"C{k}" for k in range(1, spec.companies + 1)]
    serve = rng.random((n, spec.companies)) < spec.serve_share
    serve[~serve.any(axis=1), rng.integers(spec.companies, size=int((~serve.any(axis=1)).sum()))] = True
    parcels = np.where(serve, rng.integers(1, 5, size=serve.shape), 0)
    collect = np.where(serve & (rng.random(serve.shape) < spec.pickup_share), rng.integers(1, 3, size=serve.shape), 0)
    windowed = rng.random(n) < spec.window_share
    opens = rng.integers(0, (DAY_MIN - WINDOW_MIN) // 60 + 1, size=n) * 60
    profiles = [
        dict(zip(PROFILE_KEYS, (int(v) for v in _profile(rng)), strict=True))
        | {"subway_stations": int(rng.integers(0, 3))}
        for _ in range(n_clusters)
    ]
    nodes = []
    for k, node_id in enumerate(ids):
        node: dict = {
            "id": node_id,
            "label": f"neighbourhood {cluster[k] + 1}",
            "x": float(xy[k, 0]),
            "y": float(xy[k, 1]),
            "demand": {c: int(parcels[k, j]) for j, c in enumerate(companies) if serve[k, j]},
            "service_time": spec.service_min,
            "features": _features(rng, profiles[cluster[k]]),
        }
        pickup = {c: int(collect[k, j]) for j, c in enumerate(companies) if collect[k, j]}
        if pickup:
            node["pickup"] = pickup
        if windowed[k]:
            node["time_window"] = [int(opens[k]), int(opens[k]) + WINDOW_MIN]
        nodes.append(node)

    edges = _roads(xy, cluster, rng)
    return {
        "format": "lastmile-instance/1",
        "name": f"city{n}",
        "description": f"Synthetic city: {n} delivery nodes of {spec.companies} express companies",
        "coordinates": "planar",
        "distance": {"metric": "road"},
        "units": {"distance": "km", "cost": "CNY", "demand": "parcels/day", "time": "min", "emissions": "kg CO2"},
        "provenance": {
            "summary": "Synthetic city for scaling runs (issue 16); nothing in it is real.",
            "real": [],
            "synthetic": [f"every field, by instances/city.py from {json.dumps(asdict(spec), sort_keys=True)}"],
            "sources": ["road types and their weights: the Xiqing study (seeds/002), Table 1"],
            "generator": "instances/city.py",
            "seed": spec.seed,
        },
        "emission_factor": 0.24,
        "speed_kmh": 30,
        "parcel_km_cost": 0.05,
        "road_types": [{"id": i, "weight": w, "congestion": c, "description": d} for i, w, c, d in XIQING_ROAD_TYPES],
        "companies": [
            {
                "id": company,
                "name": f"Express company {company}",
                "depot": _depot(spec, company, j, xy, ids, side, rng),
                "fleet": {
                    "count": math.ceil((1 + FLEET_HEADROOM) * parcels[:, j].sum() / spec.capacity) + 1,
                    "capacity": spec.capacity,
                    "fixed_cost": spec.fixed_cost,
                    "cost_per_km": spec.cost_per_km,
                    "max_route_km": spec.max_route_km,
                },
            }
            for j, company in enumerate(companies)
        ],
        "line_haul": LINE_HAUL_TRUCK,
        "centers": _centers(spec, xy, ids, rng),
        "nodes": nodes,
        "edges": edges,
    }


def _profile(rng: np.random.Generator) -> tuple[int, ...]:
    """A neighbourhood's community profile (the shipped Xiqing ranges)."""
    return (
        int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2])),
        int(rng.integers(4, 13)),
        int(rng.integers(90, 400)),
        int(rng.integers(14, 42)),
        int(rng.integers(1, 4)),
        int(rng.integers(1, 4)),
    )


def _roads(xy: np.ndarray, cluster: np.ndarray, rng: np.random.Generator) -> list[dict]:
    """Delaunay links without the long ones the spanning tree does not need (module docstring)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial import Delaunay

    simplices = Delaunay(xy).simplices
    pairs = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    length = np.linalg.norm(xy[pairs[:, 0]] - xy[pairs[:, 1]], axis=1)
    n = len(xy)
    tree = minimum_spanning_tree(coo_matrix((length, (pairs[:, 0], pairs[:, 1])), shape=(n, n))).tocoo()
    in_tree = set(zip(np.minimum(tree.row, tree.col).tolist(), np.maximum(tree.row, tree.col).tolist(), strict=True))
    keep = (length <= LONG_LINK * np.median(length)) | np.array([(a, b) in in_tree for a, b in pairs.tolist()])
    pairs, length = pairs[keep], length[keep]
    inside = cluster[pairs[:, 0]] == cluster[pairs[:, 1]]
    kind = np.where(inside, np.where(rng.random(len(pairs)) < 0.6, "branch", "secondary"), "main")
    km = np.maximum(np.round(length * rng.uniform(1.1, 1.4, size=len(pairs)), 3), 0.001)
    width = len(str(n))
    return [
        {"u": f"n{a + 1:0{width}d}", "v": f"n{b + 1:0{width}d}", "road_type": str(t), "length_km": float(d)}
        for (a, b), t, d in zip(pairs.tolist(), kind, km, strict=True)
    ]


def _depot(
    spec: CitySpec, company: str, j: int, xy: np.ndarray, ids: list[str], side: float, rng: np.random.Generator
) -> dict:
    """A company's depot standing at a node chosen by `spec.depots`."""
    middle = np.array([side / 2, side / 2])
    if spec.depots == "edge":
        bearing = 2 * math.pi * j / spec.companies
        k = int(np.argmax((xy - middle) @ np.array([math.sin(bearing), math.cos(bearing)])))
    elif spec.depots == "center":
        k = int(np.argmin(np.linalg.norm(xy - middle, axis=1)))
    else:
        k = int(rng.integers(len(ids)))
    return {"id": f"depot_{company}", "node": ids[k], "x": float(xy[k, 0]), "y": float(xy[k, 1])}


def _centers(spec: CitySpec, xy: np.ndarray, ids: list[str], rng: np.random.Generator) -> list[dict]:
    """Candidate centers at the nodes nearest k-means centroids (scikit-learn)."""
    from sklearn.cluster import KMeans

    count = max(4, round(len(ids) / spec.nodes_per_center))
    seed = int(rng.integers(2**31))
    means = KMeans(n_clusters=count, n_init=1, random_state=seed).fit(xy).cluster_centers_
    chosen = sorted({int(np.argmin(np.linalg.norm(xy - m, axis=1))) for m in means})
    return [
        {
            "id": f"DC{c + 1}",
            "node": ids[k],
            "x": float(xy[k, 0]),
            "y": float(xy[k, 1]),
            "fixed_cost": spec.center_fixed_cost,
            "capacity": spec.center_capacity,
        }
        for c, k in enumerate(chosen)
    ]


def render(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = CitySpec()
    parser.add_argument("--nodes", type=int, default=default.nodes)
    parser.add_argument("--companies", type=int, default=default.companies)
    parser.add_argument("--windows", type=float, default=default.window_share, help="share of nodes with a window")
    parser.add_argument("--pickups", type=float, default=default.pickup_share, help="share of (node, company) pickups")
    parser.add_argument("--depots", choices=("edge", "center", "random"), default=default.depots)
    parser.add_argument("--density", type=float, default=default.density, help="nodes per km^2")
    parser.add_argument("--center-capacity", type=int, default=default.center_capacity)
    parser.add_argument("--seed", type=int, default=default.seed)
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    args = parser.parse_args(argv)
    try:
        spec = CitySpec(
            nodes=args.nodes,
            companies=args.companies,
            window_share=args.windows,
            pickup_share=args.pickups,
            depots=args.depots,
            density=args.density,
            center_capacity=args.center_capacity,
            seed=args.seed,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from lastmile.readers.json_format import parse_json_instance

    text = render(city(spec))
    parse_json_instance(text, str(args.out))  # the generator's output must pass the loader's checks
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {spec.nodes} nodes, {spec.companies} companies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
