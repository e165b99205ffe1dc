"""The study's Table 2 (seed 002: community algorithms on the Xiqing network) beside ours.

The study's columns are quoted as printed. Ours come from the experiment's `regions`
table (definitions in `zoning.metrics`; scalability in `zoning.scaling`). The study's
"scalability" is undefined and matches nothing we measure, so it stands beside our
runtime and growth exponent, not in place of either.
"""

from __future__ import annotations

import math
from numbers import Integral

import pandas as pd

from zoning.names import ALGORITHMS, LABELS

#: Table 2 as printed, by our algorithm names (its "Fast Newman" is `greedy_modularity`).
TABLE2: dict[str, dict[str, float]] = {
    "louvain": {"modularity": 0.789, "communities": 11, "coverage": 1.0, "internal_density": 0.388,
                "scalability": 0.132, "average_path_length": 1.961},
    "label_propagation": {"modularity": 0.639, "communities": 19, "coverage": 1.0, "internal_density": 0.703,
                          "scalability": 0.334, "average_path_length": 1.393},
    "local_centrality": {"modularity": 0.689, "communities": 7, "coverage": 1.0, "internal_density": 0.277,
                         "scalability": 0.093, "average_path_length": 2.279},
    "girvan_newman": {"modularity": 0.184, "communities": 2, "coverage": 1.0, "internal_density": 0.101,
                      "scalability": 0.012, "average_path_length": 4.765},
    "walktrap": {"modularity": 0.107, "communities": 17, "coverage": 1.0, "internal_density": 0.107,
                 "scalability": 0.817, "average_path_length": 1.500},
    "greedy_modularity": {"modularity": 0.113, "communities": 13, "coverage": 1.0, "internal_density": 0.086,
                          "scalability": 0.763, "average_path_length": 5.231},
}  # fmt: skip
#: The text's two-stage Louvain: modularity after the first stage and after the second.
LOUVAIN_STAGES = {1: 0.685, 2: 0.789}

#: (study column, our column, heading) in the study's order: a cell `<heading> (study)`
#: where the study has the column, `<heading> (ours)` where we do. The study's
#: scalability stands beside our runtime, growth exponent and the largest network timed.
PAIRS = (
    ("modularity", "modularity", "modularity"),
    ("communities", "communities", "communities"),
    ("coverage", "coverage", "coverage"),
    ("internal_density", "internal_density", "internal density"),
    ("scalability", None, "scalability"),
    (None, "runtime_s", "runtime s"),
    (None, "scaling_exponent", "growth exponent"),
    (None, "scaling_nodes", "largest network timed"),
    ("average_path_length", "average_path_length", "average path length"),
)


def beside(regions: pd.DataFrame) -> pd.DataFrame:
    """One row per algorithm (the study's six, then ours), each Table 2 cell as
    `<column> (study)` beside `<column> (ours)`; scalability (study) stands beside our
    runtime in seconds and growth exponent. `regions` is one instance's regions table;
    a column or row it lacks (a store from an older version) is left empty. Before
    `edge_coverage` existed, `coverage` held the edge coverage, so without it our
    coverage is left empty too."""
    key_of = {label: key for key, label in LABELS.items()} | {"Leiden": "leiden"}
    if "edge_coverage" not in regions.columns:
        regions = regions.drop(columns=["coverage"], errors="ignore")
    ours = {key_of.get(str(row["algorithm"]), str(row["algorithm"])): row for _, row in regions.iterrows()}
    rows = []
    for key in ALGORITHMS:
        published = TABLE2.get(key, {})
        mine = ours.get(key)
        row: dict[str, object] = {"algorithm": LABELS[key]}
        for study_column, our_column, heading in PAIRS:
            if study_column is not None:
                row[f"{heading} (study)"] = published.get(study_column, math.nan)
            if our_column is not None:
                row[f"{heading} (ours)"] = mine.get(our_column, math.nan) if mine is not None else math.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    counts = ["communities (study)", "communities (ours)", "largest network timed (ours)"]
    # a stored column of whole numbers (coverage 1.0 everywhere) comes back from JSON as integers
    values = {c: "Int64" if c in counts else "float64" for c in table.columns if c != "algorithm"}
    return table.astype(values)


def markdown(table: pd.DataFrame, digits: int = 3) -> list[str]:
    """A Markdown table of `table`: integers plain, other numbers to `digits` places,
    missing values empty."""

    def cell(value: object) -> str:
        if value is pd.NA:
            return ""
        if isinstance(value, Integral):
            return str(value)
        if isinstance(value, float):
            return "" if math.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return lines
