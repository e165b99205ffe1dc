"""Cities (issue 16): the synthetic generator, centers that hold a region's demand,
companies planned in districts, and delivery rows that say what they lack."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.aggregate import delivery_table
from experiments.plan import LOCATION_CANDIDATES, PlanOptions, plan_instance
from experiments.runner import Task, execute
from experiments.store import INDEPENDENT
from lastmile.readers.json_format import parse_json_instance
from lastmile.routing import RoutingProblem

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "instances"))

from city import CitySpec, city, render  # noqa: E402

QUICK = PlanOptions(compare_algorithms=False, stage_time_limit=20.0)


def load(spec: CitySpec):
    return parse_json_instance(render(city(spec)), f"city{spec.nodes}.json")


def test_the_generator_is_seeded_and_its_files_pass_the_loader(tmp_path: Path) -> None:
    spec = CitySpec(nodes=150, companies=4, window_share=0.5, pickup_share=0.3, depots="center", seed=3)
    assert render(city(spec)) == render(city(spec))
    assert render(city(spec)) != render(city(CitySpec(**{**asdict(spec), "seed": 4})))
    instance = load(spec)
    assert len(instance.nodes) == 150 and len(instance.companies) == 4
    windowed = sum(n.time_window is not None for n in instance.nodes) / 150
    assert 0.35 < windowed < 0.65
    assert len({c.depot.node for c in instance.companies}) == 1  # all at the middle
    out = tmp_path / "c.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "instances" / "city.py"), "--nodes", "60", "--seed", "2", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["provenance"]["generator"] == "instances/city.py"
    bad = subprocess.run(
        [sys.executable, str(ROOT / "instances" / "city.py"), "--nodes", "5", "--out", str(tmp_path / "x.json")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr


def test_a_region_no_center_can_hold_gets_the_centers_it_needs_and_none_overflows() -> None:
    instance = load(CitySpec(nodes=100, companies=3, center_capacity=40, nodes_per_center=3, capacity=40, seed=11))
    assert len(instance.centers) > LOCATION_CANDIDATES  # each region weighs its nearest candidates
    plan = plan_instance(instance, "city", np.random.default_rng(1), QUICK)
    held: dict[str, float] = defaultdict(float)
    for spec in plan.specs:
        held[spec.center] += sum(instance.node_by_id[n].total_demand for n in spec.nodes)
    assert all(held[c.id] <= c.capacity + 1e-9 for c in instance.centers if c.id in held)
    split = [s.name for s in plan.specs if s.name[-1].isalpha()]
    assert split, "regions of 55-90 parcels need two or three 40-parcel centers"
    location = plan.tables["location"]
    assert any(stage.endswith(("p = 2", "p = 3")) for stage in location["stage"])
    covered = sorted(n for s in plan.specs for n in s.nodes)
    assert covered == sorted(plan.region_of) and len(covered) == len(set(covered))


def test_a_large_company_plans_in_districts_and_every_policy_keeps_its_row() -> None:
    instance = load(CitySpec(nodes=90, companies=2, window_share=0.0, capacity=40, seed=5))
    options = PlanOptions(compare_algorithms=False, stage_time_limit=20.0, independent_max_customers=15)
    plan = plan_instance(instance, "city", np.random.default_rng(2), options)
    for company in instance.companies:
        whole = RoutingProblem.whole(instance, company.id)
        parts = [plan.problems[r] for r in plan.independent_regions if r.startswith(f"{INDEPENDENT}{company.id}/")]
        assert len(parts) >= math.ceil(whole.n / 15)
        assert all(isinstance(p, RoutingProblem) and 0 < p.n <= 15 for p in parts)
        assert sorted(c for p in parts for c in p.customers) == sorted(whole.customers)
        vehicles = [v for p in parts for v in p.vehicles]
        assert len(vehicles) == len(set(vehicles)) and set(vehicles) <= set(whole.vehicles)
    rows = [
        execute(Task("city", region, "ortools", 1, problem, 0.5, None)) for region, problem in plan.problems.items()
    ]
    runs = pd.DataFrame([asdict(r) for r in rows])
    alone = runs["region"].str.startswith(INDEPENDENT)
    assert runs.loc[alone, "feasible"].all(), runs.loc[~runs["feasible"], ["region", "status"]]
    table = delivery_table(plan, runs).set_index("delivery")
    assert table.loc["independent", "feasible"] and table.loc["independent", "missing"] == ""
    assert table.loc["independent", "vehicles"] == sum(
        len(json.loads(r.routes)) for r in rows if r.region.startswith(INDEPENDENT)
    )
    lost = plan.independent_regions[1]
    runs.loc[runs["region"] == lost, ["feasible", "status"]] = [False, "no_solution"]
    table = delivery_table(plan, runs).set_index("delivery")
    row = table.loc["independent"]
    assert not row["feasible"] and f"{lost} (no_solution)" in row["missing"] and math.isnan(row["TC"])
    joint_lost = runs.loc[~alone & ~runs["feasible"], "region"].tolist()  # OR-Tools at 0.5 s may miss some
    assert (table.loc["joint", "missing"] == "") == (not joint_lost)
    assert all(f"{r} (" in table.loc["joint", "missing"] for r in joint_lost[:3])


def test_edge_depots_stand_apart_on_the_boundary() -> None:
    instance = load(CitySpec(nodes=200, companies=4, depots="edge", seed=9))
    depots = [instance.node_by_id[c.depot.node] for c in instance.companies]
    assert len({d.id for d in depots}) == 4  # one per bearing
    xs, ys = [n.x for n in instance.nodes], [n.y for n in instance.nodes]
    middle = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    spread = np.median([math.dist((n.x, n.y), middle) for n in instance.nodes])
    assert all(math.dist((d.x, d.y), middle) > spread for d in depots)  # farther out than most nodes


def test_random_depots_stand_at_nodes_of_the_city() -> None:
    instance = load(CitySpec(nodes=120, companies=3, depots="random", seed=9))
    assert all(c.depot.node in instance.node_by_id for c in instance.companies)


def test_regions_are_located_on_the_cities_distances_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import lastmile.distances as distances

    doc = city(CitySpec(nodes=80, companies=2, seed=8))
    for center in doc["centers"]:
        del center["capacity"]  # uncapacitated centers: no room to track
    instance = parse_json_instance(json.dumps(doc), "open.json")
    computed = []
    original = distances._compute
    monkeypatch.setattr(distances, "_compute", lambda i: computed.append(i.name) or original(i))
    plan = plan_instance(instance, "city", np.random.default_rng(3), QUICK)
    assert computed == [instance.name]  # every region's location model slices the city's tables
    assert all(not s.name[-1].isalpha() for s in plan.specs)  # nothing to split without capacities


def test_every_locker_holds_at_most_a_vehicles_load() -> None:
    from zoning.lockers import site_lockers

    instance = load(CitySpec(nodes=60, companies=3, seed=12))
    nodes = [n.id for n in instance.nodes]
    parcels = sum(n.total_demand for n in instance.nodes)
    capacity = parcels / 6  # four lockers cannot hold it
    plan = site_lockers(instance, nodes, np.random.default_rng(0), capacity=capacity)
    held: dict[str, float] = defaultdict(float)
    for node, locker in plan.chosen.locker_of.items():
        held[locker] += instance.node_by_id[node].total_demand
    assert plan.chosen.k > 4 and max(held.values()) <= capacity
    assert all(d < 5_000 for d in plan.chosen.distance_m.values())  # planar km, not degrees
    assert site_lockers(instance, nodes, np.random.default_rng(0)).chosen.k <= 4  # no capacity, the study's 1-4


def test_a_task_carries_its_problem_not_the_city() -> None:
    """`tasks_for` sends each routing problem on its own sub-instance: the same tables,
    scope and costs as on the city, in a fraction of the pickle."""
    import pickle

    from experiments.config import Config
    from experiments.experiment import tasks_for
    from lastmile import check, evaluate
    from lastmile.distances import tables
    from lastmile.result import scoped

    instance = load(CitySpec(nodes=160, companies=2, window_share=0.3, pickup_share=0.2, seed=7))
    plan = plan_instance(instance, "city", np.random.default_rng(3), QUICK)
    tasks = tasks_for(plan, ("ga",), [11], Config(iterations=20))
    assert [t.region for t in tasks] == list(plan.problems)
    for task in tasks:
        full, cut = plan.problems[task.region], task.problem
        assert isinstance(full, RoutingProblem) and isinstance(cut, RoutingProblem)
        assert len(cut.instance.nodes) == full.n < len(instance.nodes)
        assert len(pickle.dumps(cut)) < len(pickle.dumps(full))  # before either caches its tables
        assert tables(cut.instance).km.shape[0] == len(cut.instance.location_ids) < len(instance.location_ids)
        for table in ("km", "minutes", "arc_cost", "demand", "pickup", "service"):
            assert np.array_equal(getattr(full, table), getattr(cut, table)), table
        row = execute(pickle.loads(pickle.dumps(task)))  # as a worker gets it
        assert row.feasible, (task.region, row.status, row.message)
        on_city = full.solution([[full.customers.index(c) + 1 for c in r] for r in json.loads(row.routes)])
        assert check(full.scope, on_city) == []
        assert scoped(evaluate(full.scope, on_city), "routing") == pytest.approx(row.objective)
