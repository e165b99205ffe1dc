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
