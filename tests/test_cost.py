"""`evaluate` against hand-computed costs on the tiny triangle instance."""

from __future__ import annotations

import pytest

from lastmile import Route, Solution, evaluate


def test_joint_routed_solution_matches_hand_computation(tiny):
    # One vehicle of A: O -> a -> b -> O = 3 + 4 + 5 = 12 km.
    solution = Solution.routed([Route.through("A-1", "O", ["a", "b"])])
    cost = evaluate(tiny, solution)
    assert cost.km == pytest.approx(12.0)
    assert cost.vehicle_fixed == pytest.approx(100.0)  # C1: one vehicle of A
    assert cost.transport == pytest.approx(24.0)  # C2: 12 km x 2 CNY/km
    assert cost.congestion == pytest.approx(12 * 0.2 * 2)  # C3: kappa 1.2 on every km
    assert cost.center_fixed == pytest.approx(30.0)  # C4: center O
    assert cost.total == pytest.approx(100 + 24 + 4.8 + 30)
    assert cost.co2_kg == pytest.approx(12 * 0.24)  # E = e_f x km (Eq. 18)
    assert cost.routes[0].delivered == pytest.approx(9.0)  # a: 4 + 2, b: 3
    assert cost.routes[0].picked_up == pytest.approx(3.0)
    assert cost.mean_load_rate == pytest.approx(0.9)


def test_independent_solution_costs_each_company_from_its_depot(tiny):
    solution = Solution.independent([Route.through("A-1", "dA", ["a", "b"]), Route.through("B-1", "dB", ["a"])])
    cost = evaluate(tiny, solution)
    # A: 12 km at 2 CNY/km; B: dB -> a -> dB = 4 + 4 km at 1 CNY/km.
    assert cost.km == pytest.approx(20.0)
    assert cost.vehicle_fixed == pytest.approx(150.0)
    assert cost.transport == pytest.approx(24.0 + 8.0)
    assert cost.center_fixed == 0.0
    assert [r.delivered for r in cost.routes] == [7.0, 2.0]


def test_location_only_solution_pays_direct_assignment(tiny):
    solution = Solution.single_source({"a": "O", "b": "O"})
    cost = evaluate(tiny, solution)
    # parcel_km_cost 0.5 x demand x km: a 6 parcels x 3 km, b 3 parcels x 5 km (Eq. 5).
    assert cost.transport == pytest.approx(0.5 * (6 * 3 + 3 * 5))
    assert cost.congestion == pytest.approx(0.2 * 0.5 * (6 * 3 + 3 * 5))
    assert cost.center_fixed == 30.0
    assert cost.vehicle_fixed == 0.0 and cost.km == 0.0


def _with_line_haul(doc: dict) -> dict:
    doc["line_haul"] = {"capacity": 5, "fixed_cost": 10, "cost_per_km": 1, "emission_factor": 0.5}
    return doc


def test_line_haul_is_costed_apart_from_the_routes():
    from experiments.solvers import solve
    from lastmile.location import LocationProblem
    from tests.conftest import build, tiny_doc

    instance = build(_with_line_haul(tiny_doc()))
    routes = (Route.through("A-1", "O", ["a"]), Route.through("A-2", "Q", ["b"]))
    cost = evaluate(instance, Solution.single_source({"a": "O", "b": "Q"}, routes))
    # A (7 parcels out, 3 back, trucks of 5: 2 trips) tours dA -> O -> Q -> dA = 0 + 5 + 5
    # km; B (2 parcels at a, served from O) dB -> O -> dB = 10 km, 1 trip.
    assert cost.line_haul is not None
    assert cost.line_haul.trips == 3
    assert cost.line_haul.km == pytest.approx(2 * 10 + 10)
    assert cost.line_haul.cost == pytest.approx(3 * 10 + 1 * 30 * 1.2)  # congestion 1.2 on every km
    assert cost.line_haul.co2_kg == pytest.approx(0.5 * 30)
    routes_only = cost.vehicle_fixed + cost.transport + cost.congestion + cost.center_fixed
    assert cost.total == pytest.approx(routes_only + cost.line_haul.cost)
    assert cost.total_without_line_haul == pytest.approx(routes_only)
    assert cost.total_co2_kg == pytest.approx(cost.co2_kg + 15)
    # independent delivery pays none; a solver's objective leaves it out
    alone = evaluate(instance, Solution.independent([Route.through("A-1", "dA", ["a", "b"])]))
    assert alone.line_haul is None
    located = solve("exact", LocationProblem(instance), time_limit=10, seed=0)
    assert located.cost is not None and located.cost.line_haul is not None and located.cost.line_haul.cost > 0
    assert located.objective == pytest.approx(located.cost.total_without_line_haul)


def test_feeder_trips_of_the_status_quo():
    from lastmile import check
    from lastmile.policies import status_quo
    from tests.conftest import build, tiny_doc

    doc = tiny_doc()
    doc["nodes"][1]["town"] = "a"  # b's staff fetch its parcels from a, 4 km away
    doc["feeder"] = {"fixed_cost": 20, "cost_per_km": 0.5, "emission_factor": 0.06}
    today = status_quo(build(doc))
    (town,) = today.nodes
    assert dict(town.demand) == {"A": 7.0, "B": 2.0} and dict(town.pickup) == {"A": 3.0}
    solution = Solution.independent([Route.through("A-1", "dA", ["a"]), Route.through("B-1", "dB", ["a"])])
    assert check(today, solution) == []
    cost = evaluate(today, solution)
    assert cost.feeder is not None and cost.feeder.trips == 1
    assert cost.feeder.km == pytest.approx(8.0)
    assert cost.feeder.cost == pytest.approx(20 + 0.5 * 8)
    assert cost.total_co2_kg == pytest.approx(cost.co2_kg + 0.06 * 8)


def test_line_haul_is_its_trips_fixed_cost_km_and_congestion_each_reported():
    """The report's line-haul is trips x fixed cost + km x cost per km + its congestion,
    the last a line of its own (issue 33: 1846.32 is not 4 x 150 + 405.23 km x 3.0)."""
    from experiments.aggregate import delivery_row
    from lastmile.readers import load_instance

    instance = load_instance("instances/xiqing.json")
    center = instance.centers[0].id
    nodes = [n.id for n in instance.nodes if n.needs_service()][:6]
    solution = Solution.routed([Route.through("joint-1", center, nodes)])
    cost = evaluate(instance, solution)
    truck = instance.line_haul
    lh = cost.line_haul
    assert lh.congestion > 0
    assert lh.cost == pytest.approx(lh.trips * truck.fixed_cost + lh.km * truck.cost_per_km + lh.congestion)
    row = delivery_row(instance, solution, "joint", "test", 1)
    assert row["LH"] == pytest.approx(lh.cost) and row["LH_congestion"] == pytest.approx(lh.congestion)
