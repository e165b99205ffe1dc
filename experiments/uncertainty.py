"""How sure are we: the answer under uncertain inputs (issue 34).

**Inputs.** Each assumed input is a factor on the instance's own value, with a
distribution (`Uncertain`: uniform, triangular or lognormal) and the reason for its range
(`DEFAULT_INPUTS`, overridable by the config's `uncertain_inputs`). They fall in two
kinds, by what a change does to a plan:

- *re-plan* (routes are planned again in every scenario): the vans' fixed cost and cost
  per km (they trade vans against km), the demand level; and day-to-day demand, each
  node's parcels per company drawn around the scenario's level (Poisson, or negative
  binomial with `demand_dispersion` > 0), from the scenario's own seed;
- *re-cost* (the plan is the same, its cost is not): the centers' fixed costs, the
  line-haul truck's costs, the hub's costs, the village staff's feeder trips. None of
  them changes a route once the design (centers, scope, line-haul design) is given.

**Designs.** `N` scenarios (`--uncertainty N`, config `scenarios`) are drawn from the
master seed: Morris trajectories (SALib, N / (D + 1) of them, 4 levels), Sobol' (SALib's
Saltelli scheme, N / (2D + 2) base samples) or a Latin hypercube (`scipy.stats.qmc`),
all on the unit cube, each coordinate then mapped through its input's inverse
distribution. Every scenario is planned and routed for independent delivery and for the
alliance's best design of the base run (its centers rule, routing scope and line-haul
design), on a fixed iteration budget, so a scenario gives the same result on any
machine (`experiments.scenarios`).

**What is reported** (`summary`, `indices`): P(joint delivery pays) with its 95% Wilson
interval, with line-haul and without; the saving's mean and 5th and 95th percentiles in
CNY and percent, and the same for E; per company, the probability it gains under the
proportional rules (the parcels' and the km-weighted parcels' shares of the scenario's own
planned cost); and, where the base run played the exact game, under every rule of the
*re-costed game* (`recost_gains`: each coalition's base plan priced at the scenario's
factors; planning every coalition in every scenario would cost 2^n plans a scenario);
the spread of the saving over scenarios beside the solver noise (the standard deviation
of the joint TC over the base run's seeds, largest over solvers); the global sensitivity of the saving to each
input (Morris mu* and sigma, Sobol' first and total order with confidence intervals, or
for a Latin hypercube standardised regression coefficients), and the input that decides
the answer (the largest index).
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from lastmile.distances import same_locations
from lastmile.model import Instance

METHODS = ("morris", "sobol", "lhs")
REPLAN = frozenset({"vehicle_fixed_cost", "cost_per_km", "demand", "daily_demand"})
#: The input whose coordinate picks the day of day-to-day demand (`day_seed`), not a factor.
DAY = "daily_demand"


@dataclass(frozen=True)
class Uncertain:
    """One uncertain input: a factor on the instance's value, its distribution
    (`uniform` on [low, high], `triangular` with `mode`, or `lognormal` with median 1
    and `sigma`, cut to [low, high]) and why that range."""

    name: str
    distribution: str
    low: float
    high: float
    mode: float = 1.0
    sigma: float = 0.2
    reason: str = ""

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The factors at the unit-cube coordinates `u`."""
        u = np.asarray(u, dtype=float)
        if self.distribution == "uniform":
            return self.low + u * (self.high - self.low)
        if self.distribution == "triangular":
            c = (self.mode - self.low) / (self.high - self.low)
            return stats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low)
        if self.distribution == "lognormal":
            cut = stats.norm.cdf(np.log([self.low, self.high]) / self.sigma)
            return np.exp(self.sigma * stats.norm.ppf(cut[0] + u * (cut[1] - cut[0])))
        raise ValueError(f"unknown distribution {self.distribution!r}")

    @property
    def replans(self) -> bool:
        return self.name in REPLAN


DEFAULT_INPUTS = (
    Uncertain(
        "vehicle_fixed_cost",
        "triangular",
        0.7,
        1.5,
        reason="assumed: a van-day's lease and wage; seed 002 sweeps it from 0.5 to 2.5 times (its Fig. 11)",
    ),
    Uncertain(
        "cost_per_km",
        "triangular",
        0.8,
        1.3,
        reason="assumed: fuel and wear; Table 8's companies pay 2.08 to 2.28 CNY/km, 10% apart",
    ),
    Uncertain("center_fixed_cost", "uniform", 0.5, 1.5, reason="assumed: neither seed gives a center's daily cost"),
    Uncertain(
        "line_haul",
        "uniform",
        0.5,
        1.5,
        reason="assumed: the study counts no line-haul; Xiqing's answer turns at about 63% of the assumed truck",
    ),
    Uncertain("hub_cost", "uniform", 0.5, 2.0, reason="assumed: a leased cross-dock bay's rent and staff"),
    Uncertain(
        "feeder",
        "uniform",
        0.5,
        1.5,
        reason="assumed: seed 004 prices none of the village staff's daily trips (36% of Ling Shan's status quo)",
    ),
    Uncertain(
        "demand",
        "triangular",
        0.8,
        1.2,
        reason="seed 002's Fig. 12 sweeps demand by 20% either way",
    ),
    Uncertain(
        DAY,
        "uniform",
        0.0,
        1.0,
        reason="which day: each node's parcels per company drawn around the demand level "
        "(Poisson, or negative binomial with demand_dispersion)",
    ),
)


def day_seed(master: int, label: str, coordinate: float, group: int) -> int:
    """The day-to-day demand's seed of a scenario: from its `DAY` coordinate and its
    `group` (a Morris trajectory: each trajectory its own days; 0 otherwise), so two
    scenarios that differ in another input only share their day."""
    key = (zlib.crc32(label.encode()), 34, group, round(coordinate * 2**20))
    return int(np.random.SeedSequence(master, spawn_key=key).generate_state(1)[0])


def inputs(overrides: Sequence[Mapping[str, object]] = ()) -> tuple[Uncertain, ...]:
    """`DEFAULT_INPUTS` with the config's `uncertain_inputs` replacing those of the same name."""
    by_name = {u.name: u for u in DEFAULT_INPUTS}
    for raw in overrides:
        name = str(raw["name"])
        base = by_name.get(name, Uncertain(name, "uniform", 1.0, 1.0))
        by_name[name] = replace(base, **{k: v for k, v in raw.items() if k != "name"})  # type: ignore[arg-type]
    return tuple(by_name.values())


def sample(method: str, count: int, uncertain: Sequence[Uncertain], seed: int) -> np.ndarray:
    """Unit-cube coordinates of the scenarios (rows), about `count` of them (module
    docstring): Morris, Sobol' or a Latin hypercube, all from `seed`."""
    d = len(uncertain)
    problem = {"num_vars": d, "names": [u.name for u in uncertain], "bounds": [[0.0, 1.0]] * d}
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, max(2, count // (d + 1)), num_levels=4, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        base = max(2, 2 ** math.floor(math.log2(max(2, count // (2 * d + 2)))))
        return sobol.sample(problem, base, calc_second_order=True, seed=seed)
    if method == "lhs":
        return stats.qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(count)
    raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")


def factors(unit: np.ndarray, uncertain: Sequence[Uncertain]) -> list[dict[str, float]]:
    """Each scenario's factors by input name."""
    values = np.column_stack([u.ppf(unit[:, k]) for k, u in enumerate(uncertain)])
    return [{u.name: float(values[s, k]) for k, u in enumerate(uncertain)} for s in range(len(unit))]


def scaled(instance: Instance, factor: Mapping[str, float], *, replan: bool) -> Instance:
    """The instance with the scenario's factors of one kind applied: those that re-plan
    (`replan`: the vans' costs; the instance routes are planned on) or those that only
    re-cost (centers, trucks, hub, feeder; applied to the plan's instance to cost it)."""
    f = {k: float(v) for k, v in factor.items()}
    if not replan:
        return _recosted(instance, f)
    companies = tuple(
        replace(
            c,
            fleet=replace(
                c.fleet,
                fixed_cost=c.fleet.fixed_cost * f.get("vehicle_fixed_cost", 1.0),
                cost_per_km=c.fleet.cost_per_km * f.get("cost_per_km", 1.0),
            ),
        )
        for c in instance.companies
    )
    joint = instance.joint_fleet
    if joint is not None:
        joint = replace(
            joint,
            fixed_cost=joint.fixed_cost * f.get("vehicle_fixed_cost", 1.0),
            cost_per_km=joint.cost_per_km * f.get("cost_per_km", 1.0),
        )
    return same_locations(instance, companies=companies, joint_fleet=joint)


def _recosted(instance: Instance, f: Mapping[str, float]) -> Instance:
    """The re-cost factors: centers' fixed costs, the trucks (line-haul and the hub's
    shuttles alike), the feeder vehicle, the hubs' fixed and handling costs."""
    changes: dict[str, object] = {
        "centers": tuple(
            replace(c, fixed_cost=c.fixed_cost * f.get("center_fixed_cost", 1.0)) for c in instance.centers
        ),
        "hubs": tuple(
            replace(
                h,
                fixed_cost=h.fixed_cost * f.get("hub_cost", 1.0),
                handling_cost=h.handling_cost * f.get("hub_cost", 1.0),
            )
            for h in instance.hubs
        ),
    }
    for field, key in (("line_haul", "line_haul"), ("shuttle", "line_haul"), ("feeder", "feeder")):
        truck = getattr(instance, field)
        if truck is not None:
            scale = f.get(key, 1.0)
            changes[field] = replace(truck, fixed_cost=truck.fixed_cost * scale, cost_per_km=truck.cost_per_km * scale)
    return same_locations(instance, **changes)


def daily_demand(instance: Instance, level: float, day: int, dispersion: float) -> Instance:
    """Each node's parcels per company on day `day` around `level` times the
    instance's: Poisson, or negative binomial of mean m and variance m + dispersion m^2,
    by the inverse distribution of one uniform per node and company drawn from the day's
    seed. Scenarios of the same day thus differ in their demand only by their level, and
    more demand never means fewer parcels at a node (common random numbers: an
    elementary effect of Morris, or a Sobol' column swap, sees the input it changes and
    not a fresh draw)."""
    entries = [
        (k, side, c, q)
        for k, n in enumerate(instance.nodes)
        for side in ("demand", "pickup")
        for c, q in getattr(n, side).items()
    ]
    u = np.random.default_rng(day).random(len(entries))  # one per entry: the stream never depends on the level
    means = np.array([q for *_, q in entries], dtype=float) * level
    safe = np.where(means > 0, means, 1.0)
    if dispersion <= 0:
        drawn = stats.poisson.ppf(u, safe)
    else:
        n = 1.0 / dispersion
        drawn = stats.nbinom.ppf(u, n, n / (n + safe))
    drawn = np.where(means > 0, drawn, 0.0)
    values: dict[tuple[int, str], dict[str, float]] = {}
    for (k, side, company, _), value in zip(entries, drawn, strict=True):
        values.setdefault((k, side), {})[company] = float(value)
    nodes = tuple(
        replace(node, demand=values.get((k, "demand"), {}), pickup=values.get((k, "pickup"), {}))
        for k, node in enumerate(instance.nodes)
    )
    return same_locations(instance, nodes=nodes)


#: Which factor scales each part of TC a coalition row keeps (`experiments.game.COST_PARTS`).
PART_FACTOR = {
    "C1": "vehicle_fixed_cost",
    "C2": "cost_per_km",
    "C3": "cost_per_km",  # the congestion surcharge is priced per km
    "C4": "center_fixed_cost",
    "LH": "line_haul",
    "feeder": "feeder",
}


def input_table(uncertain: Sequence[Uncertain]) -> pd.DataFrame:
    """The inputs as declared: distribution, range, what a change does, why that range."""
    return pd.DataFrame(
        [
            {
                "input": u.name,
                "distribution": u.distribution,
                "low": u.low,
                "high": u.high,
                "mode": u.mode if u.distribution == "triangular" else math.nan,
                "sigma": u.sigma if u.distribution == "lognormal" else math.nan,
                "effect": "re-plan" if u.replans else "re-cost",
                "reason": u.reason,
            }
            for u in uncertain
        ]
    )


def recost_gains(
    coalitions: pd.DataFrame,
    scenario_factors: Sequence[Mapping[str, float]],
    players: Sequence[str],
    shares: Mapping[str, Mapping[str, float]],
) -> dict[tuple[str, str], list[bool]]:
    """Per (rule, company), whether the company gains in each scenario under the
    allocation game of the base run's coalitions re-costed at the scenario's factors
    (each coalition's plan held, its TC's parts scaled: `PART_FACTOR`; the demand level
    and day-to-day demand, which would re-plan every coalition, are not in it). Exact
    games only (every coalition evaluated); the first allocation solver and seed."""
    from experiments.game import coalition_game, members_of
    from lastmile import allocation

    ok = coalitions[coalitions["status"] != "error"]
    if ok.empty:
        return {}
    solver, seed = sorted(ok.groupby(["solver", "seed"]).groups)[0]
    mine = ok[(ok["solver"] == solver) & (ok["seed"] == seed)]
    costed = mine["costs"].fillna("") != ""
    if len(mine) != 2 ** len(players) - 1 or not costed[mine["feasible"]].all():
        return {}  # a coalition missing, or stored before its parts were kept
    base = {}
    for _, row in mine.iterrows():
        value = float(row["TC"]) if row["feasible"] else math.inf
        base[members_of(row["coalition"])] = (value, json.loads(row["costs"] or "{}"))
    out: dict[tuple[str, str], list[bool]] = {}
    for factor in scenario_factors:
        values = {
            s: tc + sum((factor.get(PART_FACTOR[k], 1.0) - 1.0) * v for k, v in parts.items() if k in PART_FACTOR)
            for s, (tc, parts) in base.items()
        }
        game, _ = coalition_game(tuple(players), values, exact=True)
        stand_alone = game.stand_alone()
        rules = {f"proportional to {w} (re-costed game)": allocation.proportional(game, shares[w]) for w in shares}
        rules["Shapley (re-costed game)"] = allocation.shapley(game)
        named = "nucleolus" if allocation.has_imputations(game) else "prenucleolus"
        rules[f"{named} (re-costed game)"] = allocation.nucleolus(game)
        for rule, x in rules.items():
            for p in players:
                out.setdefault((rule, p), []).append(x[p] < stand_alone[p] - 1e-9 * max(1.0, stand_alone[p]))
    return out


# --- what the scenarios say ----------------------------------------------------------------


def wilson(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion."""
    if trials == 0:
        return math.nan, math.nan
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Outcome:
    """What the scenarios of one instance say about one quantity's saving."""

    quantity: str
    scenarios: int
    pays: float  # share of scenarios where joint delivery is cheaper (or emits less)
    low: float  # 95% Wilson interval of that share
    high: float
    mean: float  # the saving, CNY (or kg)
    p5: float
    p95: float
    mean_pct: float
    p5_pct: float
    p95_pct: float


def outcome(quantity: str, independent: np.ndarray, joint: np.ndarray) -> Outcome:
    saving = independent - joint
    percent = 100 * saving / np.where(independent != 0, independent, np.nan)
    wins = int((saving > 0).sum())
    low, high = wilson(wins, len(saving))
    return Outcome(
        quantity,
        len(saving),
        wins / len(saving) if len(saving) else math.nan,
        low,
        high,
        float(np.mean(saving)),
        float(np.percentile(saving, 5)),
        float(np.percentile(saving, 95)),
        float(np.nanmean(percent)),
        float(np.nanpercentile(percent, 5)),
        float(np.nanpercentile(percent, 95)),
    )


def indices(method: str, unit: np.ndarray, response: np.ndarray, uncertain: Sequence[Uncertain]) -> pd.DataFrame:
    """Each input's global sensitivity index for `response` (module docstring), largest
    first in `index` (mu*, ST or |SRC|)."""
    names = [u.name for u in uncertain]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    if method == "morris":
        from SALib.analyze import morris

        found = morris.analyze(problem, unit, response, num_levels=4, print_to_console=False)
        table = pd.DataFrame(
            {
                "input": names,
                "mu_star": found["mu_star"],
                "mu_star_conf": found["mu_star_conf"],
                "sigma": found["sigma"],
            }
        )
        table["index"] = table["mu_star"]
    elif method == "sobol":
        from SALib.analyze import sobol

        found = sobol.analyze(problem, response, calc_second_order=True, print_to_console=False)
        table = pd.DataFrame(
            {
                "input": names,
                "S1": found["S1"],
                "S1_conf": found["S1_conf"],
                "ST": found["ST"],
                "ST_conf": found["ST_conf"],
            }
        )
        table["index"] = table["ST"]
    else:
        x = (unit - unit.mean(axis=0)) / np.where(unit.std(axis=0) > 0, unit.std(axis=0), 1.0)
        y = (response - response.mean()) / (response.std() or 1.0)
        coef, *_ = np.linalg.lstsq(np.column_stack([x, np.ones(len(x))]), y, rcond=None)
        table = pd.DataFrame({"input": names, "SRC": coef[:-1]})
        table["index"] = table["SRC"].abs()
    table["replans"] = [u.replans for u in uncertain]
    return table.sort_values("index", ascending=False, kind="stable").reset_index(drop=True)


def summarize(
    rows: pd.DataFrame,
    unit: np.ndarray,
    uncertain: Sequence[Uncertain],
    method: str,
    game: Mapping[tuple[str, str], list[bool]] | None = None,
    noise: float = math.nan,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What one instance's scenarios say (module docstring): per quantity the
    `Outcome`; per company and proportional rule the probability it gains; and the
    sensitivity `indices` of the saving (TC with line-haul). Scenarios without an outcome
    (no plan, infeasible) count as not paying and are counted apart in `Outcome`'s
    `scenarios` (the ok ones)."""
    ok = rows[rows["status"] == "ok"].sort_values("scenario")
    out = []
    for quantity in ("TC", "TC_no_LH", "E", "E_no_LH"):
        independent = ok[f"{quantity}_independent"].to_numpy(float)
        joint = ok[f"{quantity}_joint"].to_numpy(float)
        spread = float(np.std(independent - joint, ddof=1)) if len(ok) > 1 else math.nan
        out.append(
            outcome(quantity, independent, joint).__dict__
            | {"failed": int(len(rows) - len(ok)), "scenario_sd": spread, "solver_noise_sd": noise}
        )
    gains: dict[tuple[str, str], list[bool]] = {}
    for _, row in ok.iterrows():
        companies = json.loads(row["companies"])
        for rule, key in (("proportional to parcels", "parcels"), ("proportional to km-weighted parcels", "weighted")):
            total = sum(c[key] for c in companies.values()) or 1.0
            for company, c in companies.items():
                gains.setdefault((rule, company), []).append(c["alone"] > row["TC_joint"] * c[key] / total)
    gains |= dict(game or {})
    companies_table = pd.DataFrame(
        [
            {
                "rule": rule,
                "company": company,
                "gains": sum(won) / len(won),
                "low": wilson(sum(won), len(won))[0],
                "high": wilson(sum(won), len(won))[1],
            }
            for (rule, company), won in gains.items()
        ]
    )
    response = np.zeros(len(rows))
    keep = rows.sort_values("scenario")
    saving = (keep["TC_independent"] - keep["TC_joint"]).to_numpy(float)
    response[:] = np.where(np.isfinite(saving), saving, np.nanmean(saving) if np.isfinite(saving).any() else 0.0)
    table = indices(method, unit[: len(keep)], response, uncertain) if len(keep) == len(unit) else pd.DataFrame()
    return pd.DataFrame(out), companies_table, table


# --- as a paper prints it ------------------------------------------------------------------

QUANTITIES = {"TC": "TC (CNY)", "TC_no_LH": "TC w/o LH (CNY)", "E": "E (kg CO2)", "E_no_LH": "E w/o LH (kg CO2)"}


def outcome_rows(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The `uncertainty` table as printed: per quantity P(pays) and its 95% interval, the
    saving's mean and 90% interval (5th to 95th percentile) in units and percent, the
    saving's spread over scenarios beside the solver noise (sd)."""
    rows = []
    for _, o in outcomes.iterrows():
        noise = f"{o['solver_noise_sd']:,.1f}" if str(o["quantity"]).startswith("TC") else "--"
        rows.append(
            {
                "quantity": QUANTITIES.get(str(o["quantity"]), str(o["quantity"])),
                "P(pays) % (95% CI)": f"{100 * o['pays']:.0f} ({100 * o['low']:.0f} to {100 * o['high']:.0f})",
                "saving mean": o["mean"],
                "saving 90% interval": f"{o['p5']:,.0f} to {o['p95']:,.0f}",
                "saving %": o["mean_pct"],
                "saving % 90% interval": f"{o['p5_pct']:.1f} to {o['p95_pct']:.1f}",
                "sd scenarios / seeds": f"{o['scenario_sd']:,.1f} / {noise}",
            }
        )
    return pd.DataFrame(rows)


def company_rows(companies: pd.DataFrame) -> pd.DataFrame:
    """P(the company gains) (%) by rule (rows) and company (columns)."""
    if companies.empty:
        return companies
    wide = companies.pivot(index="rule", columns="company", values="gains") * 100
    order = list(dict.fromkeys(companies["rule"]))
    return wide.loc[order, list(dict.fromkeys(companies["company"]))].reset_index()
