"""Assignment and transport model, Eqs. (11)-(16) of the Xiqing study.

    min  sum_j sum_k (c_jk + s_jk) d_k x_jk + m sum_j v_j + sum_j F_j y_j    (11)
    s.t. sum_j x_jk = 1                                  for every k         (12), (16)
         sum_k d_k x_jk <= Q_j y_j                       for every j         (13)
         x_jk <= y_j                                     for every j, k      (14)
         x_jk in {0, 1}                                                      (15)
         x_jk >= 0                                                           (16)
         sum_k d_k x_jk <= cap v_j,  v_j <= V y_j,  sum_j v_j <= V           (vehicles)
         sum_k d_k x_jk >= phi cap w_j,  w_j >= sigma v_j - 1 + 1e-6         (full load)

c_jk is the transport cost and s_jk the congestion cost per parcel (the congestion
coefficient in [1.0, 1.5] enters through the congestion km of the instance), m the
vehicle fixed cost, v_j the vehicles center j sends out, V the pooled fleet.

Choices where the study's text is open, each a parameter:
- "the sum of weight coefficients of all distribution hubs is 1" (16) is read as the
  shares x_jk of outlet k's demand summing to 1, which coincides with (12);
- the centers' fixed costs F_j are in the objective with y free; pass `open_centers`
  to fix y to a location stage's answer (the study's sequence), which makes that
  term a constant;
- the full-load requirement: at least w_j = floor(sigma v_j) of a center's vehicles
  carry at least phi of their capacity, enforced on the center's total load
  (`full_load_share` sigma, default 0.5; `full_load_fraction` phi, default 0.8).
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection
from dataclasses import replace

import numpy as np
import pyomo.environ as pyo

from formulations.highs import DEFAULT_MIP_GAP, model_answer
from formulations.location import LocationData, add_assignment_core, location_data, location_solution
from lastmile.location import LocationProblem
from lastmile.model import Fleet, Solution
from lastmile.solve import Answer


def build_assignment_model(
    data: LocationData,
    fleet: Fleet,
    *,
    full_load_share: float = 0.5,
    full_load_fraction: float = 0.8,
    open_centers: Collection[str] | None = None,
) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name="assignment")
    add_assignment_core(m, data)
    vehicles = fleet.count if fleet.count is not None else max(1, math.ceil(data.demand.sum() / fleet.capacity))
    m.cap = pyo.Param(initialize=fleet.capacity, mutable=True)
    m.m = pyo.Param(initialize=fleet.fixed_cost, mutable=True)
    m.V = pyo.Param(initialize=vehicles, mutable=True)
    m.sigma = pyo.Param(initialize=full_load_share, mutable=True)
    m.phi = pyo.Param(initialize=full_load_fraction, mutable=True)
    m.v = pyo.Var(m.J, domain=pyo.NonNegativeIntegers, bounds=(0, vehicles))
    m.w = pyo.Var(m.J, domain=pyo.NonNegativeIntegers, bounds=(0, vehicles))
    if open_centers is not None:
        for j in m.J:
            m.y[j].fix(1 if data.centers[j] in open_centers else 0)

    @m.Constraint(m.J)
    def enough_vehicles(m, j):
        """A center sends out enough vehicles for what it is assigned."""
        return m.assigned[j] <= m.cap * m.v[j]

    @m.Constraint(m.J)
    def vehicles_from_open(m, j):
        """Only open centers dispatch vehicles (with Eq. 14)."""
        return m.v[j] <= m.V * m.y[j]

    @m.Constraint()
    def fleet_size(m):
        """The pooled fleet bounds the vehicles dispatched."""
        return sum(m.v[j] for j in m.J) <= m.V

    @m.Constraint(m.J)
    def full_load_count(m, j):
        """Full-load requirement: w_j = floor(sigma v_j) vehicles must run (nearly) full."""
        return m.w[j] >= m.sigma * m.v[j] - 1 + 1e-6

    @m.Constraint(m.J)
    def full_load(m, j):
        """Full-load requirement: the center's load fills w_j vehicles to phi of capacity."""
        return m.assigned[j] >= m.phi * m.cap * m.w[j]

    @m.Objective(sense=pyo.minimize)
    def total_cost(m):
        """Eq. (11): transport and congestion cost, vehicle fixed cost, center fixed cost."""
        return (
            sum(m.u[j, k] * m.d[k] * m.x[j, k] for j, k in m.JI)
            + m.m * sum(m.v[j] for j in m.J)
            + sum(m.F[j] * m.y[j] for j in m.J)
        )

    return m


def assignment_solution(m: pyo.ConcreteModel, data: LocationData) -> Solution:
    base = location_solution(m, data)
    dispatched = {data.centers[j]: round(pyo.value(m.v[j])) for j in m.J if round(pyo.value(m.v[j])) > 0}
    return Solution(base.open_centers, base.assignment, None, "joint", dispatched)


def assignment_answer(
    problem: LocationProblem, *, time_limit: float, seed: int, threads: int = 1, mip_gap: float = DEFAULT_MIP_GAP
) -> Answer:
    """Build and solve Eqs. (11)-(16) with the instance's joint fleet.

    With the centers fixed open, the closed ones' columns are zero by Eq. (14): leaving
    them out keeps the model exact. Past `problem.whole_pairs` (centers x nodes), each
    node's x is limited to its `problem.nearest_centers` cheapest open centers, doubled
    while the model is infeasible. A limited model's optimum is not the whole model's,
    so its status is at best `feasible` and its bound is `full_model_bound` (HiGHS'
    bound holds for the limited model only)."""
    instance = problem.instance
    opened = problem.open_centers
    data = location_data(
        instance, centers=None if opened is None else [c.id for c in instance.centers if c.id in opened]
    )
    fleet = instance.pooled_fleet()
    started = time.perf_counter()
    whole = opened is None or len(data.centers) * len(data.nodes) <= problem.whole_pairs
    nearest = None if whole else problem.nearest_centers
    while True:
        limited = nearest is not None and nearest < len(data.centers)
        model_data = replace(data, pairs=nearest_pairs(data.unit_cost, nearest)) if limited else data
        answer = model_answer(
            lambda model_data=model_data: build_assignment_model(
                model_data,
                fleet,
                full_load_share=problem.full_load_share,
                full_load_fraction=problem.full_load_fraction,
                open_centers=opened,
            ),
            lambda model, model_data=model_data: assignment_solution(model, model_data),
            params={
                "model": "assignment",
                "full_load_share": problem.full_load_share,
                "full_load_fraction": problem.full_load_fraction,
                "nearest_centers": nearest if limited else None,
            },
            time_limit=max(time_limit - (time.perf_counter() - started), 1e-3),
            threads=threads,
            mip_gap=mip_gap,
            seed=seed,
        )
        if not limited or answer.status != "infeasible":
            break
        if time.perf_counter() - started >= time_limit:  # no time left to widen: nothing is known
            message = f"the time limit ran out while widening past {nearest} nearest centers"
            return Answer("no_solution", None, bound=full_model_bound(data, fleet), message=message)
        nearest *= 2  # type: ignore[operator]
    if not limited:
        return answer
    return replace(
        answer,
        status="feasible" if answer.status == "optimal" else answer.status,
        bound=full_model_bound(data, fleet),
        message=f"{answer.message}; each node limited to its {nearest} nearest open centers",
    )


def nearest_pairs(unit_cost: np.ndarray, nearest: int) -> np.ndarray:
    """[j, i] mask of each outlet i's `nearest` cheapest centers (ties by index)."""
    order = np.argsort(unit_cost, axis=0, kind="stable")[:nearest]
    mask = np.zeros(unit_cost.shape, dtype=bool)
    np.put_along_axis(mask, order, True, axis=0)
    return mask


def full_model_bound(data: LocationData, fleet: Fleet) -> float:
    """A lower bound on Eq. (11) over every open center (`data`'s centers all open):
    each outlet at its cheapest center, capacity and full load ignored, plus the fewest
    vehicles the total demand needs and the centers' fixed costs."""
    transport = float((data.unit_cost.min(axis=0) * data.demand).sum())
    vehicles = math.ceil(data.demand.sum() / fleet.capacity - 1e-9)
    return transport + fleet.fixed_cost * vehicles + float(data.fixed_cost.sum())
