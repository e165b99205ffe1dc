"""Cost allocation on a hand-built three-company game (values computed by hand)."""

from __future__ import annotations

import numpy as np
import pytest

from lastmile.allocation import (
    Game,
    cheapest,
    core_violation,
    has_imputations,
    least_core,
    nucleolus,
    permutations,
    prefixes,
    proportional,
    shapley,
    shapley_sampled,
)

F = frozenset
#: c(A)=4, c(B)=6, c(C)=8, c(AB)=7, c(AC)=10, c(BC)=11, c(ABC)=13
COST = {F("A"): 4.0, F("B"): 6.0, F("C"): 8.0, F("AB"): 7.0, F("AC"): 10.0, F("BC"): 11.0, F("ABC"): 13.0}
GAME = Game(("A", "B", "C"), COST)


def test_shapley_by_hand() -> None:
    # phi_A = 4/3 + (7-6)/6 + (10-8)/6 + (13-11)/3 = 2.5; phi_B = 4; phi_C = 6.5
    assert shapley(GAME) == pytest.approx({"A": 2.5, "B": 4.0, "C": 6.5})


def test_nucleolus_by_hand() -> None:
    # savings game v(AB)=3, v(AC)=2, v(BC)=3, v(N)=5: the three pairs' excesses equal
    # at 2/3 give savings (4/3, 7/3, 4/3), so costs (8/3, 11/3, 20/3)
    assert nucleolus(GAME) == pytest.approx({"A": 8 / 3, "B": 11 / 3, "C": 20 / 3})
    assert least_core(GAME).epsilon == pytest.approx(-2 / 3)


def test_nucleolus_needs_a_second_stage() -> None:
    # c(A)=c(B)=c(C)=10, c(AB)=12, c(AC)=c(BC)=20, c(N)=21. Stage 1: AB and C tight at
    # e = -1/2 (x_C = 9.5, x_A + x_B = 11.5; any split is a least-core point). Stage 2
    # evens out A and B (excesses x_A - 10, x_B - 10): x = (5.75, 5.75, 9.5).
    cost = {F("A"): 10.0, F("B"): 10.0, F("C"): 10.0, F("AB"): 12.0, F("AC"): 20.0, F("BC"): 20.0, F("ABC"): 21.0}
    game = Game(("A", "B", "C"), cost)
    assert least_core(game).epsilon == pytest.approx(-0.5)
    assert nucleolus(game) == pytest.approx({"A": 5.75, "B": 5.75, "C": 9.5})


def test_the_nucleolus_charges_no_one_more_than_alone_where_the_prenucleolus_does() -> None:
    # c(i) = 1, c(AB) = c(AC) = 0.8, c(BC) = 2, c(N) = 2: the core is empty. Savings
    # v(AB) = v(AC) = 1.2, v(N) = 1; by symmetry savings y = (1 - 2t, t, t) with excesses
    # AB, AC: -0.2 - t and BC: 2t, the smallest two; the prenucleolus equalises them at
    # t = -1/15, so B and C pay 1 + 1/15 > 1 alone; the nucleolus stops at t = 0: (0, 1, 1).
    cost = {F("A"): 1.0, F("B"): 1.0, F("C"): 1.0, F("AB"): 0.8, F("AC"): 0.8, F("BC"): 2.0, F("ABC"): 2.0}
    game = Game(("A", "B", "C"), cost)
    assert has_imputations(game)
    assert nucleolus(game, imputations=False) == pytest.approx({"A": -2 / 15, "B": 16 / 15, "C": 16 / 15})
    assert nucleolus(game) == pytest.approx({"A": 0.0, "B": 1.0, "C": 1.0})
    assert least_core(game).epsilon > 0


def test_core_check_by_hand() -> None:
    equal = proportional(GAME, {"A": 1.0, "B": 1.0, "C": 1.0})  # 13/3 each
    worst = core_violation(GAME, equal)
    assert worst.coalition == F("AB") and worst.excess == pytest.approx(26 / 3 - 7)
    assert not worst.in_core(GAME)
    fair = core_violation(GAME, shapley(GAME))
    assert fair.excess == pytest.approx(-0.5) and fair.in_core(GAME)


def test_every_rule_is_efficient() -> None:
    rng = np.random.default_rng(1)
    orders = permutations(GAME.players, 200, rng)
    sampled, _ = shapley_sampled(GAME, orders)
    for rule in (
        shapley(GAME),
        nucleolus(GAME),
        least_core(GAME).allocation,
        sampled,
        proportional(GAME, {"A": 2.0, "B": 3.0, "C": 5.0}),
    ):
        assert sum(rule.values()) == pytest.approx(13.0)


def test_sampled_shapley_covers_the_exact_value() -> None:
    orders = permutations(GAME.players, 400, np.random.default_rng(7))
    assert prefixes(orders) == set(COST)  # 400 orders of 3 players: every coalition leads one
    mean, half = shapley_sampled(GAME, orders)
    exact = shapley(GAME)
    for p in GAME.players:
        assert abs(mean[p] - exact[p]) <= half[p]
    assert permutations(GAME.players, 5, np.random.default_rng(7)) == orders[:5]


def test_cheapest_splits_a_coalition_that_costs_more_together() -> None:
    joint = dict(COST) | {F("AB"): 11.0, F("ABC"): float("inf")}
    cover = cheapest(GAME.players, joint)
    assert cover[F("AB")] == 10.0  # A and B apart
    assert cover[F("ABC")] == 4.0 + 11.0  # A alone, B and C together
    assert cover[F("AC")] == 10.0


def test_a_game_needs_its_players_and_grand_coalition() -> None:
    with pytest.raises(ValueError, match="finite cost"):
        Game(("A", "B"), {F("A"): 1.0, F("AB"): 2.0})
    with pytest.raises(ValueError, match="every coalition"):
        shapley(Game(("A", "B", "C"), {F("A"): 1.0, F("B"): 1.0, F("C"): 1.0, F("ABC"): 2.0}))
