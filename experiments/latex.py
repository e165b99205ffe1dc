"""LaTeX tables through pandas `Styler.to_latex`: booktabs rules, escaped names, the best
value of each row (or group of rows) in bold."""

from __future__ import annotations

import re
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


#: Column headers as a paper prints them, on two lines: a short name and its unit (or
#: the rest of the name); other names are escaped, underscores as spaces.
LABELS: dict[str, tuple[str, str]] = {
    "C1": ("C1", "(CNY)"),
    "C2": ("C2", "(CNY)"),
    "C3": ("C3", "(CNY)"),
    "C4": ("C4", "(CNY)"),
    "LH": ("line-haul", "(CNY)"),
    "LH_trucks": ("line-haul", "(trucks)"),
    "LH_hub": ("hub", "(CNY)"),
    "LH_shuttle": ("shuttles", "(CNY)"),
    "LH_km": ("line-haul", "(km)"),
    "LH_congestion": ("LH congestion", "(CNY)"),
    "feeder": ("feeder", "(CNY)"),
    "feeder_km": ("feeder", "(km)"),
    "feeder_trips": ("feeder", "(trips)"),
    "TC": ("TC", "(CNY)"),
    "TC_no_LH": ("TC w/o LH", "(CNY)"),
    "TC_regions": ("TC regions", "(CNY)"),
    "TC_whole": ("TC whole", "(CNY)"),
    "TC_per_parcel": ("TC/parcel", "(CNY)"),
    "E": ("E", "(kg CO$_2$)"),
    "E_no_LH": ("E w/o LH", "(kg CO$_2$)"),
    "km_regions": ("km", "regions"),
    "km_whole": ("km", "whole"),
    "vehicles_regions": ("vehicles", "regions"),
    "vehicles_available": ("vans", "available"),
    "vehicles_dispatched": ("vans", "(Eqs. 11-16)"),
    "vehicles": ("vans", "used"),
    "vehicles_whole": ("vehicles", "whole"),
    "price": ("price", "(CNY)"),
    "price_pct": ("price", r"(\%)"),
    "gap_pct": ("gap", r"(\%)"),
    "time_s": ("time", "(s)"),
    "runtime_s": ("runtime", "(s)"),
    "windows_met_pct": ("windows met", r"(\%)"),
    "parcels_late_pct": ("late parcels", r"(\%)"),
    "return_load": ("return", "load"),
    "mode_from": ("modes", "from"),
    "edge_coverage": ("edge", "coverage"),
    "internal_density": ("internal", "density"),
    "scaling_exponent": ("scaling", "exponent"),
    "scaling_nodes": ("scaling", "nodes"),
    "average_path_length": ("mean path", "length"),
    "cv_accuracy_mean": ("CV", "accuracy"),
    "cv_accuracy_sd": ("CV", "sd"),
    "cv_folds": ("CV", "folds"),
    "saving_pct": ("saving", r"(\%)"),
    "saving": ("saving", "(CNY)"),
    "saving TC": ("saving TC", r"(\%)"),
    "saving TC_no_LH": ("w/o LH", r"(\%)"),
    "saving E": ("saving E", r"(\%)"),
    "TC independent": ("TC alone", "(CNY)"),
    "TC joint": ("TC joint", "(CNY)"),
    "sd independent": ("sd", "alone"),
    "sd joint": ("sd", "joint"),
}
#: Columns that count things: printed as whole numbers.
COUNTS = frozenset(
    {
        "vehicles",
        "vehicles_regions",
        "vehicles_whole",
        "vehicles_available",
        "vehicles_dispatched",
        "regions",
        "communities",
        "centers",
        "nodes",
        "customers",
        "runs",
        "feasible_runs",
        "level",
        "mode",
        "cv_folds",
        "LH_trucks",
        "feeder_trips",
        "shuttles",
        "scaling_nodes",
        "players",
        "coalitions",
        "with_value",
        "proven",
        "seeds",
    }
)
#: Columns a paper does not print (they stay in the CSV beside each table).
HIDDEN = frozenset({"seed", "violations", "message", "trace", "routes"})
#: What sets a table's type and spacing: small type, narrower gaps between columns.
SMALL = r"\small\setlength{\tabcolsep}{4pt}"
#: A table of more rows than this is a `longtable`, which breaks across pages.
LONG_ROWS = 30
#: At most this many columns to a printed table; wider ones are split (`to_latex`).
MAX_COLUMNS = 8
NEWLINE = "\\\\"
#: Characters on one line of a header not in `LABELS` (longer ones wrap at spaces).
HEADER_LINE = 11


def header(column: object) -> str:
    """The printed header of a column (`LABELS` on two lines, else its escaped name)."""
    name = str(column)
    if name in LABELS:
        first, second = LABELS[name]
        return rf"\shortstack{{{first}\\{second}}}"
    lines: list[str] = []
    for word in escape(name.replace("_", " ")).split():
        if lines and len(lines[-1]) + 1 + len(word) <= HEADER_LINE:
            lines[-1] += " " + word
        else:
            lines.append(word)
    joined = NEWLINE.join(lines)
    return lines[0] if len(lines) == 1 else rf"\shortstack{{{joined}}}"


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
    keys: int | None = None,
) -> str:
    """Booktabs tables of `table` as a paper prints them (its index is not printed):
    headers with units (`LABELS`), counts as whole numbers (`COUNTS`), yes and no for
    booleans, seeds and messages left out (`HIDDEN`), a `longtable` past `LONG_ROWS`
    rows. A table of more than `MAX_COLUMNS` columns is split into parts, each repeating
    the `keys` leading columns (default: the leading columns that are not numbers),
    labelled `label`, `label-2`, ...

    `best_in_rows` names the columns compared within each row; `best_in_columns` the
    columns whose best entry (within each group of rows sharing the `group` columns,
    or overall) is bolded.
    """
    table = table.drop(columns=[c for c in table.columns if str(c) in HIDDEN]).reset_index(drop=True)
    if keys is None:
        keys = next((k for k, c in enumerate(table.columns) if pd.api.types.is_numeric_dtype(table[c])), 0)
        keys = min(keys, 3)
    lead, rest = list(table.columns[:keys]), list(table.columns[keys:])
    width = max(1, MAX_COLUMNS - len(lead))
    parts = [rest[k : k + width] for k in range(0, len(rest), width)] or [[]]
    out = []
    for number, part in enumerate(parts, start=1):
        shown = table[lead + part]
        title = caption if len(parts) == 1 else f"{caption} (part {number} of {len(parts)})"
        tag = label if number == 1 else f"{label}-{number}"
        rows = [c for c in best_in_rows if c in part]
        cols = [c for c in best_in_columns if c in part]
        out.append(_one_table(shown, title, tag, precision, rows, cols, group, minimize))
    return "\n".join(out)


#: Text columns whose longest entry is longer than this wrap in a column of `TEXT_CM` cm
#: (wider where a word is).
WRAP_CHARACTERS = 28
TEXT_CM = 2.6
#: The width of a character of the tables' small type, to fit a column's longest word.
CM_PER_CHARACTER = 0.19


def _column_format(column: pd.Series) -> str:
    """Numbers right-aligned, short text left-aligned, long text wrapped."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return "r"
    longest = max((len(str(v)) for v in column if v is not None), default=0)
    if longest <= WRAP_CHARACTERS:
        return "l"
    word = max((len(w) for v in column if v is not None for w in re.split(r"[\s-]+", str(v))), default=0)
    return f"p{{{max(TEXT_CM, CM_PER_CHARACTER * word):.1f}cm}}"  # no word wider than its column


def _one_table(
    table: pd.DataFrame,
    caption: str,
    label: str,
    precision: int,
    best_in_rows: Sequence[str],
    best_in_columns: Sequence[str],
    group: Sequence[str],
    minimize: bool,
) -> str:
    shown = table.copy()
    for column in shown.columns:
        if pd.api.types.is_bool_dtype(shown[column]):
            shown[column] = shown[column].map({True: "yes", False: "no"})
    styler = shown.style.hide(axis="index")
    styler = styler.format(precision=precision, na_rep="--", escape="latex", thousands=None)
    counts = [c for c in shown.columns if str(c) in COUNTS and pd.api.types.is_numeric_dtype(shown[c])]
    if counts:
        styler = styler.format("{:.0f}", subset=counts, na_rep="--")
    styler = styler.format_index(header, axis=1)
    if best_in_rows:
        mask = _best_mask(table[list(best_in_rows)], minimize)
        styler = styler.apply(lambda part: np.where(mask, BOLD, ""), axis=None, subset=list(best_in_rows))
    for column in best_in_columns:
        values = pd.to_numeric(table[column], errors="coerce")
        keys = [table[g] for g in group if g in table] if group else [pd.Series(0, index=table.index)]
        best = values.groupby(keys or [pd.Series(0, index=table.index)]).transform("min" if minimize else "max")
        flags = (values == best) & values.notna()
        styler = styler.apply(
            lambda col, flags=flags: np.where(flags.loc[col.index], BOLD, ""), subset=[column], axis=0
        )
    layout = "".join(_column_format(shown[c]) for c in shown.columns)
    if len(table) > LONG_ROWS:
        text = styler.to_latex(
            hrules=True,
            caption=escape(caption),
            label=label,
            environment="longtable",
            convert_css=False,
            column_format=layout,
        )
        return "{" + SMALL + "\n" + text + "}\n"
    text = styler.to_latex(
        hrules=True,
        caption=escape(caption),
        label=label,
        position="htbp",
        position_float="centering",
        convert_css=False,
        column_format=layout,
    )
    return text.replace("\\centering\n", "\\centering\n" + SMALL + "\n", 1)
