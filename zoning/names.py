"""The region-division algorithms by the names users type, and their table labels:
plain constants, so that configuration and tables need not import igraph or leidenalg."""

ALGORITHMS = ("louvain", "label_propagation", "greedy_modularity", "girvan_newman", "walktrap", "leiden")
LABELS = {
    "louvain": "Louvain",
    "label_propagation": "Label propagation",
    "greedy_modularity": "Fast Newman (greedy modularity)",
    "girvan_newman": "Girvan-Newman",
    "walktrap": "Walktrap",
    "leiden": "Leiden",
}
