"""Shared fixtures: a tiny hand-checkable instance and the path to ../shared."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from lastmile.model import Instance
from lastmile.readers import parse_json_instance

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# A 3-4-5 right triangle in planar km: center O at (0, 0), node a at (3, 0), node b at
# (3, 4). Distances: O-a 3, a-b 4, O-b 5. Two companies, one road type.
TINY = {
    "format": "lastmile-instance/1",
    "name": "tiny",
    "coordinates": "planar",
    "distance": {"metric": "euclidean"},
    "units": {"distance": "km", "cost": "CNY", "demand": "parcels", "time": "min"},
    "provenance": {"summary": "hand-made test instance", "real": [], "synthetic": ["all"]},
    "emission_factor": 0.24,
    "speed_kmh": 60,
    "default_congestion": 1.2,
    "parcel_km_cost": 0.5,
    "companies": [
        {
            "id": "A",
            "depot": {"id": "dA", "x": 0, "y": 0},
            "fleet": {"count": 2, "capacity": 10, "fixed_cost": 100, "cost_per_km": 2, "max_route_km": 20},
        },
        {
            "id": "B",
            "depot": {"id": "dB", "x": 3, "y": 4},
            "fleet": {"count": 1, "capacity": 10, "fixed_cost": 50, "cost_per_km": 1},
        },
    ],
    "centers": [
        {"id": "O", "x": 0, "y": 0, "fixed_cost": 30, "capacity": 20},
        {"id": "Q", "x": 3, "y": 4, "fixed_cost": 40, "capacity": 5},
    ],
    "nodes": [
        {
            "id": "a",
            "x": 3,
            "y": 0,
            "demand": {"A": 4, "B": 2},
            "pickup": {"A": 3},
            "time_window": [0, 10],
            "service_time": 2,
        },
        {"id": "b", "x": 3, "y": 4, "demand": {"A": 3}},
    ],
}


def planar_doc(name: str, companies: list, centers: list, nodes: list, **fields: object) -> dict:
    """An instance document in planar km with Euclidean distances, for tests."""
    return {
        "format": "lastmile-instance/1",
        "name": name,
        "coordinates": "planar",
        "distance": {"metric": "euclidean"},
        "units": {"distance": "km", "cost": "CNY", "demand": "parcels", "time": "min"},
        "provenance": {"summary": "test instance", "real": [], "synthetic": ["all"]},
        **fields,
        "companies": companies,
        "centers": centers,
        "nodes": nodes,
    }


def tiny_doc() -> dict:
    return copy.deepcopy(TINY)


def build(doc: dict) -> Instance:
    return parse_json_instance(json.dumps(doc), "tiny.json")


@pytest.fixture
def tiny() -> Instance:
    return build(tiny_doc())


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared (benchmarks and geo reference data) is not beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def tiny_xiqing() -> Instance:
    """The first 12 Xiqing nodes with their 3 nearest candidate centers: small enough for tests."""
    doc = json.loads((ROOT / "instances" / "xiqing.json").read_text())
    doc["nodes"] = doc["nodes"][:12]
    keep = {n["id"] for n in doc["nodes"]}
    doc["centers"] = [c for c in doc["centers"] if c["node"] in keep][:3]
    for company in doc["companies"]:
        company["depot"] = {k: v for k, v in company["depot"].items() if k not in ("node", "access")}
    for hub in doc["hubs"]:  # off the road network too
        hub.pop("node")
    doc["distance"] = {"metric": "haversine", "circuity": 1.3}
    doc["edges"] = []
    return build(doc)
