"""One route's walk: the load it carries, its length and its arrivals, with one tolerance.

`check` judges every route by this walk. The compiled kernels the heuristics search
with (`heuristics.arrays.route_excess`, `heuristics.split.split`) repeat it on flat
arrays, with the same `TOLERANCE`, measuring by how much a route breaks each limit:
zero exactly where the walk finds nothing (a late vehicle's clock is set back to the
window's close, as penalised search prices time warp). A property test holds them to
agree with it on random routes at and beyond every limit:

- the vehicle leaves with all its deliveries; after each stop its load changes by
  the stop's pickups less its deliveries; it must never carry more than its capacity;
- the length is the sum of its legs, from the center back to the center;
- the clock starts at 0 at the center and adds each leg's minutes; a stop is late when
  the vehicle arrives after its window closes; an early vehicle waits for the window to
  open; service time follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from lastmile.cost import stop_quantities
from lastmile.distances import tables
from lastmile.model import Instance, Route

#: How far past a limit a value may be before it breaks it (floating-point sums).
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Walk:
    """What a route does: parcels on board when it leaves, the first stop after which it
    carries more than the capacity and that load (None: it never does, or it leaves
    overloaded), its km, and every stop it reaches after its window closes, with the
    arrival minute and the window's close."""

    start_load: float
    overload: tuple[str, float] | None
    km: float
    late: tuple[tuple[str, float, float], ...]


def walk(instance: Instance, route: Route, company: str | None, capacity: float, windows: bool = True) -> Walk:
    """Walk `route` carrying `company`'s parcels (None: every company's)."""
    quantities = stop_quantities(instance, route, company)
    load = sum(d for d, _ in quantities)
    start = load
    overload = None
    if start <= capacity + TOLERANCE:
        for stop, (delivered, collected) in zip(route.stops, quantities, strict=True):
            load += collected - delivered
            if load > capacity + TOLERANCE:
                overload = (stop, load)
                break
    t = tables(instance)
    path = [instance.index[loc] for loc in route.path]
    km = 0.0
    for a, b in pairwise(path):
        km += float(t.km[a, b])
    late = []
    clock = 0.0
    for previous, here, stop in zip(path[:-2], path[1:-1], route.stops, strict=True):
        clock += float(t.minutes[previous, here])
        node = instance.node_by_id[stop]
        if windows and node.time_window is not None:
            if clock > node.time_window.latest + TOLERANCE:
                late.append((stop, clock, node.time_window.latest))
            clock = max(clock, node.time_window.earliest)
        clock += node.service_time
    return Walk(start, overload, km, tuple(late))
