"""Genetic algorithm with DEAP: giant-tour chromosomes, order crossover, Split and local
search as education, and a population that keeps diversity (after HGS, Vidal 2012).

Each generation: two parents by binary tournament on biased fitness (rank by penalised
cost plus rank by diversity, the mean broken-pairs distance to the closest
individuals), order crossover, mutation, education (Split, then local search, both
under the adaptive penalty weights of `heuristics.penalties`; the improved routes are
written back into the chromosome), insertion, and for half the infeasible offspring a
repair whose feasible result joins too; when the population exceeds
mu + lambda, clones and then the worst biased fitness are removed down to mu. After
`restart_after` generations without improvement, all but the best few are replaced
by new random educated individuals. Only feasible solutions are ever returned: the
best is the cheapest feasible one seen.

DEAP provides the individual and fitness containers (`creator`); its operators draw
from Python's global `random`, so selection and variation here are our own pure
functions with an explicit Generator.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from deap import base, creator

from heuristics.arrays import ProblemArrays
from heuristics.education import Routes, educate, repair
from heuristics.penalties import Penalties, PenaltyParams
from heuristics.stopping import Trace, answer, flat_params
from heuristics.variation import broken_pairs_distance, mutate, order_crossover
from lastmile.routing import RoutingProblem
from lastmile.solve import Answer
from lastmile.stop import Search, StoppingCriterion

if not hasattr(creator, "LastmileFitness"):
    creator.create("LastmileFitness", base.Fitness, weights=(-1.0,))
    creator.create("LastmileTour", list, fitness=creator.LastmileFitness, found=None, serial=-1)

_SERIAL = itertools.count()  # identifies individuals for the distance cache; never affects results


@dataclass(frozen=True)
class GAParams:
    mu: int = 25  # survivors
    lam: int = 40  # offspring before survivor selection
    elite: int = 4  # biased fitness: weight of diversity falls with the elite size
    close: int = 5  # neighbours for the diversity measure
    mutation_rate: float = 0.3
    restart_after: int = 2000  # generations without improvement before a restart
    local_search: bool = True
    penalties: PenaltyParams = field(default_factory=PenaltyParams)


def _individual(found: Routes, tour: np.ndarray, penalties: Penalties) -> creator.LastmileTour:
    """The educated chromosome, or the raw `tour` when no cut of it fits the fleet."""
    ind = creator.LastmileTour((found.tour if found.routes else tour).tolist())
    ind.found = found
    ind.fitness.values = (found.cost + penalties.penalty(found.excess),)
    ind.serial = next(_SERIAL)
    return ind


def _biased_fitness(population: list, params: GAParams, cache: dict[tuple[int, int], float]) -> np.ndarray:
    """Rank by cost plus weighted rank by diversity; pair distances are cached by serial."""
    size = len(population)
    distance = np.zeros((size, size))
    for i in range(size):
        for j in range(i + 1, size):
            a, b = population[i].serial, population[j].serial
            key = (a, b) if a < b else (b, a)
            if key not in cache:
                cache[key] = broken_pairs_distance(
                    np.array(population[i], dtype=np.int64), np.array(population[j], dtype=np.int64)
                )
            distance[i, j] = distance[j, i] = cache[key]
    close = min(params.close, size - 1)
    diversity = np.array([np.sort(np.delete(distance[i], i))[:close].mean() if close else 0.0 for i in range(size)])
    cost_rank = np.argsort(np.argsort([ind.fitness.values[0] for ind in population], kind="stable"), kind="stable")
    div_rank = np.argsort(np.argsort(-diversity, kind="stable"), kind="stable")
    weight = 1.0 - min(params.elite, size) / size
    return (cost_rank + weight * div_rank) / max(size - 1, 1)


def _tournament(population: list, fitness: np.ndarray, rng: np.random.Generator) -> creator.LastmileTour:
    i, j = rng.choice(len(population), size=2, replace=False)
    return population[i] if fitness[i] <= fitness[j] else population[j]


def _survivors(population: list, params: GAParams, cache: dict[tuple[int, int], float]) -> list:
    while len(population) > params.mu:
        seen: dict[tuple, int] = {}
        clone = None
        for k, ind in enumerate(population):
            key = tuple(ind)
            if key in seen:
                clone = k
                break
            seen[key] = k
        if clone is not None:
            population.pop(clone)
            continue
        fitness = _biased_fitness(population, params, cache)
        population.pop(int(np.argmax(fitness)))
    alive = {ind.serial for ind in population}
    for key in [k for k in cache if k[0] not in alive or k[1] not in alive]:
        del cache[key]
    return population


@dataclass(frozen=True)
class GA:
    """The genetic algorithm as a `lastmile.solve.Solver`; an iteration is a generation
    (one offspring)."""

    params: GAParams = GAParams()
    name: str = "ga"

    def __call__(self, problem: RoutingProblem, stop: StoppingCriterion, seed: int) -> Answer:
        return _run(problem, Search(stop), np.random.default_rng(seed), self.params)


def _run(problem: RoutingProblem, search: Search, rng: np.random.Generator, params: GAParams) -> Answer:
    arrays = ProblemArrays.of(problem)
    penalties = Penalties.of(arrays, params.penalties)
    trace = Trace()
    best: Routes | None = None
    population: list = []

    def admit(found: Routes, tour: np.ndarray) -> bool:
        """Add the educated solution; say whether it is the best feasible one so far."""
        nonlocal best
        population.append(_individual(found, tour, penalties))
        if found.feasible and trace.offer(found.cost, search.elapsed()):
            best = found
            return True
        return False

    def educated(tour: np.ndarray) -> bool:
        """Educate `tour`, note it for the weights, repair it sometimes; admit what comes."""
        found = educate(arrays, tour, rng, penalties.weights, local_search=params.local_search)
        if found.routes and penalties.record(found.excess):
            for ind in population:
                ind.fitness.values = (ind.found.cost + penalties.penalty(ind.found.excess),)
        improved = admit(found, tour)
        if found.routes and not found.feasible and rng.random() < params.penalties.repair:
            fixed = repair(arrays, found, rng, penalties.weights)
            if fixed is not None:
                improved = admit(fixed, tour) or improved
        return improved

    for _ in range(params.mu):
        if search.out_of_time():
            break
        educated(rng.permutation(problem.n) + 1)
    stale = 0
    cache: dict[tuple[int, int], float] = {}
    while not search.exhausted():
        fitness = _biased_fitness(population, params, cache)
        first, second = _tournament(population, fitness, rng), _tournament(population, fitness, rng)
        child = order_crossover(np.array(first, dtype=np.int64), np.array(second, dtype=np.int64), rng)
        child = mutate(child, rng, params.mutation_rate)
        stale = 0 if educated(child) else stale + 1
        if len(population) >= params.mu + params.lam:
            population[:] = _survivors(population, params, cache)
        if stale >= params.restart_after:
            keep = sorted(population, key=lambda ind: ind.fitness.values[0])[: params.elite]
            population[:] = keep
            while len(population) < params.mu and not search.out_of_time():
                educated(rng.permutation(problem.n) + 1)
            stale = 0
        search.tick()
    routes = best.routes if best is not None else []
    return answer(problem, routes, trace.best, search, trace, flat_params(params))
