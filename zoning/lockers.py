"""Smart-locker siting in locker regions: k-means with haversine distances (study, Table 6).

For k = 1..4 lockers, k-means (scikit-learn) clusters the region's nodes on
equirectangular-projected coordinates (km, accurate to well under 1% across a
district); each centroid is then moved to the nearest node of its cluster, where the
locker is installed, so that lockers stand on the road network. Distances reported
are great-circle (haversine) metres, as in the study.

Choice of k (cost-coverage rule): each locker costs, so take the fewest lockers for
which at least `target_coverage` of the region's nodes lie within `walk_radius_m` of
their locker; when no k reaches it, the k with the highest coverage (the fewest on a tie).
A locker is one stop, served by one vehicle, so only layouts whose every locker holds
at most a vehicle's load (`capacity`, deliveries and pickups each) are eligible: in a
city's dense region (625 parcels, vehicles of 150) four lockers could not be served at
all, so k grows past `max_lockers` until every locker fits.

Planar instances (coordinates in km) use their own coordinates and straight-line
distances instead of the projection and great-circle metres.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from lastmile.distances import euclidean, haversine_km
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
    planar = instance.coordinates == "planar"
    metric = euclidean if planar else haversine_km
    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(lonlat if planar else project(lonlat))
    distances = metric(lonlat, lonlat) * 1000.0
    lockers, locker_of, distance = [], {}, {}
    for cluster in range(k):
        members = np.flatnonzero(labels == cluster)
        centroid = lonlat[members].mean(axis=0, keepdims=True)
        site = members[int(np.argmin(metric(centroid, lonlat[members])[0]))]
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
    capacity: float | None = None,
) -> LockerPlan:
    """Site 1..`max_lockers` lockers for a region's nodes (more where a locker would hold
    more than `capacity`) and choose k by the cost-coverage rule among the layouts whose
    every locker fits a vehicle."""
    nodes = list(nodes)
    seed = int(rng.integers(2**31 - 1))
    layouts = [layout(instance, nodes, k, seed, walk_radius_m) for k in range(1, min(max_lockers, len(nodes)) + 1)]
    fits = [_fits(instance, lay, capacity) for lay in layouts]
    while not any(fits) and layouts[-1].k < len(nodes):
        layouts.append(layout(instance, nodes, layouts[-1].k + 1, seed, walk_radius_m))
        fits.append(_fits(instance, layouts[-1], capacity))
    eligible = [lay for lay, fit in zip(layouts, fits, strict=True) if fit] or layouts
    enough = [lay for lay in eligible if lay.coverage >= target_coverage]
    chosen = enough[0] if enough else max(eligible, key=lambda lay: (lay.coverage, -lay.k))
    rows = []
    for node_id in nodes:
        node = instance.node_by_id[node_id]
        row: dict[str, object] = {"node": node_id, "longitude": node.x, "latitude": node.y}
        for lay in layouts:
            row[f"distance_m_k{lay.k}"] = lay.distance_m[node_id]
        rows.append(row)
    return LockerPlan(chosen, tuple(layouts), pd.DataFrame(rows))


def _fits(instance: Instance, plan: LockerLayout, capacity: float | None) -> bool:
    """Whether every locker's deliveries, and its pickups, fit one vehicle."""
    if capacity is None:
        return True
    delivered: dict[str, float] = {}
    collected: dict[str, float] = {}
    for node_id, locker in plan.locker_of.items():
        node = instance.node_by_id[node_id]
        delivered[locker] = delivered.get(locker, 0.0) + node.total_demand
        collected[locker] = collected.get(locker, 0.0) + node.total_pickup
    return max(max(delivered.values()), max(collected.values())) <= capacity + 1e-9
