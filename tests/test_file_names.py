"""Per-instance file names (issue 32, `experiments.file_names`): names that reduce to the
same file name, and names with no ASCII letter at all, still get files of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from experiments import compare
from experiments.file_names import unique_slugs

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["Probe_A", "probe a", "西青", "灵山"]


def test_colliding_and_all_cjk_names_get_distinct_file_names():
    names = unique_slugs(NAMES)
    assert names == {"Probe_A": "probe-a", "probe a": "probe-a-2", "灵山": "instance", "西青": "instance-2"}
    assert unique_slugs(reversed(NAMES)) == names  # the same labels, the same names, in any order


def test_each_instance_keeps_its_own_tables_and_figures(tmp_path, capsys):
    doc = json.loads((ROOT / "tests" / "data" / "small_road.json").read_text())
    files = []
    for k, name in enumerate(NAMES):
        path = tmp_path / f"instance-{k}.json"
        path.write_text(json.dumps(doc | {"name": name}, ensure_ascii=False))
        files.append(str(path))
    out = tmp_path / "out"
    args = ["--instances", *files, "--solvers", "ga", "--seeds", "1", "--iterations", "2", "--out", str(out)]
    assert compare.main(args) == 0
    routing = sorted(p.name for p in (out / "tables").glob("routing-*.tex"))
    assert routing == ["routing-instance-2.tex", "routing-instance.tex", "routing-probe-a-2.tex", "routing-probe-a.tex"]
    for name, file in unique_slugs(NAMES).items():  # each file is its own instance's
        assert set(pd.read_csv(out / "tables" / f"routing-{file}.csv")["instance"]) == {name}
        assert (out / "figures" / f"gaps-{file}.png").is_file()
    written = capsys.readouterr().out.splitlines()[-1]
    tables = len(list((out / "tables").glob("*.tex")))
    assert f"{tables} tables" in written  # the count reported is the count of files
