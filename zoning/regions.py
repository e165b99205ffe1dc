"""Region division: Louvain against the five other community algorithms of the study's
Table 2 (label propagation, local centrality-based, Girvan-Newman, Walktrap, Fast
Newman), and Leiden as a seventh, ours.

Every algorithm's communities are split into connected components, so every region
is connected on the road network. A target number of regions (`n_regions`) is reached
where the algorithm allows it, counting the connected regions: by searching the
resolution (Louvain, Leiden, greedy modularity), by choosing the dendrogram level
(Girvan-Newman, Walktrap), by merging (local centrality, never more regions than it has
central nodes); label propagation has no such knob and reports what it finds.

Louvain's levels are kept (`Partition.levels`): the study's "two-stage" Louvain
(modularity 0.685 after the first stage, 0.789 after a second network reconstruction)
is its first two levels, `louvain_stages=2`; by default Louvain runs until a level no
longer raises modularity (networkx's `louvain_communities`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import igraph as ig
import leidenalg
import networkx as nx
import numpy as np
import pandas as pd

from zoning.local_centrality import local_centrality_communities
from zoning.metrics import average_path_length, edge_coverage, internal_density, node_coverage
from zoning.names import ALGORITHMS, LABELS
from zoning.scaling import BUDGET_S, UNMEASURED, Scaling, measure_scaling

Communities = list[set[str]]


@dataclass(frozen=True)
class Level:
    """One level of a Louvain run: its communities, the connected regions they make
    (the count `n_regions` aims at), their modularity, and the resolution."""

    level: int
    communities: int
    regions: int
    modularity: float
    resolution: float


@dataclass(frozen=True)
class Partition:
    """Connected regions of the delivery graph, ordered by their first node; `levels`
    the Louvain levels that led to them (Louvain only)."""

    algorithm: str
    regions: tuple[frozenset[str], ...]
    runtime_s: float
    levels: tuple[Level, ...] = ()

    def region_of(self) -> dict[str, int]:
        return {node: k for k, region in enumerate(self.regions) for node in region}


@dataclass(frozen=True)
class PartitionMetrics:
    """One row of Table 2 (see `zoning.metrics` and `zoning.scaling` for each column)."""

    algorithm: str
    modularity: float
    communities: int
    coverage: float
    edge_coverage: float
    internal_density: float
    runtime_s: float
    scaling_exponent: float
    scaling_nodes: int
    average_path_length: float


def louvain_levels(graph: nx.Graph, seed: int, resolution: float, stages: int | None = None) -> list[Communities]:
    """Louvain's partition after each level (at most `stages` levels; None: until a
    level no longer raises modularity)."""
    if stages is not None and stages < 1:
        raise ValueError(f"louvain_stages must be at least 1, not {stages}")
    levels = []
    for level in nx.community.louvain_partitions(graph, weight="weight", resolution=resolution, seed=seed):
        levels.append([set(c) for c in level])
        if len(levels) == stages:
            break
    return levels


def _louvain(graph: nx.Graph, seed: int, resolution: float, stages: int | None = None) -> Communities:
    return louvain_levels(graph, seed, resolution, stages)[-1]


def _greedy(graph: nx.Graph, seed: int, resolution: float) -> Communities:
    """Fast Newman: Newman (2004)'s greedy modularity agglomeration, in Clauset, Newman
    and Moore (2004)'s fast implementation (networkx), which makes the same merges."""
    return [set(c) for c in nx.community.greedy_modularity_communities(graph, weight="weight", resolution=resolution)]


def _label_propagation(graph: nx.Graph, seed: int) -> Communities:
    return [set(c) for c in nx.community.asyn_lpa_communities(graph, weight="weight", seed=seed)]


def _to_igraph(graph: nx.Graph) -> tuple[ig.Graph, list]:
    names = list(graph.nodes)
    position = {name: k for k, name in enumerate(names)}
    g = ig.Graph(n=len(names), edges=[(position[u], position[v]) for u, v in graph.edges])
    g.es["weight"] = [d["weight"] for _, _, d in graph.edges(data=True)]
    return g, names


def _leiden(graph: nx.Graph, seed: int, resolution: float) -> Communities:
    g, names = _to_igraph(graph)
    found = leidenalg.find_partition(
        g, leidenalg.RBConfigurationVertexPartition, weights="weight", resolution_parameter=resolution, seed=seed
    )
    return [{names[v] for v in community} for community in found]


def _walktrap_levels(graph: nx.Graph) -> Callable[[int | None], Communities]:
    g, names = _to_igraph(graph)
    dendrogram = g.community_walktrap(weights="weight", steps=4)

    def cut(n: int | None) -> Communities:
        clustering = dendrogram.as_clustering(n)  # None: the level of highest modularity
        return [{names[v] for v in community} for community in clustering]

    return cut


def _girvan_newman_levels(graph: nx.Graph) -> list[Communities]:
    """Every level of the Girvan-Newman dendrogram; betweenness uses 1 / strength as length."""
    lengths = {(u, v): 1.0 / d["weight"] for u, v, d in graph.edges(data=True)}
    nx.set_edge_attributes(graph, lengths, "length")

    def most_central(g: nx.Graph) -> tuple[str, str]:
        betweenness = nx.edge_betweenness_centrality(g, weight="length")
        return max(sorted(betweenness), key=betweenness.__getitem__)

    return [[set(c) for c in level] for level in nx.community.girvan_newman(graph, most_valuable_edge=most_central)]


RESOLUTION_BASED = {"louvain": _louvain, "greedy_modularity": _greedy, "leiden": _leiden}


def connected_regions(graph: nx.Graph, communities: Communities) -> tuple[frozenset[str], ...]:
    """Split each community into its connected components; order regions by first node."""
    order = {node: k for k, node in enumerate(graph.nodes)}
    parts = [frozenset(c) for community in communities for c in nx.connected_components(graph.subgraph(community))]
    return tuple(sorted(parts, key=lambda r: min(order[n] for n in r)))


def _best_modularity(graph: nx.Graph, levels: list[Communities]) -> Communities:
    return max(levels, key=lambda level: nx.community.modularity(graph, level, weight="weight"))


def _closest_count(graph: nx.Graph, levels: list[Communities], target: int) -> Communities:
    return min(levels, key=lambda level: abs(len(connected_regions(graph, level)) - target))


def _search_resolution(
    graph: nx.Graph, run: Callable[[nx.Graph, int, float], Communities], seed: int, target: int
) -> tuple[Communities, float]:
    """Bisect the resolution (log scale) towards `target` connected regions; keep the
    closest, and its resolution."""

    def count(found: Communities) -> int:
        return len(connected_regions(graph, found))

    low, high = np.log(0.01), np.log(50.0)
    best, best_resolution = run(graph, seed, 1.0), 1.0
    best_count = count(best)
    for _ in range(25):
        if best_count == target:
            break
        middle = (low + high) / 2
        found = run(graph, seed, float(np.exp(middle)))
        found_count = count(found)
        if abs(found_count - target) < abs(best_count - target):
            best, best_resolution, best_count = found, float(np.exp(middle)), found_count
        if found_count < target:
            low = middle
        else:
            high = middle
    return best, best_resolution


def _levels(graph: nx.Graph, found: list[Communities], resolution: float) -> tuple[Level, ...]:
    return tuple(
        Level(
            k,
            len(level),
            len(connected_regions(graph, level)),
            nx.community.modularity(graph, level, weight="weight"),
            resolution,
        )
        for k, level in enumerate(found, start=1)
    )


def divide(
    graph: nx.Graph,
    algorithm: str,
    rng: np.random.Generator,
    *,
    resolution: float = 1.0,
    n_regions: int | None = None,
    louvain_stages: int | None = None,
) -> Partition:
    """Divide the delivery graph with one algorithm; `n_regions` asks for about k regions,
    `louvain_stages` stops Louvain after that many levels (the study's two-stage: 2)."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; choose from {', '.join(ALGORITHMS)}")
    seed = int(rng.integers(2**31 - 1))
    started = time.perf_counter()
    every_level: list[Communities] = []
    if algorithm == "louvain":
        if n_regions is not None:  # the same seed at the resolution found gives the same levels again
            _, resolution = _search_resolution(graph, partial(_louvain, stages=louvain_stages), seed, n_regions)
        every_level = louvain_levels(graph, seed, resolution, louvain_stages)
        found = every_level[-1]
    elif algorithm in RESOLUTION_BASED:
        run = RESOLUTION_BASED[algorithm]
        if n_regions is None:
            found = run(graph, seed, resolution)
        else:
            found, resolution = _search_resolution(graph, run, seed, n_regions)
    elif algorithm == "label_propagation":
        found = _label_propagation(graph, seed)
    elif algorithm == "local_centrality":
        found = local_centrality_communities(graph, n_regions=n_regions)
    elif algorithm == "walktrap":
        found = _walktrap_levels(graph)(n_regions)
    else:
        levels_found = _girvan_newman_levels(graph.copy())
        found = (
            _best_modularity(graph, levels_found)
            if n_regions is None
            else _closest_count(graph, levels_found, n_regions)
        )
    regions = connected_regions(graph, found)
    runtime = time.perf_counter() - started
    return Partition(algorithm, regions, runtime, _levels(graph, every_level, resolution))


def measure(graph: nx.Graph, partition: Partition, scaling: Scaling) -> PartitionMetrics:
    """The study's Table 2 columns for one partition (definitions in `zoning.metrics`;
    `scaling` measured by `zoning.scaling`)."""
    regions = [set(r) for r in partition.regions]
    return PartitionMetrics(
        algorithm=partition.algorithm,
        modularity=nx.community.modularity(graph, regions, weight="weight"),
        communities=len(regions),
        coverage=node_coverage(graph, regions),
        edge_coverage=edge_coverage(graph, regions),
        internal_density=internal_density(graph, regions),
        runtime_s=partition.runtime_s,
        scaling_exponent=scaling.exponent,
        scaling_nodes=scaling.largest_nodes,
        average_path_length=average_path_length(graph, regions),
    )


def region_table(
    graph: nx.Graph,
    rng: np.random.Generator,
    algorithms: Sequence[str] = ALGORITHMS,
    n_regions: int | None = None,
    *,
    louvain_stages: int | None = None,
    scaling_budget_s: float = BUDGET_S,
) -> tuple[list[Partition], pd.DataFrame]:
    """Run every algorithm (each with its own child generator) and tabulate Table 2.

    `runtime_s` is the algorithm's run, with the search for `n_regions` where asked.
    Scalability times each algorithm's own run (no target number of regions; the same
    Louvain stages) on resized networks, within `scaling_budget_s` per algorithm (0:
    not measured)."""
    children = rng.spawn(len(algorithms))
    partitions = [
        divide(graph, a, child, n_regions=n_regions, louvain_stages=louvain_stages)
        for a, child in zip(algorithms, children, strict=True)
    ]
    rows = []
    for partition, seed in zip(partitions, rng.integers(2**31 - 1, size=len(algorithms)), strict=True):

        def run(network: nx.Graph, algorithm: str = partition.algorithm, seed: int = int(seed)) -> Partition:
            return divide(network, algorithm, np.random.default_rng(seed), louvain_stages=louvain_stages)

        known = partition.runtime_s if n_regions is None else None
        scaling = measure_scaling(graph, run, scaling_budget_s, known_s=known) if scaling_budget_s > 0 else UNMEASURED
        rows.append(measure(graph, partition, scaling).__dict__ | {"algorithm": LABELS[partition.algorithm]})
    return partitions, pd.DataFrame(rows)


def levels_table(partition: Partition) -> pd.DataFrame:
    """The Louvain levels behind a partition: level, communities, modularity, resolution."""
    return pd.DataFrame([level.__dict__ for level in partition.levels])
