"""Two real `compare.py` processes started together on one new folder (issue 32): one
runs, the other is refused (exit 2, "in use"), and the running one's folder and results
are never deleted under it; the provenance stores a command that reruns as written."""

from __future__ import annotations

import json
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPARE = ROOT / "experiments" / "compare.py"
SHARED = ROOT.parent / "shared"


def start(out: Path) -> subprocess.Popen[str]:
    args = [
        "--instances",
        str(SHARED / "benchmarks" / "cvrp" / "E" / "E-n13-k4.vrp"),
        "--solvers",
        "ga",
        "--seeds",
        "1",
        "--iterations",
        "20",
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    return subprocess.Popen(
        [sys.executable, str(COMPARE), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_racing_runs_never_delete_each_others_folder(tmp_path):
    for attempt in range(3):
        out = tmp_path / f"race {attempt} $HOME"  # a space and a dollar: the provenance must quote them
        first, second = start(out), start(out)
        results = [(p.wait(timeout=300), p.stderr.read()) for p in (first, second)]
        codes = sorted(code for code, _ in results)
        assert codes[0] == 0, results
        if codes[1] != 0:  # the loser: refused, the winner's folder left alone
            assert codes[1] == 2 and any("in use by another process" in err for _, err in results), results
        with sqlite3.connect(out / "results.sqlite") as db:
            assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
        command = json.loads((out / "provenance.json").read_text())["command"]
        assert shlex.split(command)[-1] == str(out)


HOLD = """
import sys, time
from pathlib import Path
from experiments.folder import locked
with locked(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_refused_run_leaves_the_holders_new_folder_alone(tmp_path):
    """The interleaving the race can produce, forced: another process made the folder and
    holds its lock; this run is refused and removes nothing."""
    out = tmp_path / "new"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"  # the folder is new, holding only its lock
        refused = start(out)
        code, err = refused.wait(timeout=300), refused.stderr.read()
        assert code == 2 and "in use by another process" in err, err
        assert out.is_dir() and (out / ".lock").read_text().strip() == str(holder.pid)
    finally:
        holder.kill()
        holder.wait()


def test_a_folder_lost_to_another_process_is_exit_3(tmp_path, monkeypatch, capsys):
    """Another process removes the folder while this run holds its lock: the store's
    next write fails, and the run says whose fault it was (its surroundings: exit 3)."""
    from experiments import compare
    from experiments.experiment import Experiment

    out = tmp_path / "out"

    def lose_it(self, resume, retry_errors=False):
        import shutil

        shutil.rmtree(out)
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(Experiment, "run", lose_it)
    args = ["--instances", str(SHARED / "benchmarks" / "cvrp" / "E" / "E-n13-k4.vrp"), "--out", str(out)]
    assert compare.main([*args, "--solvers", "ga", "--iterations", "2"]) == compare.EXIT_STOPPED
    err = capsys.readouterr().err.strip()
    assert err.endswith(
        "was removed or replaced by another process while this run held its lock; the runs stored in "
        "it went with it: run again with another --out"
    )
