"""The shipped instances: rebuilt byte for byte, and true to their calibration facts."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from lastmile import load_instance
from lastmile.distances import road_graph, tables

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "instances"))

import generate  # noqa: E402


def test_generator_reproduces_both_files_byte_for_byte(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "instances" / "generate.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    for name in ("xiqing.json", "lingshan.json"):
        assert (tmp_path / name).read_bytes() == (ROOT / "instances" / name).read_bytes()


def test_xiqing_matches_the_study():
    x = load_instance(ROOT / "instances" / "xiqing.json")
    assert len(x.nodes) == 86 and len(x.edges) == 134
    assert {r.id: r.weight for r in x.road_types} == {"main": 0.2675, "secondary": 0.2760, "branch": 0.4565}
    assert {c.id: c.fleet.count for c in x.companies} == {"A": 3, "S": 3, "J": 2, "C": 3}
    # Table 8's C2 / (E / e_f) per company
    assert {c.id: (c.fleet.fixed_cost, c.fleet.cost_per_km) for c in x.companies} == {
        "A": (100.0, 2.08),
        "S": (100.0, 2.08),
        "J": (100.0, 2.28),
        "C": (100.0, 2.12),
    }
    assert x.emission_factor == 0.24
    for node_id, xy in generate.XIQING_TABLE6.items():
        assert (x.node_by_id[node_id].x, x.node_by_id[node_id].y) == xy
    assert all(117.00 <= n.x <= 117.10 and 39.09 <= n.y <= 39.15 for n in x.nodes)
    assert all(c.depot.access is not None and c.depot.access.km > 0 for c in x.companies)
    assert all(n.features is not None for n in x.nodes)
    assert nx.is_strongly_connected(road_graph(x))
    assert x.provenance.synthetic and x.provenance.real and x.provenance.seed == generate.XIQING_SEED


def test_xiqing_calibration_meets_table8():
    """Each company's independent plan, re-solved as the calibration solves it, is Table
    8's row: every vehicle used, C2 and E within 5%, C3 about 2.5% of C2."""
    from experiments.solvers import solve
    from lastmile.routing import RoutingProblem

    x = load_instance(ROOT / "instances" / "xiqing.json")
    assert x.provenance.calibration
    for company in x.companies:
        count, transport, _, emissions = generate.XIQING_TABLE8[company.id]
        problem = RoutingProblem.whole(x, company.id)
        result = solve(
            generate.CALIBRATION_SOLVER,
            problem,
            time_limit=60.0,
            seed=generate.XIQING_SEED,
            iterations=generate.CALIBRATION_ITERATIONS,
        )
        assert result.feasible and result.cost is not None
        cost = result.cost
        assert len(cost.routes) == count and cost.vehicle_fixed == 100 * count
        assert cost.transport == pytest.approx(transport, rel=0.05)
        assert cost.co2_kg == pytest.approx(emissions, rel=0.05)
        assert 0.02 < cost.congestion / cost.transport < 0.03


def test_lingshan_has_the_real_townships_and_53_percent_service_points():
    ls = load_instance(ROOT / "instances" / "lingshan.json")
    towns = [n for n in ls.nodes if "." not in n.id]
    assert len(towns) == 19 and len(ls.companies) == 10
    for node, (_, _, lon, lat, villages) in zip(towns, generate.LINGSHAN_TOWNS, strict=True):
        assert (node.x, node.y) == (lon, lat)
        points = [n for n in ls.nodes if n.id.startswith(node.id + ".")]
        assert len(points) == round(0.53 * villages)
    assert ls.total_pickup > 0
    sites = len(ls.location_ids) - len(ls.hubs)  # the county-seat hub stands at the county center
    assert all(0 < km < 200 for km in tables(ls).km[0, 1:sites])
    assert tables(ls).km[0, ls.index["hub_county"]] == 0
    villages = [n for n in ls.nodes if "." in n.id]
    assert all(n.town == n.id.split(".")[0] for n in villages)
    assert ls.feeder is not None and ls.alliance_centers == 1 and ls.line_haul is not None


def test_embedded_geo_facts_match_the_reference_files(shared):
    with open(shared / "geo" / "450721_lingshan_towns.csv", newline="", encoding="utf-8") as f:
        rows = {r["code_2022"]: r for r in csv.DictReader(f)}
    for code, _, lon, lat, villages in generate.LINGSHAN_TOWNS:
        row = rows[code]
        assert (float(row["seat_lng_gcj02"]), float(row["seat_lat_gcj02"])) == pytest.approx((lon, lat))
        assert int(row["villages_cwh_2016"]) == villages
    with open(shared / "geo" / "120111_xiqing_villages_2016.csv", newline="", encoding="utf-8") as f:
        points = {(float(r["lng_gcj02"]), float(r["lat_gcj02"])) for r in csv.DictReader(f) if r["lng_gcj02"]}
    with open(shared / "geo" / "120111_xiqing_towns.csv", newline="", encoding="utf-8") as f:
        points |= {
            (float(r["seat_lng_gcj02"]), float(r["seat_lat_gcj02"])) for r in csv.DictReader(f) if r["seat_lng_gcj02"]
        }
    real_anchors = [a for a in generate.XIQING_ANCHORS if not a[0].startswith("South")]
    for _, lon, lat, _ in real_anchors:
        assert (lon, lat) in points


def test_both_lingshan_policies_pass_the_checker():
    """Seed 004's status quo (companies to their towns, village staff fetching) and the
    alliance (one county center to every service point) are costed and checked by the
    one `evaluate` and `check`."""
    from experiments.solvers import solve
    from lastmile import Solution, check, evaluate
    from lastmile.policies import status_quo
    from lastmile.routing import RoutingProblem

    ls = load_instance(ROOT / "instances" / "lingshan.json")
    today = status_quo(ls)
    assert all(n.town is None for n in today.nodes) and len(today.nodes) == 19
    assert today.total_demand == ls.total_demand and today.total_pickup == ls.total_pickup
    routes = []
    for company in today.companies:
        result = solve("pyvrp", RoutingProblem.whole(today, company.id), time_limit=30.0, seed=1, iterations=200)
        assert result.feasible and result.solution is not None
        routes += result.solution.routes
    quo = Solution.independent(routes)
    assert check(today, quo) == []
    quo_cost = evaluate(today, quo)
    assert quo_cost.feeder is not None and quo_cost.feeder.trips == len(today.feeder_legs) > 100
    assert quo_cost.line_haul is None

    result = solve("pyvrp", RoutingProblem.whole(ls), time_limit=30.0, seed=1, iterations=200)
    assert result.feasible and result.solution is not None
    alliance = result.solution
    assert check(ls, alliance) == []
    cost = evaluate(ls, alliance)
    assert cost.feeder is None and cost.line_haul is not None and cost.line_haul.trips == len(ls.companies)
    assert sum(r.picked_up for r in cost.routes) == ls.total_pickup  # collected on the same routes
