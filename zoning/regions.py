"""Region division: Louvain against five other community algorithms (study, Table 2).

Every algorithm's communities are split into connected components, so every region
is connected on the road network. A target number of regions is reached where the
algorithm allows it: by searching the resolution (Louvain, Leiden, greedy
modularity), by choosing the dendrogram level (Girvan-Newman, Walktrap); label
propagation has no such knob and reports what it finds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import igraph as ig
import leidenalg
import networkx as nx
import numpy as np
import pandas as pd

from zoning.names import ALGORITHMS, LABELS

Communities = list[set[str]]


@dataclass(frozen=True)
class Partition:
    """Connected regions of the delivery graph, ordered by their first node."""

    algorithm: str
    regions: tuple[frozenset[str], ...]
    runtime_s: float

    def region_of(self) -> dict[str, int]:
        return {node: k for k, region in enumerate(self.regions) for node in region}


@dataclass(frozen=True)
class PartitionMetrics:
    algorithm: str
    modularity: float
    communities: int
    coverage: float
    internal_density: float
    average_path_length: float
    runtime_s: float


def _louvain(graph: nx.Graph, seed: int, resolution: float) -> Communities:
    return nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)


def _greedy(graph: nx.Graph, seed: int, resolution: float) -> Communities:
    return [set(c) for c in nx.community.greedy_modularity_communities(graph, weight="weight", resolution=resolution)]


def _label_propagation(graph: nx.Graph, seed: int, resolution: float) -> Communities:
    return [set(c) for c in nx.community.asyn_lpa_communities(graph, weight="weight", seed=seed)]


def _to_igraph(graph: nx.Graph) -> tuple[ig.Graph, list[str]]:
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


def _closest_count(levels: list[Communities], target: int) -> Communities:
    return min(levels, key=lambda level: abs(len(level) - target))


def _search_resolution(
    graph: nx.Graph, run: Callable[[nx.Graph, int, float], Communities], seed: int, target: int
) -> Communities:
    """Bisect the resolution (log scale) towards `target` regions; keep the closest."""
    low, high = np.log(0.01), np.log(50.0)
    best = run(graph, seed, 1.0)
    for _ in range(25):
        if len(best) == target:
            break
        middle = (low + high) / 2
        found = run(graph, seed, float(np.exp(middle)))
        if abs(len(found) - target) < abs(len(best) - target):
            best = found
        if len(found) < target:
            low = middle
        else:
            high = middle
    return best


def divide(
    graph: nx.Graph,
    algorithm: str,
    rng: np.random.Generator,
    *,
    resolution: float = 1.0,
    n_regions: int | None = None,
) -> Partition:
    """Divide the delivery graph with one algorithm; `n_regions` asks for about k regions."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; choose from {', '.join(ALGORITHMS)}")
    seed = int(rng.integers(2**31 - 1))
    started = time.perf_counter()
    if algorithm in RESOLUTION_BASED:
        run = RESOLUTION_BASED[algorithm]
        found = run(graph, seed, resolution) if n_regions is None else _search_resolution(graph, run, seed, n_regions)
    elif algorithm == "label_propagation":
        found = _label_propagation(graph, seed, resolution)
    elif algorithm == "walktrap":
        found = _walktrap_levels(graph)(n_regions)
    else:
        levels = _girvan_newman_levels(graph.copy())
        found = _best_modularity(graph, levels) if n_regions is None else _closest_count(levels, n_regions)
    regions = connected_regions(graph, found)
    return Partition(algorithm, regions, time.perf_counter() - started)


def measure(graph: nx.Graph, partition: Partition) -> PartitionMetrics:
    """The study's Table 2 columns for one partition (densities and path lengths in hops,
    averaged over regions of two or more nodes)."""
    regions = [set(r) for r in partition.regions]
    coverage, _ = nx.community.partition_quality(graph, regions)
    multi = [graph.subgraph(r) for r in regions if len(r) > 1]
    return PartitionMetrics(
        algorithm=partition.algorithm,
        modularity=nx.community.modularity(graph, regions, weight="weight"),
        communities=len(regions),
        coverage=coverage,
        internal_density=float(np.mean([nx.density(g) for g in multi])) if multi else 0.0,
        average_path_length=float(np.mean([nx.average_shortest_path_length(g) for g in multi])) if multi else 0.0,
        runtime_s=partition.runtime_s,
    )


def region_table(
    graph: nx.Graph,
    rng: np.random.Generator,
    algorithms: Sequence[str] = ALGORITHMS,
    n_regions: int | None = None,
) -> tuple[list[Partition], pd.DataFrame]:
    """Run every algorithm (each with its own child generator) and tabulate Table 2."""
    children = rng.spawn(len(algorithms))
    partitions = [divide(graph, a, child, n_regions=n_regions) for a, child in zip(algorithms, children, strict=True)]
    rows = [measure(graph, p).__dict__ | {"algorithm": LABELS[p.algorithm]} for p in partitions]
    return partitions, pd.DataFrame(rows)
