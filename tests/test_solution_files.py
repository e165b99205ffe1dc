"""Issue 32: a `.sol` file's routes are checked and re-costed before its value is used."""

from __future__ import annotations

import pytest

from experiments import compare
from experiments.best_known import best_known
from lastmile.errors import InstanceError
from lastmile.readers import load_instance, read_cvrplib_solution

# Four customers, capacity 10, fleet of 2 (-k2); nint-rounded Euclidean distances.
VRP = """NAME : tiny-n5-k2
TYPE : CVRP
DIMENSION : 5
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 3 0
3 0 4
4 6 0
5 0 8
DEMAND_SECTION
1 0
2 3
3 4
4 5
5 2
DEPOT_SECTION
1
-1
EOF
"""
# Routes 1-2-4-1 (3 + 3 + 6) and 1-3-5-1 (4 + 4 + 8): 28.
GOOD = "Route #1: 1 3\nRoute #2: 2 4\nCost 28\n"


def _files(tmp_path, solution: str | bytes):
    vrp = tmp_path / "tiny-n5-k2.vrp"
    vrp.write_text(VRP)
    sol = vrp.with_suffix(".sol")
    if isinstance(solution, bytes):
        sol.write_bytes(solution)
    else:
        sol.write_text(solution)
    return vrp, sol


def test_a_good_solution_gives_its_recosted_value(tmp_path):
    vrp, _ = _files(tmp_path, GOOD)
    assert best_known(str(vrp), load_instance(vrp)) == pytest.approx(28)


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("Route #1: 1 3\nRoute #2: 2 4\nCost 100\n", "Cost: 100 disagrees with its routes' cost 28.00"),
        ("Route #1: 1 3\nRoute #2: 2 4\nCost 2.4.7\n", "Cost: cost: '2.4.7' is not a number"),
        ("Route #1: 1 3\nRoute #2: 2 9\nCost 28\n", "Route #2: customer 9 is not one of 1..4"),
        ("Route #1: 0 1 3\nRoute #2: 2 4\nCost 28\n", "Route #1: customer 0 is not one of 1..4"),
        ("Route #1: 1 3\nRoute #2: 2 x\nCost 28\n", "Route: not a list of customer numbers"),
        ("Route #1: 1 3\nCost 7\n", "Route: infeasible for tiny-n5-k2"),
        ("Cost 28\n", "no 'Route #k:' line"),
        (b"Route #1: 1 3\nRoute #2: 2 4\nCost 28\xff\n", "line 3: not UTF-8 text (byte 0xff)"),
    ],
    ids=["fake_cost", "malformed_cost", "beyond_range", "customer_zero", "word", "missing", "no_routes", "bytes"],
)
def test_a_bad_solution_file_is_refused_in_one_line_naming_it(tmp_path, capsys, text, fault):
    vrp, sol = _files(tmp_path, text)
    with pytest.raises(InstanceError) as caught:
        best_known(str(vrp), load_instance(vrp))
    assert str(caught.value).startswith(f"{sol}: ") and fault in str(caught.value)
    assert compare.main(["--validate", "--instances", str(vrp)]) == 2
    err = capsys.readouterr().err
    assert fault in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_the_reader_refuses_a_customer_beyond_the_instance(tmp_path):
    vrp, sol = _files(tmp_path, "Route #1: 5\n")
    with pytest.raises(InstanceError, match=r"Route #1: customer 5 is not one of 1\.\.4"):
        read_cvrplib_solution(sol, load_instance(vrp))
