"""Distribution-center location model, Eqs. (5)-(10) of the Xiqing study.

    min  sum_j F_j y_j + sum_j sum_i u_ji d_i x_ji                      (5)
    s.t. sum_j x_ji = 1                                  for every i     (6)
         sum_i d_i x_ji <= Q_j y_j                       for every j     (7)
         sum_j Q_j y_j >= sum_i d_i                       (7, aggregate: a valid inequality)
         x_ji <= y_j                                     for every j, i  (8)
         sum_j y_j = p                                   (if p is given) (9)
         x_ji in {0, 1} (single sourcing) or [0, 1]                      (10)

i runs over outlets (nodes) with demand d_i, j over candidate centers with fixed cost
F_j and capacity Q_j; u_ji is the cost of serving one parcel of i from j: the
instance's `assignment_cost / d_i` (OR-Library files) or `parcel_km_cost x (km +
congestion km)`, so the objective equals `evaluate` of the returned solution.
`F`, `Q`, `d`, `u` and `p` are mutable parameters: a sweep changes them in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from formulations.highs import DEFAULT_MIP_GAP, model_answer
from lastmile.cost import assignment_cost_matrix
from lastmile.location import LocationProblem
from lastmile.model import Instance, Solution
from lastmile.solve import Answer


@dataclass(frozen=True)
class LocationData:
    """Plain data of a location problem: centers j, outlets i, arrays indexed [j, i]."""

    centers: tuple[str, ...]
    nodes: tuple[str, ...]
    fixed_cost: np.ndarray
    capacity: np.ndarray
    demand: np.ndarray
    unit_cost: np.ndarray  # per parcel served, transport and congestion together
    p: int | None = None
    single_source: bool = True
    #: which (center j, outlet i) pairs may carry parcels, [j, i]; None: every pair
    pairs: np.ndarray | None = None

    def allowed(self) -> list[tuple[int, int]]:
        """The (j, i) index pairs x is defined on, ordered by j then i."""
        mask = np.ones(self.unit_cost.shape, dtype=bool) if self.pairs is None else self.pairs
        return [(int(j), int(i)) for j, i in zip(*np.nonzero(mask), strict=True)]


def location_data(
    instance: Instance,
    nodes: Sequence[str] | None = None,
    centers: Sequence[str] | None = None,
    p: int | None = None,
) -> LocationData:
    """The location problem of `instance`, restricted to some nodes and candidate centers."""
    node_ids = tuple(nodes) if nodes is not None else tuple(n.id for n in instance.nodes if n.total_demand > 0)
    center_ids = tuple(centers) if centers is not None else tuple(c.id for c in instance.centers)
    cost, extra = assignment_cost_matrix(instance)
    rows = [next(k for k, c in enumerate(instance.centers) if c.id == cid) for cid in center_ids]
    node_pos = {n.id: k for k, n in enumerate(instance.nodes)}
    cols = [node_pos[n] for n in node_ids]
    demand = np.array([instance.node_by_id[n].total_demand for n in node_ids])
    whole = (cost + extra)[np.ix_(rows, cols)]
    unit = np.divide(whole, demand[None, :], out=np.zeros_like(whole), where=demand[None, :] > 0)
    chosen = [instance.center_by_id[c] for c in center_ids]
    return LocationData(
        centers=center_ids,
        nodes=node_ids,
        fixed_cost=np.array([c.fixed_cost for c in chosen]),
        # an uncapacitated center holds all the demand, which is exact; a huge stand-in
        # (1e15, once) let HiGHS round y to 0 under x = 1 and the checker refused the plan
        capacity=np.array([demand.sum() if c.capacity is None else c.capacity for c in chosen]),
        demand=demand,
        unit_cost=unit,
        p=p,
        single_source=instance.single_sourcing,
    )


def add_assignment_core(m: pyo.ConcreteModel, data: LocationData) -> None:
    """Sets, parameters, y and x, each center's `assigned` parcels, and the constraints Eqs. (6)-(10)
    and (12)-(15) share. x is defined on `data.allowed()` pairs only."""
    m.J = pyo.Set(initialize=range(len(data.centers)), ordered=True)
    m.I = pyo.Set(initialize=range(len(data.nodes)), ordered=True)
    m.F = pyo.Param(m.J, initialize=dict(enumerate(data.fixed_cost.tolist())), mutable=True)
    m.Q = pyo.Param(m.J, initialize=dict(enumerate(data.capacity.tolist())), mutable=True)
    m.d = pyo.Param(m.I, initialize=dict(enumerate(data.demand.tolist())), mutable=True)
    pairs = data.allowed()
    m.JI = pyo.Set(initialize=pairs, dimen=2, ordered=True)
    unit = data.unit_cost
    m.u = pyo.Param(m.JI, initialize={(j, i): float(unit[j, i]) for j, i in pairs}, mutable=True)
    m.y = pyo.Var(m.J, domain=pyo.Binary)
    m.x = pyo.Var(m.JI, domain=pyo.Binary if data.single_source else pyo.UnitInterval)
    centers_of: dict[int, list[int]] = {i: [] for i in m.I}
    outlets_of: dict[int, list[int]] = {j: [] for j in m.J}
    for j, i in pairs:
        centers_of[i].append(j)
        outlets_of[j].append(i)

    @m.Constraint(m.I)
    def demand_met(m, i):
        """Eq. (6)/(12): every outlet's demand is served in full (shares sum to 1, Eq. 16)."""
        return sum(m.x[j, i] for j in centers_of[i]) == 1

    @m.Expression(m.J)
    def assigned(m, j):
        """The parcels center j is assigned."""
        return sum(m.d[i] * m.x[j, i] for i in outlets_of[j])

    @m.Constraint(m.J)
    def center_capacity(m, j):
        """Eq. (7)/(13): an open center's capacity covers what it is assigned."""
        return m.assigned[j] <= m.Q[j] * m.y[j]

    @m.Constraint(m.JI)
    def open_only(m, j, i):
        """Eq. (8)/(14): parcels go only through open centers."""
        return m.x[j, i] <= m.y[j]

    @m.Constraint()
    def open_capacity(m):
        """Eq. (7) read in aggregate, as the study words it: the open centers' capacity
        covers the total demand. Implied by the rest, it strengthens the LP bound."""
        return sum(m.Q[j] * m.y[j] for j in m.J) >= sum(m.d[i] for i in m.I)


def build_location_model(data: LocationData) -> pyo.ConcreteModel:
    """Eqs. (5)-(10) as a Pyomo model; Eq. (10) is the binary domain of x."""
    m = pyo.ConcreteModel(name="location")
    add_assignment_core(m, data)
    if data.p is not None:
        m.p = pyo.Param(initialize=data.p, mutable=True)

        @m.Constraint()
        def open_count(m):
            """Eq. (9): exactly p centers open (one per region in the study)."""
            return sum(m.y[j] for j in m.J) == m.p

    @m.Objective(sense=pyo.minimize)
    def total_cost(m):
        """Eq. (5): center fixed cost plus transport cost."""
        return sum(m.F[j] * m.y[j] for j in m.J) + sum(m.u[j, i] * m.d[i] * m.x[j, i] for j, i in m.JI)

    return m


def location_solution(m: pyo.ConcreteModel, data: LocationData) -> Solution:
    """The model's values as a location-only `Solution` (shares below 1e-9 dropped)."""
    open_centers = frozenset(data.centers[j] for j in m.J if pyo.value(m.y[j]) > 0.5)
    by_outlet: dict[int, dict[str, float]] = {i: {} for i in m.I}
    for (j, i), share in m.x.items():
        by_outlet[i][data.centers[j]] = float(pyo.value(share))
    assignment = {}
    for i, shares in by_outlet.items():
        if data.single_source:
            best = max(shares, key=shares.__getitem__)
            shares = {best: 1.0}
        assignment[data.nodes[i]] = {c: s for c, s in shares.items() if s > 1e-9}
    return Solution(open_centers, assignment)


def location_answer(
    problem: LocationProblem, *, time_limit: float, seed: int, threads: int = 1, mip_gap: float = DEFAULT_MIP_GAP
) -> Answer:
    """Build and solve Eqs. (5)-(10)."""
    data = location_data(problem.instance, p=problem.p)
    return model_answer(
        lambda: build_location_model(data),
        lambda model: location_solution(model, data),
        params={"model": "location"},
        time_limit=time_limit,
        threads=threads,
        mip_gap=mip_gap,
        seed=seed,
    )
