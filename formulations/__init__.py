"""Pyomo models of the study's location, assignment and routing problems, solved with HiGHS.

Each module has a builder from plain data to a `ConcreteModel` (`build_*`), kept apart
from solving (`formulations.highs.solve_model`) and from turning the model's values
into the shared `Solution` (`*_solution`); `solve_*` functions chain the three and
return a `lastmile.result.SolveResult`, re-costed and re-checked.
"""
