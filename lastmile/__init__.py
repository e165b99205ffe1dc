"""lastmile: the shared domain of the joint last-mile delivery toolkit.

One `Instance`, one `Solution`, one cost function (`evaluate`) and one feasibility
checker (`check`) that every solver, exact or heuristic, is measured by.
"""

from lastmile.check import Violation, check
from lastmile.cost import CostBreakdown, evaluate
from lastmile.errors import InstanceError
from lastmile.model import Instance, Route, Solution
from lastmile.readers import load_instance

__all__ = [
    "CostBreakdown",
    "Instance",
    "InstanceError",
    "Route",
    "Solution",
    "Violation",
    "check",
    "evaluate",
    "load_instance",
]
