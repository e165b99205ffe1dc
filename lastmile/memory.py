"""How much memory an instance's largest stage needs, estimated before anything is built
(issue 32): a 200,000-node instance otherwise validates and then dies in the run on
numpy's "Unable to allocate 298 GiB".

Every stage that grows with the square of the locations L (centers, depots, nodes,
hubs) is estimated as bytes per L^2, measured on this code with `tracemalloc` or a
worker's peak:

- the distance tables (`lastmile.distances.tables`): on a road network, 24 bytes per
  L^2 for km, congestion km and minutes, plus 76 per cell of the shortest-path search
  (sources x road vertices, at most `CHUNK_CELLS` at a time): a 1,563-location city,
  one chunk, took 243 MB (99 per L^2); great-circle or Euclidean coordinates 48 per L^2
  (Ling Shan), explicit matrices 24 (CVRPLIB X-n979);
- the whole joint instance routed as one problem (the `whole` routing scope): 174 bytes
  per L^2 (a 5,000-node city's PyVRP worker peaked at 4.35 GB, issue 16).

`check_memory` refuses an instance whose largest stage would take more than a share of
the machine's memory (the smaller of the physical memory and a cgroup limit).
"""

from __future__ import annotations

import os
from pathlib import Path

from lastmile.distances import CHUNK_CELLS
from lastmile.errors import InstanceError
from lastmile.model import Instance

#: The share of the machine's memory an instance's largest stage may take (config `memory_share`).
MEMORY_SHARE = 0.8
#: Bytes per squared location count, per stage and metric (module docstring).
TABLE_BYTES = {"road": 24, "haversine": 48, "euclidean": 48, "explicit": 24}
SEARCH_BYTES = 76
WHOLE_BYTES = 174
GIB = 2**30


def stage_bytes(instance: Instance) -> dict[str, float]:
    """Estimated peak bytes per stage that grows with the square of the locations."""
    count = len(instance.location_ids)
    locations = float(count) ** 2
    out = {"the distance tables": TABLE_BYTES.get(instance.distance.metric, 48) * locations}
    if instance.distance.metric == "road":
        vertices = len(instance.nodes) + len(instance.road_vertices) + len(instance.centers) + len(instance.companies)
        out["the distance tables"] += SEARCH_BYTES * min(float(count) * vertices, CHUNK_CELLS)
    if len(instance.companies) > 1:
        out["routing the whole instance"] = WHOLE_BYTES * locations
    return out


def machine_bytes() -> float:
    """The memory this process may use: physical memory, or a smaller cgroup limit."""
    total = float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    for limit in (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")):
        try:
            text = limit.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, float(text))
    return total


def check_memory(instance: Instance, share: float = MEMORY_SHARE) -> None:
    """InstanceError naming the file when the largest stage would exceed `share` of the
    machine's memory: how much it needs, and what to change."""
    stages = stage_bytes(instance)
    stage, need = max(stages.items(), key=lambda item: item[1])
    room = share * machine_bytes()
    if need > room:
        raise InstanceError(
            instance.source or instance.name,
            "(size)",
            f"{len(instance.location_ids):,} locations: {stage} needs about {need / GIB:,.1f} GiB, over "
            f"{share:.0%} of the {machine_bytes() / GIB:,.1f} GiB here; use fewer locations (a sparser road network "
            "or district files) or a larger memory_share",
        )
