"""One experiment, from instance files to a folder of results, tables and figures.

The folder holds `results.sqlite` (the store), `results.csv`, `provenance.json`,
`tables/` and `figures/`. Seeds all derive from the configuration's master seed:
the run seeds from `SeedSequence(master_seed)`, each instance's planning generator
from the master seed and the instance's label, so a plan and its runs do not depend
on which other instances are in the experiment.

Sensitivity variants are instances of their own, labelled `NAME@PARAMETER=FACTOR`,
planned with the base instance's generator (so with the same regions, modes and
lockers) and solved by `sensitivity_solver` with the first seed.
"""

from __future__ import annotations

import json
import sys
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.aggregate import delivery_table, division_table, stored_routes
from experiments.beside import Beside
from experiments.best_known import best_known
from experiments.config import Config
from experiments.designs import Bound, best_solution, design_table, joint_bound, plan_map, verdict
from experiments.figures import write_figures
from experiments.folder import ExperimentError, input_hashes
from experiments.game import COALITIONS, CoalitionTask, GameOptions, coalitions, game_tables, orders_seed, weights
from experiments.map_data import map_routes
from experiments.output import write_atomic
from experiments.plan import (
    Plan,
    PlanError,
    PlanOptions,
    plan_instance,
    region_index,
    region_problems,
)
from experiments.provenance import provenance
from experiments.report import write_report
from experiments.report_html import write_html
from experiments.runner import Task, Work, run_all
from experiments.scenarios import SCENARIOS, ScenarioOptions, ScenarioTask
from experiments.scopes import SCOPES, scope_plans
from experiments.solvers import SEEDLESS
from experiments.stages import Stages
from experiments.store import VARIANT, Store
from experiments.tables import write_tables
from experiments.uncertainty import DAY, day_seed, factors, input_table, inputs, recost_gains, sample, summarize
from experiments.windows import window_scenario, window_table
from lastmile.distances import same_locations
from lastmile.model import Instance, Solution
from lastmile.readers import spec_path
from lastmile.routing import RoutingProblem
from simulation.days import day_instance
from simulation.drive import DriveOptions, drive
from zoning import dataset
from zoning.classifier import classifier_table, compare_classifiers

ROOT = Path(__file__).resolve().parents[1]
# Options that decide where runs execute, not what they return: a resumed experiment may change them.
PLACEMENT = ("workers", "scheduler", "out", "memory_share")
#: The spawn key's second word of the uncertainty scenarios' seeds (issue 34), apart from planning's.
UNCERTAINTY_KEY = 34


#: A sensitivity sweep: (parameter, factor, the variant's plan or why it has none).
Sweep = list[tuple[str, float, Plan | str]]


@dataclass(frozen=True)
class Day:
    """One simulated day of an instance: its demand's plan (label `NAME@sim=rRdD`)."""

    base: str
    replication: int
    number: int
    plan: Plan


@dataclass(frozen=True)
class Source:
    spec: str
    instance: Instance
    label: str


def labelled(specs: list[str], instances: list[Instance]) -> list[Source]:
    """Label each instance by its name, numbering repeats (`name`, `name-2`, ...) so that
    no two labels are equal (a file may itself be named `name-2`)."""
    used: set[str] = set()
    out = []
    for spec, instance in zip(specs, instances, strict=True):
        label, k = instance.name, 1
        while label in used:
            k += 1
            label = f"{instance.name}-{k}"
        used.add(label)
        out.append(Source(spec, instance, label))
    return out


def run_seeds(config: Config) -> list[int]:
    return [int(s) for s in np.random.SeedSequence(config.master_seed).generate_state(config.seeds)]


def planning_seed(config: Config, label: str) -> np.random.SeedSequence:
    return np.random.SeedSequence(config.master_seed, spawn_key=(zlib.crc32(label.encode()),))


def generator(config: Config, label: str) -> np.random.Generator:
    return np.random.default_rng(planning_seed(config, label))


def variant(instance: Instance, parameter: str, factor: float) -> Instance:
    """The instance with every vehicle's fixed cost (the companies' and the alliance's),
    the line-haul truck's costs (fixed and per km; 0 is the study's convention), or every
    node's parcels, scaled."""
    if parameter == "line_haul" and instance.line_haul is not None:
        truck = instance.line_haul
        scaled = replace(truck, fixed_cost=truck.fixed_cost * factor, cost_per_km=truck.cost_per_km * factor)
        return same_locations(instance, line_haul=scaled)
    if parameter == "fixed_cost":
        companies = tuple(
            replace(c, fleet=replace(c.fleet, fixed_cost=c.fleet.fixed_cost * factor)) for c in instance.companies
        )
        joint = instance.joint_fleet
        joint = None if joint is None else replace(joint, fixed_cost=joint.fixed_cost * factor)
        return same_locations(instance, companies=companies, joint_fleet=joint)
    nodes = tuple(
        replace(
            n,
            demand={k: q * factor for k, q in n.demand.items()},
            pickup={k: q * factor for k, q in n.pickup.items()},
        )
        for n in instance.nodes
    )
    return same_locations(instance, nodes=nodes)


def tasks_for(plan: Plan, solvers: tuple[str, ...], seeds: list[int], config: Config) -> list[Task]:
    """Every run of the plan's problems, each routing problem on its own sub-instance
    (`RoutingProblem.compact`: a task pickles what its run needs, not the city's tables)."""
    problems = {r: p.compact() if isinstance(p, RoutingProblem) else p for r, p in plan.problems.items()}
    return [
        Task(plan.label, region, solver, seed, problem, config.time_limit, config.iterations, config.stop_on_stall)
        for region, problem in problems.items()
        for solver in solvers
        for k, seed in enumerate(seeds)
        if k == 0 or solver not in SEEDLESS
    ]


def scope_tasks(plan: Plan, solvers: tuple[str, ...], seed: int, config: Config) -> list[Task]:
    """The runs of every routing scope but `region` (`experiments.scopes`) that `config`
    asks for (`whole` also for the price of region division) and that no earlier scope
    already routes: every solver once, with the first seed, each problem with the budget
    of the regions it covers together (the time limit and iterations times their
    number). A solver that cannot take a problem (a multi-depot one) answers with a row
    saying so."""
    wanted = set(config.routing_scopes) | ({"whole"} if config.division_price else set())
    scopes = scope_plans(plan, SCOPES)
    needed = {s.same_as or s.scope for s in scopes if s.scope in wanted}
    tasks = []
    for scope in scopes:
        if scope.scope == "region" or scope.same_as is not None or scope.scope not in needed:
            continue
        for region, problem in scope.problems.items():
            k = scope.regions[region]
            iterations = None if config.iterations is None else config.iterations * k
            compact = problem.compact() if isinstance(problem, RoutingProblem) else problem
            limit, stall = config.time_limit * k, config.stop_on_stall
            tasks += [Task(scope.label, region, s, seed, compact, limit, iterations, stall) for s in solvers]
    return tasks


def wants_designs(plan: Plan, config: Config) -> bool:
    """Whether the plan's joint designs are costed (`experiments.designs`): they answer
    joint against independent delivery, so instances of several companies."""
    return plan.routed and len(plan.instance.companies) > 1 and bool(config.line_haul_designs)


def stored_bound(store: Store, label: str) -> Bound | None:
    """The bound on any joint plan stored when `label` was planned (`Experiment._bound`)."""
    table = store.table("bound")
    mine = table[table["instance"] == label] if not table.empty else table
    if mine.empty:
        return None
    row = mine.iloc[0]
    return Bound(*(row[f.name] for f in fields(Bound)))


def game_options(config: Config) -> GameOptions:
    return GameOptions(
        solvers=config.allocation_solvers,
        iterations=config.allocation_iterations,
        time_limit=config.time_limit,
        exact_max=config.shapley_exact_max,
        samples=config.shapley_samples,
        fit_regions=config.allocation_fit_regions,
        feeder_share=config.allocation_feeder,
    )


class Experiment:
    def __init__(self, config: Config, sources: list[Source], argv: list[str]) -> None:
        self.config = config
        self.sources = sources
        self.argv = argv
        self.folder = Path(config.out)
        self.options = PlanOptions(
            region_algorithm=config.region_algorithm,
            n_regions=config.n_regions,
            louvain_stages=config.louvain_stages,
            scaling_budget_s=config.scaling_budget_s,
            region_budget_s=config.region_budget_s,
            compare_algorithms=config.compare_algorithms,
            independent=config.independent,
            stage_time_limit=config.stage_time_limit,
            independent_max_customers=config.independent_max_customers,
            line_haul=config.line_haul,
        )
        self.failures: list[str] = []
        self.stages = Stages()  # the whole experiment's (`stages.csv`); each plan's are in its `stages` table

    def open_store(self, resume: bool) -> Store:
        """The folder's store: new, or (with `resume`) the same experiment's, made from
        the same configuration and the same instance files (`check_folder` has checked
        that the folder holds a store exactly when resuming)."""
        store = Store(self.folder, create=not resume)
        mine = provenance(ROOT, self.argv, self.config)
        earlier = store.provenance()
        inputs = [(s.label, spec_path(s.spec)) for s in self.sources]
        if earlier is None:
            store.put_meta({"provenance": mine.as_json(), "resumes": [], "inputs": input_hashes(inputs)})
            write_atomic(self.folder / "provenance.json", json.dumps(mine.as_json(), indent=2, sort_keys=True) + "\n")
            return store
        before = {k: v for k, v in earlier.config.as_dict().items() if k not in PLACEMENT}
        now = {k: v for k, v in self.config.as_dict().items() if k not in PLACEMENT}
        if before != now:
            changed = sorted(k for k in now if before.get(k) != now[k])
            store.close()
            raise ExperimentError(
                f"{self.folder} holds an experiment with another configuration ({', '.join(changed)} differ); "
                "resume it with the same options, or use --out for a new folder"
            )
        meta = store.meta()
        stored = meta.get("inputs")
        stored = stored if isinstance(stored, dict) else {}  # a store made before inputs were recorded
        now = input_hashes(inputs)
        changed = [str(path) for label, path in inputs if label in stored and stored[label] != now[label]]
        if changed:
            store.close()
            raise ExperimentError(
                f"{changed[0]}: changed since the runs in {self.folder} were made from it (its SHA-256 "
                "differs); restore it, or start a new experiment with another --out"
            )
        resumes = list(meta.get("resumes", []))  # type: ignore[call-overload]
        resumes.append({"command": mine.command, "at": datetime.now(UTC).isoformat(timespec="seconds")})
        store.put_meta({"resumes": resumes, "inputs": stored | now})
        return store

    def plan(self, store: Store) -> tuple[list[Plan], dict[str, Sweep]]:
        """Every instance's plan, and per instance its sensitivity variants' plans (or, for
        a variant that cannot be planned, why: a finding of the sweep, not a failure)."""
        plans: list[Plan] = []
        sweeps: dict[str, Sweep] = {}
        wanted = self.config.compare_classifiers and any(len(s.instance.companies) > 1 for s in self.sources)
        with Beside(
            compare_classifiers,
            dataset.load(),
            generator(self.config, "classifiers"),
            repeats=self.config.classifier_repeats,
            start=wanted,
        ) as classifiers:
            for source in self.sources:
                self._plan_source(source, store, plans, sweeps)
            if wanted and any("division" in p.tables for p in plans):
                print("comparing the service-mode classifiers", file=sys.stderr, flush=True)
                store.put_table("", "classifiers", classifier_table(classifiers.result()))
        return plans, sweeps

    def _plan_source(self, source: Source, store: Store, plans: list[Plan], sweeps: dict[str, Sweep]) -> None:
        """Plan one instance file: its plan, best-known value, bound on any joint plan and
        sensitivity variants, appended to `plans` and `sweeps`."""
        try:
            plan = self._plan(source.instance, source.label, store)
        except PlanError as exc:
            self.failures.append(f"{source.label}: {exc}")
            return
        plans.append(plan)
        self._bound(plan, store)
        known = best_known(source.spec, source.instance)
        if known is not None:
            store.put_table(source.label, "best_known", pd.DataFrame([{"bks": known, "file": source.spec}]))
        if self.config.sensitivity and plan.independent_regions:
            sweeps[source.label] = []
            for parameter, factors in (
                ("fixed_cost", self.config.fixed_cost_factors),
                ("demand", self.config.demand_factors),
                # the line-haul sweep only where joint delivery pays one (not with --no-line-haul)
                (
                    "line_haul",
                    self.config.line_haul_factors
                    if source.instance.line_haul is not None and self.config.line_haul
                    else (),
                ),
            ):
                for factor in factors:
                    label = f"{source.label}{VARIANT}{parameter}={factor:g}"
                    # the base instance's generator: the same regions, modes and lockers
                    scaled: Plan | str
                    try:
                        scaled = self._plan(variant(source.instance, parameter, factor), label, store, source.label)
                    except PlanError as exc:
                        scaled = str(exc)
                    sweeps[source.label].append((parameter, factor, scaled))

    def _bound(self, plan: Plan, store: Store) -> None:
        """The lower bound on any joint plan (`experiments.designs.joint_bound`), stored as
        the `bound` table when the plan is made: it needs no run, so it is computed while
        the classifiers are compared, and a resumed experiment finds it stored."""
        if not (self.config.bound_time_limit > 0 and wants_designs(plan, self.config)):
            return
        stored = store.table("bound")
        if not stored.empty and (stored["instance"] == plan.label).any():
            return
        bound = joint_bound(plan, self.config.bound_time_limit)
        if bound is not None:
            store.put_table(plan.label, "bound", pd.DataFrame([asdict(bound)]))

    def _plan(self, instance: Instance, label: str, store: Store, seed_label: str | None = None) -> Plan:
        print(f"planning {label}", file=sys.stderr, flush=True)
        plan = plan_instance(instance, label, generator(self.config, seed_label or label), self.options)
        for name, table in plan.tables.items():
            store.put_table(label, name, table)
        return plan

    def run(self, resume: bool, retry_errors: bool = False) -> Store:
        """Plan, run what is not yet stored (with `retry_errors`, also the runs stored as
        `error`), play the game, aggregate; `RunsNotDone` when the cluster lost runs."""
        store = self.open_store(resume)
        with self.stages.stage("planning"):
            plans, sweeps = self.plan(store)
        seeds = run_seeds(self.config)
        tasks = [t for p in plans for t in tasks_for(p, self.config.solvers, seeds, self.config)]
        tasks += [t for p in plans for t in scope_tasks(p, self.config.solvers, seeds[0], self.config)]
        if self.config.window_scenarios:
            tasks += [t for p in plans for t in self.window_tasks(p, seeds[0])]
        for sweep in sweeps.values():
            for _, _, scaled in sweep:
                if isinstance(scaled, Plan):
                    tasks += tasks_for(scaled, (self.config.sensitivity_solver,), seeds[:1], self.config)
        days = self.simulated_days(plans) if self.config.simulate else []
        for day in days:
            tasks += tasks_for(day.plan, (self.config.simulation_solver,), seeds[:1], self.config)
        finished = store.finished(retry_errors=retry_errors)
        todo = [t for t in tasks if t.key not in finished]
        if len(todo) < len(tasks):
            print(f"resuming: {len(tasks) - len(todo)} of {len(tasks)} runs already stored")
        with self.stages.stage("runs"):
            run_all(todo, store.add_run, workers=self.config.workers, scheduler=self.config.scheduler)
        if self.config.allocate is not False:
            with self.stages.stage("allocation game"):
                self.play(store, plans, seeds[0])
        with self.stages.stage("aggregation"):
            self.aggregate(store, plans, sweeps)
        if days:
            with self.stages.stage("simulation"):
                self.simulate(store, plans, days)
        if self.config.scenarios > 0:
            with self.stages.stage("uncertainty"):
                self.uncertainty(store, plans)
        return store

    def scenario_tasks(self, store: Store, plans: list[Plan]) -> list[tuple[Plan, np.ndarray, list[ScenarioTask]]]:
        """Every zoned instance's scenarios (`experiments.uncertainty`): the unit-cube
        design from the master seed and the instance's label, each scenario's factors and
        seed, and the best design of the base run (its `verdict`) to plan in it."""
        uncertain = inputs(self.config.uncertain_inputs)
        options = ScenarioOptions(
            self.config.uncertainty_iterations, self.config.demand_dispersion, self.options.independent_max_customers
        )
        verdicts = store.table("verdict")
        out = []
        for plan in plans:
            found = verdicts[verdicts["instance"] == plan.label] if not verdicts.empty else verdicts
            if not plan.specs or found.empty:
                continue
            best = found.iloc[0]
            key = (zlib.crc32(plan.label.encode()), UNCERTAINTY_KEY)
            design_seed, solver_seed = (
                int(s) for s in np.random.SeedSequence(self.config.master_seed, spawn_key=key).generate_state(2)
            )
            unit = sample(self.config.uncertainty_method, self.config.scenarios, uncertain, design_seed)
            column = [u.name for u in uncertain].index(DAY)
            per_group = len(uncertain) + 1 if self.config.uncertainty_method == "morris" else len(unit)
            tasks = [
                ScenarioTask(
                    plan.label,
                    k,
                    f,
                    day_seed(self.config.master_seed, plan.label, float(unit[k, column]), k // per_group),
                    solver_seed,
                    plan.instance,
                    plan.specs,
                    plan.region_of,
                    str(best["scope"]),
                    str(best["design"]),
                    options,
                )
                for k, f in enumerate(factors(unit, uncertain))
            ]
            out.append((plan, unit, tasks))
        return out

    def uncertainty(self, store: Store, plans: list[Plan]) -> None:
        """Run the scenarios not yet stored, then what they say per instance (tables
        `uncertainty`, `uncertainty_companies`, `uncertainty_indices`) and
        `scenarios.csv`."""
        designs = self.scenario_tasks(store, plans)
        tasks = [t for _, _, ts in designs for t in ts]
        self.run_missing(tasks, store.finished_scenarios(), store.add_scenario, SCENARIOS, "scenarios", "the scenarios")
        rows = store.scenarios()
        values = store.coalitions()
        delivery = store.table("delivery")
        uncertain = inputs(self.config.uncertain_inputs)
        for plan, unit, tasks in designs:
            mine = rows[rows["instance"] == plan.label]
            game = None
            if self.plays(plan) and not values.empty and len(plan.instance.companies) <= self.config.shapley_exact_max:
                players = [c.id for c in plan.instance.companies]
                game = recost_gains(
                    values[values["instance"] == plan.label], [t.factors for t in tasks], players, weights(plan)
                )
            joint = delivery[
                (delivery["instance"] == plan.label) & (delivery["delivery"] == "joint") & delivery["feasible"]
            ]
            noise = joint.groupby("solver")["TC"].std().max() if not joint.empty else float("nan")
            outcomes, companies, sensitivity = summarize(
                mine, unit, uncertain, self.config.uncertainty_method, game, float(noise)
            )
            store.put_table(plan.label, "uncertainty", outcomes)
            store.put_table(plan.label, "uncertainty_companies", companies)
            store.put_table(plan.label, "uncertainty_indices", sensitivity)
            store.put_table(plan.label, "uncertainty_inputs", input_table(uncertain))
        write_atomic(self.folder / "scenarios.csv", rows.to_csv(index=False))

    def window_tasks(self, plan: Plan, seed: int) -> list[Task]:
        """Independent delivery under the other reading of `independent_windows`
        (`experiments.windows`), every solver once with the first seed."""
        scenario = window_scenario(plan, self.options.independent_max_customers)
        if scenario is None:
            return []
        limit, iterations = self.config.time_limit, self.config.iterations
        return [
            Task(scenario.label, region, solver, seed, problem.compact(), limit, iterations, self.config.stop_on_stall)
            for region, problem in scenario.problems.items()
            for solver in self.config.solvers
        ]

    def plays(self, plan: Plan) -> bool:
        """Whether the allocation game is played for the plan: instances of several
        companies with zoned regions, every one with `allocate`, by default (None) those
        of at most `allocation_max_companies`."""
        companies = len(plan.instance.companies)
        if companies < 2 or not plan.specs or self.config.allocate is False:
            return False
        return self.config.allocate is True or companies <= self.config.allocation_max_companies

    def coalition_tasks(self, plans: list[Plan], seed: int) -> list[CoalitionTask]:
        """Every coalition the game evaluates, per instance with several companies and
        per allocation solver (with the first seed)."""
        options = game_options(self.config)
        out = []
        for plan in plans:
            players = tuple(c.id for c in plan.instance.companies)
            if not self.plays(plan):
                continue
            orders = orders_seed(self.config.master_seed, plan.label)
            sequence = planning_seed(self.config, plan.label)
            planning = (int(sequence.entropy), tuple(sequence.spawn_key))  # type: ignore[arg-type]
            index = region_index(plan.specs)  # only a company alone plans by it (its districts)
            for members in coalitions(players, options, orders):
                for solver in options.solvers:
                    out.append(
                        CoalitionTask(
                            plan.label,
                            members,
                            solver,
                            seed,
                            plan.instance,
                            planning,
                            self.options,
                            options,
                            regions=index if len(members) == 1 else {},
                        )
                    )
        return out

    def play(self, store: Store, plans: list[Plan], seed: int) -> None:
        """Evaluate the coalitions not yet stored (each stored as it finishes)."""
        tasks = self.coalition_tasks(plans, seed)
        self.run_missing(tasks, store.finished_coalitions(), store.add_coalition, COALITIONS, "coalitions", "the game")

    def run_missing(self, tasks: list, finished: set, store_row: Callable, work: Work, label: str, what: str) -> None:
        """Run the `tasks` whose key is not `finished`, each row stored as it arrives."""
        todo = [t for t in tasks if t.key not in finished]
        if len(todo) < len(tasks):
            print(f"resuming {what}: {len(tasks) - len(todo)} of {len(tasks)} {label} already stored")
        run_all(todo, store_row, workers=self.config.workers, scheduler=self.config.scheduler, label=label, work=work)

    def simulated_days(self, plans: list[Plan]) -> list[Day]:
        """Each replication's days of every zoned instance, with the day's routing problems."""
        out = []
        for plan in plans:
            if not plan.specs:
                continue
            for replication in range(1, self.config.simulation_replications + 1):
                for number in range(1, self.config.simulation_days + 1):
                    label = f"{plan.label}{VARIANT}sim=r{replication}d{number}"
                    demand = day_instance(plan.instance, generator(self.config, label), self.config.demand_noise)
                    try:
                        planned, problems = region_problems(
                            demand, plan.specs, max_customers=self.options.independent_max_customers
                        )
                    except PlanError as exc:
                        self.failures.append(f"{label}: {exc}")
                        continue
                    day_plan = Plan(label, demand, planned, problems, region_of=plan.region_of, specs=plan.specs)
                    out.append(Day(plan.label, replication, number, day_plan))
        return out

    def simulate(self, store: Store, plans: list[Plan], days: list[Day]) -> None:
        """Drive every day's stored routes under both policies; store the `simulation` rows
        (one per instance, replication, day, policy and region) and write them to
        `simulation_days.csv`."""
        runs = store.runs()
        options = DriveOptions(
            free_flow=self.config.free_flow,
            travel_noise=self.config.travel_noise,
            shift_end_min=self.config.shift_end_min,
        )
        rows: dict[str, list[dict[str, object]]] = {p.label: [] for p in plans}
        for day in days:
            mine = runs[(runs["instance"] == day.plan.label) & runs["feasible"]]
            by_region = {row["region"]: row for _, row in mine.iterrows()}
            for policy, regions, instance in (
                ("joint", day.plan.joint_regions, day.plan.planned),
                ("independent", day.plan.independent_regions, day.plan.independent_instance),
            ):
                routes = [route for r in regions if r in by_region for route in stored_routes(by_region[r])]
                rng = generator(self.config, f"{day.plan.label}:{policy}")
                alone = policy == "independent"
                measured = drive(instance, routes, day.plan.region_of, rng, options, independent=alone)
                for region, values in measured.items():
                    head = {"replication": day.replication, "day": day.number, "policy": policy, "region": region}
                    rows[day.base].append(head | asdict(values))
        for label, table in rows.items():
            if table:
                store.put_table(label, "simulation", pd.DataFrame(table))
        write_atomic(self.folder / "simulation_days.csv", store.table("simulation").to_csv(index=False))

    def aggregate(self, store: Store, plans: list[Plan], sweeps: dict[str, Sweep]) -> None:
        runs = store.runs()
        values = store.coalitions()
        for plan in plans:
            delivery = delivery_table(plan, runs)
            store.put_table(plan.label, "delivery", delivery)
            if self.config.division_price:
                store.put_table(plan.label, "decomposition", division_table(plan, runs))
            if wants_designs(plan, self.config):
                designs = design_table(
                    plan,
                    runs,
                    self.config.line_haul_designs,  # type: ignore[arg-type]
                    self.config.routing_scopes,
                )
                store.put_table(plan.label, "designs", designs)
                bound = stored_bound(store, plan.label)
                found = best_solution(plan, runs, designs)
                if found is not None:
                    store.put_table(plan.label, "map", plan_map(plan.planned, found[1]))
                store.put_table(plan.label, "map_routes", map_routes(plan, runs, found))
                windows = self.windows(plan, runs, found)
                if windows is not None:
                    store.put_table(plan.label, "windows", windows)
                found = verdict(designs, delivery, bound, windows)
                if found is not None:
                    store.put_table(plan.label, "verdict", pd.DataFrame([found]))
            if self.plays(plan) and not values.empty:
                orders = orders_seed(self.config.master_seed, plan.label)
                for name, table in game_tables(plan, values, orders, game_options(self.config)).items():
                    store.put_table(plan.label, name, table)
        for label, sweep in sweeps.items():
            parts = []
            for parameter, factor, plan in sweep:
                if isinstance(plan, str):  # not planned: recorded as an infeasible point
                    table = pd.DataFrame([{"delivery": "joint", "feasible": False, "violations": plan}])
                else:
                    table = delivery_table(plan, runs)
                if not table.empty:
                    parts.append(table.assign(parameter=parameter, factor=factor))
            if parts:
                store.put_table(label, "sensitivity", pd.concat(parts, ignore_index=True))
        store.export_csv(self.folder)

    def windows(self, plan: Plan, runs: pd.DataFrame, found: tuple[dict, Solution] | None) -> pd.DataFrame | None:
        """Both readings of `independent_windows` beside the best joint design, each
        simulated (`experiments.windows.window_table`), beside the best joint design
        (`found`: its design row and solution); None where the scenario does not apply
        or is not asked for."""
        scenario = (
            window_scenario(plan, self.options.independent_max_customers) if self.config.window_scenarios else None
        )
        if scenario is None:
            return None
        joint = None if found is None else (found[0], list(found[1].routes or ()))
        options = DriveOptions(
            free_flow=self.config.free_flow,
            travel_noise=self.config.travel_noise,
            shift_end_min=self.config.shift_end_min,
        )
        rng = generator(self.config, f"{plan.label}:windows")
        return window_table(plan, scenario, runs, joint, rng, options, self.config.simulation_replications)

    def report(self) -> tuple[list[Path], list[Path], list[Path]]:
        """Tables, figures and the reproduction report, from the store alone."""
        with self.stages.stage("tables"):
            tex = write_tables(self.folder)
        with self.stages.stage("figures"):
            figures = write_figures(self.folder)
        with self.stages.stage("report"):
            report = write_report(self.folder) + write_html(self.folder)
        write_atomic(self.folder / "stages.csv", self.stages.table().to_csv(index=False))
        return tex, figures, report
