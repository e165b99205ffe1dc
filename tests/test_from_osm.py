"""`instances/from_osm.py` (issue 35): OpenStreetMap roads and order files in, a checked
instance out. A hand-written OSM file of a few ways holds a one-way street and a
footway; pyrosm's bundled extract makes a small real city."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "instances"))

import from_osm  # noqa: E402

from experiments.plan import PlanOptions, plan_instance  # noqa: E402
from lastmile.distances import tables  # noqa: E402
from lastmile.readers import load_instance  # noqa: E402

STEP = 0.002  # degrees between grid nodes: about 220 m north, 170 m east at 39.1 N
#: Six intersections in two rows: the lower row and the columns two-way, the upper row
#: one-way from west to east; a footway cuts the grid diagonally.
GRID = {1: (0, 0), 2: (1, 0), 3: (2, 0), 4: (0, 1), 5: (1, 1), 6: (2, 1)}
WAYS = [
    (10, [1, 2, 3], {"highway": "residential"}),
    (11, [4, 5, 6], {"highway": "residential", "oneway": "yes"}),
    (12, [1, 4], {"highway": "residential"}),
    (13, [2, 5], {"highway": "tertiary", "maxspeed": "30 mph"}),
    (14, [3, 6], {"highway": "residential"}),
    (15, [6, 1], {"highway": "footway"}),
]


def osm_xml() -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [
        f'  <node id="{k}" lat="{39.1 + STEP * y:.6f}" lon="{117.0 + STEP * x:.6f}" version="1"/>'
        for k, (x, y) in GRID.items()
    ]
    for way, refs, tags in WAYS:
        lines.append(f'  <way id="{way}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    return "\n".join([*lines, "</osm>"]) + "\n"


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def near(node: int, dx: float = 0.00005) -> tuple[float, float]:
    x, y = GRID[node]
    return 39.1 + STEP * y, 117.0 + STEP * x + dx


@pytest.fixture
def grid(tmp_path: Path) -> dict[str, Path]:
    roads = tmp_path / "grid.osm"
    roads.write_text(osm_xml())
    customers = write_csv(
        tmp_path / "customers.csv",
        ["id", "company", "lat", "lon", "parcels", "window_start", "window_end"],
        [["west", "A", *near(4), 3, 0, 600], ["east", "B", *near(6), 2, "", ""], ["south", "A", *near(2), 4, "", ""]],
    )
    companies = write_csv(
        tmp_path / "companies.csv",
        ["id", "depot_lat", "depot_lon", "vehicles", "capacity", "fixed_cost", "cost_per_km"],
        [["A", *near(1), 2, 20, 100, 2.0], ["B", *near(3), 2, 20, 100, 2.0]],
    )
    centers = write_csv(
        tmp_path / "centers.csv", ["id", "lat", "lon", "fixed_cost", "capacity"], [["hub-1", *near(5), 50, 100]]
    )
    out = tmp_path / "g.json"
    return {"roads": roads, "customers": customers, "companies": companies, "centers": centers, "out": out}


def run(files: dict[str, Path], *extra: str) -> int:
    args = [f"--{key}={path}" for key, path in files.items()]
    return from_osm.main([*args, *extra])


def test_one_way_streets_are_driven_one_way_and_footways_not_at_all(grid):
    assert run(grid) == 0
    instance = load_instance(grid["out"])
    t = tables(instance)
    west, east = instance.index["n1"], instance.index["n2"]
    # west to east along the one-way upper row: two steps; back: down, along the lower
    # row and up again (four), not across the footway
    assert t.km[east, west] > 1.8 * t.km[west, east]
    assert t.km[west, east] == pytest.approx(2 * STEP * 111.32 * np.cos(np.radians(39.1)), rel=0.04)  # + 2 access legs
    doc = json.loads(grid["out"].read_text())
    assert {e["road_type"] for e in doc["edges"]} <= {"residential", "tertiary", "access"}
    assert any(e.get("oneway") for e in doc["edges"])
    tertiary = [e for e in doc["edges"] if e["road_type"] == "tertiary"]
    assert tertiary and all(e["speed_kmh"] == pytest.approx(48.28032) for e in tertiary)  # maxspeed 30 mph
    # every point snapped to its intersection, its access the few metres from it
    assert doc["companies"][0]["depot"]["node"] == "v1" and doc["centers"][0]["id"] == "C_hub_1"
    assert doc["nodes"][0]["label"] == "west" and doc["nodes"][0]["time_window"] == [0.0, 600.0]
    provenance = doc["provenance"]
    assert "(c) OpenStreetMap contributors, ODbL 1.0" in provenance["summary"]
    assert any("sha256" in line for line in provenance["real"])


def test_customers_at_one_address_are_one_node(grid, tmp_path):
    write_csv(
        grid["customers"],
        ["id", "company", "lat", "lon", "parcels", "pickups", "window_start", "window_end", "service_min"],
        [
            ["a1", "A", *near(4), 3, 1, 0, 600, 5],
            ["b1", "B", *near(4), 2, "", 100, 700, 4],
            ["a2", "A", *near(6), 1, "", "", "", ""],
        ],
    )
    assert run(grid) == 0
    node = json.loads(grid["out"].read_text())["nodes"][0]
    assert node["demand"] == {"A": 3.0, "B": 2.0} and node["pickup"] == {"A": 1.0}
    assert node["time_window"] == [100.0, 600.0] and node["service_time"] == 9.0 and node["label"] == "a1, b1"


@pytest.mark.parametrize(
    ("change", "fault"),
    [
        ("far", "customers.csv: row 2 lat/lon: "),
        ("company", "customers.csv: row 3 company: 'Z' is not in"),
        ("duplicate", "customers.csv: row 3 id: duplicate id 'west' (row 2)"),
        ("outside", "customers.csv: row 2 lat/lon: (10, 117) lies outside the road file's extract"),
        ("column", "customers.csv: header: unknown columns 'weight'"),
        ("missing", "companies.csv: header: missing columns 'capacity'"),
    ],
)
def test_a_bad_file_is_refused_in_one_line_and_nothing_is_written(grid, capsys, change, fault):
    header = ["id", "company", "lat", "lon", "parcels"]
    rows = [["west", "A", *near(4), 3], ["east", "B", *near(6), 2]]
    if change == "far":
        rows[0][2] += 0.01  # about 1.1 km north of the grid
    elif change == "company":
        rows[1][1] = "Z"
    elif change == "duplicate":
        rows[1][0] = "west"
    elif change == "outside":
        rows[0][2], rows[0][3] = 10.0, 117.0
    elif change == "column":
        header.append("weight")
        rows = [[*r, 1] for r in rows]
    write_csv(grid["customers"], header, rows)
    if change == "missing":
        write_csv(grid["companies"], ["id", "depot_lat", "depot_lon", "vehicles", "fixed_cost", "cost_per_km"], [])
    assert run(grid) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and fault in err, err
    assert not grid["out"].exists()


def test_a_small_real_city_imports_and_plans(tmp_path):
    from pyrosm import OSM, get_data

    extract = Path(get_data("test_pbf"))
    nodes, _ = OSM(str(extract)).get_network(network_type="driving", nodes=True)
    rng = np.random.default_rng(3)
    picked = nodes.sample(30, random_state=3)
    customers = write_csv(
        tmp_path / "customers.csv",
        ["id", "company", "lat", "lon", "parcels"],
        [
            [f"c{k}", "AB"[k % 2], r.lat + rng.normal(0, 5e-5), r.lon + rng.normal(0, 5e-5), int(rng.integers(1, 5))]
            for k, (_, r) in enumerate(picked.iterrows())
        ],
    )
    depots = picked.head(2)  # where two customers are: on the kept network
    companies = write_csv(
        tmp_path / "companies.csv",
        ["id", "depot_lat", "depot_lon", "vehicles", "capacity", "fixed_cost", "cost_per_km", "route_km"],
        [[c, r.lat, r.lon, 4, 30, 100, 2.0, 200] for c, (_, r) in zip("AB", depots.iterrows(), strict=True)],
    )
    out = tmp_path / "city.json"
    files = {"roads": extract, "customers": customers, "companies": companies, "out": out}
    assert run(files, "--candidates", "4") == 0
    instance = load_instance(out)
    assert len(instance.nodes) == 30 and len(instance.centers) == 4 and instance.road_vertices
    plan = plan_instance(instance, "city", np.random.default_rng(1), PlanOptions(compare_algorithms=False))
    assert plan.joint_regions and plan.independent_regions
    assert any("k-means" in line for line in json.loads(out.read_text())["provenance"]["synthetic"])
