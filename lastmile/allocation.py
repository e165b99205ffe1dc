"""Sharing a joint cost among the companies: a cooperative cost game and its allocations.

Seed 004 (section 3.3.3, "Distribution of Benefits") shares the alliance's cost in
proportion to each company's parcels; the horizontal-cooperation literature (Cruijssen
et al. 2007; Gansterer and Hartl 2018) judges an allocation `x` by the core: no
coalition S pays more together than it would alone, x(S) <= c(S), and the grand
coalition's cost is shared exactly, x(N) = c(N). Here:

- `Game`: the cost c(S) of coalitions of players (all 2^n - 1 of them, or those a
  sample of permutations needs);
- `cheapest`: a coalition's cost when it may also split into smaller coalitions that
  deliver apart (the subadditive cover), for coalitions whose joint plan costs more
  than splitting, or that have none;
- rules: `proportional`, `shapley` (exact), `shapley_sampled` (permutations, with a
  95% interval), `least_core` and `nucleolus` (sequences of LPs on HiGHS);
- `core_violation`: the largest excess x(S) - c(S) over the coalitions with a cost.

Coalitions are frozensets of player names (`cheapest` enumerates splits on bitmasks).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Coalition = frozenset[str]


@dataclass(frozen=True)
class Game:
    """Players and the cost of coalitions (the grand coalition and every single player
    at least). `complete` when every non-empty coalition has a cost."""

    players: tuple[str, ...]
    cost: Mapping[Coalition, float]

    def __post_init__(self) -> None:
        if len(set(self.players)) != len(self.players):
            raise ValueError("players must be distinct")
        needed = [self.grand, *(frozenset({p}) for p in self.players)]
        missing = [sorted(s) for s in needed if s not in self.cost or not math.isfinite(self.cost[s])]
        if missing:
            raise ValueError(f"the game needs a finite cost for the grand coalition and each player: {missing}")

    @property
    def n(self) -> int:
        return len(self.players)

    @property
    def grand(self) -> Coalition:
        return frozenset(self.players)

    @property
    def complete(self) -> bool:
        return len({s for s in self.cost if s}) == 2**self.n - 1

    def value(self, coalition: Iterable[str]) -> float:
        members = frozenset(coalition)
        return 0.0 if not members else self.cost[members]

    def stand_alone(self) -> dict[str, float]:
        return {p: self.cost[frozenset({p})] for p in self.players}


def cheapest(players: Sequence[str], joint: Mapping[Coalition, float]) -> dict[Coalition, float]:
    """Every coalition's cost when it may deliver as one alliance (`joint`, inf or
    absent where it has no joint plan) or split into smaller coalitions that deliver
    apart: c(S) = min(joint(S), min over T of c(T) + c(S - T)). Singletons must have a
    finite joint cost (their independent delivery). O(3^n): n up to about 15."""
    n = len(players)
    index = {p: k for k, p in enumerate(players)}
    best = np.full(1 << n, np.inf)
    best[0] = 0.0
    for coalition, value in joint.items():
        best[sum(1 << index[p] for p in coalition)] = value
    for mask in sorted(range(1, 1 << n), key=int.bit_count):
        low = mask & -mask  # splits T containing the lowest member: each split seen once
        sub = (mask - 1) & mask
        while sub:
            if sub & low:
                best[mask] = min(best[mask], best[sub] + best[mask ^ sub])
            sub = (sub - 1) & mask
    return {frozenset(p for k, p in enumerate(players) if m >> k & 1): float(best[m]) for m in range(1, 1 << n)}


def proportional(game: Game, weights: Mapping[str, float]) -> dict[str, float]:
    """c(N) shared in proportion to `weights` (seed 004: each company's parcels)."""
    total = sum(weights[p] for p in game.players)
    if total <= 0:
        raise ValueError("proportional allocation needs positive weights")
    grand = game.cost[game.grand]
    return {p: grand * weights[p] / total for p in game.players}


def shapley(game: Game) -> dict[str, float]:
    """The Shapley value: each player's marginal cost averaged over all orders,
    phi_i = sum over S not holding i of |S|!(n-|S|-1)!/n! (c(S + i) - c(S)).
    Needs the complete game."""
    if not game.complete:
        raise ValueError("the exact Shapley value needs every coalition's cost")
    n = game.n
    weight = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    out = dict.fromkeys(game.players, 0.0)
    for coalition, value in game.cost.items():
        for p in coalition:
            rest = coalition - {p}
            out[p] += weight[len(rest)] * (value - game.value(rest))
    return out


def permutations(players: Sequence[str], count: int, rng: np.random.Generator) -> list[tuple[str, ...]]:
    """`count` random orders of the players (sampling for the Shapley value)."""
    return [tuple(players[k] for k in rng.permutation(len(players))) for _ in range(count)]


def prefixes(orders: Iterable[Sequence[str]]) -> set[Coalition]:
    """The coalitions whose costs the sampled Shapley value needs."""
    return {frozenset(order[: k + 1]) for order in orders for k in range(len(order))}


def shapley_sampled(game: Game, orders: Sequence[Sequence[str]]) -> tuple[dict[str, float], dict[str, float]]:
    """The Shapley value estimated from `orders` (Castro, Gomez and Tejada 2009): each
    player's mean marginal cost, and the half-width of its 95% t interval."""
    from scipy import stats

    marginal: dict[str, list[float]] = {p: [] for p in game.players}
    for order in orders:
        before = 0.0
        for k, p in enumerate(order):
            now = game.value(order[: k + 1])
            marginal[p].append(now - before)
            before = now
    m = len(orders)
    quantile = float(stats.t.ppf(0.975, m - 1)) if m > 1 else math.inf
    mean = {p: float(np.mean(v)) for p, v in marginal.items()}
    half = {p: quantile * float(np.std(v, ddof=1)) / math.sqrt(m) if m > 1 else math.inf for p, v in marginal.items()}
    return mean, half


@dataclass(frozen=True)
class Violation:
    """The largest excess x(S) - c(S) of an allocation and a coalition that has it."""

    excess: float
    coalition: Coalition

    def in_core(self, game: Game, tolerance: float = 1e-6) -> bool:
        """No coalition pays more than alone (relative to the grand coalition's cost)."""
        return self.excess <= tolerance * max(1.0, abs(game.cost[game.grand]))


def core_violation(game: Game, allocation: Mapping[str, float]) -> Violation:
    """The coalition (other than the grand one) that an allocation overcharges most,
    by enumeration over every coalition with a cost; a negative excess means every one
    pays less than it would alone."""
    worst, where = -math.inf, frozenset()
    for coalition, value in game.cost.items():
        if coalition == game.grand or not math.isfinite(value):
            continue
        excess = sum(allocation[p] for p in coalition) - value
        if excess > worst:
            worst, where = excess, coalition
    return Violation(worst, where)


@dataclass(frozen=True)
class LeastCore:
    """An allocation that minimises the largest excess, and that excess (epsilon <= 0
    exactly when the core is not empty)."""

    allocation: dict[str, float]
    epsilon: float


def least_core(game: Game) -> LeastCore:
    """min epsilon s.t. x(S) - c(S) <= epsilon for every coalition S with a cost,
    x(N) = c(N): one LP on HiGHS (Maschler, Peleg and Shapley 1979)."""
    stage = _Stage(game)
    x, epsilon, _ = stage.solve()
    return LeastCore(x, epsilon)


def has_imputations(game: Game) -> bool:
    """Whether some efficient allocation charges no player more than alone
    (c(N) <= sum of c({i})): the set the nucleolus is taken over."""
    return game.cost[game.grand] <= sum(game.stand_alone().values()) + 1e-9 * max(1.0, abs(game.cost[game.grand]))


def nucleolus(game: Game, imputations: bool = True) -> dict[str, float]:
    """The nucleolus (Schmeidler 1969): over the imputations (x_i <= c({i})),
    lexicographically the smallest largest excesses, by a sequence of least-core LPs
    on HiGHS; with `imputations=False`, or when there are none (`has_imputations`),
    the prenucleolus over every efficient allocation. After each LP the coalitions
    whose constraint has a non-zero dual are tight in every optimum and are fixed at
    that excess; coalitions whose vector the fixed ones span are dropped (their
    excess is then determined). At most n LPs; needs the complete game."""
    if not game.complete:
        raise ValueError("the nucleolus needs every coalition's cost")
    stage = _Stage(game, imputations=imputations and has_imputations(game))
    while True:
        x, epsilon, tight = stage.solve()
        stage.fix(tight, epsilon)
        if not stage.free:
            return x


class _Stage:
    """The least-core LP over x and epsilon with some coalitions' excesses fixed."""

    def __init__(self, game: Game, imputations: bool = False) -> None:
        self.game = game
        self.upper = [game.cost[frozenset({p})] for p in game.players] if imputations else None
        self.free = [s for s in game.cost if s != game.grand and math.isfinite(game.cost[s])]
        self.fixed: list[tuple[Coalition, float]] = []
        self.span = np.ones((1, game.n))  # the grand coalition's vector

    def _row(self, coalition: Coalition) -> np.ndarray:
        return np.array([1.0 if p in coalition else 0.0 for p in self.game.players])

    def solve(self) -> tuple[dict[str, float], float, list[Coalition]]:
        import highspy

        game, n = self.game, self.game.n
        inf = highspy.kHighsInf
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        # columns: x_1..x_n (free), epsilon (free); minimise epsilon
        cost = np.zeros(n + 1)
        cost[n] = 1.0
        empty = np.array([], dtype=np.int32)
        upper = np.full(n + 1, inf)
        if self.upper is not None:  # no player pays more than alone
            upper[:n] = self.upper
        h.addCols(n + 1, cost, np.full(n + 1, -inf), upper, 0, empty, empty, np.array([]))
        rows: list[tuple[np.ndarray, float, float]] = [(np.append(np.ones(n), 0.0), *[game.cost[game.grand]] * 2)]
        for coalition, level in self.fixed:
            value = game.cost[coalition] + level
            rows.append((np.append(self._row(coalition), 0.0), value, value))
        for coalition in self.free:  # x(S) - epsilon <= c(S)
            rows.append((np.append(self._row(coalition), -1.0), -inf, game.cost[coalition]))
        for coefficients, lower, upper in rows:
            nz = np.flatnonzero(coefficients).astype(np.int32)
            h.addRow(lower, upper, len(nz), nz, coefficients[nz])
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        if status != "Optimal":
            raise RuntimeError(f"least-core LP: HiGHS status {status}")
        solution = h.getSolution()
        values = list(solution.col_value)
        duals = list(solution.row_dual)[1 + len(self.fixed) :]
        tight = [s for s, d in zip(self.free, duals, strict=True) if abs(d) > 1e-9]
        return dict(zip(game.players, values[:n], strict=True)), float(values[n]), tight

    def fix(self, tight: Sequence[Coalition], epsilon: float) -> None:
        """Fix the tight coalitions at `epsilon`; drop free ones the fixed span."""
        for coalition in tight:
            self.fixed.append((coalition, epsilon))
            self.span = np.vstack([self.span, self._row(coalition)])
        rank = np.linalg.matrix_rank(self.span)
        fixed = set(tight)
        self.free = [
            s
            for s in self.free
            if s not in fixed and np.linalg.matrix_rank(np.vstack([self.span, self._row(s)])) > rank
        ]
