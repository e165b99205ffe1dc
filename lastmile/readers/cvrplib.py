"""CVRPLIB `.vrp` instances and `.sol` solutions, split by `vrplib`.

Node ids are the file's own node numbers ("1" is usually the depot). The CVRPLIB
cost convention rounds every Euclidean distance to the nearest integer: it is the
named choice `rounding="nint"`, and `"none"` keeps exact distances. Sets A, B, E and
P fix the fleet at the k of the name (`-k5`); set X leaves it unlimited.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from vrplib.parse import parse_solution
from vrplib.parse.parse_utils import text2lines
from vrplib.parse.parse_vrplib import group_specifications_and_sections

from lastmile.distances import euclidean
from lastmile.errors import InstanceError, shorten
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
from lastmile.readers.physics import number, read_text

COMPANY = "cvrp"


#: Header keys read (or harmless; COMMENT lines are dropped before); any other (e.g. DISTANCE, a route length limit)
#: would change the problem, so a file that has one is refused rather than misread.
HEADER_KEYS = frozenset(
    {"NAME", "TYPE", "DIMENSION", "CAPACITY", "EDGE_WEIGHT_TYPE", "EDGE_WEIGHT_FORMAT"}
    | {"DISPLAY_DATA_TYPE", "NODE_COORD_TYPE"}
)
SECTIONS = frozenset({"NODE_COORD_SECTION", "DEMAND_SECTION", "DEPOT_SECTION", "EDGE_WEIGHT_SECTION"})
SECTIONS |= {"DISPLAY_DATA_SECTION"}
EDGE_WEIGHT_TYPES = ("EUC_2D", "EXPLICIT")


def read_cvrplib(path: str | Path, rounding: Rounding = "nint") -> Instance:
    """Read a CVRP file. vrplib splits it into header and sections; everything else is
    checked and computed here, because vrplib accepts much that is not the format (a
    repeated or missing row, a word for a number, a depot out of range, weights it then
    ignores) and its Euclidean formula (|a|^2 + |b|^2 - 2ab) loses whole units once
    coordinates reach 1e8."""
    file = str(path)
    specs, sections = vrplib_parts(path)
    header = header_of(file, specs, HEADER_KEYS, "CVRP")
    kind = header.get("TYPE", "CVRP")
    if kind != "CVRP":
        raise InstanceError(file, "TYPE", f"{kind!r}: only CVRP files are read")
    weights = header.get("EDGE_WEIGHT_TYPE")
    if weights not in EDGE_WEIGHT_TYPES:
        raise InstanceError(file, "EDGE_WEIGHT_TYPE", f"{weights!r}: only {' and '.join(EDGE_WEIGHT_TYPES)} are read")
    n = _dimension(file, header)
    capacity = number(file, "CAPACITY", header.get("CAPACITY", "(missing)"), what="vehicle capacity")
    if capacity <= 0:
        raise InstanceError(file, "CAPACITY", "the vehicle capacity must be positive")
    rows = sections_of(file, sections, SECTIONS, "CVRP")
    demand = node_table(file, rows, "DEMAND_SECTION", n, 1)[:, 0]
    explicit = weights == "EXPLICIT"
    if explicit != ("EDGE_WEIGHT_SECTION" in rows):
        fault = "missing: EDGE_WEIGHT_TYPE is EXPLICIT" if explicit else f"given, but EDGE_WEIGHT_TYPE is {weights}"
        raise InstanceError(file, "EDGE_WEIGHT_SECTION", fault)
    has_coords = "NODE_COORD_SECTION" in rows
    if not (explicit or has_coords):
        raise InstanceError(file, "NODE_COORD_SECTION", "missing: EUC_2D distances need coordinates")
    coords = node_table(file, rows, "NODE_COORD_SECTION", n, 2, minimum=None) if has_coords else np.zeros((n, 2))
    depot = depot_of(file, rows, n, "CVRP")
    if demand[depot] != 0:
        raise InstanceError(file, "DEMAND_SECTION", f"the depot (node {depot + 1}) has demand {demand[depot]:g}")
    # rounded by lastmile.distances
    matrix = explicit_matrix(file, header, rows["EDGE_WEIGHT_SECTION"], n) if explicit else euclidean(coords, coords)
    name = str(header.get("NAME", Path(file).stem))
    fleet = _fleet_size(file, name, n)
    ids = [str(i + 1) for i in range(n)]
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
                Fleet(fleet, capacity, 0.0, 1.0, None),
            ),
        ),
        centers=(Center(center, 0.0, None),),
        distance=DistanceSpec("explicit", "none" if explicit else rounding),
        coordinates="planar",
        units={"distance": "CVRPLIB distance units", "cost": "distance units", "demand": "units", "time": "-"},
        provenance=Provenance(
            summary=f"CVRPLIB instance {name}, split by vrplib and checked here; distances "
            + ("as given (EXPLICIT)" if explicit else f"Euclidean, rounding {rounding!r}"),
            real=("all data (published benchmark)",),
            sources=(file,),
        ),
        matrix=matrix[np.ix_(order, order)],
        source=file,
    )


def vrplib_parts(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """The file's header lines and sections, as vrplib's splitter groups them. COMMENT
    lines are dropped first: the splitter reads "EOF" or "_SECTION" anywhere in a line,
    so a comment like "see GEOFFREY" would end the file."""
    lines = [line for line in text2lines(read_text(path)) if not line.upper().startswith("COMMENT")]
    try:
        return group_specifications_and_sections(lines)
    except (ValueError, RuntimeError) as exc:
        raise InstanceError(str(path), "", f"not VRPLIB text: {exc}") from None


def _fleet_size(file: str, name: str, n: int) -> int | None:
    """Sets A, B, E and P fix the fleet at the `-kN` of the name; set X does not."""
    match = re.search(r"-k(\d+)$", name)
    if match is None or name.startswith("X-"):
        return None
    digits = match.group(1)
    if len(digits) > 6 or not 1 <= int(digits) <= n - 1:
        raise InstanceError(
            file, "NAME", f"-k{shorten(digits, 40)}: a fleet of 1 to {n - 1} vehicles (one per customer at most)"
        )
    return int(digits)


#: The explicit weight layouts read: the full matrix, or the rows below the diagonal.
EDGE_WEIGHT_FORMATS = ("FULL_MATRIX", "LOWER_ROW")


def explicit_matrix(
    file: str, header: dict[str, str], rows: list[list[str]], n: int, *, symmetric: bool = True
) -> np.ndarray:
    """An EXPLICIT weight section as an n x n matrix with a zero diagonal (symmetric
    unless `symmetric=False`, which only a FULL_MATRIX can express)."""
    layout = header.get("EDGE_WEIGHT_FORMAT")
    if layout not in EDGE_WEIGHT_FORMATS:
        raise InstanceError(
            file, "EDGE_WEIGHT_FORMAT", f"{layout!r}: only {' and '.join(EDGE_WEIGHT_FORMATS)} are read"
        )
    values = [number(file, "EDGE_WEIGHT_SECTION", word, what="weight") for line in rows for word in line]
    needed = n * n if layout == "FULL_MATRIX" else n * (n - 1) // 2
    if len(values) != needed:
        raise InstanceError(
            file, "EDGE_WEIGHT_SECTION", f"{len(values)} weights; {layout} of DIMENSION {n} needs {needed}"
        )
    if layout == "FULL_MATRIX":
        matrix = np.array(values).reshape(n, n)
    else:
        matrix = np.zeros((n, n))
        matrix[np.tril_indices(n, -1)] = values
        matrix += matrix.T
    if np.any(np.diag(matrix) != 0):
        raise InstanceError(file, "EDGE_WEIGHT_SECTION", "a node's weight to itself is not 0")
    if symmetric and not np.array_equal(matrix, matrix.T):
        raise InstanceError(file, "EDGE_WEIGHT_SECTION", "the matrix is not symmetric: a CVRP's weights are")
    return matrix


def header_of(file: str, specs: list[str], known: frozenset[str], kind: str) -> dict[str, str]:
    """The `KEY : VALUE` lines, keys upper-cased; a repeated key, or one not `known`, is refused."""
    header: dict[str, str] = {}
    for line in specs:
        key, _, value = line.partition(":")
        key, value = key.strip().upper(), value.strip()
        if key not in known:
            raise InstanceError(file, key, f"is not a {kind} header key this reader knows (the file would be misread)")
        if key in header:
            raise InstanceError(file, key, "appears twice")
        header[key] = value
    return header


def _dimension(file: str, header: dict[str, str]) -> int:
    value = number(file, "DIMENSION", header.get("DIMENSION", "(missing)"), what="number of nodes")
    if value != int(value) or value < 2:
        raise InstanceError(
            file, "DIMENSION", f"{value:g}: needs a whole number of nodes, depot included, of 2 or more"
        )
    return int(value)


def sections_of(file: str, sections: list[list[str]], known: frozenset[str], kind: str) -> dict[str, list[list[str]]]:
    """Each section's rows as words, by section name; unknown or repeated ones refused."""
    out: dict[str, list[list[str]]] = {}
    for lines in sections:
        name = lines[0].strip(" :").upper()
        if name not in known:
            raise InstanceError(file, name, f"is not a {kind} section this reader knows (the file would be misread)")
        if name in out:
            raise InstanceError(file, name, "appears twice")
        out[name] = [line.split() for line in lines[1:]]
    return out


def node_table(
    file: str, rows: dict[str, list[list[str]]], section: str, n: int, width: int, *, minimum: float | None = 0.0
) -> np.ndarray:
    """A node section as an n x width array: row k is `k+1 value...`, every value a
    finite number (at least `minimum`)."""
    if section not in rows:
        raise InstanceError(file, section, "missing section")
    lines = rows[section]
    if len(lines) != n:
        raise InstanceError(file, section, f"has {len(lines)} rows; DIMENSION is {n}")
    out = np.zeros((n, width))
    for k, words in enumerate(lines):
        field = f"{section} row {k + 1}"
        if len(words) != width + 1:
            raise InstanceError(file, field, f"needs a node number and {width} value(s), not {len(words)} words")
        if words[0] != str(k + 1):
            raise InstanceError(file, field, f"node {words[0]!r} where node {k + 1} belongs (nodes in order 1..{n})")
        out[k] = [number(file, field, w, minimum=minimum) for w in words[1:]]
    return out


def depot_of(file: str, rows: dict[str, list[list[str]]], n: int, kind: str) -> int:
    """The one depot's index (the section lists node numbers, ended by -1)."""
    words = [w for line in rows.get("DEPOT_SECTION", []) for w in line]
    if "-1" in words:
        after = words[words.index("-1") + 1 :]
        if after:
            raise InstanceError(file, "DEPOT_SECTION", f"{' '.join(after)[:40]!r} after the closing -1")
        words = words[: words.index("-1")]
    if len(words) != 1:
        raise InstanceError(file, "DEPOT_SECTION", f"{len(words)} depots; a {kind} has one")
    if not re.fullmatch(r"\d+", words[0]) or not 1 <= int(words[0]) <= n:
        raise InstanceError(file, "DEPOT_SECTION", f"depot {words[0]!r} is not a node number of 1..{n}")
    return int(words[0]) - 1


def read_cvrplib_solution(path: str | Path, instance: Instance) -> Solution:
    """A CVRPLIB `.sol` file (CVRP or Solomon VRPTW) as a joint solution from the
    instance's depot, on the vehicles of its one company.

    CVRPLIB numbers customers 1..n-1 in file order with the depot left out, so
    customer k is file node k + 1 when the depot is node 1 (Solomon: node k). A file
    that is not text, a route that is not numbers or a customer outside 1..n is an
    `InstanceError` naming the file and the route.
    """
    data = _solution_data(path)
    file = str(path)
    center = instance.centers[0].id
    company = instance.companies[0].id
    customers = [n.id for n in instance.nodes]
    for k, route in enumerate(data["routes"], start=1):
        outside = [c for c in route if not 1 <= c <= len(customers)]
        if outside:
            raise InstanceError(
                file, f"Route #{k}", f"customer {outside[0]} is not one of 1..{len(customers)} of {instance.name}"
            )
    routes = tuple(
        Route.through(f"{company}-{k}", center, [customers[c - 1] for c in route])
        for k, route in enumerate(data["routes"], start=1)
    )
    return Solution.routed(routes)


def read_cvrplib_cost(path: str | Path) -> float | None:
    """The `Cost` a CVRPLIB `.sol` file states (None without one); a cost that is not
    a number is an `InstanceError`."""
    stated = _solution_data(path).get("cost")
    if stated is None:
        return None
    return number(str(path), "Cost", str(stated), what="cost")


def _solution_data(path: str | Path) -> dict:
    """The file parsed by `vrplib` from text read by the shared reader (UTF-8, no NUL)."""
    file = str(path)
    text = read_text(path)
    try:
        data = parse_solution(text)
    except (ValueError, IndexError) as exc:  # vrplib: int() of a word, a Route line without a colon
        raise InstanceError(file, "Route", f"not a list of customer numbers ({exc})") from None
    if not data["routes"]:
        raise InstanceError(file, "", "no 'Route #k:' line: not a CVRPLIB solution")
    return data
