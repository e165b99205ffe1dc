"""Pyomo models of the study's location, assignment and routing problems, solved with HiGHS.

Each module has a builder from plain data to a `ConcreteModel` (`build_*`), kept apart
from solving (`formulations.highs.solve_model`) and from turning the model's values
into the shared `Solution` (`*_solution`); `*_answer` functions chain the three into an
`Answer`, and `exact.Exact` is the solver (`lastmile.solve.Solver`) users call `exact`,
whose results `lastmile.solve.solve` costs and checks.
"""
