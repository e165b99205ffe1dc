"""The GA's population with its diversity bookkeeping (HGS, Vidal et al. 2012).

Each member's giant tour is kept as a successor array (the customer after each
customer, 0 after the last), and the broken-pairs distances between members as a
matrix updated when a member joins or leaves, so that the biased fitness of a
generation is a few array operations instead of a pass over every pair.
"""

from __future__ import annotations

import numpy as np


def successors(tour: np.ndarray, n: int) -> np.ndarray:
    """The customer after each customer of `tour` (index 1..n), 0 after the last."""
    out = np.zeros(n + 1, dtype=np.int64)
    out[tour[:-1]] = tour[1:]
    return out


class Population:
    """Members (any objects with a penalised cost, `cost_of`) with their tours' distances.

    The broken-pairs distance of two tours is the share of customers whose successor
    (the center after the last) differs: HGS' measure, but directed (HGS also keeps a
    pair found reversed, so a reversed route counts as far here). Zero means the same
    tour, so clones are the pairs at distance zero.
    """

    def __init__(self, n: int, cost_of) -> None:
        self.n = n
        self.cost_of = cost_of
        self.members: list = []
        self._next = np.zeros((0, n + 1), dtype=np.int64)
        self.distance = np.zeros((0, 0))

    def __len__(self) -> int:
        return len(self.members)

    def add(self, member, tour: np.ndarray) -> None:
        row = successors(tour, self.n)
        far = np.count_nonzero(self._next[:, 1:] != row[1:], axis=1) / self.n
        size = len(self.members)
        distance = np.zeros((size + 1, size + 1))
        distance[:size, :size] = self.distance
        distance[size, :size] = distance[:size, size] = far
        self.distance = distance
        self._next = np.vstack((self._next, row))
        self.members.append(member)

    def remove(self, k: int) -> None:
        self.members.pop(k)
        self._next = np.delete(self._next, k, axis=0)
        self.distance = np.delete(np.delete(self.distance, k, axis=0), k, axis=1)

    def keep(self, indices) -> None:
        """Keep only the members at `indices`, in that order."""
        indices = np.asarray(indices, dtype=np.int64)
        self.members = [self.members[k] for k in indices]
        self._next = self._next[indices]
        self.distance = self.distance[np.ix_(indices, indices)]

    def costs(self) -> np.ndarray:
        return np.array([self.cost_of(m) for m in self.members])

    def biased_fitness(self, elite: int, close: int) -> np.ndarray:
        """Rank by penalised cost plus weighted rank by diversity (the mean distance to the
        `close` nearest members); lower is better."""
        size = len(self.members)
        close = min(close, size - 1)
        if close:
            others = self.distance + np.diag(np.full(size, np.inf))
            diversity = np.sort(others, axis=1)[:, :close].mean(axis=1)
        else:
            diversity = np.zeros(size)
        cost_rank = np.argsort(np.argsort(self.costs(), kind="stable"), kind="stable")
        div_rank = np.argsort(np.argsort(-diversity, kind="stable"), kind="stable")
        weight = 1.0 - min(elite, size) / size
        return (cost_rank + weight * div_rank) / max(size - 1, 1)

    def first_clone(self) -> int | None:
        """The first member identical to an earlier one, or None."""
        same = np.tril(self.distance == 0.0, k=-1).any(axis=1)
        hit = np.flatnonzero(same)
        return int(hit[0]) if hit.size else None

    def cull(self, mu: int, elite: int, close: int) -> None:
        """Remove clones, then the worst biased fitness, down to `mu` members."""
        while len(self.members) > mu:
            k = self.first_clone()
            self.remove(k if k is not None else int(np.argmax(self.biased_fitness(elite, close))))
