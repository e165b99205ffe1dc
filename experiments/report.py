"""The reproduction report: each headline figure of the Xiqing study beside ours.

    python experiments/report.py OUTDIR

writes `OUTDIR/report.md` and `OUTDIR/report.tex` from the results store alone. The
study's figures are quoted from its text (seeds/002); where the study contradicts
itself, the report says so. Our figures come from the experiment's own tables, for
every instance that has them; which of our inputs are synthetic is listed from each
instance file's provenance.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "experiments":
    sys.path[0] = str(ROOT)  # run as a script: the checkout's packages, not this folder's modules

import pandas as pd  # noqa: E402

from experiments.latex import escape, to_latex  # noqa: E402
from experiments.output import write_atomic  # noqa: E402
from experiments.store import Store, folder_main  # noqa: E402
from experiments.tables import delivery_summary  # noqa: E402
from simulation.days import table7  # noqa: E402

# The study's Table 8, as printed.
TABLE8_INDEPENDENT = {"C1": 1100.0, "C2": 2056.97, "C3": 52.38, "C4": 0.0, "TC": 3209.36, "E": 231.5}
TABLE8_JOINT = {"C1": 1200.0, "C2": 565.39, "C3": 14.36, "C4": 700.05, "TC": 3079.80, "E": 173.6}
EMISSION_FACTOR = 0.24  # kg CO2 per km, the study's Eq. (18)


@dataclass(frozen=True)
class Figure:
    quantity: str
    published: str
    ours: str
    note: str = ""


def _pct(a: float, b: float) -> float:
    return 100 * (a - b) / a


def study_checks() -> list[str]:
    """What in the study does not add up, computed from its own printed numbers."""
    joint_sum = sum(TABLE8_JOINT[c] for c in ("C1", "C2", "C3", "C4"))
    alone_sum = sum(TABLE8_INDEPENDENT[c] for c in ("C1", "C2", "C3", "C4"))
    routing_joint = sum(TABLE8_JOINT[c] for c in ("C1", "C2", "C3"))
    routing_alone = sum(TABLE8_INDEPENDENT[c] for c in ("C1", "C2", "C3"))
    return [
        f"Table 8 gives the joint total TC as {TABLE8_JOINT['TC']:.2f} CNY, but its own columns C1-C4 sum to "
        f"{joint_sum:.2f} CNY (the independent row adds up: {alone_sum:.2f}).",
        f"The abstract's 25.32% total cost reduction matches neither reading of Table 8: "
        f"{_pct(TABLE8_INDEPENDENT['TC'], TABLE8_JOINT['TC']):.2f}% with the printed joint total, "
        f"{_pct(TABLE8_INDEPENDENT['TC'], joint_sum):.2f}% with the column sum.",
        f"The text's 13.19% reduction of the vehicle routing cost does not follow from Table 8 either: "
        f"C1+C2+C3 fall by {_pct(routing_alone, routing_joint):.2f}%.",
        f"At the study's {EMISSION_FACTOR} kg CO2/km, the joint E of {TABLE8_JOINT['E']} kg means "
        f"{TABLE8_JOINT['E'] / EMISSION_FACTOR:.0f} km, while its transport cost C2 at the independent rows' "
        f"{TABLE8_INDEPENDENT['C2'] / (TABLE8_INDEPENDENT['E'] / EMISSION_FACTOR):.2f} CNY/km means "
        f"{TABLE8_JOINT['C2'] / (TABLE8_INDEPENDENT['C2'] / (TABLE8_INDEPENDENT['E'] / EMISSION_FACTOR)):.0f} km.",
        "The carbon reduction of about 25% does follow from Table 8: "
        f"{_pct(TABLE8_INDEPENDENT['E'], TABLE8_JOINT['E']):.2f}%.",
        "Table 2 lists 11 Louvain communities (as does the text); Table 7's G1 example (145.6 km to 108.7 km, "
        "25.34%, 8.86 kg) is consistent with its own emission factor.",
    ]


def per_instance(table: pd.DataFrame, value: Callable[[pd.DataFrame], str]) -> str:
    """`instance: value` for every instance in `table`, or `not run`."""
    if table.empty:
        return "not run"
    return "; ".join(f"{instance}: {value(group)}" for instance, group in table.groupby("instance", sort=True))


def per_solver(column: str, unit: str = "") -> Callable[[pd.DataFrame], str]:
    return lambda g: ", ".join(f"{s} {v:.2f}{unit}" for s, v in zip(g["solver"], g[column], strict=True))


def _rows(table: pd.DataFrame, column: str, value: str) -> pd.DataFrame:
    return table[table[column] == value] if not table.empty else table


def figures(store: Store) -> Iterator[Figure]:
    louvain = _rows(store.table("regions"), "algorithm", "Louvain")
    yield Figure(
        "Louvain modularity (Table 2)",
        "0.789",
        per_instance(louvain, lambda g: f"{g['modularity'].iloc[0]:.3f}"),
        "weighted delivery graph",
    )
    yield Figure("Louvain regions (Table 2)", "11", per_instance(louvain, lambda g: str(int(g["communities"].iloc[0]))))
    classifiers = store.table("classifiers")
    for model, published in (("XGBoost", "0.878"), ("Random forest", "0.829"), ("AdaBoost", "0.829")):
        row = _rows(classifiers, "model", model)
        ours = (
            "not run"
            if row.empty
            else f"{row['accuracy'].iloc[0]:.3f} (70/30 split); cross-validated "
            f"{row['cv_accuracy_mean'].iloc[0]:.3f} (sd {row['cv_accuracy_sd'].iloc[0]:.3f})"
        )
        yield Figure(f"{model} test accuracy (Table 3)", published, ours, "synthetic labelled communities")
    delivery = store.table("delivery")
    summary = delivery_summary(delivery) if not delivery.empty else pd.DataFrame()
    cuts = _rows(summary, "delivery", "reduction %")
    yield Figure("Total cost reduction, joint vs independent", "25.32%", per_instance(cuts, per_solver("TC", "%")))
    yield Figure(
        "Carbon reduction, joint vs independent",
        "about 25% (Table 8: 25.01%)",
        per_instance(cuts, per_solver("E", "%")),
    )
    for column, label in (("TC", "total cost TC (CNY)"), ("E", "emissions E (kg CO2)")):
        for delivery_mode, published in (("independent", TABLE8_INDEPENDENT), ("joint", TABLE8_JOINT)):
            note = " (its columns sum to 2479.80)" if column == "TC" and delivery_mode == "joint" else ""
            yield Figure(
                f"Table 8 {label}, {delivery_mode}",
                f"{published[column]:.2f}{note}",
                per_instance(_rows(summary, "delivery", delivery_mode), per_solver(column)),
            )
    simulated = table7(store.table("simulation"))
    regional = simulated[simulated["region"] != "all"] if not simulated.empty else simulated
    for column, published in (
        ("path length change %", "-21.80 to -28.45 (optimisation rates 21.80%-28.45%)"),
        ("TW change pp", "+9.8 to +15.2"),
        ("load rate joint %", "84.7 to 91.3"),
        ("carbon reduction kg", "6.55 to 11.20 (one delivery)"),
    ):
        yield Figure(
            f"Table 7 {column}, range over regions",
            published,
            per_instance(regional, lambda g, c=column: f"{g[c].min():.2f} to {g[c].max():.2f}"),
            "simulated days (--simulate)",
        )


def synthetic_inputs(store: Store) -> list[str]:
    table = store.table("provenance")
    if table.empty:
        return []
    return [f"{row['instance']}: {row['text']}" for _, row in table[table["kind"] == "synthetic"].iterrows()]


def markdown(rows: list[Figure], checks: list[str], synthetic: list[str]) -> str:
    lines = [
        "# Reproduction report: the Xiqing study's headline figures beside ours",
        "",
        "| quantity | published | ours | note |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r.quantity} | {r.published} | {r.ours} | {r.note} |" for r in rows]
    lines += ["", "## What in the study does not add up", ""] + [f"- {c}" for c in checks]
    lines += ["", "## Which of our inputs are synthetic", ""] + [f"- {s}" for s in synthetic or ["(none recorded)"]]
    return "\n".join(lines) + "\n"


def latex(rows: list[Figure], checks: list[str], synthetic: list[str]) -> str:
    table = pd.DataFrame([r.__dict__ for r in rows])
    body = to_latex(table, caption="The Xiqing study's headline figures beside ours.", label="tab:reproduction")
    items = "\n".join(f"  \\item {escape(c)}" for c in checks)
    inputs = "\n".join(f"  \\item {escape(s)}" for s in synthetic or ["(none recorded)"])
    return (
        f"{body}\n\\paragraph{{What in the study does not add up.}}\n\\begin{{itemize}}\n{items}\n\\end{{itemize}}\n"
        f"\\paragraph{{Which of our inputs are synthetic.}}\n\\begin{{itemize}}\n{inputs}\n\\end{{itemize}}\n"
    )


def write_report(folder: Path) -> list[Path]:
    store = Store(folder)
    try:
        rows, checks, synthetic = list(figures(store)), study_checks(), synthetic_inputs(store)
    finally:
        store.close()
    paths = [folder / "report.md", folder / "report.tex"]
    write_atomic(paths[0], markdown(rows, checks, synthetic))
    write_atomic(paths[1], latex(rows, checks, synthetic))
    return paths


def main(argv: list[str] | None = None) -> int:
    return folder_main(argv, __doc__.strip().split("\n\n")[1], write_report)


if __name__ == "__main__":
    sys.exit(main())
