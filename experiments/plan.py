"""From an instance to the routing problems an experiment solves (stages 1-3 of the study).

What an instance gets depends on what its file holds:

- **the full pipeline** (several companies, e.g. Xiqing, Ling Shan): region division
  (`region_algorithm`, Louvain by default), each region's service mode by XGBoost
  (where every node has community features; otherwise every region is served by
  dynamic joint delivery), k-means lockers in locker regions, each region's center by the
  location model (Eqs. 5-10, p = 1 over all candidates; with `alliance_centers`, that
  many centers located over the whole instance, each region taking the one serving
  most of its parcels), the assignment and transport model (Eqs. 11-16) with those
  centers open, the joint fleet (the alliance's own, or the companies' pooled) shared
  out over the regions, and one routing problem per region; plus, for joint against
  independent delivery, one routing problem per company from its own depot over what it
  serves today (`baseline`: the status quo where the instance has one);
- **location then routing** (several candidate centers and a fleet, e.g. Prodhon
  LRP): the location model (Eqs. 5-10) opens centers and assigns customers; each
  open center's customers are one region;
- **two-echelon routing** (one company, a hub and shuttle trucks, e.g. the 2E-VRP
  sets): the whole instance is one two-echelon problem, `all` (trucks from the hub
  through the centers, vans from the centers: `TwoEchelonProblem.whole`);
- **routing** (one center, e.g. CVRPLIB): the whole instance is one region, `all`;
- **location only** (no fleet, e.g. OR-Library CFLP): the location model is the run.

Every stage is seeded from the generator it is given, so a plan is the same in every
process that makes it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from experiments.stages import Stages
from experiments.store import ALL, INDEPENDENT
from formulations.exact import solve_assignment, solve_location
from lastmile.distances import same_locations, tables
from lastmile.location import LocationProblem
from lastmile.model import Instance
from lastmile.policies import has_status_quo, status_quo
from lastmile.result import SolveResult
from lastmile.routing import RoutingProblem
from lastmile.subset import restrict
from lastmile.two_echelon import TwoEchelonProblem
from zoning import dataset
from zoning.classifier import fit_xgboost, predict_modes
from zoning.graph import delivery_graph
from zoning.lockers import LockerLayout, site_lockers
from zoning.modes import Mode, ModePolicy, region_features, region_problem, with_lockers
from zoning.regions import ALGORITHMS, LABELS, REGION_BUDGET_S, divide, levels_table, region_table
from zoning.scaling import BUDGET_S

LOCKER_SERVICE_MIN = ModePolicy().locker_service_min
#: A company with more customers than this plans its independent delivery in districts
#: (`company_problems`), as a large company does. Measured at 2 s per run (issue 16):
#: a company of 1,489 customers got no plan from GA or OR-Tools, and PyVRP and GA took
#: 5.7 s and 5.6 s (their set-up alone outgrows the limit); the exact model of 500
#: customers took 3.7 s (benchmarks/time_limits.py). Two companies of about 500 customers (city of 1,000 nodes)
#: in districts of at most 300, against one problem: PyVRP -0.1% and -0.5%, GA -3.2%
#: twice, OR-Tools +1.7% and -3.4%; at most 200 cost PyVRP 6%.
INDEPENDENT_MAX_CUSTOMERS = 300
#: Candidate centers a region's location model weighs at most (`_nearest_candidates`).
LOCATION_CANDIDATES = 25
#: Districts that need more vehicles than the company has grow by this factor.
DISTRICT_GROWTH = 1.25


class PlanError(Exception):
    """An instance the pipeline cannot plan (e.g. a fleet too small for the regions)."""


class FleetTooSmall(PlanError):
    """A limited fleet that cannot give every region the vehicles its load needs;
    `regions` and `vehicles` say whether there are simply more regions than vehicles."""

    def __init__(self, message: str, regions: int, vehicles: int) -> None:
        super().__init__(message)
        self.regions = regions
        self.vehicles = vehicles


Problem = RoutingProblem | LocationProblem | TwoEchelonProblem


@dataclass(frozen=True)
class RegionSpec:
    """A zoned region: its nodes, its center (location stage), mode and lockers."""

    name: str
    nodes: tuple[str, ...]
    center: str
    mode: Mode
    lockers: LockerLayout | None = None


@dataclass(frozen=True)
class Plan:
    """What one instance contributes to an experiment.

    `problems` maps a region name to its problem: joint regions first, then
    `independent:<company>`. `planned` is the instance the joint routes of all
    regions are checked against (locker regions' parcels moved onto their lockers).
    """

    label: str
    instance: Instance
    planned: Instance
    problems: Mapping[str, Problem]
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    region_of: Mapping[str, str] = field(default_factory=dict)  # node -> region, where zoning made them
    specs: tuple[RegionSpec, ...] = ()  # the zoned regions, to re-plan on other demand

    @property
    def independent_instance(self) -> Instance:
        """The instance independent routes are checked against: the one the companies'
        problems were made on (`baseline`: as given, or as today's practice serves it)."""
        for region in self.independent_regions:
            problem = self.problems[region]
            if isinstance(problem, RoutingProblem):
                return problem.instance
        return self.instance

    @property
    def routed(self) -> bool:
        """Whether every problem is a (one-echelon) routing problem: not a location-only
        instance, not a two-echelon one."""
        return all(isinstance(p, RoutingProblem) for p in self.problems.values())

    @property
    def joint_regions(self) -> tuple[str, ...]:
        return tuple(r for r in self.problems if not r.startswith(INDEPENDENT))

    @property
    def independent_regions(self) -> tuple[str, ...]:
        return tuple(r for r in self.problems if r.startswith(INDEPENDENT))


@dataclass(frozen=True)
class PlanOptions:
    region_algorithm: str = "louvain"
    n_regions: int | None = None
    louvain_stages: int | None = None  # None: Louvain's levels until modularity stops rising; 2: the study's
    scaling_budget_s: float = BUDGET_S  # per region algorithm, for Table 2's scalability; 0: not measured
    region_budget_s: float = REGION_BUDGET_S  # per algorithm compared in Table 2 (zoning.budget); 0: no limit
    compare_algorithms: bool = True
    independent: bool = True
    stage_time_limit: float = 30.0
    independent_max_customers: int = INDEPENDENT_MAX_CUSTOMERS  # past this, a company plans in districts
    line_haul: bool = True  # False: the study's convention, joint delivery pays no line-haul


def baseline(instance: Instance) -> Instance:
    """What independent delivery serves: the status quo where the instance describes
    one (villages fetched from their towns, seed 004), else the instance itself."""
    return status_quo(instance) if has_status_quo(instance) else instance


def plan_instance(instance: Instance, label: str, rng: np.random.Generator, options: PlanOptions) -> Plan:
    """The plan of one instance (see the module docstring for which pipeline applies)."""
    if not options.line_haul and instance.line_haul is not None:
        instance = same_locations(instance, line_haul=None)
    if not instance.companies:
        return Plan(label, instance, instance, {ALL: LocationProblem(instance)})
    if len(instance.companies) > 1:
        stages = Stages()
        with stages.stage("distances"):
            tables(instance)
        plan = _full_pipeline(instance, label, rng, options, stages)
    elif instance.hubs and instance.shuttle is not None:
        plan = Plan(label, instance, instance, {ALL: TwoEchelonProblem.whole(instance)})
    elif len(instance.centers) > 1:
        plan = _locate_then_route(instance, label, options)
    else:
        plan = Plan(label, instance, instance, {ALL: RoutingProblem.whole(instance)})
    extra = {"locations": locations_table(plan), "provenance": provenance_table(instance)}
    if instance.edges:
        extra["network"] = network_table(instance)
    return replace(plan, tables={**plan.tables, **extra})


def provenance_table(instance: Instance) -> pd.DataFrame:
    """What in the instance is real and what synthetic, as its file says."""
    source = instance.provenance
    rows = [{"kind": "summary", "text": source.summary}] if source.summary else []
    for kind in ("real", "synthetic", "calibration", "sources"):
        rows += [{"kind": kind, "text": text} for text in getattr(source, kind)]
    return pd.DataFrame(rows, columns=["kind", "text"])


def locations_table(plan: Plan) -> pd.DataFrame:
    """Every location with its coordinates and kind; nodes with their joint region."""
    region_of = dict(plan.region_of)
    for name in plan.joint_regions if not region_of else ():
        problem = plan.problems[name]
        if isinstance(problem, RoutingProblem):
            region_of |= dict.fromkeys(problem.customers, name)
    instance = plan.instance
    rows = [{"id": c.id, "kind": "center", "x": c.site.x, "y": c.site.y, "region": ""} for c in instance.centers]
    rows += [
        {"id": c.depot.id, "kind": "depot", "x": c.depot.x, "y": c.depot.y, "region": ""} for c in instance.companies
    ]
    rows += [
        {"id": n.id, "kind": "node", "x": n.x, "y": n.y, "region": region_of.get(n.id, "")} for n in instance.nodes
    ]
    rows += [{"id": h.id, "kind": "hub", "x": h.site.x, "y": h.site.y, "region": ""} for h in instance.hubs]
    return pd.DataFrame(rows).drop_duplicates("id")


def network_table(instance: Instance) -> pd.DataFrame:
    """The road network as segments to draw (`x0, y0, x1, y1`, road type); empty
    without one."""
    where = {loc: instance.site(loc) for loc in instance.location_ids if loc not in instance.node_by_id}
    points = {n.id: (n.x, n.y) for n in instance.nodes} | {v.id: (v.x, v.y) for v in instance.road_vertices}
    points |= {loc: (site.x, site.y) for loc, site in where.items()}
    rows = [
        {"x0": points[e.u][0], "y0": points[e.u][1], "x1": points[e.v][0], "y1": points[e.v][1], "road": e.road_type}
        for e in instance.edges
        if e.u in points and e.v in points
    ]
    return pd.DataFrame(rows, columns=["x0", "y0", "x1", "y1", "road"])


def _require(result: SolveResult, what: str) -> SolveResult:
    if not result.feasible or result.solution is None:
        raise PlanError(f"{what}: {result.status} {result.message}".strip())
    return result


def _stage_row(stage: str, result: SolveResult, **extra: object) -> dict[str, object]:
    return {
        "stage": stage,
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "time_s": round(result.time_s, 3),
    } | extra


def _locate_then_route(instance: Instance, label: str, options: PlanOptions) -> Plan:
    located = _require(solve_location(instance, time_limit=options.stage_time_limit), f"{label}: location")
    assert located.solution is not None
    served: dict[str, list[str]] = {c: [] for c in sorted(located.solution.open_centers)}
    for node in instance.nodes:
        if node.needs_service():
            shares = located.solution.assignment[node.id]
            served[max(shares, key=lambda c: shares[c])].append(node.id)
    served = {center: nodes for center, nodes in served.items() if nodes}
    fleet_of = share_fleet(instance, served)
    problems: dict[str, Problem] = {
        center: RoutingProblem(instance, center, tuple(nodes), fleet_of[center], region=center)
        for center, nodes in served.items()
    }
    table = pd.DataFrame([_stage_row("location (Eqs. 5-10)", located, open_centers=len(served))])
    return Plan(label, instance, instance, problems, {"location": table})


def _full_pipeline(
    instance: Instance, label: str, rng: np.random.Generator, options: PlanOptions, stages: Stages
) -> Plan:
    """The three stages (module docstring), each timed in `stages` (the `stages` table)."""
    division_rng, classifier_rng, locker_rng = rng.spawn(3)
    with stages.stage("graph"):
        graph = delivery_graph(instance)
    stage_tables: dict[str, pd.DataFrame] = {}
    chosen = ALGORITHMS.index(options.region_algorithm)
    streams = copy.deepcopy(division_rng)  # the children region_table spawns, spawned again below where needed
    partition = None
    if options.compare_algorithms:
        with stages.stage("region algorithms (Table 2)"):
            partitions, stage_tables["regions"] = region_table(
                graph,
                division_rng,
                n_regions=options.n_regions,
                louvain_stages=options.louvain_stages,
                scaling_budget_s=options.scaling_budget_s,
                budget_s=options.region_budget_s or None,
            )
        partition = partitions[chosen]
    if partition is None:
        # the generator region_table gives the algorithm; the algorithm chosen is run to
        # the end even where its Table 2 row did not finish within the budget
        child = streams.spawn(len(ALGORITHMS))[chosen]
        with stages.stage("division"):
            partition = divide(
                graph,
                options.region_algorithm,
                child,
                n_regions=options.n_regions,
                louvain_stages=options.louvain_stages,
            )
    if partition.levels:
        stage_tables["louvain_levels"] = levels_table(partition)
    width = len(str(len(partition.regions)))
    names = [f"R{k:0{width}d}" for k in range(1, len(partition.regions) + 1)]
    if all(n.features is not None for n in instance.nodes):
        with stages.stage("classifier"):
            features = region_features(instance, partition.regions)
            modes = [Mode(m) for m in predict_modes(fit_xgboost(dataset.load(), classifier_rng), features)]
        mode_source = "XGBoost"
    else:
        modes, mode_source = [Mode.JOINT] * len(names), "no community features: dynamic joint"

    specs, location_rows = [], []
    with stages.stage("location"):
        shared = _alliance_centers(instance, label, options, location_rows)
    room = {c.id: math.inf if c.capacity is None else c.capacity for c in instance.centers}
    region_of: dict[str, str] = {}
    for name, region, mode, child in zip(names, partition.regions, modes, locker_rng.spawn(len(names)), strict=True):
        if not any(instance.node_by_id[n].total_demand > 0 for n in region):
            region_of |= dict.fromkeys(region, name)  # no problem of its own, but the nodes keep their region
            continue
        if shared is None:
            with stages.stage("location"):
                parts = _locate_region(instance, label, name, region, room, options, location_rows)
        else:
            weight: dict[str, float] = {}
            for node in region:
                for c, portion in shared.get(node, {}).items():
                    weight[c] = weight.get(c, 0.0) + portion * instance.node_by_id[node].total_demand
            parts = [(name, tuple(sorted(region)), max(sorted(weight), key=weight.__getitem__))]
        part_rngs = [child] if len(parts) == 1 else child.spawn(len(parts))
        for (part, nodes, center), stream in zip(parts, part_rngs, strict=True):
            with stages.stage("lockers"):
                lockers = (
                    site_lockers(instance, list(nodes), stream, capacity=instance.pooled_fleet().capacity).chosen
                    if mode == Mode.LOCKERS
                    else None
                )
            specs.append(RegionSpec(part, nodes, center, mode, lockers))
            region_of |= dict.fromkeys(nodes, part)
    with stages.stage("assignment"):
        assigned = solve_assignment(
            instance, open_centers={r.center for r in specs}, time_limit=options.stage_time_limit
        )
    dispatched = sum(assigned.solution.dispatched.values()) if assigned.solution else None
    # the vans the assignment model dispatches (Eqs. 11-16: loads over capacity, no routes), not those a
    # routing plan uses (delivery's `vehicles`) nor those a region has (division's `vehicles_available`)
    location_rows.append(_stage_row("assignment (Eqs. 11-16)", assigned, region="all", vehicles_dispatched=dispatched))

    with stages.stage("routing problems"):
        planned, problems = region_problems(instance, specs, options.independent, options.independent_max_customers)
    stage_tables["division"] = pd.DataFrame(
        [
            {
                "region": r.name,
                "nodes": len(r.nodes),
                "mode": int(r.mode),
                "center": r.center,
                "vehicles_available": problems[r.name].fleet_size,  # type: ignore[union-attr]
                "lockers": ", ".join(r.lockers.lockers) if r.lockers else "",
                "demand": _load(instance, r.nodes)[0],
            }
            for r in specs
        ]
    ).assign(algorithm=LABELS[partition.algorithm], mode_from=mode_source)
    stage_tables["location"] = pd.DataFrame(location_rows)
    stage_tables["stages"] = stages.table()
    return Plan(label, instance, planned, problems, stage_tables, region_of, tuple(specs))


def _locate_region(
    instance: Instance,
    label: str,
    name: str,
    region: Collection[str],
    room: dict[str, float],
    options: PlanOptions,
    rows: list[dict[str, object]],
) -> list[tuple[str, tuple[str, ...], str]]:
    """A region's center by the location model (Eqs. 5-10, p = 1), among the candidates
    with the room left by the regions located before it (`room`, updated here), so no
    center holds more than its capacity over all regions. A region whose demand no one
    center can hold gets the fewest centers that can (p = 2, 3, ...: the first p whose
    largest rooms add up to its demand and whose model is feasible) and is split by the
    model's assignment into parts `<name>a`, `<name>b`, ..., one center each. Returns
    (part name, nodes, center) per part. Single sourcing holds here whatever the
    instance says: a region's node is routed whole from one center."""
    demand = _load(instance, region)[0]
    candidates = _nearest_candidates(instance, region, room, demand)
    open_room = sorted((room[c] for c in candidates), reverse=True)
    fewest = next((k for k in range(1, len(open_room) + 1) if sum(open_room[:k]) >= demand - 1e-9), None)
    if fewest is None:
        raise PlanError(f"{label} {name}: {demand:g} parcels exceed the room left in all candidate centers")
    sub = restrict(instance, region, candidates)
    held = tuple(replace(c, capacity=None if math.isinf(room[c.id]) else room[c.id]) for c in sub.centers)
    sub = same_locations(sub, centers=held, single_sourcing=True)  # the sliced distance tables kept
    for p in range(fewest, len(candidates) + 1):
        result = solve_location(sub, p=p, time_limit=options.stage_time_limit)
        if result.status != "infeasible":
            break
    result = _require(result, f"{label} {name}")
    assert result.solution is not None
    served: dict[str, list[str]] = {c: [] for c in sorted(result.solution.open_centers)}
    for node, shares in result.solution.assignment.items():
        served[max(sorted(shares), key=shares.__getitem__)].append(node)
    served = {c: nodes for c, nodes in served.items() if nodes}
    parts = []
    for k, (center, nodes) in enumerate(served.items()):
        part = name if len(served) == 1 else f"{name}{chr(ord('a') + k)}"
        placed = [n for n in region if n not in result.solution.assignment] if k == 0 else []  # no demand
        parts.append((part, tuple(sorted([*nodes, *placed])), center))
        room[center] -= _load(instance, nodes)[0]
    opened = ", ".join(served)
    rows.append(_stage_row(f"location (Eqs. 5-10), p = {p}", result, region=name, center=opened))
    return parts


def _nearest_candidates(
    instance: Instance, region: Collection[str], room: Mapping[str, float], demand: float
) -> list[str]:
    """The candidate centers with room a region's location model weighs: all of them up
    to `LOCATION_CANDIDATES`; beyond, the nearest that many by mean km to the region's
    nodes, and more in that order until their room holds the region's demand. A city's
    far candidates only add columns (120 candidates took the 26 regions of a 3,000-node
    city 109 s); the instances the seeds describe have fewer, and get every one."""
    open_ids = [c.id for c in instance.centers if room[c.id] > 0]
    if len(open_ids) <= LOCATION_CANDIDATES:
        return open_ids
    index = instance.index
    km = tables(instance).km[np.ix_([index[c] for c in open_ids], [index[n] for n in region])].mean(axis=1)
    order = [open_ids[k] for k in np.argsort(km, kind="stable")]
    held = np.cumsum([room[c] for c in order])
    enough = int(np.searchsorted(held, demand - 1e-9)) + 1
    chosen = set(order[: max(LOCATION_CANDIDATES, enough)])
    return [c for c in open_ids if c in chosen]


def _alliance_centers(
    instance: Instance, label: str, options: PlanOptions, rows: list[dict[str, object]]
) -> Mapping[str, Mapping[str, float]] | None:
    """With `Instance.alliance_centers` (seed 004: one county center), the location
    model (Eqs. 5-10) over the whole instance with p = that count, whose assignment
    gives each region its center (the one serving most of its parcels); None when
    every region locates its own center (seed 002)."""
    if instance.alliance_centers is None:
        return None
    p = min(instance.alliance_centers, len(instance.centers))
    result = _require(
        solve_location(instance, p=p, time_limit=options.stage_time_limit),
        f"{label}: alliance location",
    )
    assert result.solution is not None
    opened = ", ".join(sorted(result.solution.open_centers))
    rows.append(_stage_row(f"location (Eqs. 5-10), p = {p}", result, region="all", center=opened))
    return result.solution.assignment


def region_problems(
    instance: Instance,
    specs: Sequence[RegionSpec],
    independent: bool = True,
    max_customers: int = INDEPENDENT_MAX_CUSTOMERS,
) -> tuple[Instance, dict[str, Problem]]:
    """The routing problems of `specs` on `instance` (the planned one, or a day's demand
    on the same nodes): the joint fleet shared out by the regions' loads, locker
    regions' parcels moved onto their lockers; with `independent`, each company's
    problems from its own depot over what it serves today (`baseline`; see
    `company_problems`). Returns the instance the joint routes are checked against,
    and the problems."""
    planned = instance
    for spec in specs:
        if spec.lockers is not None:
            planned = with_lockers(planned, spec.lockers, service_min=LOCKER_SERVICE_MIN)
    planned = same_locations(planned, name=instance.name)
    fleet_of = share_fleet(instance, {r.name: r.nodes for r in specs})
    problems: dict[str, Problem] = {
        r.name: region_problem(instance, r.center, r.nodes, fleet_of[r.name], r.mode, lockers=r.lockers, region=r.name)
        for r in specs
    }
    if independent:
        alone = baseline(instance)
        index = region_index(specs)
        for company in alone.companies:
            problems |= company_problems(alone, company.id, index, max_customers)
    return planned, problems


def region_index(specs: Sequence[RegionSpec]) -> dict[str, int]:
    """Node -> position of its region among `specs` (what `districts` sweeps)."""
    return {node: k for k, spec in enumerate(specs) for node in spec.nodes}


def company_problems(
    instance: Instance, company: str, region_of: Mapping[str, int], max_customers: int
) -> dict[str, RoutingProblem]:
    """A company's independent delivery: one problem over all its customers
    (`independent:<company>`), or, past `max_customers`, the way a large company
    plans: its territory in districts of at most that many customers, each routed from
    its depot with a share of its vehicles (`independent:<company>/<k>`, see
    `districts`). Where the districts, each rounding its load up to whole vehicles,
    need more than the fleet, they grow by `DISTRICT_GROWTH` until the fleet suffices
    (one district at worst)."""
    whole = RoutingProblem.whole(instance, company)
    name = f"{INDEPENDENT}{company}"
    position = {node: k for k, node in enumerate(whole.customers, start=1)}
    size = max_customers
    while whole.n > size:
        parts = districts(instance, whole, region_of, size)
        names = [f"{name}/{k}" for k in range(1, len(parts) + 1)]
        loads = {
            part: max(sum(whole.demand[position[n]] for n in d), sum(whole.pickup[position[n]] for n in d))
            for part, d in zip(names, parts, strict=True)
        }
        vehicles: dict[str, tuple[str, ...] | None] = dict.fromkeys(names)
        try:
            if whole.vehicles is not None:
                vehicles |= share(whole.vehicles, loads, whole.fleet.capacity, f"company {company}", "districts")
        except FleetTooSmall:
            size = math.ceil(size * DISTRICT_GROWTH)
            continue
        return {
            part: replace(whole, customers=tuple(d), vehicles=vehicles[part], region=part)
            for part, d in zip(names, parts, strict=True)
        }
    return {name: replace(whole, region=name)}


def districts(instance: Instance, whole: RoutingProblem, region_of: Mapping[str, int], size: int) -> list[list[str]]:
    """The company's customers in districts of at most `size`: whole regions of the plan
    (`region_of`: node -> region) swept in order of angle around the depot (Gillett and
    Miller's sweep, at region grain), a region larger than a district cut the same way
    node by node, and consecutive pieces joined while they fit."""
    depot = instance.site(whole.center)
    groups: dict[int, list[str]] = {}
    for node in whole.customers:
        groups.setdefault(region_of.get(node, -1), []).append(node)

    def angle(nodes: Sequence[str]) -> float:
        x = np.mean([instance.node_by_id[n].x for n in nodes]) - depot.x
        y = np.mean([instance.node_by_id[n].y for n in nodes]) - depot.y
        return float(np.arctan2(y, x))

    pieces: list[list[str]] = []
    for _, nodes in sorted(groups.items(), key=lambda g: (angle(g[1]), g[0])):
        if len(nodes) > size:
            swept = sorted(nodes, key=lambda n: (angle([n]), n))
            pieces += [swept[k : k + size] for k in range(0, len(swept), size)]
        else:
            pieces.append(nodes)
    out: list[list[str]] = [[]]
    for piece in pieces:
        if out[-1] and len(out[-1]) + len(piece) > size:
            out.append([])
        out[-1] += piece
    return out


def _load(instance: Instance, region: Collection[str]) -> tuple[float, float]:
    """Parcels delivered to and collected from a region's nodes."""
    nodes = [instance.node_by_id[n] for n in region]
    return sum(n.total_demand for n in nodes), sum(n.total_pickup for n in nodes)


def share_fleet(instance: Instance, regions: Mapping[str, Collection[str]]) -> dict[str, tuple[str, ...]]:
    """Share the pooled fleet out over regions, each region its own vehicles (`share`,
    by each region's larger load direction). With an unlimited fleet, each region gets
    as many vehicles as it has customers. Raises PlanError when a limited fleet is too
    small."""
    fleet = instance.pooled_fleet()
    pool = instance.joint_vehicle_ids()
    if fleet.count is not None:
        loads = {r: max(_load(instance, nodes)) for r, nodes in regions.items()}
        return share(pool, loads, fleet.capacity, f"{instance.name}: the pooled fleet", "regions")
    return _hand_out(
        pool, {r: max(1, sum(instance.node_by_id[n].needs_service() for n in nodes)) for r, nodes in regions.items()}
    )


def share(
    pool: Sequence[str], loads: Mapping[str, float], capacity: float, owner: str, parts: str
) -> dict[str, tuple[str, ...]]:
    """Vehicles of `pool` for parts with `loads`: each the vehicles its load needs, then
    the spare ones one at a time to the part with the most load per vehicle. Raises
    FleetTooSmall (naming the `owner` fleet and the `parts`) when the pool is short."""
    need = {r: max(1, math.ceil(load / capacity - 1e-9)) for r, load in loads.items()}
    spare = len(pool) - sum(need.values())
    if spare < 0:
        raise FleetTooSmall(
            f"{owner} of {len(pool)} vehicles cannot carry the {parts}' loads ({sum(need.values())} vehicles needed)",
            regions=len(loads),
            vehicles=len(pool),
        )
    for _ in range(spare):
        busiest = max(need, key=lambda r: (loads[r] / need[r], r))
        need[busiest] += 1
    return _hand_out(pool, need)


def _hand_out(pool: Sequence[str], need: Mapping[str, int]) -> dict[str, tuple[str, ...]]:
    """Consecutive vehicles of `pool`, `need[part]` to each part in order."""
    out: dict[str, tuple[str, ...]] = {}
    start = 0
    for part, count in need.items():
        out[part] = tuple(pool[start : start + count])
        start += count
    return out
