"""Service modes and what they change in a region's routing problem (study, Tables 4-5).

- 1 exclusive operation (large-scale regions): vehicles must leave loaded to at least
  `exclusive_min_load_rate` of capacity (the study sets "a higher vehicle load rate
  threshold" without a number: 0.5 by default, a parameter), or with the region's
  whole load when that is less;
- 2 dynamic joint delivery (medium-scale regions): the routing problem as it is;
- 3 smart lockers (small-scale regions): door-to-door time windows are dropped and
  vehicles deliver to the region's lockers, each carrying the parcels of the nodes it
  serves, with `locker_service_min` minutes of service.

A region's mode is predicted from its aggregated node features: the most common main
type, and the rounded mean of the other six (a region is scored like one community).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

import numpy as np
import pandas as pd

from lastmile.distances import same_locations
from lastmile.model import Instance
from lastmile.routing import RoutingProblem
from zoning.dataset import FEATURES
from zoning.lockers import LockerLayout


class Mode(IntEnum):
    EXCLUSIVE = 1
    JOINT = 2
    LOCKERS = 3


@dataclass(frozen=True)
class ModePolicy:
    exclusive_min_load_rate: float = 0.5
    locker_service_min: float = 10.0


def region_features(instance: Instance, regions: Sequence[frozenset[str]]) -> pd.DataFrame:
    """One row of the seven classifier features per region, aggregated from its nodes."""
    rows = []
    for region in regions:
        features = [instance.node_by_id[n].features for n in sorted(region)]
        if any(f is None for f in features):
            raise ValueError(f"{instance.name}: a node of the region has no community features")
        row: dict[str, float] = {}
        for name in FEATURES:
            values = [getattr(f, name) for f in features]
            if name == "main_type":
                counts = Counter(values)
                row[name] = min(v for v in counts if counts[v] == max(counts.values()))
            elif name == "coverage_km2":
                row[name] = round(float(np.mean(values)), 1)
            else:
                row[name] = round(float(np.mean(values)))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(FEATURES))


def with_lockers(instance: Instance, plan: LockerLayout, service_min: float) -> Instance:
    """The instance with a locker region's parcels moved onto its lockers.

    Each locker node carries, per company, the deliveries and pickups of the nodes it
    serves and loses its time window; the other nodes of the region need no visit.
    Distances are the parent's (the lockers stand at nodes).
    """
    demand: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pickup: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for node_id, locker in plan.locker_of.items():
        node = instance.node_by_id[node_id]
        for company, q in node.demand.items():
            demand[locker][company] += q
        for company, q in node.pickup.items():
            pickup[locker][company] += q
    nodes = []
    for node in instance.nodes:
        if node.id in plan.locker_of:
            node = replace(
                node,
                demand=dict(demand.get(node.id, {})),
                pickup=dict(pickup.get(node.id, {})),
                time_window=None,
                service_time=service_min if node.id in plan.lockers else 0.0,
            )
        nodes.append(node)
    return same_locations(instance, name=f"{instance.name}+lockers", nodes=tuple(nodes))


def region_problem(
    instance: Instance,
    center: str,
    nodes: Sequence[str],
    vehicles: tuple[str, ...] | None,
    mode: Mode,
    *,
    policy: ModePolicy = ModePolicy(),
    lockers: LockerLayout | None = None,
    region: str = "",
) -> RoutingProblem:
    """The routing problem of one region under its service mode."""
    if mode == Mode.LOCKERS:
        if lockers is None:
            raise ValueError("a locker region needs its locker layout")
        derived = with_lockers(instance, lockers, policy.locker_service_min)
        return RoutingProblem(derived, center, lockers.lockers, vehicles, time_windows=False, region=region)
    customers = tuple(n for n in nodes if instance.node_by_id[n].needs_service())
    problem = RoutingProblem(instance, center, customers, vehicles, region=region)
    if mode != Mode.EXCLUSIVE:
        return problem
    # A region lighter than the threshold cannot fill a vehicle to it: the rate is
    # capped at the region's whole load in one vehicle.
    whole = float(problem.demand.sum()) / problem.fleet.capacity
    return replace(problem, min_load_rate=min(policy.exclusive_min_load_rate, whole))
