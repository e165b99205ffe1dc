"""Travel distances, congestion and travel times between an instance's locations.

`tables(instance)` computes them once per instance and caches them. Three metrics:
great-circle (haversine, vectorised numpy), planar Euclidean, and road-network
distance (shortest paths on the instance's edges with networkx, plus the access road of
a site outside the network). Explicit matrices
(CVRPLIB `EXPLICIT` files) are taken as given.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import networkx as nx
import numpy as np

from lastmile.model import Instance

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius


def haversine_km(lonlat_a: np.ndarray, lonlat_b: np.ndarray) -> np.ndarray:
    """Great-circle distance in km between every row of `lonlat_a` and of `lonlat_b`."""
    a = np.radians(np.asarray(lonlat_a, dtype=float))[:, None, :]
    b = np.radians(np.asarray(lonlat_b, dtype=float))[None, :, :]
    dlon = b[..., 0] - a[..., 0]
    dlat = b[..., 1] - a[..., 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(a[..., 1]) * np.cos(b[..., 1]) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def euclidean(xy_a: np.ndarray, xy_b: np.ndarray) -> np.ndarray:
    diff = np.asarray(xy_a, dtype=float)[:, None, :] - np.asarray(xy_b, dtype=float)[None, :, :]
    return np.sqrt((diff**2).sum(axis=-1))


def apply_rounding(d: np.ndarray, rounding: str) -> np.ndarray:
    """Apply a benchmark's named rounding convention to a distance matrix."""
    if rounding == "nint":  # CVRPLIB: nearest integer, halves away from zero
        return np.floor(d + 0.5)
    if rounding == "ceil100":  # Prodhon LRP: ceil(100 d); the tolerance absorbs float noise
        return np.ceil(np.round(100.0 * d, 9))
    if rounding == "trunc1":  # Solomon VRPTW optima (CVRPLIB, DIMACS): floor(10 d) / 10
        return np.floor(np.round(10.0 * d, 9)) / 10.0
    return d


@dataclass(frozen=True)
class DistanceTables:
    """Square tables over `instance.location_ids`.

    `km`: travel distance. `congestion_km`: the extra, congestion-weighted distance
    sum(length * (kappa - 1)) along the same path, so that congestion cost is
    `cost_per_km * congestion_km` (study, Eq. 11). `minutes`: travel time at the
    instance speed, slowed by congestion.
    """

    km: np.ndarray
    congestion_km: np.ndarray
    minutes: np.ndarray


def same_locations(instance: Instance, **changes: object) -> Instance:
    """`dataclasses.replace(instance, **changes)` for changes that leave every location
    where it is (demand, fleets, names): the new instance shares the distance tables."""
    changed = replace(instance, **changes)
    object.__setattr__(changed, "_distance_tables", tables(instance))
    return changed


def tables(instance: Instance) -> DistanceTables:
    """The instance's distance tables, computed on first use and cached on the instance
    (`lastmile.subset.restrict` seeds the cache of a sub-instance from its parent)."""
    cached = instance.__dict__.get("_distance_tables")
    if cached is None:
        cached = _compute(instance)
        object.__setattr__(instance, "_distance_tables", cached)
    return cached


def _compute(instance: Instance) -> DistanceTables:
    spec = instance.distance
    timed = None
    if spec.metric == "road":
        km, extra, timed = _road_network(instance)
    else:
        if spec.metric == "explicit":
            if instance.matrix is None:
                raise ValueError(f"{instance.name}: metric 'explicit' needs a matrix")
            km = np.array(instance.matrix, dtype=float)
        elif spec.metric == "haversine":
            km = haversine_km(instance.coords, instance.coords) * spec.circuity
        else:
            km = euclidean(instance.coords, instance.coords) * spec.circuity
        km = apply_rounding(km, spec.rounding)
        extra = km * (instance.default_congestion - 1.0)
    minutes = (km + extra) / instance.speed_kmh * 60.0 if timed is None else timed
    for table in (km, extra, minutes):
        table.setflags(write=False)
    return DistanceTables(km, extra, minutes)


#: Cells (sources x vertices) of one chunk of the road network's shortest-path search:
#: each of its dozen working arrays then takes 32 MB whatever the network's size.
CHUNK_CELLS = 2**22


@dataclass(frozen=True)
class RoadArcs:
    """The road network as directed arcs over its vertices (locations and the network's
    own `road_vertices`): a two-way edge gives both arcs, a one-way edge one; between two
    vertices the shortest arc is kept. Per arc: km, congestion km and, where a speed is
    set on the edge or its road type, minutes (else None: every arc at the instance's speed)."""

    vertices: list[str]
    u: np.ndarray
    v: np.ndarray
    km: np.ndarray
    extra: np.ndarray
    minutes: np.ndarray | None


def road_arcs(instance: Instance) -> RoadArcs:
    """The instance's `RoadArcs`."""
    best: dict[tuple[str, str], tuple[float, float, float]] = {}
    timed = any(e.speed_kmh is not None for e in instance.edges) or any(
        r.speed_kmh is not None for r in instance.road_types
    )
    for edge in instance.edges:
        kind = instance.road_type_by_id[edge.road_type]
        speed = edge.speed_kmh or kind.speed_kmh or instance.speed_kmh
        values = (
            edge.length_km,
            edge.length_km * (kind.congestion - 1.0),
            edge.length_km * kind.congestion / speed * 60,
        )
        for arc in [(edge.u, edge.v)] + ([] if edge.oneway else [(edge.v, edge.u)]):
            if arc not in best or values[0] < best[arc][0]:
                best[arc] = values
    ends = [w for arc in best for w in arc]
    vertices = list(dict.fromkeys([*(n.id for n in instance.nodes), *(r.id for r in instance.road_vertices), *ends]))
    index = {name: k for k, name in enumerate(vertices)}
    arcs = list(best.items())
    values = np.array([x for _, x in arcs], dtype=float).reshape(-1, 3)
    return RoadArcs(
        vertices,
        np.array([index[a] for (a, _), _ in arcs], dtype=np.int64),
        np.array([index[b] for (_, b), _ in arcs], dtype=np.int64),
        values[:, 0],
        values[:, 1],
        values[:, 2] if timed else None,
    )


def road_graph(instance: Instance) -> nx.DiGraph:
    """The road network as a networkx directed graph of its `road_arcs` (attribute
    `length`, and `extra` for the congestion km)."""
    arcs = road_arcs(instance)
    graph = nx.DiGraph()
    graph.add_nodes_from(arcs.vertices)
    for a, b, km, extra in zip(arcs.u, arcs.v, arcs.km, arcs.extra, strict=True):
        graph.add_edge(arcs.vertices[a], arcs.vertices[b], length=float(km), extra=float(extra))
    return graph


def graph_vertex(instance: Instance, location_id: str) -> str:
    """The road-graph vertex of a location: a site standing at a node (or at a road
    vertex) uses it."""
    if location_id in instance.node_by_id:
        return location_id
    node = instance.site(location_id).node
    return node if node is not None else location_id


def _road_network(instance: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Shortest road km between every pair of locations (scipy's compiled Dijkstra on the
    directed arcs: networkx's pure-Python one took minutes at a few thousand nodes), the
    congestion km along each of those paths and, where roads carry their own speeds, the
    minutes along them (else None), summed from the root of each shortest-path tree
    down, one depth level at a time (the order the sum was always taken in). The search
    runs from `CHUNK_CELLS` / vertices sources at a time, so a network of many road
    vertices needs memory for the locations' tables and one chunk, not all at once."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    arcs = road_arcs(instance)
    index = {v: k for k, v in enumerate(arcs.vertices)}
    size = len(index)
    weights = coo_matrix((arcs.km, (arcs.u, arcs.v)), shape=(size, size)).tocsr()
    vertex = np.array([index[graph_vertex(instance, loc)] for loc in instance.location_ids])
    sources, row_of = np.unique(vertex, return_inverse=True)
    count = len(vertex)
    km, extra = np.empty((count, count)), np.empty((count, count))
    minutes = None if arcs.minutes is None else np.empty((count, count))
    step = max(1, CHUNK_CELLS // size)
    for first in range(0, len(sources), step):
        part = sources[first : first + step]
        dist, parent = dijkstra(weights, directed=True, indices=part, return_predecessors=True)
        parent = parent.astype(np.int64)
        rows = np.flatnonzero((row_of >= first) & (row_of < first + len(part)))
        local = row_of[rows] - first
        km[rows] = dist[local][:, vertex]
        extra[rows] = _along_tree(parent, arcs.u, arcs.v, arcs.extra)[local][:, vertex]
        if minutes is not None:
            minutes[rows] = _along_tree(parent, arcs.u, arcs.v, arcs.minutes)[local][:, vertex]  # type: ignore[arg-type]
    access_km, access_extra = _access_legs(instance)
    km += access_km[:, None] + access_km[None, :]
    extra += access_extra[:, None] + access_extra[None, :]
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(extra, 0.0)
    if minutes is not None:
        access = (access_km + access_extra) / instance.speed_kmh * 60.0
        minutes += access[:, None] + access[None, :]
        np.fill_diagonal(minutes, 0.0)
    return km, extra, minutes


def _along_tree(parent: np.ndarray, u: np.ndarray, v: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Per shortest-path tree (a row of `parent`, scipy's predecessors, -9999 at the
    root and where unreachable), each vertex's sum of `cost` over the tree's arcs (u, v)
    from the root, added from the root down so every sum is taken in path order."""
    rows, size = parent.shape
    child = parent >= 0
    # The cost of each tree arc, found by its key parent * size + child.
    keys = u * size + v
    order = np.argsort(keys)
    keys, values = keys[order], cost[order]
    flat_parent = np.where(child, parent + np.arange(rows)[:, None] * size, -1).ravel()
    step = np.zeros(rows * size)
    cols = np.tile(np.arange(size), rows)
    inner = flat_parent >= 0
    step[inner] = values[np.searchsorted(keys, (flat_parent[inner] % size) * size + cols[inner])]
    # Depths by pointer jumping (exact integers), then the sums level by level.
    depth = child.ravel().astype(np.int64)
    jump = np.where(inner, flat_parent, np.arange(rows * size))
    while True:
        further = depth[jump]
        if not further.any():
            break
        depth += further
        jump = jump[jump]
    along = np.zeros(rows * size)
    by_depth = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[by_depth], np.arange(1, depth.max() + 2))
    for start, end in itertools.pairwise(bounds):
        level = by_depth[start:end]
        along[level] = along[flat_parent[level]] + step[level]
    return along.reshape(rows, size)


def _access_legs(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Per location, the km of its access road to the network and that road's
    congestion km (zero for locations on the network)."""
    km = np.zeros(len(instance.location_ids))
    extra = np.zeros_like(km)
    sites = [c.site for c in instance.centers] + [c.depot for c in instance.companies]
    offset = len(sites) + len(instance.nodes)  # hubs follow the nodes
    placed = [*enumerate(sites), *((offset + k, h.site) for k, h in enumerate(instance.hubs))]
    for k, site in placed:
        if site.access is not None:
            kind = site.access.road_type
            kappa = instance.road_type_by_id[kind].congestion if kind else instance.default_congestion
            km[k], extra[k] = site.access.km, site.access.km * (kappa - 1.0)
    return km, extra
