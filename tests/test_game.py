"""The cost-allocation game on real pipelines: coalition values, the price of region
division, and the multi-depot whole-instance problem (issue 12)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.config import Config
from experiments.experiment import game_options, generator, planning_seed
from experiments.game import CoalitionTask, _plan, coalitions, game_tables, sampled_orders, value_of
from experiments.plan import PlanError, PlanOptions, plan_instance
from experiments.scopes import whole_problem
from experiments.solvers import solve
from lastmile.cost import evaluate
from lastmile.model import Instance, Solution
from lastmile.policies import status_quo
from lastmile.readers import load_instance
from lastmile.routing import MultiDepotProblem, RoutingProblem
from lastmile.subset import coalition

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = PlanOptions(compare_algorithms=False, stage_time_limit=10.0)


def task(instance: Instance, members: tuple[str, ...], **game: object) -> CoalitionTask:
    options = replace(game_options(Config()), iterations=5, **game)
    seed = planning_seed(Config(), instance.name)
    planning = (int(seed.entropy), tuple(seed.spawn_key))  # type: ignore[arg-type]
    return CoalitionTask(instance.name, members, "ga", 11, instance, planning, OPTIONS, options)


def test_a_coalition_keeps_the_network_and_drops_the_others(tiny_xiqing: Instance) -> None:
    pair = coalition(tiny_xiqing, ["A", "J"])
    assert [c.id for c in pair.companies] == ["A", "J"]
    assert len(pair.nodes) == len(tiny_xiqing.nodes)
    for before, after in zip(tiny_xiqing.nodes, pair.nodes, strict=True):
        assert after.demand == {c: q for c, q in before.demand.items() if c in ("A", "J")}
    with pytest.raises(KeyError):
        coalition(tiny_xiqing, ["A", "nobody"])


def test_every_coalition_up_to_exact_max_and_sampled_prefixes_above() -> None:
    options = game_options(Config())
    four = coalitions(("A", "B", "C", "D"), options, np.random.SeedSequence(1))
    assert len(four) == 15 and four[0] == ("A",) and four[-1] == ("A", "B", "C", "D")
    many = tuple(f"P{k:02d}" for k in range(12))
    three = replace(options, samples=3)
    sampled = coalitions(many, three, np.random.SeedSequence(1))
    orders = sampled_orders(many, three, np.random.SeedSequence(1))
    expected = {frozenset(order[:k]) for order in orders for k in range(1, 13)} | {frozenset({p}) for p in many}
    assert {frozenset(s) for s in sampled} == expected and len(sampled) == len(expected)
    assert many in sampled and all((p,) in sampled for p in many)


def test_a_coalition_of_one_costs_what_the_company_pays_alone(tiny_xiqing: Instance) -> None:
    """Each company's value is its independent delivery (its depot, vehicles, line-haul):
    together they are the independent delivery the experiment reports, route for route."""
    plan = plan_instance(tiny_xiqing, tiny_xiqing.name, generator(Config(), tiny_xiqing.name), OPTIONS)
    routes, values = [], 0.0
    for company in ("A", "S", "J", "C"):
        row = value_of(task(tiny_xiqing, (company,)))
        assert row.status == "ok" and row.regions == 1 and row.TC is not None
        values += row.TC
        alone = solve("ga", plan.problems[f"independent:{company}"], time_limit=5.0, seed=11, iterations=5)
        assert alone.solution is not None and alone.solution.routes is not None
        routes += [r for r in alone.solution.routes if r.stops]
    independent = evaluate(plan.independent_instance, Solution.independent(tuple(routes)))
    assert values == pytest.approx(independent.total)


def test_the_grand_coalition_is_the_pipelines_joint_delivery(tiny_xiqing: Instance) -> None:
    """All companies together: the plan the experiment makes, its regions solved with the
    same solver, seed and budget, costed on its planned instance."""
    row = value_of(task(tiny_xiqing, ("A", "S", "J", "C")))
    assert row.status == "ok" and row.feasible
    options = replace(OPTIONS, independent=False)
    plan = plan_instance(tiny_xiqing, tiny_xiqing.name, generator(Config(), tiny_xiqing.name), options)
    routes = []
    for region in plan.joint_regions:
        result = solve("ga", plan.problems[region], time_limit=5.0, seed=11, iterations=5)
        assert result.solution is not None and result.solution.routes is not None
        routes += [r for r in result.solution.routes if r.stops]
    joint = evaluate(plan.planned, Solution.routed(tuple(routes)))
    assert row.regions == len(plan.joint_regions)
    value, value_no_lh = row.TC, row.TC_no_LH
    assert value == pytest.approx(joint.total)
    assert value_no_lh == pytest.approx(joint.total_without_line_haul)


def test_a_coalition_with_fewer_vehicles_than_regions_is_divided_again() -> None:
    lingshan = load_instance(str(ROOT / "instances" / "lingshan.json"))
    pair = coalition(lingshan, ["K02", "K03"])  # 12 vehicles, the alliance's division has more regions
    with pytest.raises(PlanError, match="cannot carry"):
        _plan(pair, task(lingshan, ("K02", "K03"), fit_regions=False))
    fitted = _plan(pair, task(lingshan, ("K02", "K03")))
    assert 1 < len(fitted.joint_regions) <= 12
    again = _plan(pair, task(lingshan, ("K02", "K03")))  # the refit starts from the same stream
    assert [s.nodes for s in again.specs] == [s.nodes for s in fitted.specs]


def test_the_whole_instance_from_several_centers_is_one_multi_depot_problem(tiny_xiqing: Instance) -> None:
    plan = plan_instance(tiny_xiqing, tiny_xiqing.name, generator(Config(), tiny_xiqing.name), OPTIONS)
    problem = whole_problem(plan)
    assert problem is not None
    centers = {plan.problems[r].center for r in plan.joint_regions}  # type: ignore[union-attr]
    assert len(centers) > 1  # several open centers: the multi-depot case this test is about
    assert isinstance(problem, MultiDepotProblem)
    assert sorted(problem.customers) == sorted(c for r in plan.joint_regions for c in plan.problems[r].customers)  # type: ignore[union-attr]
    result = solve("pyvrp", problem, time_limit=5.0, seed=3, iterations=200)
    assert result.feasible, result.violations
    assert result.solution is not None and result.solution.routes is not None
    at = {v: c for c, vs in zip(problem.centers, problem.vehicles, strict=True) for v in vs}
    assert all(at[r.vehicle] == r.center for r in result.solution.routes)


def test_companies_alone_add_up_to_ling_shans_status_quo() -> None:
    """With today's village trips shared by parcels (`feeder_share = "shared"`), the
    companies alone cost what the status quo costs; `"alone"` charges each its own trips."""
    lingshan = load_instance(str(ROOT / "instances" / "lingshan.json"))
    today = status_quo(lingshan)
    routes, shared, alone = [], 0.0, 0.0
    for company in lingshan.companies:
        shared += value_of(task(lingshan, (company.id,))).TC  # type: ignore[operator]
        alone += value_of(task(lingshan, (company.id,), feeder_share="alone")).TC  # type: ignore[operator]
        result = solve("ga", RoutingProblem.whole(today, company.id), time_limit=5.0, seed=11, iterations=5)
        assert result.solution is not None and result.solution.routes is not None
        routes += [r for r in result.solution.routes if r.stops]
    assert shared == pytest.approx(evaluate(today, Solution.independent(tuple(routes))).total)
    assert alone > shared


def test_a_game_with_a_crashed_coalition_is_incomplete_not_allocated(tiny_xiqing: Instance) -> None:
    plan = plan_instance(tiny_xiqing, tiny_xiqing.name, generator(Config(), tiny_xiqing.name), OPTIONS)
    options = game_options(Config())
    orders = np.random.SeedSequence(5)
    members = coalitions(("A", "S", "J", "C"), options, orders)
    rows = pd.DataFrame(
        [
            {
                "instance": plan.label,
                "coalition": "+".join(m),
                "solver": "ga",
                "seed": 1,
                "status": "ok",
                "feasible": True,
                "TC": 100.0 * len(m) ** 0.8,
                "TC_no_LH": 90.0 * len(m) ** 0.8,
            }
            for m in members
        ]
    )
    tables = game_tables(plan, rows, orders, options)
    assert tables["game"]["status"].eq("complete").all()
    for (_, rule), part in tables["allocation"].groupby(["basis", "rule"]):
        assert part["allocated"].sum() == pytest.approx(part["stand_alone"].sum() * 4**0.8 / 4)
        if rule in ("Shapley", "nucleolus"):  # symmetric and concave: equal shares, in the core
            assert part["in_core"].all() and np.ptp(part["allocated"]) == pytest.approx(0.0, abs=1e-9)
    rows.loc[rows["coalition"] == "A+J", "status"] = "error"
    broken = game_tables(plan, rows, orders, options)
    assert broken["allocation"].empty
    assert broken["game"]["status"].str.startswith("incomplete: 1 coalitions missing").all()
