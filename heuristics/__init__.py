"""Heuristic routing solvers and the operators they share.

Operators (`split`, `local_search`, `variation`) are pure functions over the flat
arrays of `arrays.ProblemArrays`, compiled with numba, taking their randomness from an
explicit `numpy.random.Generator` (a seed drawn from it where numba runs the loop).
Solvers (`pso.PSO`, `ga.GA`, `ortools_solver.OrTools`, `pyvrp_solver.PyVRP`) satisfy
`lastmile.solve.Solver`: `solver(problem, stop, seed) -> Answer`; `lastmile.solve.solve`
turns an answer into a `SolveResult`.
"""
