"""Distances: haversine, road network shortest paths and the congestion they carry."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from conftest import build, tiny_doc

from lastmile import load_instance
from lastmile.distances import apply_rounding, haversine_km, road_graph, tables


def test_haversine_one_degree_of_latitude_and_symmetry():
    d = haversine_km(np.array([[117.0, 39.0], [117.0, 40.0]]), np.array([[117.0, 39.0], [117.0, 40.0]]))
    assert d[0, 1] == pytest.approx(111.195, abs=0.01)
    assert np.allclose(d, d.T) and np.allclose(np.diag(d), 0.0)


def test_named_rounding_conventions():
    d = np.array([2.5, 2.49, 3.0000000000001, 0.031])  # the third is 3 plus float noise
    assert apply_rounding(d, "nint").tolist() == [3.0, 2.0, 3.0, 0.0]
    assert apply_rounding(d, "ceil100").tolist() == [250.0, 249.0, 300.0, 4.0]


def test_road_distances_are_networkx_shortest_paths_with_their_congestion():
    x = load_instance("tests/data/small_road.json")
    t = tables(x)
    graph = road_graph(x)
    expected = nx.shortest_path_length(graph, "a", "c", weight="length")
    assert t.km[x.index["a"], x.index["c"]] == pytest.approx(expected) == pytest.approx(3.3)
    # Every km of the one road type carries kappa - 1 = 0.1 extra.
    assert t.congestion_km[x.index["a"], x.index["c"]] == pytest.approx(0.33)
    # Sites standing at a node share its distances: depot dB stands at c, center DC1 at b.
    assert t.km[x.index["dB"], x.index["DC1"]] == pytest.approx(1.7)


def test_travel_time_includes_congestion(tiny):
    t = tables(tiny)
    # 3 km at 60 km/h is 3 min; congestion 1.2 makes it 3.6 min.
    assert t.minutes[tiny.index["O"], tiny.index["a"]] == pytest.approx(3.6)


def test_circuity_scales_straight_line_distances():
    doc = tiny_doc()
    doc["distance"]["circuity"] = 1.3
    t = tables(build(doc))
    assert t.km[0, 2 + 2] == pytest.approx(3.9)  # center O to node a (after 2 centers and 2 depots)


def test_a_region_keeps_the_parent_road_distances():
    from lastmile.subset import restrict

    x = load_instance("tests/data/small_road.json")
    region = restrict(x, ["a", "c"], [])
    # The only road from a to c runs through b, which the region leaves out.
    assert [n.id for n in region.nodes] == ["a", "c"] and region.centers == ()
    assert tables(region).km[region.index["a"], region.index["c"]] == pytest.approx(3.3)
    assert tables(x).km.shape == (6, 6)  # the parent is untouched
