"""How an experiment folder was made: enough for a reader of a paper to rerun it."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

LIBRARIES = (
    "numpy",
    "scipy",
    "pandas",
    "networkx",
    "scikit-learn",
    "pyomo",
    "highspy",
    "ortools",
    "pyswarms",
    "deap",
    "pyvrp",
    "xgboost",
    "numba",
    "vrplib",
    "python-igraph",
    "leidenalg",
    "dask",
    "distributed",
    "simpy",
    "matplotlib",
)


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(root: Path) -> str:
    """The checkout's commit, with `-dirty` when it has uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit}-dirty" if dirty else commit


def machine() -> dict[str, object]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "hostname": platform.node(),
    }


def provenance(root: Path, argv: list[str], config: dict[str, object]) -> dict[str, object]:
    return {
        "command": " ".join([Path(sys.argv[0]).name, *argv]),
        "config": config,
        "master_seed": config["master_seed"],
        "versions": versions(),
        "git_commit": git_commit(root),
        "machine": machine(),
    }
