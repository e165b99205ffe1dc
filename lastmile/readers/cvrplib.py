"""CVRPLIB `.vrp` instances and `.sol` solutions, parsed by `vrplib`.

Node ids are the file's own node numbers ("1" is usually the depot). The CVRPLIB
cost convention rounds every Euclidean distance to the nearest integer: it is the
named choice `rounding="nint"`, and `"none"` keeps exact distances. Sets A, B, E and
P fix the fleet at the k of the name (`-k5`); set X leaves it unlimited.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import vrplib

from lastmile.errors import InstanceError
from lastmile.model import (
    Center,
    Company,
    DistanceSpec,
    Fleet,
    Instance,
    Node,
    Provenance,
    Rounding,
    Route,
    Site,
    Solution,
)

COMPANY = "cvrp"


def read_cvrplib(path: str | Path, rounding: Rounding = "nint") -> Instance:
    file = str(path)
    try:
        data = vrplib.read_instance(path)
    except Exception as exc:  # vrplib raises bare ValueError/IndexError/KeyError on bad text
        raise InstanceError(file, "", f"vrplib cannot parse it ({exc.__class__.__name__}: {exc})") from None
    for key in ("dimension", "capacity", "demand", "depot", "edge_weight"):
        if key not in data:
            raise InstanceError(file, key.upper(), "missing section")
    n = int(data["dimension"])
    depots = [int(d) for d in np.atleast_1d(data["depot"])]
    if len(depots) != 1:
        raise InstanceError(file, "DEPOT_SECTION", f"{len(depots)} depots; a CVRP has one")
    depot = depots[0]
    coords = np.asarray(data.get("node_coord", np.zeros((n, 2))), dtype=float)
    demand = np.asarray(data["demand"], dtype=float)
    if demand.shape != (n,) or np.any(demand < 0):
        raise InstanceError(file, "DEMAND_SECTION", f"needs {n} non-negative demands")
    capacity = float(data["capacity"])
    if np.any(demand > capacity):
        raise InstanceError(file, "DEMAND_SECTION", f"a demand exceeds the vehicle capacity {capacity:g}")
    ids = [str(i + 1) for i in range(n)]
    match = re.search(r"-k(\d+)$", str(data.get("name", Path(file).stem)))
    name = str(data.get("name", Path(file).stem))
    fixed_fleet = match is not None and not name.startswith("X-")
    explicit = data.get("edge_weight_type", "") == "EXPLICIT"
    matrix = np.asarray(data["edge_weight"], dtype=float)  # rounded by lastmile.distances
    center = Site(ids[depot], *coords[depot])
    nodes = tuple(
        Node(ids[i], float(coords[i, 0]), float(coords[i, 1]), {COMPANY: float(demand[i])})
        for i in range(n)
        if i != depot
    )
    home = Site(f"{ids[depot]}.depot", *coords[depot])
    order = [depot, depot, *[i for i in range(n) if i != depot]]  # center, company depot, nodes
    return Instance(
        name=name,
        nodes=nodes,
        companies=(
            Company(
                COMPANY,
                "CVRPLIB fleet",
                home,
                Fleet(int(match.group(1)) if fixed_fleet and match else None, capacity, 0.0, 1.0, None),
            ),
        ),
        centers=(Center(center, 0.0, None),),
        distance=DistanceSpec("explicit", "none" if explicit else rounding),
        coordinates="planar",
        units={"distance": "CVRPLIB distance units", "cost": "distance units", "demand": "units", "time": "-"},
        provenance=Provenance(
            summary=f"CVRPLIB instance {name}, read with vrplib; distances "
            + ("as given (EXPLICIT)" if explicit else f"Euclidean, rounding {rounding!r}"),
            real=("all data (published benchmark)",),
            sources=(file,),
        ),
        matrix=matrix[np.ix_(order, order)],
        source=file,
    )


def read_cvrplib_solution(path: str | Path, instance: Instance) -> Solution:
    """A CVRPLIB `.sol` file as a joint solution from the instance's depot.

    CVRPLIB numbers customers 1..n-1 in file order with the depot left out, so
    customer k is file node k + 1 when the depot is node 1.
    """
    data = vrplib.read_solution(path)
    center = instance.centers[0].id
    customers = [n.id for n in instance.nodes]
    routes = tuple(
        Route.through(f"{COMPANY}-{k}", center, [customers[c - 1] for c in route])
        for k, route in enumerate(data["routes"], start=1)
    )
    return Solution.routed(routes)
