"""The region-division algorithms by the names users type, and their table labels:
plain constants, so that configuration and tables need not import igraph or leidenalg.

The first six are the study's Table 2 rows, in its order and with its names; Leiden is
ours (not in the study), the seventh row."""

ALGORITHMS = (
    "louvain",
    "label_propagation",
    "local_centrality",
    "girvan_newman",
    "walktrap",
    "greedy_modularity",
    "leiden",
)
LABELS = {
    "louvain": "Louvain",
    "label_propagation": "Label propagation",
    "local_centrality": "Local centrality-based",
    "girvan_newman": "Girvan-Newman",
    "walktrap": "Walktrap",
    "greedy_modularity": "Fast Newman (greedy modularity)",
    "leiden": "Leiden (ours, not in the study)",
}
