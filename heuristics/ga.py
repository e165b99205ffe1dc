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

from dataclasses import dataclass, field

import numpy as np
from deap import base, creator

from heuristics.arrays import ProblemArrays
from heuristics.education import Routes, educate, repair
from heuristics.penalties import Penalties, PenaltyParams
from heuristics.population import Population
from heuristics.stopping import Trace, answer, flat_params
from heuristics.variation import mutate, order_crossover
from lastmile.routing import RoutingProblem
from lastmile.solve import Answer
from lastmile.stop import Search, StoppingCriterion

if not hasattr(creator, "LastmileFitness"):
    creator.create("LastmileFitness", base.Fitness, weights=(-1.0,))
    creator.create("LastmileTour", list, fitness=creator.LastmileFitness, found=None)


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
    return ind


def _tournament(population: Population, fitness: np.ndarray, rng: np.random.Generator) -> creator.LastmileTour:
    i, j = rng.choice(len(population), size=2, replace=False)
    return population.members[i] if fitness[i] <= fitness[j] else population.members[j]


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
    population = Population(problem.n, lambda ind: ind.fitness.values[0])

    def admit(found: Routes, tour: np.ndarray) -> bool:
        """Add the educated solution; say whether it is the best feasible one so far."""
        nonlocal best
        ind = _individual(found, tour, penalties)
        population.add(ind, np.array(ind, dtype=np.int64))
        if found.feasible and trace.offer(found.cost, search.elapsed()):
            best = found
            search.improved()
            return True
        return False

    def educated(tour: np.ndarray) -> bool:
        """Educate `tour`, note it for the weights, repair it sometimes; admit what comes."""
        found = educate(arrays, tour, rng, penalties.weights, local_search=params.local_search)
        if found.routes and penalties.record(found.excess):
            for ind in population.members:
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
    while not search.exhausted():
        fitness = population.biased_fitness(params.elite, params.close)
        first, second = _tournament(population, fitness, rng), _tournament(population, fitness, rng)
        child = order_crossover(np.array(first, dtype=np.int64), np.array(second, dtype=np.int64), rng)
        child = mutate(child, rng, params.mutation_rate)
        stale = 0 if educated(child) else stale + 1
        if len(population) >= params.mu + params.lam:
            population.cull(params.mu, params.elite, params.close)
        if stale >= params.restart_after:
            population.keep(np.argsort(population.costs(), kind="stable")[: params.elite])
            while len(population) < params.mu and not search.out_of_time():
                educated(rng.permutation(problem.n) + 1)
            stale = 0
        search.tick()
    routes = best.routes if best is not None else []
    return answer(problem, routes, trace.best, search, trace, flat_params(params))
