"""Capacitated facility location benchmarks as location-only instances.

- OR-Library `capNN.txt`, `capa/b/c` (Beasley 1988): multi-source. Per customer, its
  demand then the cost of serving *all* of it from each facility. `capa/b/c` hold the
  word `capacity` where a number belongs: pass `capacity=` (`optimal.csv`'s
  `capacity_substitute`).
- Holmberg et al. (1999) single-source files: demands, then the cost matrix
  facility-major. Stray numbers after the data are ignored (the published `p47`
  carries 17); anything else after it, and any OR-Library file with values beyond
  what its header announces, is refused.

Facilities become centers `f1..fm`, customers nodes `c1..cn`; costs are explicit
(`Instance.assignment_cost`), so there are no coordinates, companies or routes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lastmile.errors import InstanceError
from lastmile.model import Center, DistanceSpec, Instance, Node, Provenance, Site
from lastmile.readers.tokens import Tokens

COMPANY = "all"


def read_orlib_cap(path: str | Path, capacity: float | None = None) -> Instance:
    tokens = Tokens(path)
    m = tokens.count("number of facilities")
    n = tokens.count("number of customers")
    capacities, fixed = [], []
    worded = False
    for i in range(m):
        raw = tokens.word(f"capacity of facility {i + 1}")
        if raw.lower() == "capacity":
            if capacity is None:
                raise InstanceError(
                    tokens.file,
                    tokens.where(),
                    "capacity is the word 'capacity': give the value, e.g. "
                    f"'{tokens.file}#capacity=8000' (capacity_substitute in optimal.csv)",
                )
            capacities.append(capacity)
            worded = True
        else:
            tokens.pos -= 1
            capacities.append(tokens.number(f"capacity of facility {i + 1}"))
        fixed.append(tokens.number(f"fixed cost of facility {i + 1}"))
    demand = np.zeros(n)
    cost = np.zeros((m, n))
    for j in range(n):
        demand[j] = tokens.number(f"demand of customer {j + 1}")
        for i in range(m):
            cost[i, j] = tokens.number(f"cost of customer {j + 1} at facility {i + 1}")
    tokens.end()
    if capacity is not None and not worded:
        raise InstanceError(
            tokens.file, f"#capacity={capacity:g}", "the file gives every capacity: the suffix is for capa/b/c only"
        )
    name = Path(path).stem + (f"#capacity={capacity:g}" if capacity is not None else "")
    return _instance(tokens.file, name, capacities, fixed, demand, cost, single_sourcing=False)


def read_sscflp(path: str | Path) -> Instance:
    """A Holmberg file. Its blocks (the header, each facility's line, the demands, each
    facility's costs) end their lines; that is checked, so wrong counts in the header
    cannot shift values silently from one block into the next, while the stray numbers
    after the data (p47) still pass."""
    tokens = Tokens(path)
    m = tokens.count("number of facilities")
    n = tokens.count("number of customers")
    tokens.line_ends("the header")
    capacities, fixed = [], []
    for i in range(m):
        capacities.append(tokens.number(f"capacity of facility {i + 1}"))
        fixed.append(tokens.number(f"fixed cost of facility {i + 1}"))
        tokens.line_ends(f"facility {i + 1}'s line")
    demand = np.array([tokens.number(f"demand of customer {j + 1}") for j in range(n)])
    tokens.line_ends("the demands")
    cost = np.zeros((m, n))
    for i in range(m):
        cost[i] = [tokens.number(f"cost of customer {j + 1} at facility {i + 1}") for j in range(n)]
        tokens.line_ends(f"facility {i + 1}'s costs")
    tokens.end(numbers_may_follow=True)
    return _instance(tokens.file, Path(path).stem, capacities, fixed, demand, cost, single_sourcing=True)


def _instance(
    file: str,
    name: str,
    capacities: list[float],
    fixed: list[float],
    demand: np.ndarray,
    cost: np.ndarray,
    *,
    single_sourcing: bool,
) -> Instance:
    if single_sourcing and len(demand) and demand.max() > max(capacities):
        j = int(np.argmax(demand))
        raise InstanceError(
            file, f"demand of customer {j + 1}", f"{demand[j]:g} exceeds every facility's capacity (single source)"
        )
    if demand.sum() > sum(capacities):
        raise InstanceError(
            file, "capacities", f"total demand {demand.sum():g} exceeds total capacity {sum(capacities):g}"
        )
    cost.setflags(write=False)
    return Instance(
        name=name,
        nodes=tuple(Node(f"c{j + 1}", 0.0, 0.0, {COMPANY: float(q)}) for j, q in enumerate(demand)),
        companies=(),
        centers=tuple(
            Center(Site(f"f{i + 1}", 0.0, 0.0), float(f), float(c))
            for i, (c, f) in enumerate(zip(capacities, fixed, strict=True))
        ),
        distance=DistanceSpec("explicit"),
        coordinates="planar",
        single_sourcing=single_sourcing,
        units={"distance": "-", "cost": "cost units", "demand": "units", "time": "-"},
        provenance=Provenance(
            summary=f"{'single' if single_sourcing else 'multi'}-source CFLP benchmark {name}; costs as given",
            real=("all data (published benchmark)",),
            sources=(file,),
        ),
        assignment_cost=cost,
        source=file,
    )
