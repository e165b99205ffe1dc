"""Heuristic routing solvers and the operators they share.

Operators (`split`, `local_search`, `variation`) are pure functions over the flat
arrays of `arrays.ProblemArrays`, compiled with numba, taking their randomness from an
explicit `numpy.random.Generator` (a seed drawn from it where numba runs the loop).
Solvers (`pso`, `ga`, `ortools_solver`, `pyvrp_solver`) share the signature
`solve(problem, *, time_limit, seed, iterations=None) -> SolveResult`.
"""
