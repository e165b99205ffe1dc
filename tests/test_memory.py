"""The memory estimate before any table is built (issue 32, `lastmile.memory`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments import compare
from lastmile.errors import InstanceError
from lastmile.memory import check_memory, machine_bytes, stage_bytes
from lastmile.model import Center, Company, DistanceSpec, Fleet, Instance, Node, Site

ROOT = Path(__file__).resolve().parents[1]


def city(nodes: int) -> Instance:
    fleet = Fleet(None, 100.0, 10.0, 1.0)
    return Instance(
        name=f"city{nodes}",
        nodes=tuple(Node(f"n{k}", float(k % 1000), float(k // 1000), {"A": 1.0, "B": 1.0}) for k in range(nodes)),
        companies=(Company("A", "A", Site("dA", 0.0, 0.0), fleet), Company("B", "B", Site("dB", 1.0, 0.0), fleet)),
        centers=(Center(Site("C", 5.0, 5.0), 0.0, None),),
        distance=DistanceSpec("euclidean"),
        coordinates="planar",
        source="city.json",
    )


def test_a_200000_node_city_is_refused_before_any_table_is_built():
    huge = city(200_000)
    with pytest.raises(InstanceError) as caught:
        check_memory(huge)
    message = str(caught.value)
    assert message.startswith("city.json: (size): 200,003 locations: routing the whole instance needs about")
    assert "GiB" in message and "district files" in message and message.endswith("a larger memory_share")
    assert "_distance_tables" not in huge.__dict__  # nothing was computed
    # the estimate grows with the square of the locations
    assert stage_bytes(city(2000))["the distance tables"] == pytest.approx(48 * 2003**2)


def test_a_small_instance_passes_and_a_tiny_share_refuses_it(tmp_path, capsys):
    check_memory(city(100))
    assert machine_bytes() > 0
    config = tmp_path / "small.toml"
    config.write_text("memory_share = 1e-9\n")
    path = ROOT / "tests" / "data" / "small_road.json"
    out = tmp_path / "out"
    code = compare.main(["--config", str(config), "--instances", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "(size): 6 locations: routing the whole instance needs about" in err
    assert not out.exists()
