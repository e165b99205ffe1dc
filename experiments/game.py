"""Who gains from joint delivery: coalition values and their cost allocations (issue 12).

A coalition S of companies delivers its parcels jointly, the other companies absent
(`lastmile.subset.coalition`), through the same pipeline as the whole alliance
(`experiments.plan.plan_instance`: regions, modes, centers, the fleet shared out, one
routing problem per region), each region solved by the allocation solver, the joint
routes costed by `evaluate` and checked by `check` (`aggregate.delivery_row`). A single
company delivers independently from its depot over what it serves today (`baseline`),
so a coalition of one costs what the company pays alone. Each value is one
`CoalitionRow` in the store, committed as it arrives, so a game resumes after a kill.

Modelling choices (named in `GameOptions`, documented in docs/architecture.md):

- `fit_regions`: the study's framework gives each region at least one vehicle. A
  coalition whose pooled fleet is smaller than the number of regions the division
  finds is divided again, asking for as many regions as it has vehicles; if even that
  cannot be planned, the coalition has no joint plan;
- a coalition without a joint plan, or whose joint plan costs more than splitting,
  delivers as its cheapest split into smaller coalitions (`allocation.cheapest`); the
  grand coalition's joint cost is the one shared, so a reader sees at once when
  splitting would beat the alliance;
- `feeder_share` (instances with a status quo, seed 004): the village staff fetch every
  company's parcels together today, so a company alone pays its parcels' share of
  today's feeder trips (`"shared"`, the default: the companies alone then add up to the
  status quo the experiment reports); `"alone"` charges it the trips its own parcels
  would need if no other company were there, which makes every village trip its own;
- up to `exact_max` companies every coalition is evaluated (exact Shapley value,
  nucleolus, or the prenucleolus when the alliance costs more than the companies
  alone, full core check); above that, the coalitions of `samples` random orders
  (sampled Shapley value with 95% intervals; the core check over those coalitions;
  a coalition without a joint plan, or dearer than its members alone, costs them
  alone);
- a coalition whose run crashed (status `error`) is evaluated again on resume; until
  it has a value its game is reported incomplete, with no allocation.
"""

from __future__ import annotations

import json
import math
import time
import traceback
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from experiments.aggregate import delivery_row
from experiments.plan import FleetTooSmall, Plan, PlanError, PlanOptions, baseline, company_problems, plan_instance
from experiments.runner import Work
from experiments.solvers import solve
from experiments.store import CoalitionRow
from lastmile import allocation
from lastmile.cost import feeder
from lastmile.distances import tables
from lastmile.model import Instance, Route, Solution
from lastmile.policies import has_status_quo, status_quo
from lastmile.subset import coalition

#: Joins a coalition's companies in its name (`A+S+J`).
JOIN = "+"
#: The cost bases an allocation shares: TC with line-haul, and the study's TC without.
BASES = ("TC", "TC_no_LH")
#: TC's parts a coalition row keeps (`CoalitionRow.costs`), so a scenario can re-cost it.
COST_PARTS = ("C1", "C2", "C3", "C4", "LH", "feeder")


@dataclass(frozen=True)
class GameOptions:
    """How the game is played: solvers, budget, and the modelling choices above."""

    solvers: tuple[str, ...] = ("ga",)
    iterations: int | None = 50  # per routing run (the clock `time_limit` caps the others)
    time_limit: float = 1.0
    exact_max: int = 10  # companies up to which every coalition is evaluated
    samples: int = 200  # random orders for the sampled Shapley value above exact_max
    fit_regions: bool = True
    feeder_share: str = "shared"  # or "alone"


def name(members: Sequence[str]) -> str:
    return JOIN.join(members)


def members_of(label: str) -> frozenset[str]:
    return frozenset(label.split(JOIN))


def orders_seed(master_seed: int, label: str) -> np.random.SeedSequence:
    """The sampled Shapley value's orders: from the master seed and the instance label."""
    return np.random.SeedSequence(master_seed, spawn_key=(zlib.crc32(f"{label}:shapley".encode()),))


def sampled_orders(
    players: Sequence[str], options: GameOptions, orders: np.random.SeedSequence
) -> list[tuple[str, ...]]:
    """The random orders of the sampled Shapley value (the same wherever they are drawn)."""
    return allocation.permutations(players, options.samples, np.random.default_rng(orders))


def coalitions(players: Sequence[str], options: GameOptions, orders: np.random.SeedSequence) -> list[tuple[str, ...]]:
    """The coalitions the game evaluates, in the players' order: all of them up to
    `exact_max` players, else the sampled orders' prefixes and every single player."""
    if len(players) <= options.exact_max:
        masks = sorted(range(1, 1 << len(players)), key=lambda m: (m.bit_count(), m))
        return [tuple(p for k, p in enumerate(players) if m >> k & 1) for m in masks]
    wanted = allocation.prefixes(sampled_orders(players, options, orders)) | {frozenset({p}) for p in players}
    return sorted((tuple(p for p in players if p in s) for s in wanted), key=lambda s: (len(s), s))


@dataclass(frozen=True)
class CoalitionTask:
    """One coalition's value by one solver and seed; `planning` is the (entropy,
    spawn key) of the seed sequence the whole instance was planned with, so every plan
    of the coalition starts from the same random stream as the alliance's."""

    label: str
    members: tuple[str, ...]
    solver: str
    seed: int
    instance: Instance
    planning: tuple[int, tuple[int, ...]]
    plan_options: PlanOptions
    options: GameOptions
    regions: Mapping[str, int] = field(default_factory=dict)  # node -> region of the grand plan (districts)

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.label, name(self.members), self.solver, self.seed)


def _row(task: CoalitionTask, status: str, started: float, message: str = "", **values: object) -> CoalitionRow:
    figures: dict[str, object] = dict.fromkeys(("TC", "TC_no_LH", "E", "E_no_LH", "km")) | {
        "vehicles": 0,
        "parcels": 0.0,
        "regions": 0,
        "feasible": False,
    }
    figures |= values
    return CoalitionRow(
        instance=task.label,
        coalition=name(task.members),
        solver=task.solver,
        seed=task.seed,
        size=len(task.members),
        status=status,
        time_s=round(time.perf_counter() - started, 3),
        message=message,
        **figures,  # type: ignore[arg-type]
    )


def _plan(sub: Instance, task: CoalitionTask) -> Plan:
    """The coalition's plan; with `fit_regions`, divided again into as many regions as
    the coalition has vehicles when the division found more regions than that (a fleet
    too small for the regions' loads, or a failed location stage, is no plan)."""
    options = replace(task.plan_options, compare_algorithms=False, independent=False)
    entropy, key = task.planning

    def fresh() -> np.random.Generator:  # planning spawns from its generator's seed sequence
        return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=key))

    try:
        return plan_instance(sub, task.label, fresh(), options)
    except FleetTooSmall as exc:
        if not task.options.fit_regions or exc.regions <= exc.vehicles:
            raise
        return plan_instance(sub, task.label, fresh(), replace(options, n_regions=exc.vehicles))


def value_of(task: CoalitionTask) -> CoalitionRow:
    """The coalition's delivery, costed and checked; never raises (a failure is a row)."""
    started = time.perf_counter()
    try:
        sub = coalition(task.instance, task.members)
        if len(task.members) == 1:
            alone = baseline(sub)
            (company,) = task.members
            # the company's independent delivery exactly as the delivery table has it
            problems = company_problems(alone, company, task.regions, task.plan_options.independent_max_customers)
            judged, delivery = alone, "independent"
        else:
            try:
                plan = _plan(sub, task)
            except PlanError as exc:
                return _row(task, "no plan", started, str(exc))
            problems = {r: plan.problems[r] for r in plan.joint_regions}  # type: ignore[misc]
            judged, delivery = plan.planned, "joint"
        routes: list[Route] = []
        for region, problem in problems.items():
            result = solve(
                task.solver,
                problem,
                time_limit=task.options.time_limit,
                seed=task.seed,
                iterations=task.options.iterations,
            )
            if not result.feasible or result.solution is None or result.solution.routes is None:
                return _row(task, "infeasible", started, f"{region}: {result.status} {result.message}".strip())
            routes += [r for r in result.solution.routes if r.stops]
        solution = Solution.independent(routes) if delivery == "independent" else Solution.routed(routes)
        row = delivery_row(judged, solution, delivery, task.solver, task.seed)
        figures = {k: row[k] for k in ("TC", "TC_no_LH", "E", "E_no_LH", "km", "vehicles", "parcels")}
        parts = {k: float(row[k]) for k in COST_PARTS}  # type: ignore[arg-type]
        if delivery == "independent" and task.options.feeder_share == "shared":
            shared = _shared_feeder(task.instance, judged, task.members[0], figures)
            parts["feeder"] += shared.get("TC", figures["TC"]) - figures["TC"]  # type: ignore[operator]
            figures |= shared
        figures["costs"] = json.dumps(parts, sort_keys=True)
        status = "ok" if row["feasible"] else "infeasible"
        return _row(
            task, status, started, str(row["violations"]), feasible=row["feasible"], regions=len(problems), **figures
        )
    except Exception as exc:  # stored as an error row, never allowed to stop the others
        return _row(task, "error", started, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")


def _shared_feeder(instance: Instance, alone: Instance, company: str, figures: dict[str, object]) -> dict[str, float]:
    """A company's figures with its own feeder trips replaced by its parcels' share of
    today's trips for every company (`feeder_share = "shared"`)."""
    own = feeder(alone)
    if own is None or not has_status_quo(instance):
        return {}
    today = feeder(status_quo(instance))
    assert today is not None
    villages = [n for n in instance.nodes if n.town is not None]
    mine = sum(n.demand.get(company, 0.0) + n.pickup.get(company, 0.0) for n in villages)
    share = mine / sum(n.total_demand + n.total_pickup for n in villages)
    money = share * today.cost - own.cost
    co2 = share * today.co2_kg - own.co2_kg
    return {
        "TC": float(figures["TC"]) + money,  # type: ignore[arg-type]
        "TC_no_LH": float(figures["TC_no_LH"]) + money,  # type: ignore[arg-type]
        "E": float(figures["E"]) + co2,  # type: ignore[arg-type]
        "E_no_LH": float(figures["E_no_LH"]) + co2,  # type: ignore[arg-type]
    }


def _failed(task: CoalitionTask, message: str) -> CoalitionRow:
    return _row(task, "error", time.perf_counter(), message)


def _describe(row: CoalitionRow) -> str:
    return f"{row.coalition} {row.solver} {row.status}"


COALITIONS: Work[CoalitionTask, CoalitionRow] = Work(value_of, _failed, _describe)


def weights(plan: Plan) -> dict[str, dict[str, float]]:
    """Each company's parcels (delivered and collected; seed 004's volume share) and
    its km-weighted parcels (each node's parcels times the km from the center of its
    region in the alliance's plan), the weights of the proportional rules."""
    instance = plan.instance
    km = tables(instance).km
    index = instance.index
    center = {node: spec.center for spec in plan.specs for node in spec.nodes}
    parcels = dict.fromkeys((c.id for c in instance.companies), 0.0)
    weighted = dict(parcels)
    for node in instance.nodes:
        for company in parcels:
            q = node.demand.get(company, 0.0) + node.pickup.get(company, 0.0)
            parcels[company] += q
            if node.id in center:
                weighted[company] += q * float(km[index[center[node.id]], index[node.id]])
    return {"parcels": parcels, "km-weighted parcels": weighted}


def coalition_game(
    players: tuple[str, ...], values: dict[frozenset[str], float], exact: bool
) -> tuple[allocation.Game, dict[str, int]]:
    """The game of a solver's coalition values (inf: no feasible joint plan). Exact:
    every coalition may split (`allocation.cheapest`); sampled: a coalition without a
    joint plan, or whose joint plan costs more than its members alone, costs them alone.
    The grand coalition keeps its joint cost where it has one."""
    grand = frozenset(players)
    alone = {p: values[frozenset({p})] for p in players}
    if exact:
        cost = allocation.cheapest(players, values)
    else:
        cost = {s: min(v, sum(alone[p] for p in s)) for s, v in values.items()}
    if math.isfinite(values[grand]):
        cost[grand] = values[grand]
    planned = {s: v for s, v in values.items() if math.isfinite(v) and len(s) > 1 and s != grand}
    counts = {
        "no_joint_plan": sum(1 for v in values.values() if not math.isfinite(v)),
        "split_cheaper": sum(1 for s, v in planned.items() if cost[s] < v - 1e-9 * max(1.0, v)),
    }
    return allocation.Game(players, cost), counts


def game_tables(
    plan: Plan, rows: pd.DataFrame, orders: np.random.SeedSequence, options: GameOptions
) -> dict[str, pd.DataFrame]:
    """The `allocation` table (per solver, seed, cost basis, rule and company: stand-alone
    cost, allocated cost, saving, within the core or not, the largest excess and the
    coalition that has it) and the `game` table (one row per solver, seed and basis;
    `status` says when a game lacks coalitions, e.g. after failed runs, and has no
    allocation)."""
    players = tuple(c.id for c in plan.instance.companies)
    wanted = {frozenset(c) for c in coalitions(players, options, orders)}
    mine = rows[(rows["instance"] == plan.label) & (rows["status"] != "error")]
    shares = weights(plan)
    exact = len(players) <= options.exact_max
    drawn = [] if exact else sampled_orders(players, options, orders)
    out_rows, game_rows = [], []
    for (solver, seed), group in mine.groupby(["solver", "seed"], sort=True):
        members = [members_of(label) for label in group["coalition"]]
        for basis in BASES:
            values = {
                coalition: float(value) if feasible else math.inf
                for coalition, value, feasible in zip(members, group[basis], group["feasible"], strict=True)
            }
            head = {"solver": solver, "seed": int(seed), "basis": basis, "players": len(players)}
            missing = wanted - set(values)
            singles = [values.get(frozenset({p}), math.inf) for p in players]
            if missing or not all(math.isfinite(v) for v in singles):
                status = (
                    f"incomplete: {len(missing)} coalitions missing, {sum(map(math.isinf, singles))} companies alone"
                )
                game_rows.append(head | {"coalitions": len(values), "status": status})
                continue
            game, counts = coalition_game(players, values, exact)
            rules: dict[str, tuple[dict[str, float], dict[str, float]]] = {
                f"proportional to {w}": (allocation.proportional(game, shares[w]), {}) for w in shares
            }
            epsilon = math.nan
            if exact:
                rules["Shapley"] = (allocation.shapley(game), {})
                named = "nucleolus" if allocation.has_imputations(game) else "prenucleolus"
                rules[named] = (allocation.nucleolus(game), {})
                epsilon = allocation.least_core(game).epsilon
            else:
                rules["Shapley (sampled)"] = allocation.shapley_sampled(game, drawn)
            stand_alone = game.stand_alone()
            grand = game.cost[game.grand]
            for rule, (x, half) in rules.items():
                worst = allocation.core_violation(game, x)
                for p in players:
                    saving = stand_alone[p] - x[p]
                    out_rows.append(
                        {
                            "solver": solver,
                            "seed": int(seed),
                            "basis": basis,
                            "rule": rule,
                            "company": p,
                            "stand_alone": stand_alone[p],
                            "allocated": x[p],
                            "interval": half.get(p, math.nan),
                            "saving": saving,
                            "saving_pct": 100 * saving / stand_alone[p] if stand_alone[p] else math.nan,
                            "in_core": worst.in_core(game),
                            "max_excess": worst.excess,
                            "worst_coalition": name([q for q in players if q in worst.coalition]),
                        }
                    )
            total = sum(stand_alone.values())
            game_rows.append(
                head
                | {
                    "coalitions": len(values),
                    "status": "complete" if exact else f"sampled ({options.samples} orders)",
                    "grand": grand,
                    "stand_alone": total,
                    "saving_pct": 100 * (total - grand) / total if total else math.nan,
                    "least_core_epsilon": epsilon,
                    "core_empty": bool(epsilon > 1e-6 * max(1.0, abs(grand))) if exact else None,
                    **counts,
                }
            )
    return {"allocation": pd.DataFrame(out_rows), "game": pd.DataFrame(game_rows)}
