"""Every table of an experiment, rebuilt from its results store alone.

    python experiments/tables.py OUTDIR

writes `OUTDIR/tables/NAME.tex` (booktabs, for `\\input` in a paper) and `NAME.csv`
beside it. Rebuilding from the same store gives byte-identical files.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "experiments":
    sys.path[0] = str(ROOT)  # run as a script: the checkout's packages, not this folder's modules

import pandas as pd  # noqa: E402

from experiments.design_summary import best_designs, window_rows  # noqa: E402
from experiments.file_names import instance_names  # noqa: E402
from experiments.latex import to_latex  # noqa: E402
from experiments.output import write_atomic  # noqa: E402
from experiments.significance import tests_table  # noqa: E402
from experiments.store import ALL, VARIANT, Store, folder_main  # noqa: E402
from simulation.days import table7  # noqa: E402

#: Table 8's columns, then line-haul (LH) and feeder trips, and TC and E both with
#: line-haul and without it (the study's convention).
COST_COLUMNS = ["C1", "C2", "C3", "C4", "LH", "feeder", "TC", "TC_no_LH", "E", "E_no_LH"]
#: What each policy does, for the side-by-side policy table.
POLICY_COLUMNS = [
    "vehicles",
    "km",
    "LH_trucks",
    "LH_km",
    "feeder_trips",
    "feeder_km",
    "parcels",
    "TC",
    "TC_per_parcel",
    "return_load",
    "E",
]


@dataclass(frozen=True)
class Table:
    name: str
    data: pd.DataFrame
    latex: str


def routing_summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Per (instance, region, solver): objective mean, sd and best over seeds (feasible
    runs), the gap of the mean to the exact optimum (or the exact bound), mean time."""
    rows = []
    for (instance, region), block in runs.groupby(["instance", "region"], sort=False):
        exact = block[(block["solver"] == "exact") & block["feasible"]]
        reference, kind = None, ""
        if not exact.empty and (exact["status"] == "optimal").any():
            reference, kind = float(exact["objective"].min()), "optimum"
        else:
            bounds = block.loc[block["solver"] == "exact", "bound"].dropna()
            if not bounds.empty:
                reference, kind = float(bounds.max()), "bound"
        for solver, group in block.groupby("solver", sort=False):
            ok = group[group["feasible"] & group["objective"].notna()]["objective"]
            mean = float(ok.mean()) if len(ok) else None
            rows.append(
                {
                    "instance": instance,
                    "region": region,
                    "customers": int(group["n_customers"].iloc[0]),
                    "solver": solver,
                    "runs": len(group),
                    "feasible": int(group["feasible"].sum()),
                    "mean": mean,
                    "sd": float(ok.std(ddof=1)) if len(ok) > 1 else None,
                    "best": float(ok.min()) if len(ok) else None,
                    "gap_pct": None if mean is None or not reference else 100 * (mean - reference) / reference,
                    "gap_to": kind,
                    "time_s": float(group["time_s"].mean()),
                }
            )
    return pd.DataFrame(rows)


def delivery_summary(delivery: pd.DataFrame) -> pd.DataFrame:
    """The study's Table 8 shape per instance and solver: independent, joint (means over
    the seeds with a plan for every region) and the joint reduction in percent, over the
    seeds both policies planned; `plans` counts the seeds with a plan, and `missing`
    says what the others lacked."""
    rows = []
    columns = [c for c in COST_COLUMNS if c in delivery.columns]  # stores made before line-haul lack some
    # stores made before missing plans had rows lack the column
    delivery = delivery.assign(missing=delivery["missing"].fillna("") if "missing" in delivery.columns else "")
    for (instance, solver), group in delivery.groupby(["instance", "solver"], sort=False):
        planned_seeds: dict[str, set] = {}
        for d in ("independent", "joint"):
            part = group[group["delivery"] == d]
            if part.empty:
                continue
            planned = part[part["missing"] == ""]
            planned_seeds[d] = set(planned["seed"])
            means = planned[columns].mean() if not planned.empty else dict.fromkeys(columns, float("nan"))
            rows.append(
                {
                    "instance": instance,
                    "solver": solver,
                    "delivery": d,
                    **means,
                    "feasible": bool(part["feasible"].all()),
                    "plans": f"{len(planned)}/{len(part)}",
                    "missing": "; ".join(sorted(set(part["missing"]) - {""})),
                }
            )
        both = planned_seeds.get("independent", set()) & planned_seeds.get("joint", set())
        if both:  # like is compared with like
            same = group[group["seed"].isin(both)]
            alone, joint = (same.loc[same["delivery"] == d, columns].mean() for d in ("independent", "joint"))
            cut = 100 * (alone - joint) / alone.where(alone != 0)
            rows.append({"instance": instance, "solver": solver, "delivery": "reduction %", **cut, "feasible": None})
    return pd.DataFrame(rows)


#: Whose figures stand for an experiment's in the body of a paper: the strongest
#: solver it ran (PyVRP, the field's reference, first).
REFERENCE_SOLVERS = ("pyvrp", "exact", "ortools", "ga", "pso")


def reference(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the strongest solver present (`REFERENCE_SOLVERS`)."""
    if table.empty or "solver" not in table.columns:
        return table
    present = [s for s in REFERENCE_SOLVERS if s in set(table["solver"])] or sorted(set(table["solver"]))
    return table[table["solver"] == present[0]]


def _seed_counts(delivery: pd.DataFrame) -> dict[str, int]:
    """Per solver, the seeds it ran."""
    return {str(s): int(g["seed"].nunique()) for s, g in delivery.groupby("solver")}


def solver_comparison(delivery: pd.DataFrame) -> pd.DataFrame:
    """Per instance and solver (`delivery-solvers`): each policy's TC, mean and sd over
    the seeds with a plan, and the joint saving in percent (TC, TC without line-haul, E)."""
    rows = []
    planned = delivery[delivery["feasible"].fillna(False).astype(bool)]
    for (instance, solver), group in planned.groupby(["instance", "solver"], sort=True):
        alone, joint = (group[group["delivery"] == d] for d in ("independent", "joint"))
        if alone.empty or joint.empty:
            continue
        row: dict[str, object] = {"instance": instance, "solver": solver, "seeds": int(group["seed"].nunique())}
        for name, part in (("independent", alone), ("joint", joint)):
            row[f"TC {name}"] = float(part["TC"].mean())
            row[f"sd {name}"] = float(part["TC"].std(ddof=1)) if len(part) > 1 else float("nan")
        for column in ("TC", "TC_no_LH", "E"):
            a, j = float(alone[column].mean()), float(joint[column].mean())
            row[f"saving {column}"] = 100 * (a - j) / a if a else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def policy_summary(delivery: pd.DataFrame) -> pd.DataFrame:
    """Per instance and solver, each policy side by side (means over seeds): delivery
    vehicles leaving a depot or center, their km, line-haul trucks and km, the village
    staff's feeder trips and km, parcels, TC and TC per parcel, the mean load brought
    home (collected parcels / capacity, %) and E with line-haul and feeder trips."""
    columns = [c for c in POLICY_COLUMNS if c in delivery.columns]
    if "policy" not in delivery.columns or not columns:
        return pd.DataFrame()
    out = delivery.groupby(["instance", "solver", "policy"], sort=False)[columns].mean().reset_index()
    if "return_load" in out.columns:
        out["return_load"] = 100 * out["return_load"]
    return out


def benchmark_summary(runs: pd.DataFrame, delivery: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """Gap to the best-known value per instance and solver: mean and best over seeds.
    An instance routed as one region is judged on its runs, one split into regions on
    its joint total."""
    rows = []
    for _, entry in known.iterrows():
        instance, bks = entry["instance"], float(entry["bks"])
        mine = runs[(runs["instance"] == instance) & runs["feasible"]]
        if set(mine["region"]) == {ALL}:
            values = mine[["solver", "seed", "objective"]]
        elif not delivery.empty:
            joint = delivery[
                (delivery["instance"] == instance) & (delivery["delivery"] == "joint") & delivery["feasible"]
            ]
            values = joint.rename(columns={"TC": "objective"})[["solver", "seed", "objective"]]
        else:
            continue
        row: dict[str, object] = {"instance": instance, "best_known": bks}
        for solver, group in values.groupby("solver", sort=False):
            gaps = 100 * (group["objective"] - bks) / bks
            row[f"{solver} mean gap %"] = float(gaps.mean())
            row[f"{solver} best gap %"] = float(gaps.min())
        rows.append(row)
    return pd.DataFrame(rows)


def sensitivity_summary(sensitivity: pd.DataFrame) -> pd.DataFrame:
    """Per instance, parameter and factor: independent and joint TC and E (means over
    seeds), the joint reduction, and why a point has no feasible joint delivery."""
    if sensitivity.empty:
        return sensitivity
    keys = ["instance", "parameter", "factor"]
    wide = sensitivity.groupby([*keys, "delivery"])[["TC", "E"]].mean().unstack("delivery")
    out = pd.DataFrame(index=wide.index)
    for measure in ("TC", "E"):
        for delivery in ("independent", "joint"):
            if (measure, delivery) in wide.columns:
                out[f"{delivery} {measure}"] = wide[(measure, delivery)]
    if {"independent TC", "joint TC"} <= set(out.columns):
        out["TC reduction %"] = 100 * (out["independent TC"] - out["joint TC"]) / out["independent TC"]
    failed = sensitivity[~sensitivity["feasible"].astype(bool)]
    out["note"] = failed.groupby(keys)["violations"].first().reindex(out.index).fillna("")
    return out.reset_index()


def with_intervals(table: pd.DataFrame, precision: int = 2) -> pd.DataFrame:
    """Each `X` column beside its `X ±` half-width as one text column, `mean (half-width)`."""
    out = table[[c for c in table.columns if not c.endswith(" ±")]].copy()
    for column in out.columns:
        if f"{column} ±" in table.columns:
            half = table[f"{column} ±"]
            out[column] = [
                f"{m:.{precision}f}" + ("" if pd.isna(h) else f" ({h:.{precision}f})")
                for m, h in zip(table[column], half, strict=True)
            ]
    return out


#: The allocation rules in the order tables and figures show them.
RULE_ORDER = (
    "proportional to parcels",
    "proportional to km-weighted parcels",
    "Shapley",
    "Shapley (sampled)",
    "nucleolus",
    "prenucleolus",
)
#: A cost basis's table-name suffix and caption words.
BASIS_NAMES = {"TC": ("", "TC with line-haul"), "TC_no_LH": ("-no-lh", "TC without line-haul (the study's convention)")}


def allocation_wide(allocation: pd.DataFrame) -> pd.DataFrame:
    """One game's allocations side by side: per company its stand-alone cost, then per
    rule its allocated cost and saving (%)."""
    rules = [r for r in RULE_ORDER if r in set(allocation["rule"])]
    first = allocation[allocation["rule"] == rules[0]]
    out = pd.DataFrame({"company": first["company"].to_numpy(), "stand-alone": first["stand_alone"].to_numpy()})
    for rule in rules:
        part = allocation[allocation["rule"] == rule].set_index("company").loc[out["company"]]
        short = rule.replace("proportional to ", "")
        out[short] = part["allocated"].to_numpy()
        out[f"{short} saving %"] = part["saving_pct"].to_numpy()
    return out


def core_sentence(allocation: pd.DataFrame) -> str:
    """Which rules lie in the core, and the coalition each other one overcharges most."""
    parts = []
    for rule in (r for r in RULE_ORDER if r in set(allocation["rule"])):
        row = allocation[allocation["rule"] == rule].iloc[0]
        if row["in_core"]:
            parts.append(f"{rule}: in the core")
        else:
            excess = f"{row['max_excess']:.2f}"
            parts.append(f"{rule}: not in the core ({row['worst_coalition']} pays {excess} CNY more than on its own)")
    return "; ".join(parts)


def allocation_tables(allocation: pd.DataFrame, names: dict[str, str]) -> Iterator[Table]:
    """One table per instance, cost basis and solver (solver named when there are several)."""
    several = allocation["solver"].nunique() > 1
    for (instance, basis, solver, seed), game in allocation.groupby(["instance", "basis", "solver", "seed"], sort=True):
        suffix, words = BASIS_NAMES[str(basis)]
        name = f"allocation-{names[str(instance)]}{suffix}" + (f"-{solver}" if several else "")
        wide = allocation_wide(game)
        yield Table(
            name,
            wide,
            to_latex(
                wide,
                caption=f"Who gains, {instance}: {words} (CNY) of each company alone and as allocated by each rule "
                f"in the alliance of all companies, with the saving against alone (%; negative: it pays more). "
                f"{core_sentence(game)}. Coalition values by {solver}, seed {seed}.",
                label=f"tab:{name}",
            ),
        )


def stored_table(
    store: Store, name: str, caption: str, drop: Sequence[str] = (), label: str = "", **latex: Any
) -> Iterator[Table]:
    """The stage table `name` as it is stored (less the `drop` columns in LaTeX), if the
    experiment made it; `latex` goes to `to_latex`."""
    table = store.table(name)
    if not table.empty:
        shown = table.drop(columns=list(drop))
        yield Table(name, table, to_latex(shown, caption=caption, label=label or f"tab:{name}", **latex))


def build(store: Store) -> Iterator[Table]:
    """Every table the store has the data for; per-instance tables named by
    `experiments.file_names` (unique whatever the instances' names)."""
    names = instance_names(store)
    runs = store.runs()
    runs = runs[~runs["instance"].str.contains(VARIANT, regex=False)]
    made = store.provenance()
    delivery = store.table("delivery")
    for instance, block in runs.groupby("instance", sort=True):
        summary = routing_summary(block)
        yield Table(
            f"routing-{names[str(instance)]}",
            summary,
            to_latex(
                summary.drop(columns=["instance"]),
                caption=f"Exact against heuristic routing per region, {instance}: objective mean, "
                "standard deviation and best over seeds, gap of the mean to the exact optimum or bound, mean time (s).",
                label=f"tab:routing-{names[str(instance)]}",
                best_in_columns=["mean"],
                group=["region"],
            ),
        )
    if not delivery.empty:
        table = delivery_summary(delivery)
        main = reference(table)
        solver = str(main["solver"].iloc[0]) if not main.empty else ""
        seeds = _seed_counts(delivery)
        shown = main.drop(columns=["solver", "feasible", "missing"], errors="ignore")
        yield Table(
            "delivery",
            table,
            to_latex(
                shown,
                caption=f"Independent against joint delivery by {solver} ({seeds.get(solver, 1)} seed(s); "
                "the mean over them): C1 vehicle fixed, C2 transport, C3 congestion, C4 center cost, line-haul "
                "from the company depots to the centers, feeder the village staff's trips (status quo), TC and E, "
                "each with line-haul and without it (the study's convention); the reduction row in percent of the "
                "independent value. Every solver's figures: Table delivery-solvers.",
                label="tab:delivery",
                keys=2,
            ),
        )
        versus = solver_comparison(delivery)
        if not versus.empty:
            yield Table(
                "delivery-solvers",
                versus,
                to_latex(
                    versus,
                    caption="Joint against independent delivery per solver: TC of each policy (CNY, mean over "
                    "the solver's seeds, with its standard deviation where it ran several) and the saving of joint "
                    "delivery in percent, with line-haul and without it, and of emissions E; the cheapest joint "
                    "delivery in bold.",
                    label="tab:delivery-solvers",
                    keys=2,
                    best_in_columns=["TC joint"],
                    group=["instance"],
                ),
            )
        policies = policy_summary(delivery)
        if not policies.empty:
            yield Table(
                "policies",
                policies,
                to_latex(
                    policies,
                    caption="Policies side by side (means over seeds; for Ling Shan the status quo against the "
                    "alliance of seed 004): delivery vehicles leaving a depot or center per day (Ling Shan: "
                    "leaving the county), their km, line-haul trucks and km, village staff's feeder trips and "
                    "km, parcels delivered, TC and TC per parcel (CNY), load brought home on the return legs "
                    "(% of capacity), E with line-haul and feeder trips (kg CO2).",
                    label="tab:policies",
                    best_in_columns=["TC", "TC_per_parcel", "E"],
                    group=["instance", "solver"],
                ),
            )
    yield from stored_table(
        store,
        "regions",
        caption="Region division, the study's Table 2 and Leiden (ours): modularity (Newman, weighted), "
        "communities (connected regions), coverage (share of nodes in a community, cdlib's node coverage), "
        "edge coverage (share of edges inside regions, networkx), internal density (mean over regions of "
        "2m/(n(n-1)), a one-node region 0, cdlib), runtime (s, with the search for a number of regions "
        "where one is asked) and scalability as the growth exponent b of runtime ~ n^b fitted on "
        "networks of 1/4 to 8 times this one, up to scaling nodes (lower scales better), average path "
        "length (mean over regions of the mean hops between a region's nodes inside it, cdlib's avg "
        "distance); note: an algorithm that did not finish within its time budget.",
        precision=3,
        best_in_columns=["modularity"],
        group=["instance"],
        minimize=False,
    )
    yield from stored_table(
        store,
        "louvain_levels",
        caption="Louvain level by level (the study's two-stage Louvain: modularity 0.685 after the first "
        "stage, 0.789 after the second): communities and modularity after each level, at the resolution "
        "used.",
        label="tab:louvain-levels",
        precision=3,
    )
    for name, caption in (
        ("division", "Regions, their predicted service modes (1 exclusive, 2 dynamic joint, 3 lockers) and centers."),
        ("location", "Location (Eqs. 5-10) and assignment (Eqs. 11-16) stages, HiGHS."),
    ):
        yield from stored_table(store, name, caption)
    classifiers = store.table("classifiers")
    if not classifiers.empty:
        classifiers = classifiers.drop(columns=["instance"])
        yield Table(
            "classifiers",
            classifiers,
            to_latex(
                classifiers,
                caption="Service-mode classifiers: test accuracy, per-mode recall and F1 (70/30 split), "
                "and repeated stratified cross-validated accuracy.",
                label="tab:classifiers",
                precision=3,
                best_in_columns=["accuracy", "cv_accuracy_mean"],
                minimize=False,
            ),
        )
    sensitivity = sensitivity_summary(store.table("sensitivity"))
    if not sensitivity.empty:
        yield Table(
            "sensitivity",
            sensitivity,
            to_latex(
                sensitivity,
                caption="Sensitivity of independent and joint delivery to the vehicle fixed cost and the demand scale.",
                label="tab:sensitivity",
                best_in_rows=[c for c in ("independent TC", "joint TC") if c in sensitivity.columns],
            ),
        )
    allocation = store.table("allocation")
    if not allocation.empty:
        yield from allocation_tables(allocation, names)
    yield from stored_table(
        store,
        "game",
        caption="The cost-allocation games: companies, coalitions evaluated, the grand coalition's cost "
        "against the companies alone (CNY, saving %), the least-core epsilon (positive: the core is empty, "
        "some coalition does better apart), coalitions without a joint plan and coalitions cheaper split.",
        drop=["seed"],
    )
    yield from stored_table(
        store,
        "decomposition",
        caption="The price of region division: the three-stage joint result (regions, one center each, "
        "routes per region) against the whole joint instance routed as one problem from the same open "
        "centers with the same vehicles (TC in CNY, km, vehicles); price = regions' TC - whole TC.",
        drop=["violations"],
        best_in_rows=["TC_regions", "TC_whole"],
    )
    designs = store.table("designs")
    if not designs.empty:
        for instance, part in designs.groupby("instance", sort=True):
            table = best_designs(part)
            if table.empty:
                continue
            yield Table(
                f"designs-{names[str(instance)]}",
                table,
                to_latex(
                    table,
                    caption=f"{instance}: the alliance's designs, line-haul design by routing scope, the cheapest "
                    "feasible plan found over solvers and seeds (TC with and without line-haul and LH, every "
                    "line-haul line of the design, in CNY; E in kg CO2; vehicles; km).",
                    label=f"tab:designs-{names[str(instance)]}",
                    best_in_columns=["TC"],
                ),
            )
    windows = store.table("windows")
    if not windows.empty:
        for instance, part in windows.groupby("instance", sort=True):
            table = window_rows(part)
            yield Table(
                f"windows-{names[str(instance)]}",
                table,
                to_latex(
                    table,
                    caption=f"{instance}: who plans to the time windows. Independent delivery planned with the "
                    "windows ignored and planned to them (the instance's `independent_windows` is one of the two), "
                    "the cheapest feasible plan over solvers, beside the best joint design; windows met: the share "
                    "(%) of windowed stops reached by their window's end, and parcels late or unserved (%), means "
                    "over simulated days with travel-time noise (TC in CNY, E in kg CO2, km).",
                    label=f"tab:windows-{names[str(instance)]}",
                    best_in_columns=["TC"],
                ),
            )
    yield from uncertainty_tables(store, names)
    known = store.table("best_known")
    if not known.empty:
        table = benchmark_summary(runs, delivery, known)
        if not table.empty:
            gaps = [c for c in table.columns if c.endswith("mean gap %")]
            yield Table(
                "benchmarks",
                table,
                to_latex(
                    table,
                    caption="Published benchmark instances: gap (%) to the best-known value, mean and best over seeds.",
                    label="tab:benchmarks",
                    best_in_rows=gaps,
                ),
            )
    simulated = table7(store.table("simulation"))
    if not simulated.empty:
        yield Table(
            "simulation",
            simulated,
            to_latex(
                with_intervals(simulated),
                caption="Simulated days, joint against independent delivery (the study's Table 7): "
                "mean over replications (95% confidence half-width).",
                label="tab:simulation",
            ),
        )
    tests = tests_table(runs, made.config.seeds if made is not None else 0)
    if not tests.empty:
        yield Table(
            "statistics",
            tests,
            to_latex(
                tests,
                caption="Friedman test across solvers and Wilcoxon signed-rank tests between pairs, "
                "over (instance, region) blocks of mean objectives.",
                label="tab:statistics",
                precision=4,
            ),
        )


def uncertainty_tables(store: Store, names: dict[str, str]) -> Iterator[Table]:
    """Per instance with scenarios (issue 34): what they say, who gains, the indices;
    and the inputs as declared."""
    from experiments.uncertainty import company_rows, outcome_rows

    outcomes, companies = store.table("uncertainty"), store.table("uncertainty_companies")
    indices, declared = store.table("uncertainty_indices"), store.table("uncertainty_inputs")
    for instance, part in outcomes.groupby("instance", sort=True) if not outcomes.empty else ():
        name = names[str(instance)]
        table = outcome_rows(part)
        ok, failed = int(part["scenarios"].max()), int(part["failed"].max())
        lost = f", {failed} of them without an outcome (counted as not paying)" if failed else ""
        yield Table(
            f"uncertainty-{name}",
            table,
            to_latex(
                table,
                caption=f"{instance}: how sure, over {ok + failed} scenarios of the uncertain inputs{lost} "
                "(Table uncertainty-inputs): the share of scenarios where joint delivery pays with its 95% Wilson "
                "interval; the saving (independent minus joint) mean and 90% interval (5th to 95th percentile), "
                "in CNY or kg CO2 and in percent; its standard deviation over scenarios beside the solver noise "
                "(sd of the joint TC over the base run's seeds; TC only).",
                label=f"tab:uncertainty-{name}",
                keys=1,
            ),
        )
        mine = (
            companies[companies["instance"] == instance].drop(columns="instance") if not companies.empty else companies
        )
        wide = company_rows(mine)
        if not wide.empty:
            yield Table(
                f"uncertainty-companies-{name}",
                wide,
                to_latex(
                    wide,
                    caption=f"{instance}: the probability (%) that each company pays less than alone, per "
                    "allocation rule, over the scenarios. Proportional rules: on each scenario's planned costs; "
                    "re-costed game: every coalition's plan of the base run priced at the scenario's factors.",
                    label=f"tab:uncertainty-companies-{name}",
                    keys=1,
                ),
            )
        ranked = _instance_rows(indices, instance)
        if not ranked.empty:
            yield Table(
                f"uncertainty-indices-{name}",
                ranked,
                to_latex(
                    ranked,
                    caption=f"{instance}: global sensitivity of the saving (TC with line-haul, CNY) to each "
                    "uncertain input, largest first (index: Morris mu*, Sobol' total order, or the absolute "
                    "standardised regression coefficient of a Latin hypercube).",
                    label=f"tab:uncertainty-indices-{name}",
                    keys=1,
                ),
            )
    if not declared.empty:
        first = declared[declared["instance"] == declared["instance"].iloc[0]].drop(columns="instance")
        yield Table(
            "uncertainty-inputs",
            first,
            to_latex(
                first,
                caption="The uncertain inputs: a factor on the instance's value, its distribution and range, "
                "whether a change re-plans the routes or only re-costs the plan, and the reason for the range.",
                label="tab:uncertainty-inputs",
                keys=1,
            ),
        )


def _instance_rows(table: pd.DataFrame, instance: object) -> pd.DataFrame:
    """`table`'s rows of `instance`, without the `instance` column."""
    return table[table["instance"] == instance].drop(columns="instance") if not table.empty else table


def write_tables(folder: Path) -> list[Path]:
    """Write every table of the experiment in `folder`; returns the `.tex` paths."""
    store = Store(folder)
    try:
        written = []
        for table in build(store):
            tex = folder / "tables" / f"{table.name}.tex"
            write_atomic(tex, table.latex)
            write_atomic(tex.with_suffix(".csv"), table.data.to_csv(index=False))
            written.append(tex)
        return written
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    return folder_main(argv, __doc__.strip().split("\n\n")[1], write_tables)


if __name__ == "__main__":
    sys.exit(main())
