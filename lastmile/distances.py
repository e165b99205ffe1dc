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
    if spec.metric == "road":
        km, extra = _road_network(instance)
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
    minutes = (km + extra) / instance.speed_kmh * 60.0
    for table in (km, extra, minutes):
        table.setflags(write=False)
    return DistanceTables(km, extra, minutes)


def road_graph(instance: Instance) -> nx.Graph:
    """The road network as an undirected networkx graph; parallel edges keep the shortest."""
    graph = nx.Graph()
    graph.add_nodes_from(n.id for n in instance.nodes)
    for edge in instance.edges:
        kappa = instance.road_type_by_id[edge.road_type].congestion
        if graph.has_edge(edge.u, edge.v) and graph[edge.u][edge.v]["length"] <= edge.length_km:
            continue
        graph.add_edge(
            edge.u,
            edge.v,
            length=edge.length_km,
            extra=edge.length_km * (kappa - 1.0),
            road_type=edge.road_type,
        )
    return graph


def graph_vertex(instance: Instance, location_id: str) -> str:
    """The road-graph vertex of a location: a site standing at a node uses the node."""
    if location_id in instance.node_by_id:
        return location_id
    node = instance.site(location_id).node
    return node if node is not None else location_id


def _road_network(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Shortest road km between every pair of locations (scipy's compiled Dijkstra:
    networkx's pure-Python one took minutes at a few thousand nodes) and the congestion
    km along each of those paths, summed from the root of the shortest-path tree down,
    one depth level of every tree at a time (the order the sum was always taken in)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    graph = road_graph(instance)
    index = {v: k for k, v in enumerate(graph.nodes)}
    size = len(index)
    edges = [(index[a], index[b], d["length"], d["extra"]) for a, b, d in graph.edges(data=True)]
    u, v = (np.array([e[k] for e in edges], dtype=np.int64) for k in (0, 1))
    length, congestion = (np.array([e[k] for e in edges], dtype=float) for k in (2, 3))
    vertex = np.array([index[graph_vertex(instance, loc)] for loc in instance.location_ids])
    sources, row_of = np.unique(vertex, return_inverse=True)
    weights = coo_matrix((length, (u, v)), shape=(size, size)).tocsr()
    dist, parent = dijkstra(weights, directed=False, indices=sources, return_predecessors=True)
    along = _along_tree(parent.astype(np.int64), sources, u, v, congestion)
    km = dist[row_of][:, vertex]
    extra = along[row_of][:, vertex]
    access_km, access_extra = _access_legs(instance)
    km += access_km[:, None] + access_km[None, :]
    extra += access_extra[:, None] + access_extra[None, :]
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(extra, 0.0)
    return km, extra


def _along_tree(parent: np.ndarray, sources: np.ndarray, u: np.ndarray, v: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Per shortest-path tree (a row of `parent`, scipy's predecessors, -9999 at the
    root and where unreachable), each vertex's sum of `cost` over the tree's edges from
    the root, added from the root down so every sum is taken in path order."""
    rows, size = parent.shape
    child = parent >= 0
    # The cost of each tree edge, found among the edges keyed both ways.
    keys = np.concatenate([u * size + v, v * size + u])
    order = np.argsort(keys)
    keys, values = keys[order], np.concatenate([cost, cost])[order]
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
