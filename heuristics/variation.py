"""Variation operators on giant tours: pure functions of their inputs and a Generator.

A giant tour is a permutation of the customers 1..n (the center left out).
"""

from __future__ import annotations

import numpy as np


def order_crossover(first: np.ndarray, second: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """OX: a random slice of `first` kept in place, the rest in `second`'s order."""
    n = len(first)
    i, j = sorted(rng.choice(n + 1, size=2, replace=False))
    child = np.zeros(n, dtype=np.int64)
    kept = first[i:j]
    child[i:j] = kept
    taken = np.zeros(n + 1, dtype=bool)
    taken[kept] = True
    rest = [c for c in np.concatenate((second[j:], second[:j])) if not taken[c]]
    positions = [*range(j, n), *range(0, i)]
    child[positions] = rest
    return child


def mutate(tour: np.ndarray, rng: np.random.Generator, rate: float) -> np.ndarray:
    """With probability `rate`, reverse a random segment (inversion) or swap two customers."""
    out = tour.copy()
    if len(out) < 2 or rng.random() >= rate:
        return out
    i, j = sorted(rng.choice(len(out), size=2, replace=False))
    if rng.random() < 0.5:
        out[i : j + 1] = out[i : j + 1][::-1]
    else:
        out[i], out[j] = out[j], out[i]
    return out


def keys_to_tour(keys: np.ndarray) -> np.ndarray:
    """Random-key decoding: customers in increasing order of their key."""
    return np.argsort(keys, kind="stable").astype(np.int64) + 1


def tour_to_keys(tour: np.ndarray, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """Keys that decode to `tour`, evenly spaced in [low, high] (Lamarckian write-back)."""
    n = len(tour)
    keys = np.empty(n)
    keys[tour - 1] = low + (high - low) * (np.arange(n) + 0.5) / n
    return keys
