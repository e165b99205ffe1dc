"""`check` catches each kind of violation on hand-built bad solutions."""

from __future__ import annotations

from dataclasses import replace

from conftest import build, tiny_doc

from lastmile import Route, Solution, check
from lastmile.routing import RoutingProblem


def kinds(instance, solution) -> list[str]:
    return sorted({v.kind for v in check(instance, solution)})


def test_a_good_solution_has_no_violation(tiny):
    assert check(tiny, Solution.routed([Route.through("A-1", "O", ["a", "b"])])) == []


def test_unserved_node(tiny):
    assert kinds(tiny, Solution.routed([Route.through("A-1", "O", ["a"])])) == ["unserved"]


def test_node_served_twice(tiny):
    routes = [Route.through("A-1", "O", ["a", "b"]), Route.through("A-2", "O", ["b"])]
    assert "served_twice" in kinds(tiny, Solution.routed(routes))


def test_capacity_exceeded_when_leaving_the_center():
    doc = tiny_doc()
    doc["companies"][0]["fleet"]["capacity"] = 8  # the route leaves with 9 parcels
    assert kinds(build(doc), Solution.routed([Route.through("A-1", "O", ["a", "b"])])) == ["vehicle_capacity"]


def test_capacity_exceeded_after_a_pickup():
    doc = tiny_doc()
    doc["nodes"][0]["pickup"] = {"A": 8}  # leaves with 9, after a: 9 - 6 + 8 = 11 > 10
    violations = check(build(doc), Solution.routed([Route.through("A-1", "O", ["a", "b"])]))
    assert [v.kind for v in violations] == ["vehicle_capacity"]
    assert "after node a" in violations[0].message
    # Visiting b first unloads 3 parcels before the pickup: 9 - 3 - 6 + 8 = 8 fits (that order
    # only misses a's time window).
    assert kinds(build(doc), Solution.routed([Route.through("A-1", "O", ["b", "a"])])) == ["time_window"]


def test_center_capacity_exceeded(tiny):
    solution = Solution.single_source({"a": "Q", "b": "O"})  # Q holds 5, a needs 6
    assert kinds(tiny, solution) == ["center_capacity"]


def test_route_longer_than_allowed():
    doc = tiny_doc()
    doc["companies"][0]["fleet"]["max_route_km"] = 10  # the route is 12 km
    assert kinds(build(doc), Solution.routed([Route.through("A-1", "O", ["a", "b"])])) == ["route_length"]


def test_time_window_missed(tiny):
    # O -> b -> a: 5 km then 4 km at 60 km/h with congestion 1.2 reaches a at 10.8 min > 10.
    violations = check(tiny, Solution.routed([Route.through("A-1", "O", ["b", "a"])]))
    assert [v.kind for v in violations] == ["time_window"]
    assert "10.8 min" in violations[0].message


def test_more_vehicles_than_the_fleet(tiny):
    routes = [Route.through("A-3", "O", ["a"]), Route.through("A-1", "O", ["b"])]  # A has 2 vehicles
    assert kinds(tiny, Solution.routed(routes)) == ["fleet_size"]


def test_one_vehicle_driving_two_routes(tiny):
    routes = [Route.through("A-1", "O", ["a"]), Route.through("A-1", "O", ["b"])]
    assert kinds(tiny, Solution.routed(routes)) == ["fleet_size"]


def test_route_not_closed_at_its_center(tiny):
    solution = Solution.routed([Route("A-1", "O", ("O", "a", "b", "Q"))])
    assert kinds(tiny, solution) == ["route_endpoints"]


def test_route_from_a_closed_center(tiny):
    solution = Solution.single_source(
        {"a": "Q", "b": "Q"}, routes=(Route.through("A-1", "Q", ["a", "b"]),), open_centers=frozenset({"O"})
    )
    assert "center_closed" in kinds(tiny, solution)


def test_independent_route_must_start_at_its_company_depot(tiny):
    routes = [Route.through("A-1", "dB", ["a", "b"]), Route.through("B-1", "dB", ["a"])]
    assert kinds(tiny, Solution.independent(routes)) == ["route_endpoints"]


def test_independent_solution_serves_each_company_separately(tiny):
    only_a = [Route.through("A-1", "dA", ["a", "b"])]  # B's 2 parcels at a are left
    violations = check(tiny, Solution.independent(only_a))
    assert [v.kind for v in violations] == ["unserved"]
    assert "company B" in violations[0].message


def test_split_assignment_under_single_sourcing(tiny):
    solution = Solution(frozenset({"O", "Q"}), {"a": {"O": 0.5, "Q": 0.5}, "b": {"O": 1.0}})
    assert kinds(tiny, solution) == ["assignment"]


def test_location_only_solution_must_assign_every_node(tiny):
    assert kinds(tiny, Solution.single_source({"a": "O"})) == ["unserved"]


def test_unknown_node_on_a_route(tiny):
    solution = Solution.routed([Route.through("A-1", "O", ["a", "b", "zz"])])
    assert "unknown_id" in kinds(tiny, solution)


def test_minimum_load_of_an_exclusive_region(tiny):
    split = Solution.routed([Route.through("A-1", "O", ["a"]), Route.through("A-2", "O", ["b"])])
    problem = RoutingProblem(tiny, "O", ("a", "b"), ("A-1", "A-2"), min_load_rate=0.5)  # 5 of capacity 10
    assert kinds(problem.scope, split) == ["minimum_load"]  # b's route leaves with 3 parcels
    assert check(problem.scope, Solution.routed([Route.through("A-1", "O", ["a", "b"])])) == []
    assert check(tiny, split) == []  # the instance itself sets no minimum load


def test_minimum_load_binds_the_alliance_fleet_too():
    """An exclusive region's minimum load rate reaches the alliance's own vehicles."""
    doc = tiny_doc()
    doc["joint_fleet"] = {"count": 2, "capacity": 20, "fixed_cost": 80, "cost_per_km": 1.5}
    instance = build(doc)
    problem = replace(RoutingProblem.whole(instance), min_load_rate=0.9)
    assert problem.vehicles == ("joint-1", "joint-2")
    light = Solution.routed([Route.through("joint-1", "O", ["a", "b"])])  # 9 parcels of 20
    assert [v.kind for v in check(problem.scope, light)] == ["minimum_load"]
    assert check(instance, light) == []


def test_joint_delivery_uses_the_alliance_vehicles_when_it_has_its_own():
    doc = tiny_doc()
    doc["joint_fleet"] = {"count": 1, "capacity": 20, "fixed_cost": 80, "cost_per_km": 1.5}
    instance = build(doc)
    company_vehicle = Solution.routed([Route.through("A-1", "O", ["a", "b"])])
    assert [v.kind for v in check(instance, company_vehicle)] == ["fleet_size"]
    assert check(instance, Solution.routed([Route.through("joint-1", "O", ["a", "b"])])) == []
    unknown = check(instance, Solution.routed([Route.through("joint-2", "O", ["a"])]))
    assert "fleet_size" in {v.kind for v in unknown}  # the alliance has one vehicle
