"""`experiments/same_results.py`: two folders' runs compared row by row."""

from __future__ import annotations

import pandas as pd

from experiments.same_results import differences, main


def runs(**changes: object) -> pd.DataFrame:
    rows = [
        {"instance": "x", "region": "R1", "solver": "ga", "seed": 1, "status": "feasible", "objective": 10.0,
         "routes": "[[\"a\", \"b\"]]"},
        {"instance": "x", "region": "R1", "solver": "exact", "seed": 1, "status": "optimal", "objective": 9.0,
         "routes": "[[\"b\", \"a\"]]"},
        {"instance": "x", "region": "R2", "solver": "exact", "seed": 1, "status": "feasible", "objective": 12.0,
         "routes": "[[\"c\"]]"},
    ]  # fmt: skip
    table = pd.DataFrame(rows)
    for column, value in changes.items():
        table.loc[0, column] = value
    return table


def test_identical_runs_and_a_reversed_optimum_do_not_differ():
    reversed_optimum = runs()
    reversed_optimum.loc[1, "routes"] = '[["a", "b"]]'  # the same optimum, driven the other way
    reversed_optimum.loc[2, "objective"] = 11.0  # stopped by the clock: left out
    found, left_out = differences(runs(), reversed_optimum)
    assert found.empty and left_out == 1


def test_a_changed_objective_route_or_status_is_reported(tmp_path):
    for column, value in (("objective", 10.5), ("routes", '[["b", "a"]]'), ("status", "no_solution")):
        found, _ = differences(runs(), runs(**{column: value}))
        assert list(found["what"]) == [column], column
    before, after = tmp_path / "before", tmp_path / "after"
    for folder, table in ((before, runs()), (after, runs(objective=10.5))):
        folder.mkdir()
        table.to_csv(folder / "results.csv", index=False)
    assert main([str(before), str(before)]) == 0
    assert main([str(before), str(after)]) == 1
    assert main([str(before), str(tmp_path / "nowhere")]) == 2
