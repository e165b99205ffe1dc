"""pyswarms, imported without its logging side effects.

pyswarms' `Reporter`, made when its backend is imported and by every topology,
configures logging unless the environment variable LOG_CFG names a YAML logging
configuration: it sends every library's INFO lines to stderr and opens `report.log` in
the working folder. Here LOG_CFG names an empty, incremental configuration
(`quiet_logging.yaml`) while pyswarms is imported and the star topology is made, and
is restored afterwards, so neither happens.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

QUIET_LOGGING = Path(__file__).with_name("quiet_logging.yaml")


@contextmanager
def quiet_pyswarms() -> Iterator[None]:
    previous = os.environ.get("LOG_CFG")
    os.environ["LOG_CFG"] = str(QUIET_LOGGING)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["LOG_CFG"]
        else:
            os.environ["LOG_CFG"] = previous


with quiet_pyswarms():
    from pyswarms.backend.operators import compute_pbest
    from pyswarms.backend.swarms import Swarm
    from pyswarms.backend.topology import Star

    STAR = Star()  # stateless: its global best is a function of the swarm it is given

__all__ = ["STAR", "Swarm", "compute_pbest"]
