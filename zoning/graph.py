"""The delivery network as a weighted, undirected networkx graph.

The study weights roads by delivery *difficulty* (AHP, entropy weight and TOPSIS:
0.2675 main, 0.2760 secondary, 0.4565 branch). Community detection needs the opposite,
an *interaction strength*: nodes joined by an easy road interact more. We take
strength = min_weight / weight, so the easiest road type has strength 1 and the
branch roads 0.2675 / 0.4565 = 0.586. Parallel edges keep the strongest.

An instance without a road network (rural Ling Shan: great-circle distances times a
circuity factor) is joined by its k-nearest-neighbour graph instead, each node to its
`NEIGHBOURS` nearest, with strength = shortest link / link length: nearby villages
interact more, as easy roads do.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from lastmile.distances import tables
from lastmile.model import Instance

NEIGHBOURS = 4


def delivery_graph(instance: Instance) -> nx.Graph:
    """Delivery nodes joined by road edges, edge attribute `weight` = interaction strength.

    Edges to centers or depots (sites not standing at a node) are left out: regions
    are sets of delivery nodes. A road network with intersections of its own
    (`road_vertices`, e.g. imported from OpenStreetMap) joins few delivery nodes
    directly, so its nodes are joined by the k-nearest-neighbour graph on road distances.
    """
    if not instance.edges or instance.road_vertices:
        return proximity_graph(instance)
    lightest = min(r.weight for r in instance.road_types)
    graph = nx.Graph()
    graph.add_nodes_from(n.id for n in instance.nodes)
    for edge in instance.edges:
        if edge.u not in instance.node_by_id or edge.v not in instance.node_by_id:
            continue
        strength = lightest / instance.road_type_by_id[edge.road_type].weight
        if not graph.has_edge(edge.u, edge.v) or graph[edge.u][edge.v]["weight"] < strength:
            graph.add_edge(edge.u, edge.v, weight=strength, road_type=edge.road_type, length_km=edge.length_km)
    return graph


def proximity_graph(instance: Instance, k: int = NEIGHBOURS) -> nx.Graph:
    """Each delivery node joined to its `k` nearest (instance distances), weight =
    shortest link / link length."""
    ids = [n.id for n in instance.nodes]
    rows = [instance.index[n] for n in ids]
    km = tables(instance).km[np.ix_(rows, rows)]
    km = np.minimum(km, km.T)  # one length per pair, whatever the direction
    np.fill_diagonal(km, np.inf)
    nearest = np.argsort(km, axis=1, kind="stable")[:, :k]
    pairs = {(min(a, b), max(a, b)) for a in range(len(ids)) for b in nearest[a]}
    shortest = min(km[a, b] for a, b in pairs)
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    for a, b in sorted(pairs):
        graph.add_edge(ids[a], ids[b], weight=float(shortest / km[a, b]) if km[a, b] > 0 else 1.0, length_km=km[a, b])
    return graph
