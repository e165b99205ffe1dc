"""experiments/compare.py end to end: the store, resume, tables, figures, Dask.

Runs use `--iterations` budgets, so they are deterministic and the comparisons between
an interrupted and an uninterrupted experiment, or a serial and a Dask one, are exact.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from experiments import compare
from experiments.config import read_config
from experiments.store import CSV_NAME, STORE_NAME, Store
from experiments.tables import write_tables

ROOT = Path(__file__).resolve().parents[1]
COMPARE = ROOT / "experiments" / "compare.py"
# Columns that depend on the clock, not on the seeds.
CLOCK = ["time_s", "trace", "message"]
KEY = ["instance", "region", "solver", "seed"]


@pytest.fixture(scope="session")
def mini_xiqing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 30 Xiqing nodes with the roads among them and their candidate centers:
    the full pipeline (regions, modes, lockers, location, independent companies) in seconds."""
    doc = json.loads((ROOT / "instances" / "xiqing.json").read_text())
    doc["name"] = "mini_xiqing"
    graph = nx.Graph((e["u"], e["v"]) for e in doc["edges"])
    keep = set(list(nx.bfs_tree(graph, doc["nodes"][0]["id"]))[:30])  # connected on the roads
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] in keep]
    doc["edges"] = [e for e in doc["edges"] if e["u"] in keep and e["v"] in keep]
    doc["centers"] = [c for c in doc["centers"] if c.get("node") in keep]
    for k, company in enumerate(doc["companies"]):  # depots move onto kept nodes
        node = doc["nodes"][3 * k]
        company["depot"] |= {"node": node["id"], "x": node["x"], "y": node["y"]}
    for k, hub in enumerate(doc["hubs"]):  # and so do the hub candidates
        node = doc["nodes"][3 * k + 1]
        hub |= {"node": node["id"], "x": node["x"], "y": node["y"]}
    path = tmp_path_factory.mktemp("instances") / "mini_xiqing.json"
    path.write_text(json.dumps(doc))
    return path


def run_compare(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(COMPARE), *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=600
    )


def stored(folder: Path) -> pd.DataFrame:
    with sqlite3.connect(folder / STORE_NAME) as db:
        return pd.read_sql_query("SELECT * FROM runs", db).sort_values(KEY).reset_index(drop=True)


@pytest.fixture(scope="session")
def pipeline_run(mini_xiqing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full experiment: three solvers, five seeds (statistics), a sensitivity sweep."""
    out = tmp_path_factory.mktemp("pipeline") / "out"
    plan = out.parent / "plan.toml"
    plan.write_text(
        f'instances = ["{mini_xiqing}"]\nsolvers = ["exact", "ga", "pso"]\nseeds = 5\niterations = 5\n'
        "time_limit = 5.0\nclassifier_repeats = 1\nsensitivity = true\n"
        "fixed_cost_factors = [1.0, 2.0]\ndemand_factors = [1.2, 9.0]\nline_haul_factors = [0.0]\n"
        'sensitivity_solver = "ga"\n'
        'simulate = true\nsimulation_days = 2\nsimulation_replications = 2\nsimulation_solver = "ga"\n'
        "demand_noise = 0.0\nfree_flow = true\n"
        'allocate = true\nallocation_solvers = ["ga"]\nallocation_iterations = 5\n'
        "scenarios = 8\nuncertainty_iterations = 3\n"
    )
    done = run_compare("--config", plan, "--out", out, "--workers", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_pipeline_folder_holds_store_csv_provenance_tables_and_figures(pipeline_run: Path) -> None:
    runs = stored(pipeline_run)
    assert not runs.duplicated(KEY).any()
    regions = set(runs["region"])
    assert {r for r in regions if r.startswith("independent:")} == {f"independent:{c}" for c in "ASJC"}
    assert any(r.startswith("R") for r in regions)
    assert set(runs["status"]) <= {"optimal", "feasible", "infeasible", "no_solution", "error", "not_applicable"}
    # every stored objective is the shared cost function's, of a solution the checker passed
    ok = runs[runs["feasible"] == 1]
    heuristic = runs[(runs["solver"] != "exact") & (runs["status"] != "not_applicable")]
    assert (heuristic["feasible"] == 1).all(), heuristic[heuristic["feasible"] != 1][[*KEY, "status", "message"]]
    assert (ok["objective"] - (ok["vehicle_fixed"] + ok["transport"] + ok["congestion"])).abs().max() < 1e-6
    csv = pd.read_csv(pipeline_run / CSV_NAME)
    for column in ("instance", "region", "solver", "seed", "objective", "bound", "status", "feasible", "time_s"):
        assert column in csv.columns
    assert {"n_customers", "routes"} <= set(csv.columns)
    provenance = json.loads((pipeline_run / "provenance.json").read_text())
    assert provenance["master_seed"] == provenance["config"]["master_seed"]
    assert {"python", "pyomo", "highspy", "ortools", "deap", "pyswarms", "pyvrp"} <= set(provenance["versions"])
    assert provenance["machine"]["cores"] >= 1 and provenance["git_commit"]
    tables = {p.stem for p in (pipeline_run / "tables").glob("*.tex")}
    assert {"routing-mini-xiqing", "delivery", "regions", "classifiers", "division", "location"} <= tables
    assert {"sensitivity", "statistics", "simulation"} <= tables
    assert (pipeline_run / "report.md").is_file() and (pipeline_run / "report.tex").is_file()
    days = pd.read_csv(pipeline_run / "simulation_days.csv")
    assert set(days["policy"]) == {"joint", "independent"} and set(days["day"]) == {1, 2}
    figures = {p.name for p in (pipeline_run / "figures").iterdir()}
    for stem in (
        "map-mini-xiqing",
        "costs-mini-xiqing",
        "gaps-mini-xiqing",
        "convergence-mini-xiqing",
        "routes-mini-xiqing",
    ):
        assert {f"{stem}.pdf", f"{stem}.png"} <= figures
    assert "sensitivity-mini-xiqing.pdf" in figures
    stages = pd.read_csv(pipeline_run / "stages.csv")  # issue 16: where the time and memory go
    assert list(stages["stage"]) == [
        "planning", "runs", "allocation game", "aggregation", "simulation", "uncertainty", "tables", "figures",
        "report",
    ]  # fmt: skip
    assert (stages["time_s"] >= 0).all() and (stages["peak_mb"] > 0).all()
    with sqlite3.connect(pipeline_run / STORE_NAME) as db:
        data = db.execute("SELECT data FROM tables WHERE instance = 'mini_xiqing' AND name = 'stages'").fetchone()[0]
    planning = pd.read_json(io.StringIO(data), orient="split")
    assert {"distances", "graph", "region algorithms (Table 2)", "classifier", "location", "assignment"} <= set(
        planning["stage"]
    )


def test_the_game_shares_the_alliance_cost_by_every_rule(pipeline_run: Path) -> None:
    """Every coalition of the four companies stored once; each rule's allocation adds up
    to the grand coalition's cost; the tables, the figure and the report section exist."""
    with sqlite3.connect(pipeline_run / STORE_NAME) as db:
        values = pd.read_sql_query("SELECT * FROM coalitions", db)
    assert len(values) == 15 and values["status"].eq("ok").all()
    store = Store(pipeline_run)
    try:
        allocation, game = store.table("allocation"), store.table("game")
    finally:
        store.close()
    rules = {"proportional to parcels", "proportional to km-weighted parcels", "Shapley"}
    for basis, part in allocation.groupby("basis"):
        assert set(part["rule"]) - rules in ({"nucleolus"}, {"prenucleolus"}), basis
    assert game["status"].eq("complete").all()
    grand = game.set_index("basis")["grand"]
    for (basis, _), part in allocation.groupby(["basis", "rule"]):
        assert part["allocated"].sum() == pytest.approx(grand[basis])
    grand_value = values.loc[values["coalition"] == "A+S+J+C", "TC"].item()
    assert grand["TC"] == pytest.approx(grand_value)
    for name in ("allocation-mini-xiqing.tex", "allocation-mini-xiqing-no-lh.tex", "game.tex"):
        assert (pipeline_run / "tables" / name).is_file()
    assert (pipeline_run / "figures" / "savings-mini-xiqing.png").is_file()
    assert "Who gains" in (pipeline_run / "report.md").read_text()


def test_a_game_resumes_with_the_coalitions_it_lost(pipeline_run: Path, tmp_path: Path) -> None:
    """Coalitions lost from the store (as by a kill) are evaluated again on --resume,
    the others are not, and with an iteration budget the values come back identical."""
    out = tmp_path / "out"
    shutil.copytree(pipeline_run, out)
    with sqlite3.connect(out / STORE_NAME) as db:
        before = pd.read_sql_query("SELECT * FROM coalitions ORDER BY coalition", db)
        db.execute("DELETE FROM coalitions WHERE size IN (2, 4)")
    plan = pipeline_run.parent / "plan.toml"
    done = run_compare("--config", plan, "--out", out, "--workers", "2", "--resume")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "resuming the game: 8 of 15 coalitions already stored" in done.stdout
    with sqlite3.connect(out / STORE_NAME) as db:
        after = pd.read_sql_query("SELECT * FROM coalitions ORDER BY coalition", db)
    pd.testing.assert_frame_equal(before.drop(columns=["time_s"]), after.drop(columns=["time_s"]))


def test_scenarios_say_how_sure_in_tables_figures_and_the_first_lines(pipeline_run: Path) -> None:
    """Morris with 8 inputs and `scenarios = 8`: two trajectories of 9 scenarios, each
    stored once; what they say in tables, figures, scenarios.csv and the answer."""
    with sqlite3.connect(pipeline_run / STORE_NAME) as db:
        rows = pd.read_sql_query("SELECT * FROM scenarios", db)
    assert len(rows) == 18 and not rows.duplicated(["instance", "scenario"]).any()
    assert rows["status"].eq("ok").all(), rows["message"].tolist()
    ok = rows[rows["feasible"] == 1]
    assert (ok["TC_independent"] > 0).all() and (ok["TC_joint"] > 0).all()
    assert len(pd.read_csv(pipeline_run / "scenarios.csv")) == 18
    tables = {p.stem for p in (pipeline_run / "tables").glob("*.tex")}
    names = ("uncertainty-mini-xiqing", "uncertainty-companies-mini-xiqing", "uncertainty-indices-mini-xiqing")
    assert {*names, "uncertainty-inputs"} <= tables
    for figure in ("tornado", "scenarios", "break-even"):
        assert (pipeline_run / "figures" / f"{figure}-mini-xiqing.png").is_file()
    indices = pd.read_csv(pipeline_run / "tables" / "uncertainty-indices-mini-xiqing.csv")
    assert "feeder" in set(indices.loc[indices["index"] == 0, "input"])  # Xiqing has no village staff
    headline = (pipeline_run / "report.md").read_text().splitlines()[2]
    assert "P(pays) = " in headline and "over 18 scenarios" in headline and "decided by" in headline


def test_scenarios_resume_with_those_lost(pipeline_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(pipeline_run, out)
    with sqlite3.connect(out / STORE_NAME) as db:
        before = pd.read_sql_query("SELECT * FROM scenarios ORDER BY scenario", db)
        db.execute("DELETE FROM scenarios WHERE scenario >= 10")
    done = run_compare("--config", pipeline_run.parent / "plan.toml", "--out", out, "--workers", "2", "--resume")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "resuming the scenarios: 10 of 18 scenarios already stored" in done.stdout
    with sqlite3.connect(out / STORE_NAME) as db:
        after = pd.read_sql_query("SELECT * FROM scenarios ORDER BY scenario", db)
    pd.testing.assert_frame_equal(before.drop(columns=["time_s"]), after.drop(columns=["time_s"]))


def test_every_joint_plan_is_costed_under_each_design_above_the_bound(pipeline_run: Path) -> None:
    store = Store(pipeline_run)
    try:
        designs, verdicts = store.table("designs"), store.table("verdict")
    finally:
        store.close()
    assert set(designs["design"]) == {"tour", "direct", "hub"}
    # the mini city opens several centers: its whole instance is a multi-depot problem, which
    # exact, GA and PSO do not take (a row says so); each relocated center's regions are theirs
    assert set(designs["scope"]) == {"region", "center"}
    runs = stored(pipeline_run)
    whole = runs[runs["instance"].isin(["mini_xiqing@whole", "mini_xiqing@relocated"])]
    assert set(whole["status"]) == {"not_applicable"}
    assert whole["message"].str.contains("takes no multi-depot problem").all()
    hub = designs[designs["design"] == "hub"]
    assert hub["hub"].str.startswith("hub_").all() and (hub["LH_shuttle"] > 0).all()
    ok = designs[designs["feasible"].astype(bool)]
    assert len(ok) == len(designs)
    verdict = verdicts.iloc[0]
    assert verdict["LB"] <= ok["TC"].min() + 1e-6
    assert verdict["TC_joint"] == pytest.approx(ok["TC"].min())
    report = (pipeline_run / "report.md").read_text()
    assert report.startswith("# Does joint delivery pay?")
    assert "No joint plan in the model saves more than" in report or "Every joint plan in the model costs" in report


def test_both_readings_of_independent_windows_are_planned_and_simulated(pipeline_run: Path) -> None:
    store = Store(pipeline_run)
    try:
        windows, verdict = store.table("windows"), store.table("verdict").iloc[0]
    finally:
        store.close()
    alone = windows[windows["policy"] == "independent"].set_index("windows")
    assert set(alone.index) == {"ignored", "planned"}  # the mini city reads false: planned is the scenario
    assert bool(alone.loc["ignored", "instance_reading"]) and not bool(alone.loc["planned", "instance_reading"])
    # planning to the windows meets more of them in the simulation, and the joint plan too
    assert alone.loc["planned", "windows_met_pct"] > alone.loc["ignored", "windows_met_pct"]
    joint = windows[windows["policy"] == "joint"].iloc[0]
    assert joint["TC"] == pytest.approx(verdict["TC_joint"])
    assert verdict["TC_independent_other"] == pytest.approx(alone.loc["planned", "TC"])
    report = (pipeline_run / "report.md").read_text()
    assert "Time windows are a scenario, not a rule" in report
    assert (pipeline_run / "tables" / "windows-mini-xiqing.tex").is_file()


def test_routes_name_the_instance_nodes_and_leave_out_the_depot(pipeline_run: Path, mini_xiqing: Path) -> None:
    doc = json.loads(mini_xiqing.read_text())
    node_ids = {n["id"] for n in doc["nodes"]}
    runs = stored(pipeline_run)
    for _, row in runs[runs["feasible"] == 1].iterrows():
        for route in json.loads(row["routes"]):
            assert route and set(route) <= node_ids
            assert row["center"] not in route


def test_delivery_table_has_the_study_table_8_columns(pipeline_run: Path) -> None:
    table = pd.read_csv(pipeline_run / "tables" / "delivery.csv")
    assert {"C1", "C2", "C3", "C4", "LH", "TC", "TC_no_LH", "E", "E_no_LH"} <= set(table.columns)
    assert {"independent", "joint", "reduction %"} <= set(table["delivery"])
    joint = table[table["delivery"] == "joint"]
    routes = joint["C1"] + joint["C2"] + joint["C3"] + joint["C4"]
    assert ((routes + joint["LH"] - joint["TC"]).abs() < 1e-6).all()
    assert ((routes - joint["TC_no_LH"]).abs() < 1e-6).all()
    assert (joint["LH"] > 0).all() and (joint["E"] > joint["E_no_LH"]).all()


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is installed by .ci/run")
def _overfull(log: str) -> list[float]:
    """The widths (pt) by which lines of a pdflatex log overflow."""
    return [float(w) for w in re.findall(r"Overfull \\hbox \(([0-9.]+)pt too wide\)", log)]


def test_every_table_and_the_report_compile_in_pdflatex(pipeline_run: Path, tmp_path: Path) -> None:
    """Each table alone in a 10pt article on A4 with 2.5 cm margins, no line more than
    10pt too wide; `report.tex` a complete document, compiled in (a copy of) its folder."""
    for tex in sorted((pipeline_run / "tables").glob("*.tex")):
        document = tmp_path / f"{tex.stem}-doc.tex"
        document.write_text(
            "\\documentclass[10pt]{article}\\usepackage[margin=2.5cm]{geometry}\\usepackage{booktabs,longtable,caption}\n"
            f"\\begin{{document}}\\input{{{tex}}}\\end{{document}}\n"
        )
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", document.name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{tex.name}: {done.stdout[-1500:]}"
        assert max(_overfull(done.stdout), default=0) <= 10, f"{tex.name}: {_overfull(done.stdout)}"
    copy = tmp_path / "folder"
    shutil.copytree(pipeline_run, copy, ignore=shutil.ignore_patterns("*.sqlite"))
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (copy / "report.pdf").stat().st_size > 10_000
    assert "includegraphics" in (copy / "report.tex").read_text()


def test_tables_rebuild_byte_identical_from_the_store(pipeline_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(pipeline_run / STORE_NAME, copy / STORE_NAME)
    rebuilt = write_tables(copy)
    assert rebuilt
    for tex in rebuilt:
        assert tex.read_bytes() == (pipeline_run / "tables" / tex.name).read_bytes(), tex.name


def test_bold_marks_the_best_mean_and_names_are_escaped(pipeline_run: Path) -> None:
    text = (pipeline_run / "tables" / "delivery.tex").read_text()
    assert "\\toprule" in text and "reduction \\%" in text
    assert "\\textbf{" in (pipeline_run / "tables" / "delivery-solvers.tex").read_text()
    routing = (pipeline_run / "tables" / "routing-mini-xiqing.tex").read_text()
    assert "independent:A" in routing and "\\shortstack{gap\\\\(\\%)}" in routing


def small_cvrp_args(shared: Path, out: Path) -> list[str | Path]:
    return [
        "--instances",
        shared / "benchmarks" / "cvrp" / "E" / "E-n13-k4.vrp",
        shared / "benchmarks" / "cvrp" / "P" / "P-n16-k8.vrp",
        "--solvers",
        "ga",
        "pso",
        "--seeds",
        "3",
        "--iterations",
        "150",
        "--time-limit",
        "30",
        "--out",
        out,
    ]


def stored_count(folder: Path) -> int:
    """Runs stored so far (0 while the store is still being created)."""
    try:
        with sqlite3.connect(f"file:{folder / STORE_NAME}?mode=ro", uri=True) as db:  # never creates it
            return db.execute("SELECT count(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_sigkill_then_resume_gives_the_uninterrupted_rows_once(shared: Path, tmp_path: Path) -> None:
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    done = run_compare(*small_cvrp_args(shared, whole), "--workers", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    process = subprocess.Popen(
        [sys.executable, str(COMPARE), *map(str, small_cvrp_args(shared, killed)), "--workers", "1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None and stored_count(killed) < 3:
            time.sleep(0.05)
        assert process.poll() is None, "the experiment ended before it could be killed"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    partial = len(stored(killed))
    assert 3 <= partial < len(stored(whole))
    resumed = run_compare(*small_cvrp_args(shared, killed), "--workers", "1", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"resuming: {partial} of" in resumed.stdout
    a, b = stored(whole).drop(columns=CLOCK), stored(killed).drop(columns=CLOCK)
    pd.testing.assert_frame_equal(a, b)


def test_a_used_folder_needs_resume_and_the_same_configuration(shared: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = small_cvrp_args(shared, out)
    assert run_compare(*args, "--workers", "1").returncode == 0
    again = run_compare(*args)
    assert again.returncode == 2 and "--resume" in again.stderr and "Traceback" not in again.stderr
    other = run_compare(*args, "--resume", "--seeds", "4")
    assert other.returncode == 2 and "seeds" in other.stderr
    same = run_compare(*args, "--resume", "--workers", "2")
    assert same.returncode == 0
    assert len(stored(out)) == 2 * (3 + 3)


def test_benchmark_instances_get_the_gap_to_best_known_table(shared: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = run_compare(
        "--instances",
        shared / "benchmarks" / "cvrp" / "E" / "E-n13-k4.vrp",
        shared / "benchmarks" / "cflp" / "instances" / "cap41.txt",
        shared / "benchmarks" / "lrp" / "prodhon" / "coord20-5-1.dat",
        "--solvers",
        "exact",
        "ga",
        "--seeds",
        "1",
        "--iterations",
        "50",
        "--time-limit",
        "30",
        "--out",
        out,
        "--workers",
        "1",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(out / "tables" / "benchmarks.csv").set_index("instance")
    assert table.loc["E-n13-k4", "best_known"] == 247
    assert table.loc["E-n13-k4", "exact mean gap %"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["cap41", "exact mean gap %"] == pytest.approx(0.0, abs=1e-6)
    # location then routing: the joint total of the regions, feasible, against the LRP best-known
    assert table.loc["coord20-5-1", "best_known"] == 54793
    assert table.loc["coord20-5-1", "ga mean gap %"] >= 0
    runs = stored(out)
    cap = runs[runs["instance"] == "cap41"]
    assert list(cap["solver"]) == ["exact", "ga"]
    assert cap.set_index("solver").loc["ga", "status"] == "not_applicable"  # location-only: a row says so
    cvrp = runs[(runs["instance"] == "E-n13-k4") & (runs["solver"] == "exact")].iloc[0]
    assert sorted(int(v) for route in json.loads(cvrp["routes"]) for v in route) == list(range(2, 14))


def test_dask_local_cluster_matches_the_serial_run(shared: Path, tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    serial, distributed = tmp_path / "serial", tmp_path / "dask"
    assert run_compare(*small_cvrp_args(shared, serial), "--workers", "1").returncode == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        done = run_compare(*small_cvrp_args(shared, distributed), "--scheduler", cluster.scheduler_address)
    assert done.returncode == 0, done.stderr[-2000:]
    pd.testing.assert_frame_equal(stored(serial).drop(columns=CLOCK), stored(distributed).drop(columns=CLOCK))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("seeds = 0\n", "seeds"),
        ('solvers = ["ga", "tabu"]\n', "solvers.1"),
        ("colour = 1\n", "(top level)"),
        ("seeds = [\n", "(syntax)"),
    ],
)
def test_a_bad_config_file_gets_one_line_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, field: str
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(text)
    assert compare.main(["--config", str(plan), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(plan) in err and field in err
    assert not (tmp_path / "out").exists()


def test_a_bad_instance_file_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = ROOT / "tests" / "data" / "bad"
    first = sorted(bad.glob("*.json"))[0]
    assert compare.main(["--instances", str(first), "--out", str(tmp_path / "out")]) == 2
    assert str(first) in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_simulated_km_equal_the_planned_km_without_noise(pipeline_run: Path) -> None:
    """Zero demand noise and free-flow travel: every simulated day drives exactly the
    routes of the plan (the GA's first-seed runs of the experiment itself)."""
    with sqlite3.connect(pipeline_run / STORE_NAME) as db:
        sim = pd.read_json(
            io.StringIO(db.execute("SELECT data FROM tables WHERE name = 'simulation'").fetchone()[0]), orient="split"
        )
        delivery = pd.read_json(
            io.StringIO(db.execute("SELECT data FROM tables WHERE name = 'delivery'").fetchone()[0]), orient="split"
        )
    first_seed = delivery[delivery["solver"] == "ga"]["seed"].min()
    planned = delivery[(delivery["solver"] == "ga") & (delivery["seed"] == first_seed)].set_index("delivery")["km"]
    driven = sim.groupby(["replication", "day", "policy"])["km"].sum()
    assert len(driven) == 2 * 2 * 2
    for (_, _, policy), km in driven.items():
        assert km == pytest.approx(planned[policy], rel=1e-9)
    assert sim["parcels_unserved"].sum() == 0


def test_report_sets_the_study_beside_ours_and_flags_table_8(pipeline_run: Path) -> None:
    text = (pipeline_run / "report.md").read_text()
    for published in ("0.789", "0.878", "25.32%", "3209.36", "3079.80", "2479.80", "173.60"):
        assert published in text
    assert "mini_xiqing: " in text and "synthetic" in text


def test_the_regions_table_describes_the_division_the_runs_used(pipeline_run: Path) -> None:
    with sqlite3.connect(pipeline_run / STORE_NAME) as db:
        data = db.execute("SELECT data FROM tables WHERE instance = 'mini_xiqing' AND name = 'locations'").fetchone()
    locations = pd.read_json(io.StringIO(data[0]), orient="split")
    used = locations.loc[locations["kind"] == "node", "region"].nunique()
    regions = pd.read_csv(pipeline_run / "tables" / "regions.csv")
    assert regions.loc[regions["algorithm"] == "Louvain", "communities"].iloc[0] == used


def test_a_sensitivity_point_that_cannot_be_planned_is_a_finding(pipeline_run: Path) -> None:
    table = pd.read_csv(pipeline_run / "tables" / "sensitivity.csv").set_index(["parameter", "factor"])
    assert table.loc[("demand", 1.2), "joint TC"] > 0 and pd.isna(table.loc[("demand", 1.2), "note"])
    # nine times the parcels outgrow the centers and the fleet: recorded, not fatal
    assert pd.isna(table.loc[("demand", 9.0), "joint TC"])
    note = table.loc[("demand", 9.0), "note"]
    assert any(reason in note for reason in ("infeasible", "cannot carry", "exceed the room left"))
    # a free line-haul is the study's convention: the joint total without line-haul
    delivery = pd.read_csv(pipeline_run / "tables" / "delivery.csv")
    base = delivery[(delivery["instance"] == "mini_xiqing") & (delivery["solver"] == "ga")]
    no_line_haul = base.loc[base["delivery"] == "joint", "TC_no_LH"].iloc[0]
    assert table.loc[("line_haul", 0.0), "joint TC"] == pytest.approx(no_line_haul)


@pytest.mark.parametrize("plan", sorted((ROOT / "experiments" / "configs").glob("*.toml")), ids=lambda p: p.name)
def test_shipped_experiment_plans_are_valid(plan: Path) -> None:
    assert read_config(plan)["instances"]


class _KillsItsWorker:
    """Unpickled in a worker process, it ends that process (as a crashing solver would)."""

    n = 0  # customers, as a stored row reports them

    def __reduce__(self):
        return (os._exit, (3,))


def test_a_run_that_kills_its_worker_is_stored_as_an_error_and_the_others_finish(tiny_xiqing) -> None:
    from experiments.runner import Task, run_all
    from lastmile.routing import RoutingProblem

    problem = RoutingProblem.whole(tiny_xiqing)
    tasks = [Task("tiny", "all", "ga", seed, problem, 10.0, 5) for seed in range(4)]
    tasks.insert(2, Task("tiny", "all", "ga", 99, _KillsItsWorker(), 10.0, 5))  # type: ignore[arg-type]
    rows: list = []
    run_all(tasks, rows.append, workers=2)
    by_seed = {row.seed: row for row in rows}
    assert sorted(by_seed) == [0, 1, 2, 3, 99]
    assert by_seed[99].status == "error" and "died" in by_seed[99].message
    assert all(by_seed[s].feasible for s in range(4))


@pytest.mark.parametrize("option", [["--seeds", "0"], ["--time-limit", "-1"], ["--workers", "0"]])
def test_a_bad_option_gets_one_line_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], option) -> None:
    assert compare.main([*option, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and option[0] in err
    assert not (tmp_path / "out").exists()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Chromium with no network at all: every host unresolvable, every request to a dead proxy.
OFFLINE = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=20000",
]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is installed by .ci/run")
def test_report_html_opens_offline_with_its_maps(pipeline_run: Path, tmp_path: Path) -> None:
    """`report.html` in headless Chromium with the network off: no script error, each
    instance's map holding one trace per stored route, and a screenshot taken."""
    page = pipeline_run / "report.html"
    text = page.read_text()
    assert "<script src=" not in text and "<link " not in text  # nothing fetched from elsewhere
    browser = [CHROMIUM, *OFFLINE, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*browser, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180).stdout
    head = re.search(r"<html[^>]*>", dom)
    assert head is not None, dom[:500]
    assert "data-errors" not in head.group(0), head.group(0)
    counts = [int(n) for n in re.findall(r'data-routes-[^=]+="(\d+)"', head.group(0))]
    store = Store(pipeline_run)
    try:
        views = store.table("map_routes")
    finally:
        store.close()
    expected = [int((views[views["instance"] == i]["kind"] == "route").sum()) for i in sorted(set(views["instance"]))]
    assert counts == expected and all(counts)
    shot = tmp_path / "report.png"
    subprocess.run([*browser, "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri()], timeout=180)
    assert shot.stat().st_size > 10_000


def test_every_vehicle_count_has_one_source(pipeline_run: Path) -> None:
    """Issue 33: the vans a plan uses (delivery) are its routes and its C1; the vans a
    region has and those the assignment model dispatches are named apart."""
    store = Store(pipeline_run)
    try:
        delivery, division, location = store.table("delivery"), store.table("division"), store.table("location")
        runs = store.runs()
    finally:
        store.close()
    doc = json.loads((pipeline_run / "provenance.json").read_text())
    assert doc  # the provenance names the fleet; the tables name what they count
    joint = delivery[(delivery["delivery"] == "joint") & delivery["feasible"].astype(bool)]
    for _, row in joint.iterrows():
        mine = runs[
            (runs["instance"] == row["instance"])
            & (runs["solver"] == row["solver"])
            & (runs["seed"] == row["seed"])
            & ~runs["region"].str.startswith("independent:")
        ]
        routes = sum(len(json.loads(r)) for r in mine["routes"])
        assert row["vehicles"] == routes
        assert row["C1"] == pytest.approx(100.0 * routes)  # mini Xiqing's alliance vans: 100 CNY a day each
    assert "vehicles_available" in division and "vehicles" not in division
    assert "vehicles_dispatched" in location and "vehicles" not in location
