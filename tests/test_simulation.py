"""The SimPy day simulation on its own: planned km when nothing is random, and seeds."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.solvers import solve
from lastmile.cost import evaluate
from lastmile.model import Instance, Solution
from lastmile.routing import RoutingProblem
from simulation.days import day_instance
from simulation.drive import DriveOptions, drive


@pytest.fixture(scope="module")
def planned(tiny_xiqing: Instance) -> tuple[Instance, list]:
    result = solve("ga", RoutingProblem.whole(tiny_xiqing), time_limit=5, seed=1, iterations=30)
    assert result.feasible and result.solution is not None
    return tiny_xiqing, list(result.solution.routes)


def test_free_flow_without_noise_drives_the_planned_km(planned: tuple[Instance, list]) -> None:
    instance, routes = planned
    regions = {n.id: ("west" if k % 2 else "east") for k, n in enumerate(instance.nodes)}
    measured = drive(instance, routes, regions, np.random.default_rng(0), DriveOptions(free_flow=True))
    expected = evaluate(instance, Solution.routed(routes))
    assert sum(m.km for m in measured.values()) == pytest.approx(expected.km, rel=1e-12)
    assert sum(m.co2_kg for m in measured.values()) == pytest.approx(expected.co2_kg, rel=1e-12)
    assert sum(m.parcels_unserved for m in measured.values()) == 0
    stops = sum(len(r.stops) for r in routes)
    assert sum(m.stops for m in measured.values()) == stops


def test_the_same_seed_gives_the_same_day(planned: tuple[Instance, list]) -> None:
    instance, routes = planned
    regions = {n.id: "all" for n in instance.nodes}
    options = DriveOptions(travel_noise=0.5)
    first = drive(instance, routes, regions, np.random.default_rng(7), options)
    again = drive(instance, routes, regions, np.random.default_rng(7), options)
    assert first == again
    demand = day_instance(instance, np.random.default_rng(3), 0.3)
    assert demand == day_instance(instance, np.random.default_rng(3), 0.3)
    assert demand != instance and day_instance(instance, np.random.default_rng(3), 0.0) is instance


def test_a_short_shift_leaves_parcels_unserved(planned: tuple[Instance, list]) -> None:
    instance, routes = planned
    regions = {n.id: "all" for n in instance.nodes}
    short = drive(instance, routes, regions, np.random.default_rng(0), DriveOptions(free_flow=True, shift_end_min=1))
    assert short["all"].parcels_unserved == pytest.approx(instance.total_demand + instance.total_pickup)
    assert short["all"].km == 0
