"""A store made before a column was added is resumed, not refused: the column is added,
empty in the old rows, and the old rows still rebuild into routes."""

from __future__ import annotations

import sqlite3

from experiments.aggregate import stored_routes
from experiments.store import COLUMNS, KEY, STORE_NAME, Store

ADDED = ("centers", "hub", "shuttles")


def test_an_older_store_gains_the_new_columns(tmp_path):
    old = [c for c in COLUMNS if c not in ADDED]
    with sqlite3.connect(tmp_path / STORE_NAME) as db:
        db.execute(f"CREATE TABLE runs ({', '.join(old)}, PRIMARY KEY ({', '.join(KEY)}))")
        db.execute("CREATE TABLE tables (instance TEXT, name TEXT, data TEXT, PRIMARY KEY (instance, name))")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        values = dict.fromkeys(old, "") | {
            "instance": "x",
            "region": "R1",
            "solver": "ga",
            "seed": 1,
            "feasible": 1,
            "routes": '[["1", "2"], ["3"]]',
            "vehicles": '["v1", "v2"]',
            "center": "C1",
        }
        db.execute(f"INSERT INTO runs ({', '.join(old)}) VALUES ({', '.join('?' for _ in old)})", list(values.values()))
    store = Store(tmp_path)
    try:
        runs = store.runs()
    finally:
        store.close()
    assert set(ADDED) <= set(runs.columns)
    row = runs.iloc[0]
    assert [(r.vehicle, r.center, r.stops) for r in stored_routes(row)] == [
        ("v1", "C1", ("1", "2")),
        ("v2", "C1", ("3",)),
    ]
    assert row["hub"] == "" and row["shuttles"] == ""
