"""Each malformed file in tests/data/bad gets its own one-line message and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lastmile import InstanceError, load_instance
from lastmile.distances import tables
from lastmile.summary import summary_table

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"

EXPECTED = {
    "01_truncated": "line 52 column 14: invalid JSON: Expecting property name enclosed in double",
    "02_nan_demand": "$.nodes[0].demand.A: nan is not a finite number",
    "03_missing_nodes": "$: 'nodes' is a required property",
    "04_negative_demand": "$.nodes[1].demand.A: -2 is less than the minimum of 0",
    "05_capacity_not_a_number": "$.companies[0].fleet.capacity: 'thirty' is not of type 'number'",
    "06_duplicate_node_id": "$.nodes[2].id: duplicate id 'b' (first used at $.nodes[1].id)",
    "07_unknown_company": "$.nodes[0].demand.Z: unknown company 'Z'",
    "08_edge_to_missing_node": "$.edges[1].v: unknown location 'zz'",
    "09_unknown_road_type": "$.edges[0].road_type: unknown road type 'highway'",
    "10_latitude_out_of_range": "$.centers[0].y: latitude 95.0 outside [-90, 90]",
    "11_time_window_reversed": "$.nodes[0].time_window: opens at 300 after it closes at 100",
    "12_demand_above_total_capacity": "$.companies: total demand 42 parcels exceeds total fleet capacity 40",
    "13_company_demand_above_its_fleet": "$.companies[1].fleet: company B demand 34 parcels exceeds its fleet capacity 1 x 30",
    "14_unreachable_node": "$.nodes[2]: 'c' cannot be reached from node 'a' on the road network",
    "15_congestion_out_of_range": "$.road_types[0].congestion: 1.8 is greater than the maximum of 1.5",
    "16_misspelt_field": "$.nodes[1]: 'demand' is a required property",
    "17_center_at_unknown_node": "$.centers[0].node: unknown node 'q'",
    "18_edge_to_itself": "$.edges[0]: edge joins 'a' to itself",
    "19_node_demand_above_vehicle_capacity": "$.nodes[2].demand: 40 parcels exceed the largest vehicle capacity 30",
    "20_wrong_format_version": "$.format: 'lastmile-instance/1' was expected",
    "21_infinite_cost": "$.companies[0].fleet.cost_per_km: inf is not a finite number",
    "22_center_off_its_node": "$.centers[0].node: coordinates differ from those of node 'b'",
    "23_nested_100000_deep": "invalid JSON: nested too deeply to be an instance",
    "24_demand_of_10_to_the_400": "$.nodes[1].demand.A: 10000000000000000000... (401 characters) is too large",
    "25_duplicate_key": "$: duplicate key 'name' (JSON objects need unique keys)",
    "26_top_level_array": "$: the document is a JSON array, not an object",
    "27_every_demand_zero": "$.nodes: every demand is zero: there is nothing to deliver",
    "28_byte_order_mark": "line 1: starts with a UTF-8 byte-order mark: save the file without it",
    "29_huge_coordinate": "$.nodes[1].x: 1e+300 is larger than 1e+15",
    "30_string_document": "$: the document is a JSON string, not an object",
    "31_not_utf8": "line 3: not UTF-8 text (byte 0xe9)",
    "32_empty_file": "line 1 column 1: invalid JSON: Expecting value",
    "33_demand_as_string": "$.nodes[1].demand.A: '5' is not of type 'number'",
    "34_lone_surrogate_in_a_name": "$.name: a string that is not valid Unicode (a lone surrogate escape)",
    "35_integer_of_5000_digits": "invalid JSON: a number of more than 4300 digits",
    "36_euclidean_on_longitudes": "$.distance.metric: euclidean distances of longitudes and latitudes would be in",
    "37_fleet_of_a_quadrillion": "$.companies[0].fleet.count: 1000000000000000 is greater than the maximum of",
    "38_name_with_the_variant_mark": "name: 'city@demand=2': '@' marks sensitivity variants in results",
    "39_company_without_customers": "company B: has no customers (no node's demand or pickup names it)",
    "40_window_closes_before_arrival": "node d time_window: closes at 10 min, before any vehicle can arrive (66 min from dB)",
    "41_window_after_the_shift": "node a time_window: opens at 1500 min, after the shift ends (1440)",
    "42_service_of_100000_minutes": "node b service_time: 100000 min, longer than the 1440-min shift",
    "43_route_limit_below_the_round_trip": "node d: 66.6 km there and back from the nearest company A base, beyond the route limit of 20 km",
    "44_speed_of_a_trillionth": "node d: the nearest start (dB) is 1.98e+15 min away at speed_kmh 1e-12, beyond the 1440-min shift",
    "45_centers_each_smaller_than_a_node": "node a: 8 parcels, more than any center holds (the largest 7): a node is served whole from one center",
}


def test_the_corpus_and_the_table_agree():
    assert sorted(p.stem for p in BAD.glob("*.json")) == sorted(EXPECTED)
    assert len(set(EXPECTED.values())) == len(EXPECTED) >= 15


def test_the_base_of_the_corpus_is_valid():
    assert len(load_instance(ROOT / "tests" / "data" / "small_road.json").nodes) == 3


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gets_its_specific_message(name):
    path = BAD / f"{name}.json"
    with pytest.raises(InstanceError) as caught:
        load_instance(path)
    assert str(caught.value).startswith(f"{path}: {EXPECTED[name]}")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_command_prints_one_line_and_exits_2(name):
    path = BAD / f"{name}.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / "compare.py"), "--validate", "--instances", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"error: {path}: {EXPECTED[name]}")


def test_missing_file_and_unknown_kind_are_reported(tmp_path):
    with pytest.raises(InstanceError, match="no such file"):
        load_instance(tmp_path / "absent.json")
    odd = tmp_path / "instance.xyz"
    odd.write_text("1 2 3")
    with pytest.raises(InstanceError, match="unknown file kind"):
        load_instance(odd)


def test_duplicate_edges_keep_the_shorter_and_the_summary_says_so(tmp_path):
    doc = json.loads((ROOT / "tests" / "data" / "small_road.json").read_text())
    doc["edges"].append({"u": "b", "v": "a", "road_type": "main", "length_km": 50})  # a-b again, longer
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(doc))
    instance = load_instance(path)
    t = tables(instance)
    a, b = instance.index["a"], instance.index["b"]
    assert t.km[a, b] == pytest.approx(1.6)  # the shorter kept
    note = summary_table([instance]).iloc[0]["notes"]
    assert note == "1 node pairs with edges of different lengths (a - b): the shortest kept"
