"""The project as users install it: a regular (non-editable) install reads its own data
files, and a plain run prints no library's log lines."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_non_editable_install_loads_a_json_instance(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    packages = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    source = tmp_path / "source"  # a copy: building in the checkout would leave build/ there
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "results", "*.egg-info", "__pycache__"))
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(packages), str(source)]
    subprocess.run(install, check=True, capture_output=True, timeout=600)
    # The dependencies come from this environment, after the fresh one's own packages; its
    # .pth files (the editable install of the checkout among them) are not read from there.
    ours = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    (packages / "dependencies.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n")
    probe = (
        "import lastmile, zoning.dataset\n"
        f"assert lastmile.__file__.startswith({str(packages)!r}), lastmile.__file__\n"
        f"instance = lastmile.load_instance({str(ROOT / 'instances' / 'xiqing.json')!r})\n"
        "assert len(instance.nodes) == 86 and len(zoning.dataset.load()) > 100\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([python, "-c", probe], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


def test_the_particle_swarm_writes_no_log_file_and_no_info_lines(tmp_path):
    probe = (
        "import logging\n"
        "from heuristics.pso import PSO\n"
        "from experiments.solvers import solve\n"
        "from lastmile import load_instance\n"
        "from lastmile.routing import RoutingProblem\n"
        f"instance = load_instance({str(ROOT / 'tests' / 'data' / 'small_road.json')!r})\n"
        "solve('pso', RoutingProblem.whole(instance), time_limit=5, seed=1, iterations=2)\n"
        "logging.getLogger('lastmile.probe').info('an INFO line nobody asked for')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / "report.log").exists()
    assert "INFO" not in run.stderr and "INFO" not in run.stdout
