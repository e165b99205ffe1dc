"""Significance tests between solvers (scipy): Friedman across all solvers and Wilcoxon
signed-rank between every pair.

Blocks are (instance, region) problems; a solver's value in a block is its mean
objective over seeds. Tests are only reported when the experiment ran at least
`MIN_SEEDS` seeds, and a block enters only where every compared solver has a
feasible result.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd

MIN_SEEDS = 5


def block_means(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean objective per (instance, region) block and solver, feasible runs only."""
    ok = runs[runs["feasible"] & runs["objective"].notna()]
    return ok.pivot_table(index=["instance", "region"], columns="solver", values="objective", aggfunc="mean")


def tests_table(runs: pd.DataFrame, seeds: int) -> pd.DataFrame:
    """One row per test: test, solvers, blocks, statistic, p-value."""
    if seeds < MIN_SEEDS:
        return pd.DataFrame()
    from scipy import stats  # here, not at import: it takes most of a second, and most runs test nothing

    means = block_means(runs)
    rows = []
    solvers = list(means.columns)
    complete = means.dropna()
    if len(solvers) >= 3 and len(complete) >= 2:
        result = stats.friedmanchisquare(*(complete[s] for s in solvers))
        rows.append(
            {
                "test": "Friedman",
                "solvers": ", ".join(solvers),
                "blocks": len(complete),
                "statistic": float(result.statistic),
                "p_value": float(result.pvalue),
            }
        )
    for a, b in combinations(solvers, 2):
        pair = means[[a, b]].dropna()
        if len(pair) < 2 or (pair[a] == pair[b]).all():
            continue
        result = stats.wilcoxon(pair[a], pair[b], zero_method="zsplit")
        rows.append(
            {
                "test": "Wilcoxon signed-rank",
                "solvers": f"{a} vs {b}",
                "blocks": len(pair),
                "statistic": float(result.statistic),
                "p_value": float(result.pvalue),
            }
        )
    return pd.DataFrame(rows)
