"""How an experiment folder was made: enough for a reader of a paper to rerun it."""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import Any

from experiments.config import Config

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


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int | None
    platform: str
    hostname: str


def machine() -> Machine:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return Machine(cpu=cpu, cores=os.cpu_count(), platform=platform.platform(), hostname=platform.node())


@dataclass(frozen=True)
class RunProvenance:
    """The command, the resolved configuration, library versions, commit and machine of
    an experiment, as `provenance.json` and the store's metadata hold them."""

    command: str
    config: Config
    versions: Mapping[str, str]
    git_commit: str
    machine: Machine

    @property
    def master_seed(self) -> int:
        return self.config.master_seed

    def as_json(self) -> dict[str, object]:
        return {
            "command": self.command,
            "config": self.config.as_dict(),
            "master_seed": self.master_seed,
            "versions": dict(self.versions),
            "git_commit": self.git_commit,
            "machine": asdict(self.machine),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunProvenance:
        """A stored record; configuration keys of older versions that no longer exist are
        dropped, and newer keys an older store lacks take their defaults."""
        return cls(
            command=str(data.get("command", "")),
            config=Config.from_dict(data.get("config", {})),
            versions=dict(data.get("versions", {})),
            git_commit=str(data.get("git_commit", "unknown")),
            machine=Machine(**{f.name: data.get("machine", {}).get(f.name) for f in fields(Machine)}),
        )


def provenance(root: Path, argv: list[str], config: Config) -> RunProvenance:
    return RunProvenance(
        command=shlex.join([Path(sys.argv[0]).name, *argv]),
        config=config,
        versions=versions(),
        git_commit=git_commit(root),
        machine=machine(),
    )
