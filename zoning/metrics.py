"""The study's Table 2 columns for one division of the delivery graph.

The study lists modularity, number of communities, coverage, internal density,
scalability and average path length without defining them. Each is read here the way
the libraries of the field define it:

- **modularity**: Newman's weighted modularity, `networkx.community.modularity`
  (weight = interaction strength, resolution 1);
- **coverage**: the share of nodes that lie in some community, cdlib's
  `node_coverage`. Every algorithm here divides the whole network, so it is 1.0, as
  for every algorithm in the study's table;
- **edge coverage** (ours, not in the study): the share of edges inside communities,
  the coverage of `networkx.community.partition_quality`;
- **internal density**: the mean over communities of 2 m_c / (n_c (n_c - 1)), cdlib's
  `internal_edge_density` (the score of its summary); a one-node community counts as
  0, as cdlib counts it;
- **average path length**: the mean over communities of the mean shortest path, in
  hops, between the community's nodes inside it, cdlib's `avg_distance`
  (`networkx.average_shortest_path_length` of the community's subgraph, 0 for one node;
  regions are connected, so it is defined; cdlib leaves a disconnected one out, and so
  do we);
- **scalability**: see `zoning.scaling` (the growth exponent of runtime in network
  size), beside the measured runtime.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence

import networkx as nx
import numpy as np


def node_coverage(graph: nx.Graph, communities: Sequence[Collection[Hashable]]) -> float:
    """Share of the graph's nodes that lie in some community (cdlib `node_coverage`)."""
    covered = set().union(*communities) if communities else set()
    return len(covered & set(graph)) / graph.number_of_nodes() if graph.number_of_nodes() else 0.0


def edge_coverage(graph: nx.Graph, communities: Sequence[Collection[Hashable]]) -> float:
    """Share of edges with both ends in one community (networkx `partition_quality`)."""
    if graph.number_of_edges() == 0:
        return 0.0
    coverage, _ = nx.community.partition_quality(graph, [set(c) for c in communities])
    return float(coverage)


def internal_density(graph: nx.Graph, communities: Sequence[Collection[Hashable]]) -> float:
    """Mean over communities of 2 m_c / (n_c (n_c - 1)), a one-node community counting
    0 (cdlib `internal_edge_density`); 0 for no community."""
    values = [nx.density(graph.subgraph(c)) if len(c) > 1 else 0.0 for c in communities]
    return float(np.mean(values)) if values else 0.0


def average_path_length(graph: nx.Graph, communities: Sequence[Collection[Hashable]]) -> float:
    """Mean over connected communities of their mean shortest path in hops, a one-node
    community counting 0 (cdlib `avg_distance`); 0 when there is none."""
    subgraphs = [graph.subgraph(c) for c in communities if c]
    values = [nx.average_shortest_path_length(g) for g in subgraphs if nx.is_connected(g)]
    return float(np.mean(values)) if values else 0.0
