"""The checks every reader's `Instance` passes, whatever its file format.

`load_instance` runs them on every instance it reads. The JSON format checks most of
the same things on its document first, with JSON paths, and the text readers check
their numbers as they read them; this is the one rule behind them all, so that no
format lets through an instance the pipeline cannot plan: numbers finite and of a
physical size, demands non-negative and not all zero, no demand above the largest
vehicle, no more demand than the fleets or the centers hold, none above every center,
coordinates in range, windows opening and services ending within the shift. With the
distance tables (`check_reachable`, after `lastmile.memory.check_memory`): every node
reachable within the shift, before its window closes, and within the route limits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from lastmile.errors import InstanceError, shorten
from lastmile.model import Fleet, Instance
from lastmile.walk import TOLERANCE

#: The largest magnitude any number in an instance may have. No quantity in an
#: instance (parcels, km, CNY, coordinates in metres) comes near it; a larger number
#: is a typo or an overflow, and squares of it (Euclidean distances) would overflow.
MAX_MAGNITUDE = 1e15
BOM = "\ufeff"
#: Results label an instance's variants `NAME@PARAMETER=FACTOR`, so a name may not hold it.
VARIANT_MARK = "@"
#: A number as the text formats write one (ASCII digits; nan and inf are refused later, by name).
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[-+]?(nan|inf|infinity)", re.IGNORECASE | re.ASCII)


def read_text(path: str | Path, *, nul_is_space: bool = False) -> str:
    """A text instance file as one string: UTF-8 without a byte-order mark (which
    would silently become part of the first keyword or number). `nul_is_space`: NUL
    padding counts as whitespace (as distributed, some Holmberg files carry it)."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InstanceError(file, "", f"cannot read the file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InstanceError(file, f"line {line}", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
    if text.startswith(BOM):
        raise InstanceError(file, "line 1", "starts with a UTF-8 byte-order mark: save the file without it")
    if "\x00" in text:
        if not nul_is_space:
            line = text[: text.index("\x00")].count("\n") + 1
            raise InstanceError(file, f"line {line}", "holds a NUL byte: not a text file")
        text = text.replace("\x00", " ")
    return text


def number(file: str, field: str, token: object, *, what: str = "", minimum: float | None = 0.0) -> float:
    """`token` as a finite float of at most `MAX_MAGNITUDE`, at least `minimum`."""
    label = f"{what}: " if what else ""
    if isinstance(token, str) and not NUMBER.fullmatch(token):
        # float() also takes "1_000", other scripts' digits and padding: no file format does
        raise InstanceError(file, field, f"{label}{_short(token)} is not a number")
    try:
        value = float(token)  # type: ignore[arg-type]
    except OverflowError:  # an int beyond any float (JSON)
        raise InstanceError(file, field, f"{label}{_short(token)} is too large") from None
    if not math.isfinite(value):
        # a string of digits too long for a float reads as infinity: say what it is
        overflowed = math.isinf(value) and isinstance(token, str) and any(c.isdigit() for c in token)
        raise InstanceError(
            file, field, f"{label}{_short(token)} is {'too large' if overflowed else 'not a finite number'}"
        )
    if abs(value) > MAX_MAGNITUDE:
        raise InstanceError(file, field, f"{label}{_short(token)} is larger than {MAX_MAGNITUDE:g}")
    if minimum is not None and value < minimum:
        raise InstanceError(file, field, f"{label}{_short(token)} is less than {minimum:g}")
    return value


def _short(token: object) -> str:
    """A value as a message quotes it: whole if short, else its start and its length."""
    text = shorten(str(token), 40)
    return repr(text) if isinstance(token, str) and text == token else text


def check_instance(instance: Instance) -> None:
    """Raise `InstanceError` (naming the instance's file) for the first fault."""
    file = instance.source or instance.name
    if VARIANT_MARK in instance.name:
        raise InstanceError(file, "name", f"{instance.name!r}: '{VARIANT_MARK}' marks sensitivity variants in results")
    for field, value in _numbers(instance):
        number(file, field, value, minimum=None)
    _check_matrices(instance, file)
    for node in instance.nodes:
        for key, amounts in (("demand", node.demand), ("pickup", node.pickup)):
            for company, quantity in amounts.items():
                if quantity < 0:
                    raise InstanceError(file, f"node {node.id} {key}", f"{quantity:g} for {company} is negative")
    if not any(node.total_demand > 0 or node.total_pickup > 0 for node in instance.nodes):
        raise InstanceError(file, "demands", "every demand is zero: there is nothing to deliver")
    _check_customers(instance, file)
    _check_coordinates(instance, file)
    _check_capacity(instance, file)
    _check_shift(instance, file)


def _check_customers(instance: Instance, file: str) -> None:
    """Every company has a customer: one without would have no independent delivery to
    compare and no share of the game, so it is refused rather than skipped (issue 32)."""
    served = {c for node in instance.nodes for c, q in (*node.demand.items(), *node.pickup.items()) if q > 0}
    for company in instance.companies:
        if company.id not in served:
            raise InstanceError(
                file,
                f"company {company.id}",
                "has no customers (no node's demand or pickup names it): give it parcels, or remove it",
            )


def _numbers(instance: Instance) -> Iterator[tuple[str, float]]:
    for node in instance.nodes:
        yield f"node {node.id} x", node.x
        yield f"node {node.id} y", node.y
        for company, quantity in (*node.demand.items(), *node.pickup.items()):
            yield f"node {node.id} demand of {company}", quantity
    for center in instance.centers:
        yield f"center {center.id} x", center.site.x
        yield f"center {center.id} y", center.site.y
        yield f"center {center.id} fixed cost", center.fixed_cost
        if center.capacity is not None:
            yield f"center {center.id} capacity", center.capacity
    for company in instance.companies:
        fleet = company.fleet
        yield f"company {company.id} capacity", fleet.capacity
        yield f"company {company.id} fixed cost", fleet.fixed_cost
        yield f"company {company.id} cost per km", fleet.cost_per_km


def _check_matrices(instance: Instance, file: str) -> None:
    """Distances and costs given as matrices: finite, of a physical size, not negative."""
    for name, matrix in (("distance matrix", instance.matrix), ("cost matrix", instance.assignment_cost)):
        if matrix is None:
            continue
        bad = np.argwhere(~np.isfinite(matrix) | (np.abs(matrix) > MAX_MAGNITUDE) | (matrix < 0))
        if len(bad):
            i, j = (int(k) for k in bad[0])
            number(file, f"{name} entry ({i + 1}, {j + 1})", float(matrix[i, j]))


def _check_coordinates(instance: Instance, file: str) -> None:
    if instance.coordinates == "planar":
        return
    for site in (*instance.nodes, *(c.site for c in instance.centers), *(c.depot for c in instance.companies)):
        if not (-180.0 <= site.x <= 180.0 and -90.0 <= site.y <= 90.0):
            raise InstanceError(file, f"{site.id}", f"({site.x}, {site.y}) is not a longitude and latitude")


def _check_shift(instance: Instance, file: str) -> None:
    """Every window opens within the shift (`Instance.shift_min`) and no service outlasts it."""
    shift = instance.shift_min
    if shift is None:
        return
    for node in instance.nodes:
        if not node.needs_service():
            continue
        window = node.time_window
        if window is not None and window.earliest > shift:
            raise InstanceError(
                file,
                f"node {node.id} time_window",
                f"opens at {window.earliest:g} min, after the shift ends ({shift:g})",
            )
        if node.service_time > shift:
            raise InstanceError(
                file, f"node {node.id} service_time", f"{node.service_time:g} min, longer than the {shift:g}-min shift"
            )


def check_reachable(instance: Instance) -> None:
    """The checks that need the distance tables (`lastmile.distances.tables`, computed
    here once and kept for the run): every node a vehicle can reach within the shift
    (from the nearest center or depot, at the instance's speed with congestion), before
    its window closes, and there and back within the route limit of every fleet that
    must serve it (the pooled fleet from a center; a company's from its depot)."""
    if not instance.companies:
        return
    from lastmile.distances import tables

    file = instance.source or instance.name
    t = tables(instance)
    index = instance.index
    starts = [c.id for c in instance.centers] + [c.depot.id for c in instance.companies]
    rows = [index[s] for s in starts]
    for node in instance.nodes:
        if not node.needs_service():
            continue
        i = index[node.id]
        minutes = t.minutes[rows, i]
        nearest = int(minutes.argmin())
        earliest = float(minutes[nearest])
        if instance.shift_min is not None and earliest > instance.shift_min + TOLERANCE:
            raise InstanceError(
                file,
                f"node {node.id}",
                f"the nearest start ({starts[nearest]}) is {earliest:.4g} min away at speed_kmh "
                f"{instance.speed_kmh:g}, beyond the {instance.shift_min:g}-min shift",
            )
        window = node.time_window
        if window is not None and window.latest + TOLERANCE < earliest:
            raise InstanceError(
                file,
                f"node {node.id} time_window",
                f"closes at {window.latest:g} min, before any vehicle can arrive ({earliest:.4g} min from "
                f"{starts[nearest]})",
            )
        for fleet, owner, bases in _route_limits(instance, node.id):
            trip = t.km[[index[b] for b in bases], i] + t.km[i, [index[b] for b in bases]]
            if float(trip.min()) > fleet.max_route_km + TOLERANCE:  # type: ignore[operator]
                raise InstanceError(
                    file,
                    f"node {node.id}",
                    f"{float(trip.min()):.1f} km there and back from the nearest {owner} base, beyond the route limit "
                    f"of {fleet.max_route_km:g} km",
                )


def _route_limits(instance: Instance, node: str) -> Iterator[tuple[Fleet, str, list[str]]]:
    """(fleet, whose, where its vehicles start) for every route-limited fleet that must
    serve `node`: the joint fleet from the centers, each company with parcels there from
    its depot."""
    if instance.centers and len(instance.companies) > 1:
        try:
            pooled = instance.pooled_fleet()
        except ValueError:  # the companies' vehicles differ: no pooled type to check
            pooled = None
        if pooled is not None and pooled.max_route_km is not None:
            yield pooled, "center (joint delivery)", [c.id for c in instance.centers]
    found = instance.node_by_id[node]
    for company in instance.companies:
        if company.fleet.max_route_km is not None and found.needs_service(company.id):
            base = company.depot.id if len(instance.companies) > 1 or not instance.centers else instance.centers[0].id
            yield company.fleet, f"company {company.id}", [base]


def _check_capacity(instance: Instance, file: str) -> None:
    if instance.companies:
        largest = max(c.fleet.capacity for c in instance.companies)
        for node in instance.nodes:
            quantity = max(node.total_demand, node.total_pickup)
            if quantity > largest:
                raise InstanceError(
                    file, f"node {node.id}", f"{quantity:g} parcels exceed the largest vehicle capacity {largest:g}"
                )
        counted = [c.fleet for c in instance.companies if c.fleet.count is not None]
        if len(counted) == len(instance.companies):
            fleet = sum(f.count * f.capacity for f in counted)  # type: ignore[operator]
            if instance.total_demand > fleet:
                raise InstanceError(
                    file,
                    "fleet",
                    f"total demand {instance.total_demand:g} exceeds the fleet's capacity {fleet:g}",
                )
    if instance.centers and all(c.capacity is not None for c in instance.centers):
        held = sum(c.capacity for c in instance.centers)  # type: ignore[misc]
        if instance.total_demand > held:
            raise InstanceError(
                file, "center capacities", f"total demand {instance.total_demand:g} exceeds their total {held:g}"
            )
        largest = max(c.capacity for c in instance.centers)  # type: ignore[type-var]
        if instance.companies or instance.single_sourcing:  # a node's parcels leave from one center
            for node in instance.nodes:
                if node.total_demand > largest + TOLERANCE:  # type: ignore[operator]
                    raise InstanceError(
                        file,
                        f"node {node.id}",
                        f"{node.total_demand:g} parcels, more than any center holds (the largest {largest:g}): "
                        "a node is served whole from one center",
                    )
