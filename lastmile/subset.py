"""Sub-instances: a region's nodes and candidate centers, with the parent's distances."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

import numpy as np

from lastmile.distances import DistanceTables, same_locations, tables
from lastmile.model import Instance


def restrict(instance: Instance, nodes: Collection[str], centers: Collection[str] | None = None) -> Instance:
    """The instance reduced to `nodes` and `centers` (default: all), companies kept.

    Distances are sliced from the parent's tables, not recomputed: a road path may
    run through nodes left out, and the region must keep the parent's distances.
    """
    keep_nodes = set(nodes)
    keep_centers = set(centers) if centers is not None else {c.id for c in instance.centers}
    unknown = (keep_nodes - set(instance.node_by_id)) | (keep_centers - set(instance.center_by_id))
    if unknown:
        raise KeyError(f"{instance.name}: unknown ids {sorted(unknown)}")
    sub = replace(
        instance,
        name=f"{instance.name}[{len(keep_nodes)} nodes]",
        nodes=tuple(n for n in instance.nodes if n.id in keep_nodes),
        centers=tuple(c for c in instance.centers if c.id in keep_centers),
        assignment_cost=None
        if instance.assignment_cost is None
        else instance.assignment_cost[
            np.ix_(
                [k for k, c in enumerate(instance.centers) if c.id in keep_centers],
                [k for k, n in enumerate(instance.nodes) if n.id in keep_nodes],
            )
        ],
    )
    return with_parent_distances(instance, sub)


def only_company(instance: Instance, company: str) -> Instance:
    """The instance as `company` alone sees it: its depot and fleet, the nodes it serves
    with its own parcels only, no candidate centers (independent delivery)."""
    nodes = tuple(
        replace(
            n,
            demand={company: n.demand[company]} if company in n.demand else {},
            pickup={company: n.pickup[company]} if company in n.pickup else {},
        )
        for n in instance.nodes
        if n.needs_service(company)
    )
    sub = replace(
        instance,
        name=f"{instance.name}[{company}]",
        companies=(instance.company_by_id[company],),
        nodes=nodes,
        centers=(),
        assignment_cost=None,
    )
    return with_parent_distances(instance, sub)


def coalition(instance: Instance, companies: Collection[str]) -> Instance:
    """The instance as a coalition of `companies` sees it, the others absent: their
    depots, fleets and parcels gone; every node, center and road kept (issue 12's
    coalition values). The alliance's own vehicle type (`joint_fleet`, Xiqing) stays
    as it is: its count bounds what any coalition may use, and C1 is paid per vehicle
    used, so a smaller coalition pays only for the vehicles it needs."""
    keep = set(companies)
    unknown = keep - set(instance.company_by_id)
    if unknown or not keep:
        raise KeyError(f"{instance.name}: a coalition needs known companies, got {sorted(companies)}")
    nodes = tuple(
        replace(
            n,
            demand={c: q for c, q in n.demand.items() if c in keep},
            pickup={c: q for c, q in n.pickup.items() if c in keep},
        )
        for n in instance.nodes
    )
    members = tuple(c for c in instance.companies if c.id in keep)
    name = f"{instance.name}[{'+'.join(c.id for c in members)}]"
    return with_parent_distances(instance, replace(instance, name=name, companies=members, nodes=nodes))


def with_min_load_rate(instance: Instance, rate: float) -> Instance:
    """The instance with every fleet's vehicles (the companies' and the alliance's) held
    to a minimum load rate."""
    companies = tuple(replace(c, fleet=replace(c.fleet, min_load_rate=rate)) for c in instance.companies)
    joint = None if instance.joint_fleet is None else replace(instance.joint_fleet, min_load_rate=rate)
    return same_locations(instance, companies=companies, joint_fleet=joint)


def with_parent_distances(instance: Instance, sub: Instance) -> Instance:
    """`sub` with its distance tables sliced from the parent's."""
    parent = tables(instance)
    rows = [instance.index[loc] for loc in sub.location_ids]
    sliced = DistanceTables(
        *(np.array(t[np.ix_(rows, rows)]) for t in (parent.km, parent.congestion_km, parent.minutes))
    )
    for table in (sliced.km, sliced.congestion_km, sliced.minutes):
        table.setflags(write=False)
    object.__setattr__(sub, "_distance_tables", sliced)
    return sub
