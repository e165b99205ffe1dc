"""Delivery policies that change what independent delivery visits (seed 004).

Ling Shan's status quo (seed 004, section 2.3.1): each express company trucks its own
parcels from the county to the township service centers, and the staff of each
village service point fetch their village's parcels from the town, and take the
village's outgoing consignments there, once a day. `status_quo` turns an instance
whose village nodes name their `town` into that practice: the villages' parcels are
added to their towns' (so company routes visit towns only) and each village becomes a
`FeederLeg`, costed by `lastmile.cost.feeder` with the instance's `feeder` vehicle.
The alliance (section 3.2) is the instance as it is: joint routes serve town and
village service points alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from lastmile.distances import tables
from lastmile.model import FeederLeg, Instance
from lastmile.subset import with_parent_distances


def has_status_quo(instance: Instance) -> bool:
    """Whether the instance describes a feeder practice (a feeder vehicle and towns)."""
    return instance.feeder is not None and any(n.town is not None for n in instance.nodes)


def status_quo(instance: Instance) -> Instance:
    """The instance as today's practice serves it: village parcels delivered to, and
    collected at, their town; the village staff's round trips as feeder legs."""
    moved_demand: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    moved_pickup: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    km = tables(instance).km
    legs = []
    for node in instance.nodes:
        if node.town is None:
            continue
        for company, q in node.demand.items():
            moved_demand[node.town][company] += q
        for company, q in node.pickup.items():
            moved_pickup[node.town][company] += q
        if node.needs_service():
            one_way = float(km[instance.index[node.id], instance.index[node.town]])
            legs.append(FeederLeg(node.id, node.town, one_way, max(node.total_demand, node.total_pickup)))

    def merged(own: dict[str, float], moved: dict[str, float]) -> dict[str, float]:
        return {c: own.get(c, 0.0) + moved.get(c, 0.0) for c in sorted(set(own) | set(moved))}

    towns = tuple(
        replace(
            n,
            demand=merged(dict(n.demand), moved_demand[n.id]),
            pickup=merged(dict(n.pickup), moved_pickup[n.id]),
        )
        for n in instance.nodes
        if n.town is None
    )
    sub = replace(instance, name=f"{instance.name}[status quo]", nodes=towns, feeder_legs=tuple(legs))
    return with_parent_distances(instance, sub)
