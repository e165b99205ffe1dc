"""Particle swarm optimisation with pyswarms: random keys, Split, local search, write-back.

Each particle is a vector of n random keys; sorting the keys gives a giant tour, which
Split cuts optimally into routes and the local search improves (`local_search=False`
is the ablation that shows what the local search adds), both under the adaptive
penalty weights of `heuristics.penalties`, so particles may cross infeasible space; half
the infeasible ones are also repaired. The improved routes are written back into the
particle as keys (Lamarckian learning), so the swarm moves among good solutions
instead of raw permutations. A particle's cost is its penalised cost, re-priced with
its personal best when the weights move; only feasible solutions are returned.

The swarm state (positions, velocities, personal bests) is pyswarms' `Swarm`, and the
personal and global bests are pyswarms' `compute_pbest` and star topology. The
velocity update is the study's Eq. (3) with inertia `w` and learning factors `c1`,
`c2`, and the position update Eq. (4), drawn here from the explicit Generator because
pyswarms draws from numpy's global random state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from heuristics.arrays import ProblemArrays
from heuristics.education import NO_ROUTES, Routes, educate, repair
from heuristics.penalties import Penalties, PenaltyParams
from heuristics.quiet import STAR, Swarm, compute_pbest
from heuristics.stopping import Trace, answer, flat_params
from heuristics.variation import keys_to_tour, tour_to_keys
from lastmile.routing import RoutingProblem
from lastmile.solve import Answer
from lastmile.stop import Search, StoppingCriterion


@dataclass(frozen=True)
class PSOParams:
    particles: int = 20
    w: float = 0.6  # inertia weight
    c1: float = 1.5  # cognitive learning factor
    c2: float = 1.5  # social learning factor
    v_max: float = 0.2  # velocity clamp, in key units
    local_search: bool = True
    penalties: PenaltyParams = field(default_factory=PenaltyParams)


@dataclass(frozen=True)
class PSO:
    """The particle swarm as a `lastmile.solve.Solver`; an iteration is a swarm step
    (every particle moves once)."""

    params: PSOParams = PSOParams()
    name: str = "pso"

    def __call__(self, problem: RoutingProblem, stop: StoppingCriterion, seed: int) -> Answer:
        return _run(problem, Search(stop), np.random.default_rng(seed), self.params)


def _run(problem: RoutingProblem, search: Search, rng: np.random.Generator, params: PSOParams) -> Answer:
    arrays = ProblemArrays.of(problem)
    penalties = Penalties.of(arrays, params.penalties)
    trace = Trace()
    n, size = problem.n, params.particles
    swarm = Swarm(
        position=rng.random((size, n)),
        velocity=rng.uniform(-params.v_max, params.v_max, (size, n)),
        options={"w": params.w, "c1": params.c1, "c2": params.c2},
    )
    swarm.best_pos = swarm.position[0].copy()  # pyswarms keeps it empty until a finite cost appears
    best: Routes | None = None
    found: list[Routes] = [NO_ROUTES] * size  # each particle's solution now
    personal: list[Routes] = list(found)  # and at its personal best
    first = True
    while first or not search.exhausted():
        for k in range(size):
            if search.out_of_time():
                break
            got = educate(
                arrays, keys_to_tour(swarm.position[k]), rng, penalties.weights, local_search=params.local_search
            )
            if got.routes:  # a tour no cut of which fits the fleet says nothing about the limits
                penalties.record(got.excess)
            if got.routes and not got.feasible and rng.random() < params.penalties.repair:
                fixed = repair(arrays, got, rng, penalties.weights)
                got = fixed if fixed is not None else got
            found[k] = got
            if got.routes:
                swarm.position[k] = tour_to_keys(got.tour)  # Lamarckian write-back
            if got.feasible and trace.offer(got.cost, search.elapsed()):
                best = got
                search.improved()
        if search.out_of_time():
            break
        costs = np.array([f.cost + penalties.penalty(f.excess) for f in found])
        swarm.current_cost = costs
        if first:
            swarm.pbest_pos, swarm.pbest_cost = swarm.position.copy(), costs.copy()
            personal = list(found)
            first = False
        swarm.pbest_cost = np.array([f.cost + penalties.penalty(f.excess) for f in personal])  # today's weights
        better = costs < swarm.pbest_cost  # the rule of pyswarms' compute_pbest
        personal = [found[k] if better[k] else personal[k] for k in range(size)]
        swarm.pbest_pos, swarm.pbest_cost = compute_pbest(swarm)
        swarm.best_cost = np.inf  # the stored best is priced at older weights: take today's best pbest
        swarm.best_pos, swarm.best_cost = STAR.compute_gbest(swarm)
        r1, r2 = rng.random((size, n)), rng.random((size, n))
        swarm.velocity = np.clip(
            params.w * swarm.velocity
            + params.c1 * r1 * (swarm.pbest_pos - swarm.position)
            + params.c2 * r2 * (swarm.best_pos - swarm.position),
            -params.v_max,
            params.v_max,
        )  # Eq. (3)
        swarm.position = swarm.position + swarm.velocity  # Eq. (4)
        search.tick()
    routes = best.routes if best is not None else []
    return answer(problem, routes, trace.best, search, trace, flat_params(params))
