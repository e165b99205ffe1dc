"""The delivery network as a weighted, undirected networkx graph.

The study weights roads by delivery *difficulty* (AHP, entropy weight and TOPSIS:
0.2675 main, 0.2760 secondary, 0.4565 branch). Community detection needs the opposite,
an *interaction strength*: nodes joined by an easy road interact more. We take
strength = min_weight / weight, so the easiest road type has strength 1 and the
branch roads 0.2675 / 0.4565 = 0.586. Parallel edges keep the strongest.
"""

from __future__ import annotations

import networkx as nx

from lastmile.model import Instance


def delivery_graph(instance: Instance) -> nx.Graph:
    """Delivery nodes joined by road edges, edge attribute `weight` = interaction strength.

    Edges to centers or depots (sites not standing at a node) are left out: regions
    are sets of delivery nodes.
    """
    if not instance.edges:
        raise ValueError(f"{instance.name}: no road network to divide into regions")
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
