"""Prodhon location-routing instances (Prins, Prodhon and Wolfler Calvo 2006).

Token stream: n customers, m depots, depot and customer coordinates, vehicle
capacity, depot capacities, demands, depot opening costs, route (vehicle) cost, and a
cost flag. Flag 0 means integer costs: the published best-known values use
ceil(100 x Euclidean) (`rounding="ceil100"`), although the format notes say
"truncated"; flag 1 means exact Euclidean costs.

Depots become centers `D1..Dm`, customers nodes `1..n`, and the fleet is unlimited
with the route cost as its fixed cost per vehicle.
"""

from __future__ import annotations

from pathlib import Path

from lastmile.errors import InstanceError
from lastmile.model import Center, Company, DistanceSpec, Fleet, Instance, Node, Provenance, Site
from lastmile.readers.tokens import Tokens

COMPANY = "lrp"


def read_prodhon(path: str | Path) -> Instance:
    tokens = Tokens(path)
    n = tokens.count("number of customers")
    m = tokens.count("number of depots")
    depots = [(tokens.number(f"x of depot {i + 1}"), tokens.number(f"y of depot {i + 1}")) for i in range(m)]
    customers = [(tokens.number(f"x of customer {j + 1}"), tokens.number(f"y of customer {j + 1}")) for j in range(n)]
    capacity = tokens.number("vehicle capacity")
    if capacity <= 0:
        raise InstanceError(tokens.file, tokens.where(), "vehicle capacity: must be positive")
    depot_capacity = [tokens.number(f"capacity of depot {i + 1}") for i in range(m)]
    demand = [tokens.number(f"demand of customer {j + 1}") for j in range(n)]
    opening = [tokens.number(f"opening cost of depot {i + 1}") for i in range(m)]
    route_cost = tokens.number("route cost")
    flag = tokens.number("cost flag")
    tokens.end()
    if flag not in (0, 1):
        raise InstanceError(tokens.file, tokens.where(), f"cost flag must be 0 or 1, not {flag:g}")
    if any(q > capacity for q in demand):
        raise InstanceError(tokens.file, "demands", f"a demand exceeds the vehicle capacity {capacity:g}")
    if sum(demand) > sum(depot_capacity):
        raise InstanceError(tokens.file, "depot capacities", "total demand exceeds total depot capacity")
    name = Path(path).stem
    rounding = "ceil100" if flag == 0 else "none"
    first = depots[0]
    return Instance(
        name=name,
        nodes=tuple(
            Node(str(j + 1), x, y, {COMPANY: q}) for j, ((x, y), q) in enumerate(zip(customers, demand, strict=True))
        ),
        companies=(Company(COMPANY, "LRP fleet", Site("D1.depot", *first), Fleet(None, capacity, route_cost, 1.0)),),
        centers=tuple(
            Center(Site(f"D{i + 1}", x, y), opening[i], depot_capacity[i]) for i, (x, y) in enumerate(depots)
        ),
        distance=DistanceSpec("euclidean", rounding),
        # Not in the file: the location stage's transport cost per parcel and distance
        # unit, the radial estimate of routing cost (out and back, shared by a full load).
        parcel_km_cost=2.0 / capacity,
        coordinates="planar",
        units={
            "distance": "1/100 units" if flag == 0 else "units",
            "cost": "cost units",
            "demand": "units",
            "time": "-",
        },
        provenance=Provenance(
            summary=f"Prodhon LRP instance {name}; distances Euclidean, rounding {rounding!r}",
            real=("all data (published benchmark)",),
            sources=(str(path),),
        ),
        source=str(path),
    )
