"""Two-echelon capacitated VRP (2E-VRP) files in the unified text format of Breunig,
Schmid, Hartl and Vidal (2016): Perboli-Tadei-Vigo sets 2-3, Crainic et al.'s set 4,
Hemmelmayr et al.'s sets 5-6, Breunig's set 7 (`../shared/benchmarks/2evrp/`).

Four data lines, each after its own `!` comment line naming its fields:

    !Trucks: (total #, capacity, cost per distance, fixcost)
    !CityFreighters: (max cf/sat, total #, cap, cost/dist, fixcost)
    !Stores: (first: depot x,y; then: satellites x,y[,handlingCost])
    !Customers: (x,y,demand)

Lines of `-` comments and blank lines are skipped; records on a data line are
separated by blanks and their fields by commas. Distances are unrounded Euclidean.

The file becomes the shared `Instance` of the `hub` line-haul design (issue 31): the
depot is the one hub `H` (no fixed or handling cost, unlimited), the satellites are
centers `S1..Sk` (no fixed cost, uncapacitated, at most `max cf/sat` vans each, a
handling cost per parcel where set 6b gives one), the trucks are the alliance's shuttle
trucks `truck-<k>` (`Instance.shuttle`), the city freighters the alliance's vans
`joint-<k>` (`Instance.joint_fleet`), and the customers nodes `1..n` of one company
`2e` whose depot stands at the hub (so no company legs: the file has none).
"""

from __future__ import annotations

import re
from pathlib import Path

from lastmile.errors import InstanceError
from lastmile.model import (
    Center,
    Company,
    DistanceSpec,
    Fleet,
    Hub,
    Instance,
    Node,
    Provenance,
    Site,
    Truck,
)
from lastmile.readers.physics import number, read_text

COMPANY = "2e"
HUB = "H"
#: The blocks in file order: the comment's keyword, and the fields of one record.
BLOCKS = (
    ("Trucks", ("total trucks", "truck capacity", "truck cost per distance", "truck fixed cost")),
    ("CityFreighters", ("vans per satellite", "total vans", "van capacity", "van cost per distance", "van fixed cost")),
    ("Stores", ("x", "y")),
    ("Customers", ("x", "y", "demand")),
)
HEADER = re.compile(r"!\s*(\w+)\s*:")


def looks_like(text: str) -> bool:
    """Whether a `.dat` file's text is a 2E-VRP file (a block's `!NAME:` comment among its
    first lines), not Prodhon's (numbers only)."""
    names = dict(BLOCKS)
    for line in text.splitlines()[:4]:
        match = HEADER.match(line.strip())
        if match is not None and match.group(1) in names:
            return True
    return False


def _blocks(file: str, text: str) -> dict[str, tuple[int, str]]:
    """Each block's (line number, data line), in the order the format fixes."""
    found: dict[str, tuple[int, str]] = {}
    pending: str | None = None
    for number_, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or set(line) <= {"!", "-"}:
            continue
        if line.startswith("!"):
            match = HEADER.match(line)
            if match is None or match.group(1) not in dict(BLOCKS):
                raise InstanceError(file, f"line {number_}", f"unknown comment {line[:40]!r}: not a 2E-VRP block")
            if pending is not None:
                raise InstanceError(file, f"line {number_}", f"block {pending!r} has no data line")
            pending = match.group(1)
            expected = BLOCKS[len(found)][0] if len(found) < len(BLOCKS) else None
            if pending != expected or pending in found:
                raise InstanceError(file, f"line {number_}", f"block {pending!r} out of order (expected {expected!r})")
            continue
        if pending is None:
            raise InstanceError(file, f"line {number_}", "data before any block's comment line")
        found[pending] = (number_, line)
        pending = None
    if pending is not None:
        raise InstanceError(file, pending, f"block {pending!r} has no data line")
    missing = [name for name, _ in BLOCKS if name not in found]
    if missing:
        raise InstanceError(file, missing[0], f"block {missing[0]!r} is missing")
    return found


def _records(file: str, line_no: int, line: str, fields: tuple[str, ...], block: str, optional: int = 0):
    """The comma-separated records of a data line as floats, each checked by name."""
    out = []
    for k, record in enumerate(line.split(), start=1):
        parts = record.split(",")
        if not len(fields) <= len(parts) <= len(fields) + optional:
            raise InstanceError(
                file, f"line {line_no}", f"{block} record {k}: {len(parts)} fields, expected {len(fields)}"
            )
        names = [*fields, *(f"field {i + 1}" for i in range(len(fields), len(parts)))]
        out.append(
            [
                number(file, f"line {line_no}", v, what=f"{block} record {k} {n}", minimum=None)
                for v, n in zip(parts, names, strict=True)
            ]
        )
    return out


def _whole(file: str, line_no: int, value: float, what: str, minimum: int) -> int:
    if value != int(value) or value < minimum:
        raise InstanceError(file, f"line {line_no}", f"{what}: {value:g} is not a whole number of at least {minimum}")
    return int(value)


def read_two_echelon(path: str | Path) -> Instance:
    """Read a 2E-VRP file; raise `InstanceError` naming the line and field of a fault."""
    file = str(path)
    found = _blocks(file, read_text(path))
    (t_line, t_text), (v_line, v_text) = found["Trucks"], found["CityFreighters"]
    trucks = _records(file, t_line, t_text, BLOCKS[0][1], "Trucks")
    vans = _records(file, v_line, v_text, BLOCKS[1][1], "CityFreighters")
    for rows, line_no, block in ((trucks, t_line, "Trucks"), (vans, v_line, "CityFreighters")):
        if len(rows) != 1:
            raise InstanceError(file, f"line {line_no}", f"{block}: {len(rows)} records, expected one")
    n_trucks, truck_cap, truck_km, truck_fixed = trucks[0]
    per_sat, n_vans, van_cap, van_km, van_fixed = vans[0]
    n_trucks_i = _whole(file, t_line, n_trucks, "total trucks", 1)
    per_sat_i = _whole(file, v_line, per_sat, "vans per satellite", 1)
    n_vans_i = _whole(file, v_line, n_vans, "total vans", 1)
    for value, what, line_no in (
        (truck_cap, "truck capacity", t_line),
        (van_cap, "van capacity", v_line),
    ):
        if value <= 0:
            raise InstanceError(file, f"line {line_no}", f"{what}: {value:g} must be positive")
    for value, what, line_no in (
        (truck_km, "truck cost per distance", t_line),
        (truck_fixed, "truck fixed cost", t_line),
        (van_km, "van cost per distance", v_line),
        (van_fixed, "van fixed cost", v_line),
    ):
        if value < 0:
            raise InstanceError(file, f"line {line_no}", f"{what}: {value:g} is negative")
    s_line, s_text = found["Stores"]
    stores = _records(file, s_line, s_text, BLOCKS[2][1], "Stores", optional=1)
    if len(stores) < 2:
        raise InstanceError(file, f"line {s_line}", "Stores: needs the depot and at least one satellite")
    if len(stores[0]) != 2:
        raise InstanceError(file, f"line {s_line}", "Stores record 1 (the depot) has no handling cost")
    c_line, c_text = found["Customers"]
    customers = _records(file, c_line, c_text, BLOCKS[3][1], "Customers")
    for k, (_, _, q) in enumerate(customers, start=1):
        if q < 0:
            raise InstanceError(file, f"line {c_line}", f"Customers record {k} demand: {q:g} is negative")
        if q > van_cap:
            raise InstanceError(
                file, f"line {c_line}", f"Customers record {k} demand: {q:g} exceeds the van capacity {van_cap:g}"
            )
    for k, store in enumerate(stores[1:], start=2):
        if len(store) == 3 and store[2] < 0:
            raise InstanceError(file, f"line {s_line}", f"Stores record {k} handling cost: {store[2]:g} is negative")
    total = sum(q for _, _, q in customers)
    if total > n_trucks_i * truck_cap:
        raise InstanceError(
            file, f"line {t_line}", f"total demand {total:g} exceeds the trucks' capacity {n_trucks_i * truck_cap:g}"
        )
    name = Path(path).stem
    depot_x, depot_y = stores[0]
    vans_fleet = Fleet(n_vans_i, van_cap, van_fixed, van_km)
    handling = [store[2] if len(store) == 3 else 0.0 for store in stores[1:]]
    return Instance(
        name=name,
        nodes=tuple(Node(str(k), x, y, {COMPANY: q}) for k, (x, y, q) in enumerate(customers, start=1)),
        companies=(Company(COMPANY, "2E-VRP customers", Site(f"{HUB}.depot", depot_x, depot_y), vans_fleet),),
        centers=tuple(
            Center(Site(f"S{k}", store[0], store[1]), 0.0, None, per_sat_i, handling[k - 1])
            for k, store in enumerate(stores[1:], start=1)
        ),
        distance=DistanceSpec("euclidean"),
        coordinates="planar",
        joint_fleet=vans_fleet,
        hubs=(Hub(Site(HUB, depot_x, depot_y), 0.0, 0.0, None),),
        shuttle=Truck(truck_cap, truck_fixed, truck_km, 0.0, n_trucks_i),
        line_haul_design="hub",
        units={"distance": "units", "cost": "cost units", "demand": "units", "time": "-"},
        provenance=Provenance(
            summary=f"2E-VRP instance {name} (unified format, Breunig et al. 2016); Euclidean distances, unrounded",
            real=("all data (published benchmark)",),
            sources=(str(path),),
        ),
        source=str(path),
    )
