"""The answer each instance gives, as the first screen of every report shows it (issue 33).

Per instance, from the store alone: does joint delivery pay (TC and E, the best joint
design found against the cheapest independent plan found, with line-haul and without
it), the spread of the joint cost across solvers and seeds (solver noise, not
uncertainty about the world), the bound on any joint design, and for whom (each
company's saving under each allocation rule, where the game was played: the game's
alliance is the study's framework, regions and `tour` line-haul); and where the run drew
scenarios of its uncertain inputs (`--uncertainty N`, issue 34), how sure: P(joint
delivery pays), the saving's 90% interval, who gains and who loses, and the assumption
that decides it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from experiments.store import Store


@dataclass(frozen=True)
class Saving:
    """Independent against joint: the two values and the saving in percent."""

    independent: float
    joint: float

    @property
    def percent(self) -> float:
        return 100 * (self.independent - self.joint) / self.independent if self.independent else math.nan


@dataclass(frozen=True)
class Sure:
    """What an instance's uncertainty scenarios say (`experiments.uncertainty.summarize`)."""

    scenarios: int
    failed: int
    pays: float  # P(joint delivery pays), TC with line-haul
    low: float  # its 95% Wilson interval
    high: float
    pays_no_line_haul: float
    saving_pct: float  # mean, and the 90% interval (5th to 95th percentile)
    p5_pct: float
    p95_pct: float
    scenario_sd: float  # sd of the saving (CNY) over scenarios
    deciding: str  # the input with the largest index ("" without indices)
    rule: str  # the allocation rule `gains` is under
    gains: dict[str, float]  # company -> P(it pays less than alone)


@dataclass(frozen=True)
class Answer:
    """One instance's answer (module docstring)."""

    instance: str
    design: str
    scope: str
    hub: str
    solver: str
    cost: Saving  # TC with line-haul
    cost_no_line_haul: Saving
    emissions: Saving
    emissions_no_line_haul: Saving
    joint_range: tuple[float, float]  # the best joint TC per solver: lowest and highest
    seed_sd: float  # the largest sd of the joint TC over one solver's seeds (solver noise)
    bound: float | None
    max_saving: float | None  # no joint plan saves more (%), from the bound
    gains: dict[str, dict[str, float]] = field(default_factory=dict)  # rule -> company -> saving %
    game_note: str = ""
    sure: Sure | None = None

    @property
    def pays(self) -> bool:
        return self.cost.percent > 0

    def headline(self) -> str:
        verb = "pays" if self.pays else "does not pay"
        head = f"joint delivery {verb}: {abs(self.cost.percent):.1f}% {'cheaper' if self.pays else 'dearer'}"
        s = self.sure
        if s is None:
            return head
        deciding = f"; decided by {s.deciding}" if s.deciding else ""
        return (
            f"{head}; saving {s.saving_pct:.1f}% (90% interval {s.p5_pct:.1f} to {s.p95_pct:.1f}), "
            f"P(pays) = {s.pays:.2f} over {s.scenarios} scenarios{deciding}"
        )


def answers(store: Store) -> list[Answer]:
    """Every instance's answer that the store can give (an instance with a verdict)."""
    verdicts, designs, delivery = store.table("verdict"), store.table("designs"), store.table("delivery")
    allocation, game = store.table("allocation"), store.table("game")
    out = []
    for _, v in verdicts.iterrows():
        instance = str(v["instance"])
        mine = designs[(designs["instance"] == instance) & designs["feasible"].astype(bool)]
        best = mine.loc[mine["TC"].idxmin()] if not mine.empty else None
        alone = delivery[
            (delivery["instance"] == instance)
            & (delivery["delivery"] == "independent")
            & delivery["feasible"].astype(bool)
        ]
        cheapest = alone.loc[alone["TC"].idxmin()] if not alone.empty else None
        if best is None or cheapest is None:
            continue
        per_solver = mine.groupby("solver")["TC"].min()
        spread = mine.groupby(["solver", "scope", "design"])["TC"].std(ddof=1).dropna()
        out.append(
            Answer(
                instance=instance,
                design=str(v["design"]),
                scope=str(v["scope"]),
                hub=str(v["hub"] or ""),
                solver=str(v["solver"]),
                cost=Saving(float(cheapest["TC"]), float(best["TC"])),
                cost_no_line_haul=Saving(float(cheapest["TC_no_LH"]), float(best["TC_no_LH"])),
                emissions=Saving(float(cheapest["E"]), float(best["E"])),
                emissions_no_line_haul=Saving(float(cheapest["E_no_LH"]), float(best["E_no_LH"])),
                joint_range=(float(per_solver.min()), float(per_solver.max())),
                seed_sd=float(spread.max()) if len(spread) else 0.0,
                bound=None if pd.isna(v.get("LB")) else float(v["LB"]),
                max_saving=None if pd.isna(v.get("max_saving_pct")) else float(v["max_saving_pct"]),
                gains=_gains(allocation, instance),
                game_note=_game_note(game, instance),
                sure=_sure(store, instance),
            )
        )
    return out


#: The rule whose gains the answer names, first found: the game's, else the parcels' shares.
SURE_RULES = ("Shapley (re-costed game)", "proportional to parcels")


def _sure(store: Store, instance: str) -> Sure | None:
    outcomes = store.table("uncertainty")
    if outcomes.empty or not (outcomes["instance"] == instance).any():
        return None
    mine = outcomes[outcomes["instance"] == instance].set_index("quantity")
    tc, no_lh = mine.loc["TC"], mine.loc["TC_no_LH"]
    indices, companies = store.table("uncertainty_indices"), store.table("uncertainty_companies")
    ranked = indices[indices["instance"] == instance] if not indices.empty else indices
    gains: dict[str, float] = {}
    rule = ""
    theirs = companies[companies["instance"] == instance] if not companies.empty else companies
    for candidate in SURE_RULES:
        part = theirs[theirs["rule"] == candidate] if not theirs.empty else theirs
        if not part.empty:
            rule, gains = candidate, {str(r["company"]): float(r["gains"]) for _, r in part.iterrows()}
            break
    return Sure(
        scenarios=int(tc["scenarios"]),
        failed=int(tc["failed"]),
        pays=float(tc["pays"]),
        low=float(tc["low"]),
        high=float(tc["high"]),
        pays_no_line_haul=float(no_lh["pays"]),
        saving_pct=float(tc["mean_pct"]),
        p5_pct=float(tc["p5_pct"]),
        p95_pct=float(tc["p95_pct"]),
        scenario_sd=float(tc["scenario_sd"]),
        deciding=str(ranked["input"].iloc[0]) if not ranked.empty else "",
        rule=rule,
        gains=gains,
    )


def _gains(allocation: pd.DataFrame, instance: str) -> dict[str, dict[str, float]]:
    """Rule -> company -> saving (%) on TC with line-haul, by the first solver that played."""
    if allocation.empty:
        return {}
    mine = allocation[(allocation["instance"] == instance) & (allocation["basis"] == "TC")]
    if mine.empty:
        return {}
    mine = mine[mine["solver"] == sorted(set(mine["solver"]))[0]]
    return {
        str(rule): {str(r["company"]): float(r["saving_pct"]) for _, r in group.iterrows()}
        for rule, group in mine.groupby("rule", sort=False)
    }


def _game_note(game: pd.DataFrame, instance: str) -> str:
    if game.empty or not (game["instance"] == instance).any():
        return "the allocation game was not played (more companies than allocation_max_companies, or allocate = false)"
    row = game[(game["instance"] == instance) & (game["basis"] == "TC")].iloc[0]
    core = "its core is empty: some coalition does better apart" if row["core_empty"] else "its core is not empty"
    return (
        f"the game's alliance (regions, tour line-haul) costs {row['grand']:.2f} CNY against {row['stand_alone']:.2f} "
        f"alone ({row['saving_pct']:+.1f}%); {core}"
    )


def bound_sentence(answer: Answer) -> str:
    """What the bound says, whichever its sign."""
    assert answer.bound is not None and answer.max_saving is not None
    if answer.max_saving >= 0:
        return (
            f"No joint plan in the model saves more than {answer.max_saving:.1f}% (every one costs at least "
            f"{answer.bound:,.2f} CNY)."
        )
    return (
        f"Every joint plan in the model costs at least {-answer.max_saving:.1f}% more than the independent plan "
        f"found (at least {answer.bound:,.2f} CNY): no design can pay."
    )


def box_rows(answer: Answer) -> list[tuple[str, Saving]]:
    """The box's table: TC and E, with line-haul and without."""
    return [
        ("TC (CNY)", answer.cost),
        ("TC without line-haul (CNY)", answer.cost_no_line_haul),
        ("E (kg CO2)", answer.emissions),
        ("E without line-haul (kg CO2)", answer.emissions_no_line_haul),
    ]


def items(answer: Answer) -> list[str]:
    """The answer's sentences under its table, the same in every report: how sure, the
    bound, for whom (one sentence per allocation rule)."""
    noise = (
        f"Solver noise: across solvers the best joint plan costs {answer.joint_range[0]:,.2f} to "
        f"{answer.joint_range[1]:,.2f} CNY, and one solver's seeds differ by at most {answer.seed_sd:,.2f} CNY (sd)"
    )
    s = answer.sure
    if s is None:
        out = [f"{noise}: not uncertainty about the inputs, which this run does not assess (--uncertainty N)."]
    else:
        failed = f"; {s.failed} scenarios without an outcome count as not paying" if s.failed else ""
        out = [
            f"How sure: over {s.scenarios} scenarios of the uncertain inputs joint delivery pays in "
            f"{100 * s.pays:.0f}% (95% CI {100 * s.low:.0f} to {100 * s.high:.0f}%; without line-haul "
            f"{100 * s.pays_no_line_haul:.0f}%), saving {s.saving_pct:.1f}% on average (90% interval "
            f"{s.p5_pct:.1f} to {s.p95_pct:.1f}%){failed}.",
            f"{noise}, against a spread of {s.scenario_sd:,.2f} CNY (sd of the saving) over the scenarios.",
        ]
        if s.deciding:
            out.append(f"The assumption that decides it: {s.deciding} (the largest sensitivity index).")
        if s.gains:
            won = [f"{c} ({100 * p:.0f}%)" for c, p in s.gains.items() if p >= 0.5]
            lost = [f"{c} ({100 * p:.0f}%)" for c, p in s.gains.items() if p < 0.5]
            out.append(
                f"Who gains, P(it pays less than alone) under {s.rule}: in most scenarios "
                f"{', '.join(won) or 'no company'} gain; {', '.join(lost) or 'no company'} lose."
            )
    if answer.bound is not None and answer.max_saving is not None:
        out.append(bound_sentence(answer))
    if not answer.gains:
        return [*out, f"For whom: {answer.game_note}."]
    out.append(f"For whom (saving against alone; {answer.game_note}):")
    for rule, companies in answer.gains.items():
        out.append(f"{rule}: " + ", ".join(f"{c} {p:+.1f}%" for c, p in companies.items()))
    return out


def design_sentence(answer: Answer) -> str:
    hub = f", hub {answer.hub}" if answer.hub else ""
    return (
        f"Best joint design found: {answer.design} line-haul{hub}, routing scope {answer.scope}, by "
        f"{answer.solver}; against the cheapest independent plan found."
    )


def box_lines(answer: Answer) -> list[str]:
    """The answer as the first lines of `report.md`."""
    said = items(answer)
    gains = said[said.index(next(s for s in said if s.startswith("For whom"))) + 1 :] if answer.gains else []
    head = said[: len(said) - len(gains)]
    return [
        f"## {answer.instance}: {answer.headline()}",
        "",
        design_sentence(answer),
        "",
        "| | independent | joint | saving |",
        "|---|---|---|---|",
        *(f"| {label} | {s.independent:,.2f} | {s.joint:,.2f} | {s.percent:+.1f}% |" for label, s in box_rows(answer)),
        "",
        *(f"- {line}" for line in head),
        *(f"  - {line}" for line in gains),
    ]
