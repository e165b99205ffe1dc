"""Solomon VRPTW instances (the original `.txt` layout), checked against vrplib's
definition of the format and read into the shared `Instance`.

The published optima (Kohl et al., CVRPLIB) minimise total distance with every
Euclidean distance and travel time truncated to one decimal: the named choice
`rounding="trunc1"`; `"none"` keeps exact distances (the hierarchical heuristic
literature). Time is distance (speed 1), so an instance's speed is 60 distance units
an hour and a leg takes as many minutes as it is long.

Two modelling choices the format leaves to the reader, both exact on every published
file:
- the clock starts when the depot opens: every window is shifted by the depot's ready
  time, so the route walk's clock (0 at the center) is the file's time less it;
- the depot's due date is the end of the day: a customer's window closes no later
  than the depot's due date less its service time and the leg back, so a route that
  leaves its last customer in time is home in time (the shared route walk has no
  closing time of its own). On the published files this never moves a window.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from vrplib.parse.parse_solomon import is_valid_solomon_instance

from lastmile.distances import apply_rounding, euclidean
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
    Site,
    TimeWindow,
)
from lastmile.readers.physics import number, read_text

COMPANY = "vrptw"
#: Distance units per hour, so that a leg's minutes equal its length (time is distance).
SPEED = 60.0
#: Columns of a customer row: number, x, y, demand, ready time, due date, service time.
COLUMNS = ("CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE TIME")


def read_solomon(path: str | Path, rounding: Rounding = "trunc1") -> Instance:
    """Read a Solomon VRPTW file. vrplib decides whether the text is the format; the rows
    are read here, because vrplib reads them with `numpy.genfromtxt(dtype=int)`, which
    truncates decimals, reads a word as -1 and lets a short row shift into the next."""
    file = str(path)
    lines = [(k, line.strip()) for k, line in enumerate(read_text(path).splitlines(), start=1) if line.strip()]
    try:
        is_valid_solomon_instance([line for _, line in lines])
    except RuntimeError:
        raise InstanceError(
            file,
            "",
            "not a Solomon VRPTW file: needs a name, VEHICLE, NUMBER CAPACITY and their values, "
            "CUSTOMER and the column header CUST NO. XCOORD. YCOORD. DEMAND READY TIME DUE DATE SERVICE TIME",
        ) from None
    fleet_line, fleet_words = lines[3][0], lines[3][1].split()
    if len(fleet_words) != 2:
        raise InstanceError(file, f"line {fleet_line}", f"needs NUMBER and CAPACITY, not {len(fleet_words)} values")
    vehicles = number(file, f"line {fleet_line} NUMBER", fleet_words[0], what="vehicles")
    if vehicles != int(vehicles) or vehicles < 1:
        raise InstanceError(
            file, f"line {fleet_line} NUMBER", f"{vehicles:g}: needs a whole number of vehicles, 1 or more"
        )
    capacity = number(file, f"line {fleet_line} CAPACITY", fleet_words[1], what="vehicle capacity")
    if capacity <= 0:
        raise InstanceError(file, f"line {fleet_line} CAPACITY", "the vehicle capacity must be positive")
    rows = _rows(file, lines[6:])
    coords = rows[:, 1:3]
    km = apply_rounding(euclidean(coords, coords), rounding)
    ready, due, service = np.maximum(rows[:, 4] - rows[0, 4], 0.0), rows[:, 5] - rows[0, 4], rows[:, 6]
    if rows[0, 3] != 0:
        raise InstanceError(file, "CUSTOMER 0 DEMAND", f"the depot has demand {rows[0, 3]:g}")
    labels = [f"CUSTOMER {i}" for i in range(len(rows))]
    latest = day_windows(file, labels, ready, due, service, km[:, 0], km[0, :])
    ids = [str(i) for i in range(len(rows))]
    fleet = min(int(vehicles), len(rows) - 1)  # a vehicle beyond one per customer is never used
    nodes = tuple(
        Node(
            ids[i],
            float(coords[i, 0]),
            float(coords[i, 1]),
            {COMPANY: float(rows[i, 3])},
            time_window=TimeWindow(float(ready[i]), float(latest[i])),
            service_time=float(service[i]),
        )
        for i in range(1, len(rows))
    )
    name = lines[0][1]
    depot = Site("0", *coords[0])
    return Instance(
        name=name,
        nodes=nodes,
        companies=(Company(COMPANY, "Solomon fleet", Site("0.depot", *coords[0]), Fleet(fleet, capacity, 0.0, 1.0)),),
        centers=(Center(depot, 0.0, None),),
        distance=DistanceSpec("euclidean", rounding),
        coordinates="planar",
        speed_kmh=SPEED,
        shift_min=float(max(due[0], 1e-9)),  # the depot's due date, shifted to its opening
        units={
            "distance": "Solomon distance units",
            "cost": "distance units",
            "demand": "units",
            "time": "distance units",
        },
        provenance=Provenance(
            summary=f"Solomon VRPTW instance {name}; distances Euclidean, rounding {rounding!r}; time = distance",
            real=("all data (published benchmark)",),
            sources=(file,),
        ),
        source=file,
    )


def day_windows(
    file: str,
    labels: list[str],
    ready: np.ndarray,
    due: np.ndarray,
    service: np.ndarray,
    back: np.ndarray,
    out: np.ndarray,
) -> np.ndarray:
    """Each window's close, no later than the depot's (row 0) due date less the service and
    the leg `back`; a customer (named by its field in `labels`, row 0 the depot) that cannot
    be served in time, or not reached (`out` the leg there), is refused."""
    latest = np.minimum(due, due[0] - service - back)
    for i in range(1, len(latest)):
        if latest[i] < ready[i]:
            raise InstanceError(
                file, labels[i], "cannot be served in its window and the vehicle back before the depot closes"
            )
        if out[i] > latest[i]:
            raise InstanceError(file, labels[i], "cannot be reached from the depot before its window closes")
    return latest


def _rows(file: str, lines: list[tuple[int, str]]) -> np.ndarray:
    """The depot and customer rows: customer numbers 0..n in order, seven numbers each."""
    if len(lines) < 2:
        raise InstanceError(file, "CUSTOMER", f"{len(lines)} rows: needs the depot (0) and at least one customer")
    out = np.zeros((len(lines), len(COLUMNS)))
    for k, (line, text) in enumerate(lines):
        words = text.split()
        field = f"line {line} (CUSTOMER {k})"
        if len(words) != len(COLUMNS):
            raise InstanceError(file, field, f"needs {len(COLUMNS)} values ({', '.join(COLUMNS)}), not {len(words)}")
        if words[0] != str(k):
            raise InstanceError(file, field, f"customer {words[0][:20]!r} where customer {k} belongs (0..n in order)")
        for c, (word, column) in enumerate(zip(words[1:], COLUMNS[1:], strict=True), start=1):
            out[k, c] = number(file, f"{field} {column}", word, minimum=None if c < 3 else 0.0)
        if out[k, 4] > out[k, 5]:
            raise InstanceError(file, f"{field} DUE DATE", f"{out[k, 5]:g} is before the ready time {out[k, 4]:g}")
    return out
