"""Two-echelon routing and the line-haul designs (issues 30 and 31): the reader on inline
files, hand-computed costs of `tour`, `direct` and `hub`, the checker's refusals, the
exact model against brute force, and the heuristics' plans checked by the one checker."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.solvers import REGISTRY, Entry, solve
from lastmile import load_instance
from lastmile.check import check
from lastmile.cost import evaluate
from lastmile.model import (
    Center,
    Company,
    DistanceSpec,
    Fleet,
    Hub,
    Instance,
    Node,
    Route,
    Shuttle,
    ShuttleStop,
    Site,
    Solution,
    Truck,
)
from lastmile.two_echelon import TwoEchelonProblem

HEAD = "!----\n!Trucks: (total #, capacity, cost per distance, fixcost)\n{trucks}\n"
BODY = (
    "!CityFreighters: (max cf/sat, total #, cap, cost/dist, fixcost)\n{vans}\n"
    "!Stores: (first: depot x,y; then: satellites x,y)\n{stores}\n"
    "!Customers: (x,y,demand)\n{customers}\n"
)


def write(tmp_path: Path, trucks: str, vans: str, stores: str, customers: str, name: str = "t.dat") -> Path:
    path = tmp_path / name
    path.write_text(HEAD.format(trucks=trucks) + BODY.format(vans=vans, stores=stores, customers=customers))
    return path


def test_reader_builds_both_echelons(tmp_path):
    path = write(tmp_path, "2,30,1,5", "1,3,10,2,7", "0,0   3,4   6,8,0.5", "3,5,4   6,9,6")
    instance = load_instance(path)
    assert [c.id for c in instance.centers] == ["S1", "S2"]
    assert [c.max_vehicles for c in instance.centers] == [1, 1]
    assert instance.centers[1].handling_cost == 0.5
    assert instance.shuttle == Truck(30.0, 5.0, 1.0, 0.0, 2)
    assert instance.joint_fleet == Fleet(3, 10.0, 7.0, 2.0)
    assert [n.total_demand for n in instance.nodes] == [4.0, 6.0]
    assert instance.hubs[0].id == "H" and instance.line_haul_design == "hub"
    assert load_instance(f"2evrp:{path}").name == instance.name


# --- the line-haul designs on a hand-computed toy (issue 30) --------------------------------


def toy() -> tuple[Instance, Solution]:
    """Companies A (depot 0,10) and B (depot 10,10); centers C1 (0,0), C2 (10,0); n1 at
    (0,1) gets 3 of A and 2 of B, n2 at (10,1) gets 4 of A and gives 1 back to B; the
    hub H at (5,10)."""
    fleet = Fleet(2, 100.0, 0.0, 1.0)
    instance = Instance(
        name="toy",
        nodes=(
            Node("n1", 0.0, 1.0, {"A": 3.0, "B": 2.0}),
            Node("n2", 10.0, 1.0, {"A": 4.0}, {"B": 1.0}),
        ),
        companies=(
            Company("A", "A", Site("dA", 0.0, 10.0), fleet),
            Company("B", "B", Site("dB", 10.0, 10.0), fleet),
        ),
        centers=(Center(Site("C1", 0.0, 0.0), 0.0, None), Center(Site("C2", 10.0, 0.0), 0.0, None)),
        distance=DistanceSpec("euclidean"),
        coordinates="planar",
        joint_fleet=fleet,
        line_haul=Truck(5.0, 10.0, 2.0, 0.5),
        hubs=(Hub(Site("H", 5.0, 10.0), 7.0, 0.5, 100.0),),
        shuttle=Truck(20.0, 30.0, 1.0, 0.1, 2),
    )
    routes = (Route.through("joint-1", "C1", ["n1"]), Route.through("joint-2", "C2", ["n2"]))
    return instance, Solution.single_source({"n1": "C1", "n2": "C2"}, routes)


def test_tour_design_by_hand():
    instance, solution = toy()
    cost = evaluate(instance, solution)
    # A: dA-C1-C2-dA = 10 + 10 + 14.142, 7 parcels at 5 a truck: 2 trips; B: the same tour once
    km = 3 * (20 + math.sqrt(200))
    assert cost.line_haul.trips == 3
    assert cost.line_haul.km == pytest.approx(km)
    assert cost.line_haul.cost == pytest.approx(3 * 10 + 2 * km)
    assert cost.total == pytest.approx(4.0 + 3 * 10 + 2 * km)  # C2's route is 2 km; C1's 0 (no cost per km)


def test_direct_design_by_hand():
    instance, solution = toy()
    cost = evaluate(instance, replace(solution, line_haul_design="direct"))
    # A: to C1 (20 km) and C2 (28.284 km) once each; B: to C1 (28.284) and C2 (20) once each
    km = 2 * (20 + 2 * math.sqrt(200))
    assert cost.line_haul.trips == 4
    assert cost.line_haul.km == pytest.approx(km)
    assert cost.line_haul.cost == pytest.approx(40 + 2 * km)
    assert check(instance, replace(solution, line_haul_design="direct")) == []


def hub_solution(solution: Solution, delivered_c1: float = 5.0) -> Solution:
    stops = (ShuttleStop("C1", delivered_c1, 0.0), ShuttleStop("C2", 4.0, 1.0))
    return replace(solution, line_haul_design="hub", hub="H", shuttles=(Shuttle("truck-1", stops),))


def test_hub_design_by_hand():
    instance, solution = toy()
    planned = hub_solution(solution)
    assert check(instance, planned) == []
    cost = evaluate(instance, planned)
    # companies to the hub: A 2 x 10 km (7 parcels), B 1 x 10 km
    assert (cost.line_haul.trips, cost.line_haul.km) == (3, pytest.approx(30.0))
    assert cost.line_haul.cost == pytest.approx(30 + 2 * 30)
    # the hub: 7 a day, 0.5 per parcel through it (5 + 4 out, 1 back)
    assert (cost.hub.fixed, cost.hub.handling) == (7.0, pytest.approx(5.0))
    # one shuttle H-C1-C2-H: 11.180 + 10 + 11.180 km at 1 a km, 30 fixed
    shuttle_km = 10 + 2 * math.sqrt(125)
    assert cost.shuttle.km == pytest.approx(shuttle_km)
    assert cost.shuttle.cost == pytest.approx(30 + shuttle_km)
    assert cost.total == pytest.approx(4.0 + 90.0 + 7.0 + 5.0 + 30 + shuttle_km)
    assert cost.total_without_line_haul == pytest.approx(4.0)
    assert cost.total_co2_kg == pytest.approx(cost.co2_kg + 0.5 * 30 + 0.1 * shuttle_km)


def kinds(instance: Instance, solution: Solution) -> set[str]:
    return {v.kind for v in check(instance, solution)}


def test_checker_refuses_a_shuttle_over_truck_capacity():
    instance, solution = toy()
    small = replace(instance, shuttle=replace(instance.shuttle, capacity=8.0))  # leaves with 9
    assert "vehicle_capacity" in kinds(small, hub_solution(solution))


def test_checker_refuses_a_hub_over_capacity():
    instance, solution = toy()
    hub = replace(instance.hubs[0], capacity=9.0)  # 10 parcels pass
    assert "hub_capacity" in kinds(replace(instance, hubs=(hub,)), hub_solution(solution))


def test_checker_refuses_a_center_whose_inbound_differs_from_its_routes():
    instance, solution = toy()
    assert "center_balance" in kinds(instance, hub_solution(solution, delivered_c1=4.0))


def test_checker_refuses_too_many_vans_at_a_center_and_a_hub_missing():
    instance, solution = toy()
    limited = replace(instance, centers=(replace(instance.centers[0], max_vehicles=0), instance.centers[1]))
    assert "fleet_size" in kinds(limited, solution)
    assert "line_haul" in kinds(instance, replace(solution, line_haul_design="hub"))


# --- exact against brute force (issue 31) ---------------------------------------------------


def brute_force(problem: TwoEchelonProblem) -> float:
    """Every assignment to satellites, every partition of each satellite's customers
    into routes in every order, within the vans per satellite and in all; the trucks over
    every count of each truck route."""
    m, n = problem.m, problem.n
    cost, q = problem.van_cost, problem.fleet.capacity
    demand = problem.demand

    def tsp(s: int, members: tuple[int, ...]) -> float:
        return min(
            cost[1 + s, 1 + m + p[0]]
            + sum(cost[1 + m + a, 1 + m + b] for a, b in itertools.pairwise(p))
            + cost[1 + m + p[-1], 1 + s]
            for p in itertools.permutations(members)
        )

    def partitions(items: list[int]):
        if not items:
            yield []
            return
        first, rest = items[0], items[1:]
        for k in range(len(rest) + 1):
            for chosen in itertools.combinations(rest, k):
                others = [i for i in rest if i not in chosen]
                for tail in partitions(others):
                    yield [(first, *chosen), *tail]

    truck = problem.truck
    tc = problem.truck_cost
    best = math.inf
    for assign in itertools.product(range(m), repeat=n):
        loads = [0.0] * m
        by_count: list[dict[int, float]] = []  # per satellite, the cheapest plan per number of vans
        for s in range(m):
            members = [i for i in range(n) if assign[i] == s]
            loads[s] = float(sum(demand[1 + m + i] for i in members))
            plans = {0: 0.0} if not members else {}
            for part in partitions(members) if members else []:
                if len(part) > problem.base_limits[s] or any(sum(demand[1 + m + i] for i in r) > q for r in part):
                    continue
                value = sum(tsp(s, r) for r in part) + len(part) * problem.fleet.fixed_cost
                plans[len(part)] = min(plans.get(len(part), math.inf), value)
            by_count.append(plans)
        combos = [
            sum(plan[k] for plan, k in zip(by_count, ks, strict=True))
            for ks in itertools.product(*(list(plan) for plan in by_count))
            if sum(ks) <= len(problem.vans)
        ]
        if not combos:
            continue
        total = min(combos)
        trucks = math.inf  # two satellites: routes {1}, {2}, {1, 2}
        c1, c2 = tc[0, 1] + tc[1, 0], tc[0, 2] + tc[2, 0]
        c12 = min(tc[0, 1] + tc[1, 2] + tc[2, 0], tc[0, 2] + tc[2, 1] + tc[1, 0])
        for a, b, c in itertools.product(range(problem.trucks + 1), repeat=3):
            if a + b + c > problem.trucks:
                continue
            cap = truck.capacity
            if loads[0] > cap * (a + c) + 1e-9 or loads[1] > cap * (b + c) + 1e-9 or sum(loads) > cap * (a + b + c):
                continue
            if (a and loads[0] == 0) or (b and loads[1] == 0):
                continue
            trucks = min(trucks, a * c1 + b * c2 + c * c12 + (a + b + c) * truck.fixed_cost)
        best = min(best, total + trucks)
    return best


def brute_force_problem(tmp_path: Path, seed: int) -> TwoEchelonProblem:
    """Six customers, two satellites, room for `brute_force`."""
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 30, size=(9, 2))
    demand = rng.integers(1, 6, size=6)
    stores = "   ".join(f"{x},{y}" for x, y in xy[:3])
    customers = "   ".join(f"{x},{y},{d}" for (x, y), d in zip(xy[3:], demand, strict=True))
    return TwoEchelonProblem.whole(load_instance(write(tmp_path, "2,12,1,3", "3,4,8,1,2", stores, customers)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_matches_brute_force(tmp_path, seed):
    problem = brute_force_problem(tmp_path, seed)
    result = solve("exact", problem, time_limit=30, seed=0)
    assert result.status == "optimal" and result.feasible
    assert result.objective == pytest.approx(brute_force(problem), rel=1e-9)


@pytest.mark.parametrize("name", ["ga", "pso", "pyvrp", "ortools"])
def test_heuristics_plan_both_echelons(tmp_path, name):
    rng = np.random.default_rng(7)
    xy = rng.integers(0, 30, size=(12, 2))
    demand = rng.integers(1, 6, size=9)
    stores = "   ".join(f"{x},{y}" for x, y in xy[:3])
    customers = "   ".join(f"{x},{y},{d}" for (x, y), d in zip(xy[3:], demand, strict=True))
    problem = TwoEchelonProblem.whole(load_instance(write(tmp_path, "2,30,1,0", "3,5,10,1,0", stores, customers)))
    result = solve(name, problem, time_limit=5, seed=1, iterations=20)
    assert result.feasible, result.violations
    assert result.solution.shuttles and result.solution.hub == "H"
    exact = solve("exact", problem, time_limit=30, seed=0)
    assert result.objective >= exact.objective - 1e-9
    again = solve(name, problem, time_limit=5, seed=1, iterations=20)
    assert again.objective == result.objective


def test_a_solver_that_takes_no_two_echelon_problem_says_so(tmp_path, monkeypatch):
    monkeypatch.setitem(REGISTRY, "plain", Entry("heuristics.ga:GA", "a generation"))
    path = write(tmp_path, "1,30,1,0", "2,2,10,1,0", "0,0   3,4", "3,5,4")
    result = solve("plain", TwoEchelonProblem.whole(load_instance(path)), time_limit=1, seed=0)
    assert result.status == "not_applicable" and result.message.startswith("not applicable")


def _records(path: Path) -> list[list[list[float]]]:
    """The file's four data lines, each a list of records of numbers (this test's own
    reading of the format, so the re-costing below shares no code with the toolkit)."""
    lines = [x for x in path.read_text().splitlines() if x.strip() and not x.lstrip().startswith(("!", "-"))]
    return [[[float(v) for v in record.split(",")] for record in line.split()] for line in lines]


def test_results_csv_recosts_both_echelons_from_the_file_alone(tmp_path):
    """Issue 31 item 5: `compare.py --instances FILE.dat` routes the two-echelon problem,
    and results.csv carries both echelons, enough to re-cost every run by hand."""
    from experiments import compare

    rng = np.random.default_rng(11)
    xy = rng.integers(0, 40, size=(11, 2))
    demand = rng.integers(1, 7, size=8)
    stores = "   ".join(f"{x},{y}" for x, y in xy[:3])
    customers = "   ".join(f"{x},{y},{d}" for (x, y), d in zip(xy[3:], demand, strict=True))
    path = write(tmp_path, "2,25,2,10", "2,4,9,1.5,5", stores, customers, name="toy2e.dat")
    out = tmp_path / "out"
    argv = ["--instances", str(path), "--solvers", "ga", "ortools", "exact", "--seeds", "1"]
    assert compare.main([*argv, "--iterations", "10", "--time-limit", "5", "--out", str(out)]) == 0
    runs = pd.read_csv(out / "results.csv", keep_default_na=False)
    assert set(runs["solver"]) == {"ga", "ortools", "exact"} and set(runs["status"]) <= {"feasible", "optimal"}
    ((truck_count, truck_cap, truck_cpd, truck_fixed),) = _records(path)[0]
    ((_, _, van_cap, van_cpd, van_fixed),) = _records(path)[1]
    places = {"H": _records(path)[2][0]} | {f"S{k}": p for k, p in enumerate(_records(path)[2][1:], 1)}
    places |= {str(k): c[:2] for k, c in enumerate(_records(path)[3], 1)}
    wanted = {str(k): c[2] for k, c in enumerate(_records(path)[3], 1)}

    def length(stops: list[str]) -> float:
        return sum(math.dist(places[a], places[b]) for a, b in itertools.pairwise(stops))

    for _, row in runs.iterrows():
        routes, starts, trucks = json.loads(row["routes"]), json.loads(row["centers"]), json.loads(row["shuttles"])
        served = [c for r in routes for c in r]
        assert sorted(served) == sorted(wanted) and row["hub"] == "H"
        load = {s: 0.0 for s in places if s.startswith("S")}
        cost = 0.0
        for start, stops in zip(starts, routes, strict=True):
            assert sum(wanted[c] for c in stops) <= van_cap
            load[start] += sum(wanted[c] for c in stops)
            cost += van_fixed + van_cpd * length([start, *stops, start])
        left = {s: 0.0 for s in load}
        assert len(trucks) <= truck_count
        for truck in trucks:
            assert sum(d for _, d, _ in truck["stops"]) <= truck_cap + 1e-9
            for center, delivered, _ in truck["stops"]:
                left[center] += delivered
            cost += truck_fixed + truck_cpd * length(["H", *(c for c, _, _ in truck["stops"]), "H"])
        assert left == pytest.approx(load)
        assert float(row["objective"]) == pytest.approx(cost, rel=1e-9), row["solver"]
