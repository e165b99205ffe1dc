"""The malformed-file corpus of every other format (tests/data/bad/<format>/): each
file gets its own one-line message naming the file and the field, and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from experiments import compare
from experiments.config import read_config
from lastmile import InstanceError, load_instance

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
FORMATS = ("cvrplib", "orlib", "holmberg", "prodhon", "solomon", "vrpspd", "2evrp", "toml")
#: Holmberg files have no extension: the `sscflp:` prefix names their reader.
PREFIX = {"holmberg": "sscflp:"}

EXPECTED = {
    "2evrp/01_demand_is_a_word.dat": "line 12: Customers record 2 demand: 'abc' is not a number",
    "2evrp/02_stores_missing.dat": "line 8: block 'Customers' out of order (expected 'Stores')",
    "2evrp/03_no_satellite.dat": "line 9: Stores: needs the depot and at least one satellite",
    "2evrp/04_demand_above_van.dat": "line 12: Customers record 1 demand: 60 exceeds the van capacity 50",
    "2evrp/05_fractional_trucks.dat": "line 3: total trucks: 2.5 is not a whole number of at least 1",
    "2evrp/06_trucks_too_small.dat": "line 3: total demand 15 exceeds the trucks' capacity 10",
    "2evrp/07_truck_field_missing.dat": "line 3: Trucks record 1: 3 fields, expected 4",
    "2evrp/08_blocks_out_of_order.dat": "line 2: block 'CityFreighters' out of order (expected 'Trucks')",
    "2evrp/09_negative_handling.dat": "line 9: Stores record 2 handling cost: -1 is negative",
    "2evrp/10_negative_van_cost.dat": "line 6: van cost per distance: -1 is negative",
    "cvrplib/01_byte_order_mark.vrp": "line 1: starts with a UTF-8 byte-order mark: save the file without it",
    "cvrplib/02_capacity_is_a_word.vrp": "CAPACITY: vehicle capacity: 'lots' is not a number",
    "cvrplib/03_depot_out_of_range.vrp": "DEPOT_SECTION: depot '99' is not a node number of 1..5",
    "cvrplib/04_demand_of_10_to_the_400.vrp": "DEMAND_SECTION row 3: 10000000000000000000... (401 characters) is too large",
    "cvrplib/05_nan_coordinate.vrp": "NODE_COORD_SECTION row 4: 'nan' is not a finite number",
    "cvrplib/06_repeated_coordinate_line.vrp": "NODE_COORD_SECTION: has 6 rows; DIMENSION is 5",
    "cvrplib/07_depot_with_demand.vrp": "DEMAND_SECTION: the depot (node 1) has demand 2",
    "cvrplib/08_coordinate_is_a_word.vrp": "NODE_COORD_SECTION row 5: 'three' is not a number",
    "cvrplib/09_header_only.vrp": "DEMAND_SECTION: missing section",
    "cvrplib/10_every_demand_zero.vrp": "demands: every demand is zero: there is nothing to deliver",
    "cvrplib/11_demand_above_capacity.vrp": "node 4: 15 parcels exceed the largest vehicle capacity 10",
    "cvrplib/12_nodes_out_of_order.vrp": "NODE_COORD_SECTION row 3: node '4' where node 3 belongs (nodes in order 1..5)",
    "cvrplib/13_capacity_twice.vrp": "CAPACITY: appears twice",
    "cvrplib/14_route_length_limit.vrp": "DISTANCE: is not a CVRP header key this reader knows (the file would be misread)",
    "cvrplib/15_time_window_type.vrp": "TYPE: 'VRPTW': only CVRP files are read",
    "cvrplib/16_fractional_dimension.vrp": "DIMENSION: 4.5: needs a whole number of nodes, depot included, of 2 or more",
    "cvrplib/17_negative_demand.vrp": "DEMAND_SECTION row 5: '-2' is less than 0",
    "cvrplib/18_fleet_too_small.vrp": "fleet: total demand 14 exceeds the fleet's capacity 10",
    "cvrplib/19_missing_demand_row.vrp": "DEMAND_SECTION: has 4 rows; DIMENSION is 5",
    "cvrplib/20_two_depots.vrp": "DEPOT_SECTION: 2 depots; a CVRP has one",
    "cvrplib/21_not_text.vrp": "line 2: not UTF-8 text (byte 0xff)",
    "cvrplib/22_weights_beside_coordinates.vrp": "EDGE_WEIGHT_SECTION: given, but EDGE_WEIGHT_TYPE is EUC_2D",
    "cvrplib/23_fleet_of_a_trillion.vrp": "NAME: -k1000000000000: a fleet of 1 to 4 vehicles (one per customer at most)",
    "cvrplib/24_underscore_in_a_number.vrp": "DEMAND_SECTION row 4: '1_0' is not a number",
    "cvrplib/25_depot_after_the_end_mark.vrp": "DEPOT_SECTION: '3' after the closing -1",
    "cvrplib/26_explicit_weights_missing_one.vrp": "EDGE_WEIGHT_SECTION: 24 weights; FULL_MATRIX of DIMENSION 5 needs 25",
    "cvrplib/27_explicit_weights_asymmetric.vrp": "EDGE_WEIGHT_SECTION: the matrix is not symmetric: a CVRP's weights are",
    "cvrplib/28_explicit_upper_row.vrp": "EDGE_WEIGHT_FORMAT: 'UPPER_ROW': only FULL_MATRIX and LOWER_ROW are read",
    "cvrplib/29_explicit_nonzero_diagonal.vrp": "EDGE_WEIGHT_SECTION: a node's weight to itself is not 0",
    "cvrplib/30_fleet_of_zero.vrp": "NAME: -k0: a fleet of 1 to 4 vehicles (one per customer at most)",
    "holmberg/01_ends_early": "number 13: file ends before cost of customer 1 at facility 2",
    "holmberg/02_word_after_the_data": "line 7 (number 16): 'end' after the data is not a number",
    "holmberg/03_word_for_a_demand": "line 4 (number 8): demand of customer 2: 'four' is not a number",
    "holmberg/04_nan_cost": "line 6 (number 14): cost of customer 2 at facility 2: 'nan' is not a finite",
    "holmberg/05_negative_capacity": "line 2 (number 3): capacity of facility 1: '-10' is less than 0",
    "holmberg/06_infinite_fixed_cost": "line 3 (number 6): fixed cost of facility 2: 'inf' is not a finite number",
    "holmberg/07_zero_facilities": "line 1 (number 1): number of facilities must be a positive whole number, not 0",
    "holmberg/08_demand_above_total_capacity": "capacities: total demand 24 exceeds total capacity 20",
    "holmberg/09_every_demand_zero": "demands: every demand is zero: there is nothing to deliver",
    "holmberg/10_byte_order_mark": "line 1: starts with a UTF-8 byte-order mark: save the file without it",
    "holmberg/11_huge_demand": "line 4 (number 9): demand of customer 3: 10000000000000000000... (401",
    "holmberg/12_fractional_customer_count": "line 1 (number 2): number of customers must be a positive whole number, not 3.5",
    "holmberg/13_customer_above_every_capacity": "demand of customer 3: 11 exceeds every facility's capacity (single source)",
    "holmberg/14_header_counts_too_few_customers": "line 4 (number 8): the line goes on after the demands: the counts in the header",
    "orlib/cap01_more_customers_than_the_header.txt": "line 10 (number 16): 3 more values after the data its header announces: the",
    "orlib/cap02_trailing_numbers.txt": "line 10 (number 16): 2 more values after the data its header announces: the",
    "orlib/cap03_ends_early.txt": "number 13: file ends before demand of customer 3",
    "orlib/cap04_word_for_a_cost.txt": "line 7 (number 12): cost of customer 2 at facility 2: 'cheap' is not a number",
    "orlib/cap05_nan_demand.txt": "line 6 (number 10): demand of customer 2: 'nan' is not a finite number",
    "orlib/cap06_negative_fixed_cost.txt": "line 3 (number 6): fixed cost of facility 2: '-120' is less than 0",
    "orlib/cap07_capacity_word_without_value.txt": "line 2 (number 3): capacity is the word 'capacity': give the value, e.g.",
    "orlib/cap08_zero_customers.txt": "line 1 (number 2): number of customers must be a positive whole number, not 0",
    "orlib/cap09_fractional_facility_count.txt": "line 1 (number 1): number of facilities must be a positive whole number, not 2.5",
    "orlib/cap10_demand_above_capacity.txt": "capacities: total demand 57 exceeds total capacity 20",
    "orlib/cap11_every_demand_zero.txt": "demands: every demand is zero: there is nothing to deliver",
    "orlib/cap12_byte_order_mark.txt": "line 1: starts with a UTF-8 byte-order mark: save the file without it",
    "orlib/cap13_huge_cost.txt": "line 9 (number 15): cost of customer 3 at facility 2: '1e300' is larger than",
    "orlib/cap14_header_counts_a_billion_customers.txt": "line 1 (number 2): number of customers 1e+09: the whole file holds only 15",
    "orlib/cap15_arabic_digits.txt": "line 6 (number 10): demand of customer 2: '٤' is not a number",
    "prodhon/01_cost_flag_two.dat": "line 14 (number 22): cost flag must be 0 or 1, not 2",
    "prodhon/02_trailing_numbers.dat": "line 15 (number 23): 2 more values after the data its header announces: the",
    "prodhon/03_ends_early.dat": "number 21: file ends before route cost",
    "prodhon/04_demand_above_vehicle_capacity.dat": "demands: a demand exceeds the vehicle capacity 5",
    "prodhon/05_demand_above_depot_capacity.dat": "depot capacities: total demand exceeds total depot capacity",
    "prodhon/06_nan_coordinate.dat": "line 6 (number 9): x of customer 2: 'nan' is not a finite number",
    "prodhon/07_word_for_a_demand.dat": "line 11 (number 17): demand of customer 2: 'three' is not a number",
    "prodhon/08_every_demand_zero.dat": "demands: every demand is zero: there is nothing to deliver",
    "prodhon/09_zero_customers.dat": "line 1 (number 1): number of customers must be a positive whole number, not 0",
    "prodhon/10_byte_order_mark.dat": "line 1: starts with a UTF-8 byte-order mark: save the file without it",
    "prodhon/11_negative_route_cost.dat": "line 13 (number 21): route cost: '-50' is less than 0",
    "prodhon/12_huge_coordinate.dat": "line 7 (number 12): y of customer 3: '1e400' is too large",
    "prodhon/13_vehicle_capacity_zero.dat": "line 8 (number 13): vehicle capacity: must be positive",
    "solomon/01_byte_order_mark.txt": "line 1: starts with a UTF-8 byte-order mark: save the file without it",
    "solomon/02_capacity_is_a_word.txt": "line 5 CAPACITY: vehicle capacity: 'fifty' is not a number",
    "solomon/03_customers_out_of_order.txt": "line 11 (CUSTOMER 1): customer '2' where customer 1 belongs (0..n in order)",
    "solomon/04_row_without_service_time.txt": "line 13 (CUSTOMER 3): needs 7 values (CUST NO., XCOORD., YCOORD., DEMAND, READY TIME, DUE DATE, SERVICE TIME), not 6",
    "solomon/05_due_before_ready.txt": "line 13 (CUSTOMER 3) DUE DATE: 146 is before the ready time 165",
    "solomon/06_depot_with_demand.txt": "CUSTOMER 0 DEMAND: the depot has demand 5",
    "solomon/07_nan_coordinate.txt": "line 12 (CUSTOMER 2) XCOORD.: 'nan' is not a finite number",
    "solomon/08_no_column_header.txt": "not a Solomon VRPTW file: needs a name, VEHICLE, NUMBER CAPACITY and their values, CUSTOMER and the column header CUST NO. XCOORD. YCOORD. DEMAND READY TIME DUE DATE SERVICE TIME",
    "solomon/09_fleet_line_with_one_value.txt": "line 5: needs NUMBER and CAPACITY, not 1 values",
    "solomon/10_demand_above_capacity.txt": "node 3: 80 parcels exceed the largest vehicle capacity 50",
    "solomon/11_window_closes_before_reachable.txt": "CUSTOMER 3: cannot be reached from the depot before its window closes",
    "solomon/12_no_vehicles.txt": "line 5 NUMBER: 0: needs a whole number of vehicles, 1 or more",
    "solomon/13_depot_only.txt": "CUSTOMER: 1 rows: needs the depot (0) and at least one customer",
    "solomon/14_negative_demand.txt": "line 13 (CUSTOMER 3) DEMAND: '-10' is less than 0",
    "solomon/15_cannot_return_before_the_depot_closes.txt": "CUSTOMER 3: cannot be served in its window and the vehicle back before the depot closes",
    "vrpspd/01_type_cvrp.vrpspd": "TYPE: 'CVRP': only VRPSPD files are read",
    "vrpspd/02_one_row_missing.vrpspd": "PICKUP_AND_DELIVERY_SECTION: has 3 rows; DIMENSION is 4",
    "vrpspd/03_matrix_short_of_a_weight.vrpspd": "EDGE_WEIGHT_SECTION: 15 weights; FULL_MATRIX of DIMENSION 4 needs 16",
    "vrpspd/04_distance_to_itself.vrpspd": "EDGE_WEIGHT_SECTION: a node's weight to itself is not 0",
    "vrpspd/05_unknown_header_key.vrpspd": "SERVICE_TIME: is not a VRPSPD header key this reader knows (the file would be misread)",
    "vrpspd/06_depot_with_a_delivery.vrpspd": "PICKUP_AND_DELIVERY_SECTION row 1: the depot has parcels to deliver or collect",
    "vrpspd/07_window_reversed.vrpspd": "PICKUP_AND_DELIVERY_SECTION row 3: its window closes before it opens",
    "vrpspd/08_pickup_is_a_word.vrpspd": "PICKUP_AND_DELIVERY_SECTION row 4: 'one' is not a number",
    "vrpspd/09_two_depots.vrpspd": "DEPOT_SECTION: 2 depots; a VRPSPD has one",
    "vrpspd/10_coordinates_not_read.vrpspd": "EDGE_WEIGHT_TYPE: 'EUC_2D': only EXPLICIT weights are read",
    "vrpspd/11_no_vehicles.vrpspd": "VEHICLES: 0: needs a whole number of 1 or more",
    "vrpspd/12_negative_delivery.vrpspd": "PICKUP_AND_DELIVERY_SECTION row 4: '-6' is less than 0",
    "vrpspd/13_rows_out_of_order.vrpspd": "PICKUP_AND_DELIVERY_SECTION row 2: node '3' where node 2 belongs (nodes in order 1..4)",
    "vrpspd/14_byte_order_mark.vrpspd": "line 1: starts with a UTF-8 byte-order mark: save the file without it",
    "vrpspd/15_delivery_above_capacity.vrpspd": "node 4: 16 parcels exceed the largest vehicle capacity 10",
    "vrpspd/16_pickup_above_capacity.vrpspd": "node 4: 11 parcels exceed the largest vehicle capacity 10",
    "vrpspd/17_beyond_the_route_limit.vrpspd": "PICKUP_AND_DELIVERY_SECTION row 4: lies beyond the route length limit, there and back",
    "vrpspd/18_window_unreachable_depot_at_node_2.vrpspd": "PICKUP_AND_DELIVERY_SECTION row 3: cannot be reached from the depot before its window closes",
    "toml/01_syntax_error.toml": "(syntax): not valid TOML: Invalid value (at line 1, column 9)",
    "toml/02_unknown_key.toml": "(top level): Additional properties are not allowed ('seed_count' was unexpected)",
    "toml/03_seeds_is_a_string.toml": "seeds: 'three' is not of type 'integer'",
    "toml/04_time_limit_nan.toml": "time_limit: nan is not a finite number",
    "toml/05_time_limit_inf.toml": "time_limit: inf is not a finite number",
    "toml/06_negative_seeds.toml": "seeds: -1 is less than the minimum of 1",
    "toml/07_unknown_solver.toml": "solvers.1: 'cplex' is not one of ['exact', 'ortools', 'pso', 'ga', 'pyvrp']",
    "toml/08_duplicate_key.toml": "(syntax): not valid TOML: Cannot overwrite a value (at line 2, column 10)",
    "toml/09_empty_instances.toml": "instances: [] should be non-empty",
    "toml/10_shapley_exact_max_too_large.toml": "shapley_exact_max: 40 is greater than the maximum of 15",
    "toml/11_factor_nan.toml": "demand_factors.1: nan is not a finite number",
    "toml/12_feeder_unknown.toml": "allocation_feeder: 'bicycle' is not one of ['shared', 'alone']",
    "toml/13_binary.toml": "(file): not UTF-8 text (byte 0x89 at offset 0): TOML files are UTF-8",
    "toml/14_seeds_as_a_float.toml": "seeds: 1.0 is not of type 'integer'",
    "toml/15_seeds_beyond_reason.toml": "seeds: 1000000000000 is greater than the maximum of 1000",
    "toml/16_out_empty.toml": "out: '' should be non-empty",
}


def _spec(name: str) -> str:
    return PREFIX.get(name.split("/")[0], "") + str(BAD / name)


def test_the_corpus_and_the_table_agree():
    on_disk = sorted(f"{p.parent.name}/{p.name}" for f in FORMATS for p in (BAD / f).iterdir())
    assert on_disk == sorted(EXPECTED)
    for fmt in FORMATS:
        assert sum(name.startswith(f"{fmt}/") for name in EXPECTED) >= 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gets_its_specific_message(name):
    with pytest.raises(InstanceError) as caught:
        if name.startswith("toml/"):
            read_config(BAD / name)
        else:
            load_instance(_spec(name))
    assert str(caught.value).startswith(f"{BAD / name}: {EXPECTED[name]}")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_command_prints_one_line_and_exits_2(name, capsys):
    option = "--config" if name.startswith("toml/") else "--instances"
    assert compare.main(["--validate", option, _spec(name)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"error: {BAD / name}: {EXPECTED[name]}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_traceback_reaches_the_terminal(fmt):
    """The real command line, once per format, on its first bad file."""
    name = min(n for n in EXPECTED if n.startswith(f"{fmt}/"))
    option = "--config" if fmt == "toml" else "--instances"
    run = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / "compare.py"), "--validate", option, _spec(name)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
