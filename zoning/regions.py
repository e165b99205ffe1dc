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

from zoning.budget import Job, Outcome, run_within
from zoning.local_centrality import local_centrality_communities
from zoning.metrics import average_path_length, edge_coverage, internal_density, node_coverage
from zoning.names import ALGORITHMS, LABELS
from zoning.scaling import BUDGET_S, UNMEASURED, Scaling, measure_scaling

Communities = list[set[str]]

#: Seconds each algorithm compared in Table 2 may take (`zoning.budget`): Girvan-Newman,
#: the slowest, needs 11.6 s at 1,000 nodes and grows as m^2 n; the others take at
#: most 3 s at 5,000 nodes.
REGION_BUDGET_S = 30.0
#: Relative difference under which two edge betweenness values count as equal
#: (networkx and igraph sum in different orders).
TIE = 1e-9


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


def _girvan_newman(graph: nx.Graph, n_regions: int | None) -> Communities:
    """Girvan-Newman as networkx's `girvan_newman` runs it (edge betweenness with
    1 / strength as length; the most central edge removed, ties within `TIE` of the
    largest broken by the smallest edge key, as networkx's sorted keys do), each
    betweenness computed by igraph in C and only on the component the last removal
    split: networkx's pure-Python betweenness took hours at 1,000 nodes. Cut at the
    level (a split into one more component) of highest modularity, or at `n_regions`
    components: each a connected region."""
    g, names = _to_igraph(graph)
    strength = g.es["weight"]
    keys = [(str(u), str(v)) for u, v in graph.edges]  # networkx's edge keys, for its tie-break
    work = g.copy()
    work.es["length"] = [1.0 / w for w in strength]
    work.es["key"] = list(range(g.ecount()))
    centrality = np.zeros(g.ecount())

    def measure(vertices: list[int]) -> None:
        part = work.induced_subgraph(vertices)
        if part.ecount():
            centrality[part.es["key"]] = part.edge_betweenness(directed=False, weights="length")

    membership = work.connected_components().membership
    count = max(membership) + 1
    measure(list(range(g.vcount())))
    best, best_score = membership, g.modularity(membership, weights=strength)
    if n_regions is not None and count >= n_regions:
        return _members(names, membership)
    alive = np.ones(g.ecount(), dtype=bool)
    while work.ecount():
        top = centrality[alive].max()
        tied = np.flatnonzero(alive & (centrality >= top - TIE * max(abs(top), 1.0)))
        chosen = min(tied, key=lambda e: keys[e])
        u, v = g.es[chosen].tuple  # vertex ids survive edge deletion; the graph is simple
        work.delete_edges(work.get_eid(u, v))
        alive[chosen] = False
        side = work.subcomponent(u)
        measure(side)
        if v in side:
            continue
        measure(work.subcomponent(v))
        membership = work.connected_components().membership
        count += 1
        if n_regions is not None:
            if count >= n_regions:
                return _members(names, membership)
            continue
        score = g.modularity(membership, weights=strength)
        if score > best_score:
            best, best_score = membership, score
    return _members(names, best)


def _members(names: list, membership: list[int]) -> Communities:
    groups: dict[int, set] = {}
    for vertex, group in enumerate(membership):
        groups.setdefault(group, set()).add(names[vertex])
    return list(groups.values())


RESOLUTION_BASED = {"louvain": _louvain, "greedy_modularity": _greedy, "leiden": _leiden}


def connected_regions(graph: nx.Graph, communities: Communities) -> tuple[frozenset[str], ...]:
    """Split each community into its connected components; order regions by first node."""
    order = {node: k for k, node in enumerate(graph.nodes)}
    parts = [frozenset(c) for community in communities for c in nx.connected_components(graph.subgraph(community))]
    return tuple(sorted(parts, key=lambda r: min(order[n] for n in r)))


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
        found = _girvan_newman(graph, n_regions)
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


def scalability(
    graph: nx.Graph,
    partition: Partition,
    seed: int,
    *,
    n_regions: int | None,
    louvain_stages: int | None,
    scaling_budget_s: float,
) -> Scaling:
    """The partition's algorithm timed on resized networks (`zoning.scaling`): its own
    run (no target number of regions; the same Louvain stages), within
    `scaling_budget_s` (0: not measured)."""
    if scaling_budget_s <= 0:
        return UNMEASURED

    def run(network: nx.Graph) -> Partition:
        return divide(network, partition.algorithm, np.random.default_rng(seed), louvain_stages=louvain_stages)

    known = partition.runtime_s if n_regions is None else None
    return measure_scaling(graph, run, scaling_budget_s, known_s=known)


def region_table(
    graph: nx.Graph,
    rng: np.random.Generator,
    algorithms: Sequence[str] = ALGORITHMS,
    n_regions: int | None = None,
    *,
    louvain_stages: int | None = None,
    scaling_budget_s: float = BUDGET_S,
    budget_s: float | None = None,
) -> tuple[list[Partition | None], pd.DataFrame]:
    """Run every algorithm (each with its own child generator) and tabulate Table 2.

    `runtime_s` is the algorithm's run, with the search for `n_regions` where asked.
    Scalability: see `scalability`. With `budget_s`, the algorithms run in a child
    process, each within `budget_s` seconds (`zoning.budget`); one that does not
    finish has None for its partition and a row whose `note` says so."""
    children = rng.spawn(len(algorithms))
    seeds = [int(s) for s in rng.integers(2**31 - 1, size=len(algorithms))]
    options = {"n_regions": n_regions, "louvain_stages": louvain_stages, "scaling_budget_s": scaling_budget_s}
    if budget_s is None:
        outcomes = []
        for algorithm, child, seed in zip(algorithms, children, seeds, strict=True):
            partition = divide(graph, algorithm, child, n_regions=n_regions, louvain_stages=louvain_stages)
            outcomes.append(Outcome(algorithm, partition, scalability(graph, partition, seed, **options)))
    else:
        jobs = [Job(a, child, seed) for a, child, seed in zip(algorithms, children, seeds, strict=True)]
        outcomes = run_within(graph, jobs, budget_s, **options)
    rows = []
    for outcome in outcomes:
        label = {"algorithm": LABELS[outcome.algorithm]}
        if isinstance(outcome.partition, Partition):
            rows.append(measure(graph, outcome.partition, outcome.scaling).__dict__ | label | {"note": ""})
        else:
            rows.append(label | {"note": f"did not finish within {budget_s:g} s"})
    table = pd.DataFrame(rows, columns=[*PartitionMetrics.__dataclass_fields__, "note"])
    partitions = [o.partition if isinstance(o.partition, Partition) else None for o in outcomes]
    return partitions, table


def levels_table(partition: Partition) -> pd.DataFrame:
    """The Louvain levels behind a partition: level, communities, modularity, resolution."""
    return pd.DataFrame([level.__dict__ for level in partition.levels])
