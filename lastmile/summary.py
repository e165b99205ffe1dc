"""A one-row summary of an instance, for `compare.py --validate` and reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from lastmile.model import Instance


@dataclass(frozen=True)
class InstanceSummary:
    instance: str
    nodes: int
    companies: int
    vehicles: str
    centers: int
    demand: float
    pickup: float
    fleet_capacity: str
    center_capacity: str
    edges: int
    distance: str
    notes: str = ""  # what the loader decided for the user (e.g. duplicate edges)

    @classmethod
    def of(cls, instance: Instance) -> InstanceSummary:
        fleets = [c.fleet for c in instance.companies]
        unlimited = any(f.count is None for f in fleets)
        vehicles = "unlimited" if unlimited else str(sum(f.count or 0 for f in fleets))
        capacity = "unlimited" if unlimited else f"{sum((f.count or 0) * f.capacity for f in fleets):g}"
        if not fleets:
            vehicles = capacity = "-"
        caps = [c.capacity for c in instance.centers]
        center_capacity = "unlimited" if any(c is None for c in caps) else f"{sum(c or 0.0 for c in caps):g}"
        spec = instance.distance
        distance = spec.metric + ("" if spec.rounding == "none" else f" ({spec.rounding})")
        return cls(
            instance=instance.name,
            nodes=len(instance.nodes),
            companies=len(instance.companies),
            vehicles=vehicles,
            centers=len(instance.centers),
            demand=instance.total_demand,
            pickup=instance.total_pickup,
            fleet_capacity=capacity,
            center_capacity=center_capacity,
            edges=len(instance.edges),
            distance=distance,
            notes=duplicate_edges_note(instance),
        )


def duplicate_edges_note(instance: Instance) -> str:
    """Road edges given more than once between the same two nodes with different lengths:
    the road network keeps the shortest (`lastmile.distances.road_graph`), and says so."""
    lengths: dict[frozenset[str], set[float]] = {}
    for edge in instance.edges:
        lengths.setdefault(frozenset((edge.u, edge.v)), set()).add(edge.length_km)
    differing = sorted(tuple(sorted(pair)) for pair, seen in lengths.items() if len(seen) > 1)
    if not differing:
        return ""
    first = " - ".join(differing[0])
    more = f" and {len(differing) - 1} more" if len(differing) > 1 else ""
    return f"{len(differing)} node pairs with edges of different lengths ({first}{more}): the shortest kept"


def summary_table(instances: list[Instance]) -> pd.DataFrame:
    return pd.DataFrame([asdict(InstanceSummary.of(i)) for i in instances])
