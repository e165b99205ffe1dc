"""How sure: scenario designs, the indices and P(pays) on a known model, common random
numbers for day-to-day demand, the re-costed game (issue 34)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.uncertainty import (
    Uncertain,
    daily_demand,
    day_seed,
    factors,
    inputs,
    recost_gains,
    sample,
    summarize,
    wilson,
)

#: A tiny model: the saving is 10 (a - 1) + 2 (b - 1) + 1 CNY, c does nothing. With a and
#: b uniform on [0.5, 1.5], P(saving > 0) = E_b[(6 + 2 (b - 1)) / 10] = 0.6 exactly.
MODEL = (
    Uncertain("a", "uniform", 0.5, 1.5),
    Uncertain("b", "uniform", 0.5, 1.5),
    Uncertain("c", "uniform", 0.5, 1.5),
)


def model_rows(unit: np.ndarray) -> pd.DataFrame:
    values = factors(unit, MODEL)
    saving = np.array([10 * (f["a"] - 1) + 2 * (f["b"] - 1) + 1 for f in values])
    independent = np.full(len(values), 100.0)
    return pd.DataFrame(
        {
            "scenario": np.arange(len(values)),
            "status": "ok",
            "factors": [json.dumps(f) for f in values],
            **{f"{q}_independent": independent for q in ("TC", "TC_no_LH", "E", "E_no_LH")},
            **{f"{q}_joint": independent - saving for q in ("TC", "TC_no_LH", "E", "E_no_LH")},
            "companies": json.dumps({"X": {"alone": 60.0, "parcels": 1.0, "weighted": 1.0}}),
        }
    )


@pytest.mark.parametrize("method", ["morris", "sobol", "lhs"])
def test_the_indices_rank_a_known_linear_model_and_p_pays_is_its_value(method: str) -> None:
    unit = sample(method, 512, MODEL, seed=7)
    outcomes, _, ranked = summarize(model_rows(unit), unit, MODEL, method)
    assert list(ranked["input"]) == ["a", "b", "c"]
    assert ranked["index"].iloc[2] == pytest.approx(0.0, abs=0.05 * ranked["index"].iloc[0])
    tc = outcomes.set_index("quantity").loc["TC"]
    if method != "morris":  # Morris trajectories screen; they do not sample the distribution
        assert tc["low"] <= 0.6 <= tc["high"], (tc["pays"], tc["low"], tc["high"])
    assert 0.0 <= tc["low"] <= tc["pays"] <= tc["high"] <= 1.0


def test_the_same_seed_gives_the_same_scenarios() -> None:
    for method in ("morris", "sobol", "lhs"):
        first, again = sample(method, 64, inputs(), 3), sample(method, 64, inputs(), 3)
        np.testing.assert_array_equal(first, again)
        assert not np.array_equal(first, sample(method, 64, inputs(), 4))
        assert (first >= 0).all() and (first <= 1).all()


def test_factors_follow_each_distribution() -> None:
    u = np.linspace(0.0, 1.0, 1001)[:, None]
    for spec in (
        Uncertain("t", "triangular", 0.7, 1.5, mode=1.0),
        Uncertain("u", "uniform", 0.5, 2.0),
        Uncertain("l", "lognormal", 0.5, 2.0, sigma=0.3),
    ):
        values = np.array([f[spec.name] for f in factors(u, (spec,))])
        assert values.min() == pytest.approx(spec.low, rel=1e-6) and values.max() == pytest.approx(spec.high, rel=1e-6)
        assert np.all(np.diff(values) >= 0)
    median = factors(np.array([[0.5]]), (Uncertain("l", "lognormal", 0.5, 2.0, sigma=0.3),))[0]["l"]
    assert median == pytest.approx(1.0, abs=1e-9)  # cut symmetrically in log space: the median stays 1


def test_config_overrides_replace_an_input_by_name() -> None:
    changed = {u.name: u for u in inputs([{"name": "line_haul", "low": 0.2, "high": 0.9}])}
    assert (changed["line_haul"].low, changed["line_haul"].high) == (0.2, 0.9)
    assert changed["line_haul"].distribution == "uniform" and len(changed) == len(inputs())


def test_a_day_keeps_its_draw_and_more_demand_never_means_fewer_parcels(tiny_xiqing) -> None:
    day = day_seed(20240501, "tiny", 0.25, 0)
    assert day == day_seed(20240501, "tiny", 0.25, 0) != day_seed(20240501, "tiny", 0.25, 1)
    low, high = (daily_demand(tiny_xiqing, level, day, 0.0) for level in (0.9, 1.1))
    again = daily_demand(tiny_xiqing, 0.9, day, 0.0)
    assert [n.demand for n in low.nodes] == [n.demand for n in again.nodes]
    for a, b in zip(low.nodes, high.nodes, strict=True):
        assert all(a.demand[c] <= b.demand[c] for c in a.demand)
    total = sum(n.total_demand for n in tiny_xiqing.nodes)
    other = daily_demand(tiny_xiqing, 1.0, day_seed(20240501, "tiny", 0.75, 0), 0.0)
    assert sum(n.total_demand for n in other.nodes) != sum(n.total_demand for n in low.nodes)
    spread = daily_demand(tiny_xiqing, 1.0, day, 0.5)  # negative binomial: still whole parcels around the mean
    assert all(float(q).is_integer() for n in spread.nodes for q in n.demand.values())
    assert 0.5 * total < sum(n.total_demand for n in spread.nodes) < 1.5 * total


def test_the_recosted_game_scales_each_coalitions_parts() -> None:
    """Two companies: alone 100 each (line-haul 20 of it), together 150 (line-haul 90).
    At line-haul x1 both gain; at x2 the alliance costs 240, what they pay alone: neither gains."""
    rows = pd.DataFrame(
        [
            {"coalition": "A", "TC": 100.0, "LH": 20.0},
            {"coalition": "B", "TC": 100.0, "LH": 20.0},
            {"coalition": "A+B", "TC": 150.0, "LH": 90.0},
        ]
    )
    rows["costs"] = [json.dumps({"C1": r.TC - r.LH, "LH": r.LH}) for r in rows.itertuples()]
    rows = rows.assign(solver="ga", seed=1, status="ok", feasible=True)
    shares = {"parcels": {"A": 1.0, "B": 1.0}}
    gains = recost_gains(rows, [{"line_haul": 1.0}, {"line_haul": 2.0}], ["A", "B"], shares)
    assert gains[("Shapley (re-costed game)", "A")] == [True, False]
    assert gains[("proportional to parcels (re-costed game)", "B")] == [True, False]
    assert recost_gains(rows.iloc[:2], [{"line_haul": 1.0}], ["A", "B"], shares) == {}  # a coalition missing


def test_the_wilson_interval_holds_its_proportion() -> None:
    low, high = wilson(60, 100)
    assert low < 0.6 < high and high - low == pytest.approx(0.19, abs=0.01)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)
