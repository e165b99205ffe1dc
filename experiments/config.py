"""An experiment's configuration: the command-line options, or the same keys in a TOML file.

    instances = ["instances/xiqing.json", "../shared/benchmarks/cvrp/E/*.vrp"]
    solvers = ["exact", "ortools", "pso", "ga", "pyvrp"]
    seeds = 5
    time_limit = 10.0
    sensitivity = true

A file is validated with JSON Schema (`CONFIG_SCHEMA`); options given on the command
line override the file. The resolved configuration is stored with the results.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from experiments.solvers import SOLVERS
from lastmile.errors import InstanceError
from zoning.names import ALGORITHMS

RESULTS = Path("results")


def fresh_folder() -> str:
    """A new output folder under results/, named by the UTC time it was made."""
    return str(RESULTS / f"compare-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}")


@dataclass(frozen=True)
class Config:
    """Everything that determines an experiment's results (`workers` and `scheduler`
    only decide where runs execute, never what they return)."""

    instances: tuple[str, ...] = ()  # empty: the shipped instances
    solvers: tuple[str, ...] = ("exact", "ortools", "pso", "ga", "pyvrp")
    seeds: int = 2
    master_seed: int = 20240601
    time_limit: float = 1.0  # seconds per routing run
    iterations: int | None = None  # a deterministic budget instead of the clock
    # a heuristic run also ends after its solver's registered iterations without improvement
    # (experiments.solvers.STALL: HGS' rule); false: every run uses its whole budget
    stop_on_stall: bool = True
    stage_time_limit: float = 30.0  # seconds per location or assignment solve
    workers: int = 2
    memory_share: float = 0.8  # the share of the machine's memory an instance's largest stage may take
    scheduler: str | None = None
    out: str = ""  # empty: a new folder from `fresh_folder`
    region_algorithm: str = "louvain"
    n_regions: int | None = None  # None: as many as the algorithm finds
    louvain_stages: int | None = None  # None: Louvain's levels until modularity stops rising; 2: the study's
    scaling_budget_s: float = 10.0  # seconds per region algorithm for its scalability (Table 2); 0: not measured
    region_budget_s: float = 30.0  # seconds each algorithm compared in Table 2 may run (zoning.budget); 0: no limit
    compare_algorithms: bool = True
    compare_classifiers: bool = True
    classifier_repeats: int = 10  # repeats of the 5-fold cross-validation
    independent: bool = True
    independent_max_customers: int = 300  # a company with more plans its independent delivery in districts
    line_haul: bool = True  # False: the study's convention, joint delivery pays no line-haul
    sensitivity: bool = False
    sensitivity_solver: str = "ortools"
    fixed_cost_factors: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0)
    demand_factors: tuple[float, ...] = (0.8, 1.0, 1.2, 1.4)
    # the line-haul truck's costs (instances that have one); 0 is the study's convention
    line_haul_factors: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5)
    simulate: bool = False  # multi-day simulation of joint against independent delivery
    simulation_days: int = 3
    simulation_replications: int = 5
    simulation_solver: str = "ga"  # re-plans each day's routes
    demand_noise: float = 0.1  # coefficient of variation of a day's parcels
    travel_noise: float = 0.1  # coefficient of variation of each leg's travel time
    free_flow: bool = False  # no congestion delay at all
    shift_end_min: float = 720.0
    # the joint instance routed as one problem from the same centers: the price of region division
    division_price: bool = True
    # issue 30: each joint plan costed under every line-haul design named (experiments.designs)
    line_haul_designs: tuple[str, ...] = ("tour", "direct", "hub")
    # what one routing problem covers (issue 30, experiments.scopes): each region ("region");
    # each relocated center's regions together ("center"); the whole joint instance from the
    # plan's centers ("whole", also run for division_price) or from the relocated ones ("relocated")
    routing_scopes: tuple[str, ...] = ("region", "center", "whole", "relocated")
    bound_time_limit: float = 10.0  # seconds for the vans' part of the bound on any joint plan; 0: no bound
    # issue 30: independent delivery also planned under the other reading of the instance's
    # `independent_windows` (experiments.windows), both readings simulated for the windows met
    window_scenarios: bool = True
    # the cost-allocation game (issue 12): every coalition's joint delivery, the rules; None
    # (the default): for the instances of at most allocation_max_companies companies (issue 33:
    # the default report says for whom joint delivery pays; Xiqing's 4 companies are 15 coalitions)
    allocate: bool | None = None
    allocation_max_companies: int = 6
    allocation_solvers: tuple[str, ...] = ("ga",)  # takes every region (PyVRP has no minimum load rate)
    allocation_iterations: int = 50  # per region and coalition (GA generations); clock-only solvers take time_limit
    shapley_exact_max: int = 10  # companies up to which every coalition is evaluated
    shapley_samples: int = 200  # random orders for the sampled Shapley value above that
    allocation_fit_regions: bool = True  # a coalition with fewer vehicles than regions asks for fewer regions
    # issue 34: scenarios of the uncertain inputs (experiments.uncertainty); 0: none
    scenarios: int = 0
    uncertainty_method: str = "morris"  # "morris" | "sobol" | "lhs"
    uncertainty_iterations: int = 100  # GA generations per scenario problem (PyVRP 20 times as many)
    demand_dispersion: float = 0.0  # day-to-day demand: 0 Poisson, > 0 negative binomial (var = m + d m^2)
    uncertain_inputs: tuple[dict, ...] = ()  # overrides of experiments.uncertainty.DEFAULT_INPUTS
    # a company alone pays its parcels' share of today's village trips ("shared") or its own trips ("alone")
    allocation_feeder: str = "shared"

    def as_dict(self) -> dict[str, Any]:
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Config:
        """The configuration `as_dict` wrote (keys it does not know are dropped)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: tuple(v) if k in _ARRAY_FIELDS else v for k, v in data.items() if k in known})


_ARRAY_FIELDS = {
    "instances",
    "solvers",
    "fixed_cost_factors",
    "demand_factors",
    "line_haul_factors",
    "allocation_solvers",
    "line_haul_designs",
    "routing_scopes",
    "uncertain_inputs",
}
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "instances": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "solvers": {"type": "array", "items": {"enum": list(SOLVERS)}, "minItems": 1, "uniqueItems": True},
        "seeds": {"type": "integer", "minimum": 1, "maximum": 1000},
        "master_seed": {"type": "integer", "minimum": 0, "maximum": 2**128},
        "time_limit": {"type": "number", "exclusiveMinimum": 0, "maximum": 10**6},
        "iterations": {"type": "integer", "minimum": 1, "maximum": 10**9},
        "stop_on_stall": {"type": "boolean"},
        "stage_time_limit": {"type": "number", "exclusiveMinimum": 0, "maximum": 10**6},
        "workers": {"type": "integer", "minimum": 1, "maximum": 1024},
        "memory_share": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "scheduler": {"type": "string"},
        "out": {"type": "string", "minLength": 1},
        "region_algorithm": {"enum": list(ALGORITHMS)},
        "n_regions": {"type": "integer", "minimum": 1, "maximum": 100000},
        "louvain_stages": {"type": "integer", "minimum": 1, "maximum": 1000},
        "scaling_budget_s": {"type": "number", "minimum": 0, "maximum": 10**6},
        "region_budget_s": {"type": "number", "minimum": 0, "maximum": 10**6},
        "compare_algorithms": {"type": "boolean"},
        "compare_classifiers": {"type": "boolean"},
        "classifier_repeats": {"type": "integer", "minimum": 1, "maximum": 1000},
        "independent": {"type": "boolean"},
        "independent_max_customers": {"type": "integer", "minimum": 1, "maximum": 10**9},
        "line_haul": {"type": "boolean"},
        "sensitivity": {"type": "boolean"},
        "sensitivity_solver": {"enum": list(SOLVERS)},
        "fixed_cost_factors": {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}, "minItems": 1},
        "demand_factors": {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}, "minItems": 1},
        "line_haul_factors": {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 1},
        "simulate": {"type": "boolean"},
        "simulation_days": {"type": "integer", "minimum": 1, "maximum": 3650},
        "simulation_replications": {"type": "integer", "minimum": 1, "maximum": 1000},
        "simulation_solver": {"enum": list(SOLVERS)},
        "demand_noise": {"type": "number", "minimum": 0},
        "travel_noise": {"type": "number", "minimum": 0},
        "free_flow": {"type": "boolean"},
        "shift_end_min": {"type": "number", "exclusiveMinimum": 0},
        "division_price": {"type": "boolean"},
        "line_haul_designs": {
            "type": "array",
            "items": {"enum": ["tour", "direct", "hub"]},
            "minItems": 1,
            "uniqueItems": True,
        },
        "bound_time_limit": {"type": "number", "minimum": 0, "maximum": 10**6},
        "window_scenarios": {"type": "boolean"},
        "routing_scopes": {
            "type": "array",
            "items": {"enum": ["region", "center", "whole", "relocated"]},
            "minItems": 1,
            "uniqueItems": True,
        },
        "allocate": {"type": "boolean"},
        "allocation_max_companies": {"type": "integer", "minimum": 2, "maximum": 30},
        "scenarios": {"type": "integer", "minimum": 0, "maximum": 100000},
        "uncertainty_method": {"enum": ["morris", "sobol", "lhs"]},
        "uncertainty_iterations": {"type": "integer", "minimum": 1, "maximum": 10**6},
        "demand_dispersion": {"type": "number", "minimum": 0},
        "uncertain_inputs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": {
                        "enum": [
                            "vehicle_fixed_cost",
                            "cost_per_km",
                            "center_fixed_cost",
                            "line_haul",
                            "hub_cost",
                            "feeder",
                            "demand",
                        ]
                    },
                    "distribution": {"enum": ["uniform", "triangular", "lognormal"]},
                    "low": {"type": "number", "exclusiveMinimum": 0},
                    "high": {"type": "number", "exclusiveMinimum": 0},
                    "mode": {"type": "number", "exclusiveMinimum": 0},
                    "sigma": {"type": "number", "exclusiveMinimum": 0},
                    "reason": {"type": "string"},
                },
            },
        },
        "allocation_solvers": {"type": "array", "items": {"enum": list(SOLVERS)}, "minItems": 1, "uniqueItems": True},
        "allocation_iterations": {"type": "integer", "minimum": 1, "maximum": 10**9},
        "shapley_exact_max": {"type": "integer", "minimum": 1, "maximum": 15},
        "shapley_samples": {"type": "integer", "minimum": 2, "maximum": 10**6},
        "allocation_fit_regions": {"type": "boolean"},
        "allocation_feeder": {"enum": ["shared", "alone"]},
    },
}


def _is_integer(checker: object, value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: JSON Schema counts 1.0 as an integer; a seed count or a seed of 1.0 would then pass
#: validation and fail deep in a run, so integers here are Python ints.
_STRICT = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


def read_config(path: Path) -> dict[str, Any]:
    """The validated keys of a TOML experiment file; InstanceError naming the file and
    the field on a fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InstanceError(str(path), "(file)", f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        byte = f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"
        raise InstanceError(str(path), "(file)", f"not UTF-8 text ({byte}): TOML files are UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise InstanceError(str(path), "(syntax)", f"not valid TOML: {exc}") from None
    except RecursionError:
        raise InstanceError(str(path), "(syntax)", "nested too deeply to be a configuration") from None
    _validate(data, str(path), lambda field: field)
    return {k: tuple(v) if k in _ARRAY_FIELDS else v for k, v in data.items()}


def _validate(data: dict[str, Any], source: str, name: Callable[[str], str]) -> None:
    """InstanceError for the first value the schema refuses, its field spelled by `name`
    (a NaN or an infinity first: JSON Schema's ranges let both through)."""
    for key, value in data.items():
        for k, item in enumerate(value if isinstance(value, list | tuple) else [value]):
            if isinstance(item, float) and not math.isfinite(item):
                field = f"{key}.{k}" if isinstance(value, list | tuple) else key
                raise InstanceError(source, name(field), f"{item} is not a finite number")
    errors = sorted(_STRICT(CONFIG_SCHEMA).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        field = ".".join(str(p) for p in first.path) or "(top level)"
        raise InstanceError(source, name(field), first.message)


def _option(field: str) -> str:
    """The command-line option of a configuration field (`time_limit.0` -> `--time-limit`)."""
    return "--" + field.split(".")[0].replace("_", "-")


def resolve(file_values: dict[str, Any], overrides: dict[str, Any]) -> Config:
    """Defaults, then the file, then the options given on the command line."""
    given = {k: v for k, v in overrides.items() if v is not None}
    _validate({k: list(v) if k in _ARRAY_FIELDS else v for k, v in given.items()}, "(command line)", _option)
    given = {k: tuple(v) if k in _ARRAY_FIELDS else v for k, v in given.items()}
    config = replace(Config(), **(file_values | given))
    return config if config.out else replace(config, out=fresh_folder())
