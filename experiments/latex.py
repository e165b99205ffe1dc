"""LaTeX tables through pandas `Styler.to_latex`: booktabs rules, escaped names, the best
value of each row (or group of rows) in bold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

BOLD = "textbf:--rwrap;"
# Styler escapes cells and headers but not the caption, and pandas keeps its escape
# function private; captions name instances, so their special characters are escaped here.
_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}


def escape(text: str) -> str:
    """Text safe in a LaTeX caption."""
    return "".join(_SPECIAL.get(c, c) for c in text)


def _best_mask(values: pd.DataFrame, minimize: bool) -> pd.DataFrame:
    numeric = values.apply(pd.to_numeric, errors="coerce")
    best = numeric.min(axis=1) if minimize else numeric.max(axis=1)
    return numeric.eq(best, axis=0) & numeric.notna()


def to_latex(
    table: pd.DataFrame,
    *,
    caption: str,
    label: str,
    precision: int = 2,
    best_in_rows: Sequence[str] = (),
    best_in_columns: Sequence[str] = (),
    group: Sequence[str] = (),
    minimize: bool = True,
) -> str:
    """A booktabs table of `table` (its index is not printed).

    `best_in_rows` names the columns compared within each row; `best_in_columns` the
    columns whose best entry (within each group of rows sharing the `group` columns,
    or overall) is bolded.
    """
    table = table.reset_index(drop=True)
    styler = table.style.hide(axis="index")
    styler = styler.format(precision=precision, na_rep="--", escape="latex", thousands=None)
    styler = styler.format_index(escape="latex", axis=1)
    if best_in_rows:
        mask = _best_mask(table[list(best_in_rows)], minimize)
        styler = styler.apply(lambda part: np.where(mask, BOLD, ""), axis=None, subset=list(best_in_rows))
    for column in best_in_columns:
        values = pd.to_numeric(table[column], errors="coerce")
        keys = [table[g] for g in group] if group else [pd.Series(0, index=table.index)]
        best = values.groupby(keys).transform("min" if minimize else "max")
        flags = (values == best) & values.notna()
        styler = styler.apply(
            lambda col, flags=flags: np.where(flags.loc[col.index], BOLD, ""), subset=[column], axis=0
        )
    return styler.to_latex(
        hrules=True,
        caption=escape(caption),
        label=label,
        position="htbp",
        position_float="centering",
        convert_css=False,
    )
