"""Smart-locker siting in locker regions: k-means with haversine distances (study, Table 6).

For k = 1..4 lockers, k-means (scikit-learn) clusters the region's nodes on
equirectangular-projected coordinates (km, accurate to well under 1% across a
district); each centroid is then moved to the nearest node of its cluster, where the
locker is installed, so that lockers stand on the road network. Distances reported
are great-circle (haversine) metres, as in the study.

Choice of k (cost-coverage rule): each locker costs, so take the fewest lockers for
which at least `target_coverage` of the region's nodes lie within `walk_radius_m` of
their locker; when no k reaches it, the k with the highest coverage (the fewest on a tie).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from lastmile.distances import haversine_km
from lastmile.model import Instance

KM_PER_DEG_LAT = 110.574


@dataclass(frozen=True)
class LockerLayout:
    k: int
    lockers: tuple[str, ...]  # node ids where the lockers stand
    locker_of: Mapping[str, str]  # node id -> locker node id
    distance_m: Mapping[str, float]  # node id -> metres to its locker
    coverage: float  # share of nodes within the walking radius


@dataclass(frozen=True)
class LockerPlan:
    chosen: LockerLayout
    layouts: tuple[LockerLayout, ...]  # k = 1, 2, ...
    table: pd.DataFrame  # the study's Table 6 shape: node, coordinates, distance with k lockers


def project(lonlat: np.ndarray) -> np.ndarray:
    """Equirectangular projection to km around the points' mean latitude."""
    lat0 = np.radians(lonlat[:, 1].mean())
    return np.column_stack((lonlat[:, 0] * KM_PER_DEG_LAT * np.cos(lat0), lonlat[:, 1] * KM_PER_DEG_LAT))


def layout(instance: Instance, nodes: Sequence[str], k: int, seed: int, walk_radius_m: float) -> LockerLayout:
    lonlat = np.array([(instance.node_by_id[n].x, instance.node_by_id[n].y) for n in nodes])
    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(project(lonlat))
    distances = haversine_km(lonlat, lonlat) * 1000.0
    lockers, locker_of, distance = [], {}, {}
    for cluster in range(k):
        members = np.flatnonzero(labels == cluster)
        centroid = lonlat[members].mean(axis=0, keepdims=True)
        site = members[int(np.argmin(haversine_km(centroid, lonlat[members])[0]))]
        lockers.append(nodes[site])
        for m in members:
            locker_of[nodes[m]] = nodes[site]
            distance[nodes[m]] = float(distances[m, site])
    covered = sum(d <= walk_radius_m for d in distance.values()) / len(nodes)
    return LockerLayout(k, tuple(lockers), locker_of, distance, covered)


def site_lockers(
    instance: Instance,
    nodes: Sequence[str],
    rng: np.random.Generator,
    *,
    max_lockers: int = 4,
    walk_radius_m: float = 800.0,
    target_coverage: float = 0.8,
) -> LockerPlan:
    """Site 1..`max_lockers` lockers for a region's nodes and choose k by the cost-coverage rule."""
    nodes = list(nodes)
    seed = int(rng.integers(2**31 - 1))
    layouts = tuple(layout(instance, nodes, k, seed, walk_radius_m) for k in range(1, min(max_lockers, len(nodes)) + 1))
    enough = [lay for lay in layouts if lay.coverage >= target_coverage]
    chosen = enough[0] if enough else max(layouts, key=lambda lay: (lay.coverage, -lay.k))
    rows = []
    for node_id in nodes:
        node = instance.node_by_id[node_id]
        row: dict[str, object] = {"node": node_id, "longitude": node.x, "latitude": node.y}
        for lay in layouts:
            row[f"distance_m_k{lay.k}"] = lay.distance_m[node_id]
        rows.append(row)
    return LockerPlan(chosen, layouts, pd.DataFrame(rows))
