"""The results store: one SQLite file per experiment folder.

- `runs`: one row per (instance, region, solver, seed), inserted in its own
  transaction as the run finishes, so a killed experiment keeps every finished run;
  the primary key makes a resumed experiment unable to duplicate one.
- `tables`: the stage tables an experiment computes besides runs (regions, modes,
  location, classifiers, joint against independent, sensitivity, best-known values),
  each a DataFrame stored as JSON under (instance, name).
- `coalitions`: one row per (instance, coalition, solver, seed), the value of a
  coalition of companies in the cost-allocation game (issue 12), stored like a run.
- `meta`: how the folder was made (command, configuration, versions, machine), each
  resume's command, and the SHA-256 of every instance file (`inputs`).

A stored `error` row is the only row a later insert replaces. Instances derived from
another are labelled `NAME@...`: sensitivity variants `NAME@PARAMETER=FACTOR`, the
whole joint instance `NAME@whole`, simulated days `NAME@sim=rRdD`.

Tables, figures and the report are rebuilt from this file alone.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from io import StringIO
from pathlib import Path

import pandas as pd

from experiments.output import write_atomic
from experiments.provenance import RunProvenance
from lastmile.readers.physics import VARIANT_MARK

STORE_NAME = "results.sqlite"
#: Marks a derived instance's label, `NAME@...` (no instance name may hold it).
VARIANT = VARIANT_MARK
#: The region of an instance routed whole, and the prefix of each company's own region.
ALL = "all"
INDEPENDENT = "independent:"
#: The joint instance routed as one problem (label `NAME@whole`, region `whole`).
WHOLE = "whole"
#: The joint instance routed as one problem from the fewest centers that hold it (issue
#: 30's relocation: label `NAME@relocated`, region `relocated`).
RELOCATED = "relocated"
#: Each relocated center's regions routed as one problem (issue 30: label `NAME@center`,
#: one region per center, named by the center).
CENTER = "center"
CSV_NAME = "results.csv"


@dataclass(frozen=True)
class RunRow:
    """One finished run, as stored. `routes` is JSON: a list of routes, each the node
    ids in visiting order as the instance file names them, depot left out;
    `vehicles` (JSON) names each route's vehicle, `centers` (JSON) each route's start
    and `center` the first route's. A two-echelon run also names its `hub` and gives
    its truck routes in `shuttles` (JSON: per truck `{"vehicle", "stops": [[center,
    delivered, collected], ...]}`), so both echelons can be re-costed from the
    instance file alone (stores made before these columns hold them empty)."""

    instance: str
    region: str
    solver: str
    seed: int
    objective: float | None
    bound: float | None
    status: str
    feasible: bool
    time_s: float
    n_customers: int
    routes: str
    vehicles: str
    center: str
    centers: str
    hub: str
    shuttles: str
    km: float | None
    co2_kg: float | None
    vehicle_fixed: float | None
    transport: float | None
    congestion: float | None
    trace: str
    violations: str
    message: str

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.instance, self.region, self.solver, self.seed)


@dataclass(frozen=True)
class CoalitionRow:
    """One coalition's delivery by one solver and seed, as stored: joint delivery of its
    companies' parcels (the others absent), or for a single company its independent
    delivery. `status`: `ok`, `no plan` (the pipeline cannot plan the coalition, e.g.
    its fleet is too small), `infeasible` (a region without a feasible run) or `error`.
    Money and CO2 are as `experiments.aggregate.delivery_row` gives them."""

    instance: str
    coalition: str
    solver: str
    seed: int
    size: int
    status: str
    feasible: bool
    TC: float | None
    TC_no_LH: float | None
    E: float | None
    E_no_LH: float | None
    km: float | None
    vehicles: int
    parcels: float
    regions: int
    time_s: float
    message: str
    costs: str = ""  # TC's parts (JSON: C1, C2, C3, C4, LH, feeder), to re-cost the value in a scenario

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.instance, self.coalition, self.solver, self.seed)


@dataclass(frozen=True)
class ScenarioRow:
    """One uncertainty scenario of an instance (issue 34, `experiments.scenarios`): its
    factors (JSON), status (`ok`, `no plan`, `infeasible`, `error`), both policies' TC
    and E with line-haul and without, and per company (JSON) its cost alone and its
    parcels."""

    instance: str
    scenario: int
    status: str
    feasible: bool
    factors: str
    TC_independent: float | None = None
    TC_joint: float | None = None
    TC_no_LH_independent: float | None = None
    TC_no_LH_joint: float | None = None
    E_independent: float | None = None
    E_joint: float | None = None
    E_no_LH_independent: float | None = None
    E_no_LH_joint: float | None = None
    companies: str = ""
    time_s: float = 0.0
    message: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.instance, self.scenario)


COLUMNS = tuple(f.name for f in fields(RunRow))
KEY = ("instance", "region", "solver", "seed")
COALITION_COLUMNS = tuple(f.name for f in fields(CoalitionRow))
COALITION_KEY = ("instance", "coalition", "solver", "seed")
SCENARIO_COLUMNS = tuple(f.name for f in fields(ScenarioRow))
SCENARIO_KEY = ("instance", "scenario")
_SQL_TYPES = {
    "scenario": "INTEGER",
    "seed": "INTEGER",
    "n_customers": "INTEGER",
    "feasible": "INTEGER",
    "size": "INTEGER",
    "vehicles": "INTEGER",
    "regions": "INTEGER",
    "time_s": "REAL",
}
_REAL = {"objective", "bound", "km", "co2_kg", "vehicle_fixed", "transport", "congestion"}
_REAL |= {"TC", "TC_no_LH", "E", "E_no_LH", "parcels"}
_REAL |= {f"{q}_{p}" for q in ("TC", "TC_no_LH", "E", "E_no_LH") for p in ("independent", "joint")}


def _schema(columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    typed = ", ".join(f"{c} {_SQL_TYPES.get(c, 'REAL' if c in _REAL else 'TEXT')}" for c in columns)
    return f"({typed}, PRIMARY KEY ({', '.join(key)}))"


class StoreError(Exception):
    """A results file that is damaged or is not an experiment's store; names the file."""


#: The tables every experiment store has had since the first version, with the
#: columns everything that reads a store relies on.
REQUIRED = {
    "runs": (*KEY, "status", "objective", "feasible"),
    "tables": ("instance", "name", "data"),
    "meta": ("key", "value"),
}


class Store:
    """The experiment's SQLite file. Only the coordinating process writes to it.

    `Store(folder)` opens an existing store, after checking that it is one (an
    SQLite file with the store's tables that passes SQLite's `quick_check`);
    `create=True` also makes a new one."""

    def __init__(self, folder: Path, *, create: bool = False) -> None:
        self.path = folder / STORE_NAME
        if not create and not self.path.is_file():
            raise StoreError(f"{self.path}: no such file (is {folder} an experiment folder?)")
        try:
            self.db = sqlite3.connect(self.path)
            self._check(create)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            with self.db:
                self.db.execute(f"CREATE TABLE IF NOT EXISTS runs {_schema(COLUMNS, KEY)}")
                self._add_columns("runs", COLUMNS)
                self.db.execute(f"CREATE TABLE IF NOT EXISTS coalitions {_schema(COALITION_COLUMNS, COALITION_KEY)}")
                self._add_columns("coalitions", COALITION_COLUMNS)
                self.db.execute(f"CREATE TABLE IF NOT EXISTS scenarios {_schema(SCENARIO_COLUMNS, SCENARIO_KEY)}")
                self.db.execute(
                    "CREATE TABLE IF NOT EXISTS tables "
                    "(instance TEXT, name TEXT, data TEXT, PRIMARY KEY (instance, name))"
                )
                self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {sqlite_fault(exc)}") from None

    def _check(self, create: bool) -> None:
        names = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not names and not create:
            raise StoreError(f"{self.path}: empty, not an experiment's results")
        if names and not names >= set(REQUIRED):
            missing = ", ".join(sorted(set(REQUIRED) - names))
            raise StoreError(
                f"{self.path}: an SQLite file, but not an experiment's results (no {missing} table); left untouched"
            )
        for table, columns in REQUIRED.items() if names else ():
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            if not have >= set(columns):
                raise StoreError(
                    f"{self.path}: not an experiment's results (its {table} table lacks "
                    f"{', '.join(c for c in columns if c not in have)}); left untouched"
                )
        problems = [r[0] for r in self.db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise StoreError(f"{self.path}: damaged ({problems[0]})")

    def _add_columns(self, table: str, columns: tuple[str, ...]) -> None:
        """Columns added since a store was made (resuming it), empty in its old rows."""
        have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column not in have:
                kind = _SQL_TYPES.get(column, "REAL" if column in _REAL else "TEXT")
                default = "" if kind != "TEXT" else " DEFAULT ''"
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}{default}")

    def close(self) -> None:
        self.db.close()

    def finished(self, *, retry_errors: bool = False) -> set[tuple[str, str, str, int]]:
        """The stored runs' keys; with `retry_errors`, not those stored as `error` (to be
        run again and replaced)."""
        return self._keys("runs", KEY, skip_errors=retry_errors)

    def finished_coalitions(self) -> set[tuple[str, str, str, int]]:
        """Coalitions stored with a value; an `error` row (a crash, not the coalition's
        own outcome) is evaluated again on resume and then replaced."""
        return self._keys("coalitions", COALITION_KEY, skip_errors=True)

    def finished_scenarios(self) -> set[tuple[str, int]]:
        """Scenarios stored with an outcome; an `error` row is evaluated again on resume."""
        return self._keys("scenarios", SCENARIO_KEY, skip_errors=True)  # type: ignore[return-value]

    def add_scenario(self, row: ScenarioRow) -> None:
        self._insert("scenarios", SCENARIO_COLUMNS, SCENARIO_KEY, row)

    def scenarios(self) -> pd.DataFrame:
        return self._frame("scenarios", SCENARIO_KEY)

    def _keys(self, table: str, key: tuple[str, ...], *, skip_errors: bool) -> set[tuple[str, str, str, int]]:
        where = " WHERE status != 'error'" if skip_errors else ""
        return {tuple(r) for r in self.db.execute(f"SELECT {', '.join(key)} FROM {table}{where}")}  # type: ignore[misc]

    def _insert(
        self, table: str, columns: tuple[str, ...], key: tuple[str, ...], row: RunRow | CoalitionRow | ScenarioRow
    ) -> None:
        """Insert one row in its own transaction. A row of the same key already stored
        is kept, unless it is an `error` row (a crash, evaluated again on request)."""
        values = asdict(row)
        values["feasible"] = int(row.feasible)
        marks = ", ".join("?" for _ in columns)
        update = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        with self.db:
            self.db.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
                f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {update} WHERE {table}.status = 'error'",
                [values[c] for c in columns],
            )

    def add_run(self, row: RunRow) -> None:
        self._insert("runs", COLUMNS, KEY, row)

    def add_coalition(self, row: CoalitionRow) -> None:
        self._insert("coalitions", COALITION_COLUMNS, COALITION_KEY, row)

    def _frame(self, table: str, key: tuple[str, ...]) -> pd.DataFrame:
        frame = pd.read_sql_query(f"SELECT * FROM {table} ORDER BY {', '.join(key)}", self.db)
        frame["feasible"] = frame["feasible"].astype(bool)
        return frame

    def runs(self) -> pd.DataFrame:
        return self._frame("runs", KEY)

    def coalitions(self) -> pd.DataFrame:
        return self._frame("coalitions", COALITION_KEY)

    def put_table(self, instance: str, name: str, table: pd.DataFrame) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO tables VALUES (?, ?, ?)",
                (instance, name, table.to_json(orient="split", index=False, double_precision=15)),
            )

    def instances(self) -> set[str]:
        """Every instance label the store holds runs, coalitions or stage tables of."""
        query = "SELECT instance FROM runs UNION SELECT instance FROM coalitions UNION SELECT instance FROM tables"
        return {label for (label,) in self.db.execute(query) if label}

    def table(self, name: str) -> pd.DataFrame:
        """The stage table `name` of every instance, stacked, with an `instance` column."""
        parts = []
        for instance, data in self.db.execute(
            "SELECT instance, data FROM tables WHERE name = ? ORDER BY instance", (name,)
        ):
            part = pd.read_json(StringIO(data), orient="split")
            part.insert(0, "instance", instance)
            parts.append(part)
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def put_meta(self, items: dict[str, object]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, json.dumps(v, sort_keys=True)) for k, v in items.items()],
            )

    def meta(self) -> dict[str, object]:
        try:
            return {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta ORDER BY key")}
        except (TypeError, ValueError) as exc:
            raise StoreError(f"{self.path}: its meta table is damaged ({type(exc).__name__}: {exc})") from None

    def provenance(self) -> RunProvenance | None:
        """How the experiment was made, or None for a store that has not recorded it."""
        stored = self.meta().get("provenance")
        if not isinstance(stored, dict):
            return None
        try:
            return RunProvenance.from_json(stored)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise StoreError(f"{self.path}: its recorded provenance is damaged ({type(exc).__name__})") from None

    def export_csv(self, folder: Path, columns: Iterable[str] = COLUMNS) -> Path:
        """`results.csv` beside the store: every run, in key order."""
        target = folder / CSV_NAME
        write_atomic(target, self.runs()[list(columns)].to_csv(index=False))
        return target


def sqlite_fault(exc: Exception) -> str:
    """What an SQLite error says about the file, in words a user can act on."""
    text = str(exc)
    if "not a database" in text:
        return "not an SQLite database (garbage or another kind of file)"
    if "malformed" in text or "corrupt" in text:
        return f"damaged ({text}); the experiment cannot be read from it"
    return text


def folder_main(argv: list[str] | None, usage: str, build: Callable[[Path], list[Path]]) -> int:
    """The command line of a script that rebuilds files from an experiment folder's store."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(usage, file=sys.stderr)
        return 2
    folder = Path(args[0])
    if not (folder / STORE_NAME).is_file():
        print(f"error: {folder}: no {STORE_NAME} here (is this an experiment folder?)", file=sys.stderr)
        return 2
    try:
        written = build(folder)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (sqlite3.DatabaseError, pd.errors.DatabaseError) as exc:  # a fault found only on reading further
        print(f"error: {folder / STORE_NAME}: {sqlite_fault(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or folder}: cannot write ({exc.strerror or exc})", file=sys.stderr)
        return 2
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        # an experiment's store whose rows or tables were edited or damaged by hand
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        print(
            f"error: {folder / STORE_NAME}: its contents are not an experiment's ({type(exc).__name__}: {detail})",
            file=sys.stderr,
        )
        return 2
    for path in written:
        print(path)
    return 0
