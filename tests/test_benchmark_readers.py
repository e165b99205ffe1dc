"""Published benchmark files read into the shared `Instance`, costed by `evaluate`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lastmile import Route, Solution, check, evaluate, load_instance
from lastmile.errors import InstanceError
from lastmile.readers import read_cvrplib, read_cvrplib_solution, read_solomon, read_vrpspd

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
CVRP = sorted((SHARED / "cvrp").glob("*/*.vrp"))


def bks(folder: str) -> dict[str, dict[str, str]]:
    with open(SHARED / folder / "bks.csv", newline="") as f:
        return {row["instance"]: row for row in csv.DictReader(f)}


@pytest.mark.parametrize("vrp", CVRP, ids=lambda p: p.stem)
def test_published_cvrp_solution_recosts_to_its_value_and_is_feasible(vrp, shared):
    instance = read_cvrplib(vrp)
    solution = read_cvrplib_solution(vrp.with_suffix(".sol"), instance)
    assert check(instance, solution) == []
    assert evaluate(instance, solution).total == pytest.approx(float(bks("cvrp")[vrp.stem]["bks"]), abs=1e-6)


def test_cvrplib_fleet_is_fixed_for_sets_a_b_e_p_and_unlimited_for_x(shared):
    assert read_cvrplib(SHARED / "cvrp/P/P-n16-k8.vrp").companies[0].fleet.count == 8
    assert read_cvrplib(SHARED / "cvrp/X/X-n101-k25.vrp").companies[0].fleet.count is None


def test_cvrplib_rounding_is_a_named_choice(shared):
    vrp = SHARED / "cvrp/P/P-n16-k8.vrp"
    exact = read_cvrplib(vrp, rounding="none")
    rounded = read_cvrplib(vrp)
    solution = read_cvrplib_solution(vrp.with_suffix(".sol"), exact)
    assert evaluate(rounded, solution).total == 450
    assert evaluate(exact, solution).total != pytest.approx(450, abs=0.5)


def test_orlib_cap_assignment_is_costed_from_the_file(shared):
    instance = load_instance(SHARED / "cflp/instances/cap41.txt")
    assert (len(instance.centers), len(instance.nodes)) == (16, 50)
    assert not instance.single_sourcing
    # Serve everyone from facility 1 and open all: fixed costs plus the first cost column.
    everything = Solution(frozenset(c.id for c in instance.centers), {n.id: {"f1": 1.0} for n in instance.nodes})
    cost = evaluate(instance, everything)
    assert cost.center_fixed == pytest.approx(sum(c.fixed_cost for c in instance.centers))
    assert cost.transport == pytest.approx(float(instance.assignment_cost[0].sum()))
    assert [v.kind for v in check(instance, everything)] == ["center_capacity"]


def test_orlib_capa_needs_its_capacity(shared):
    with pytest.raises(InstanceError, match="capacity_substitute"):
        load_instance(SHARED / "cflp/instances/capa.txt")
    instance = load_instance(f"{SHARED / 'cflp/instances/capa.txt'}#capacity=8000")
    assert {c.capacity for c in instance.centers} == {8000.0}


def test_holmberg_sscflp_is_single_source(shared):
    instance = load_instance(f"sscflp:{SHARED / 'sscflp/holmberg/p1'}")
    assert instance.single_sourcing and len(instance.centers) == 10 and len(instance.nodes) == 50


PRODHON_TINY = """2
2

0 0
10 0

3 4
10 1

5

10
10

2
3

100
200

7

0
"""


def test_prodhon_reader_uses_ceil_of_100_times_euclidean(tmp_path):
    path = tmp_path / "tiny.dat"
    path.write_text(PRODHON_TINY)
    instance = load_instance(path)
    assert [c.fixed_cost for c in instance.centers] == [100.0, 200.0]
    assert instance.companies[0].fleet.fixed_cost == 7.0
    solution = Solution.routed([Route.through("lrp-1", "D1", ["1", "2"])])
    # D1 (0,0) -> 1 (3,4): 5 -> 500; 1 -> 2 (10,1): 7.6158 -> 762; 2 -> D1: 10.0499 -> 1005;
    # plus one route (7) and depot D1 (100).
    assert evaluate(instance, solution).total == 500 + 762 + 1005 + 7 + 100
    assert check(instance, solution) == []


def test_prodhon_published_file_reads(shared):
    instance = load_instance(SHARED / "lrp/prodhon/coord20-5-1.dat")
    assert (len(instance.nodes), len(instance.centers)) == (20, 5)
    assert instance.distance.rounding == "ceil100"


ROOT_DATA = Path(__file__).resolve().parent / "data" / "bad"
SOLOMON = sorted((SHARED / "solomon").glob("*.txt"))
DETHLOFF = sorted((SHARED / "vrpspd" / "dethloff").glob("*.vrpspd"))


@pytest.mark.parametrize("txt", SOLOMON, ids=lambda p: p.stem)
def test_published_solomon_solution_recosts_to_its_optimum_and_is_feasible(txt, shared):
    instance = load_instance(txt)
    solution = read_cvrplib_solution(txt.with_suffix(".sol"), instance)
    assert check(instance, solution) == []
    assert evaluate(instance, solution).total == pytest.approx(
        float(bks("solomon")[txt.stem]["bks_distance"]), abs=1e-6
    )


def test_solomon_rounding_is_a_named_choice_and_windows_bind(shared):
    txt = SHARED / "solomon" / "R102.txt"
    exact = read_solomon(txt, rounding="none")
    solution = read_cvrplib_solution(txt.with_suffix(".sol"), exact)
    assert evaluate(exact, solution).total > 1466.6 + 1  # truncation takes up to 0.1 per leg off
    late = Solution.routed([Route.through(r.vehicle, "0", r.stops[::-1]) for r in solution.routes])
    assert {v.kind for v in check(read_solomon(txt), late)} == {"time_window"}


def test_dethloff_files_read_with_their_published_sizes_and_lkh3_scale(shared):
    known = bks("vrpspd")
    for path in DETHLOFF:
        instance = load_instance(path)
        row = known[path.stem]
        fleet = instance.companies[0].fleet
        assert (len(instance.nodes), fleet.capacity, fleet.count) == (
            int(row["n_customers"]),
            float(row["capacity"]),
            None,
        )
        assert all(n.time_window is None for n in instance.nodes)  # LKH-3's placeholder windows span the day
    # SCA3-0: the depot to node 2 is 154923 in the file, node 2 delivers 11010 and collects 18448
    instance = read_vrpspd(SHARED / "vrpspd/dethloff/SCA3-0.vrpspd")
    node = instance.node_by_id["2"]
    assert (node.demand["vrpspd"], node.pickup["vrpspd"]) == (11010, 18448)
    there_and_back = Solution.routed([Route.through("vrpspd-1", "1", ["2"])])
    assert evaluate(instance, there_and_back).total == pytest.approx(2 * 154923 / 1e4)
    assert read_vrpspd(SHARED / "vrpspd/dethloff/SCA3-0.vrpspd", fleet_bound=True).companies[0].fleet.count == 4


def test_solomon_fleet_beyond_one_vehicle_per_customer_is_clamped(tmp_path):
    text = (ROOT_DATA / "solomon/12_no_vehicles.txt").read_text().replace("  0         50", "  1000000000000  50")
    (tmp_path / "big.txt").write_text(text)
    assert load_instance(tmp_path / "big.txt").companies[0].fleet.count == 3
