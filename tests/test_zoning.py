"""Region division, mode classifier, locker siting and mode effects on routing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from formulations.exact import solve_routing
from lastmile import load_instance
from zoning.classifier import classifier_table, compare_classifiers, fit_xgboost, predict_modes
from zoning.dataset import FEATURES, generate, load
from zoning.graph import delivery_graph
from zoning.lockers import site_lockers
from zoning.modes import Mode, region_features, region_problem
from zoning.regions import ALGORITHMS, LABELS, divide, region_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def xiqing():
    return load_instance(ROOT / "instances" / "xiqing.json")


@pytest.fixture(scope="module")
def graph(xiqing):
    return delivery_graph(xiqing)


def test_region_table_lists_seven_algorithms_with_networkx_modularity(graph):
    partitions, table = region_table(graph, np.random.default_rng(3), scaling_budget_s=1.0)
    assert list(table["algorithm"]) == [LABELS[a] for a in ALGORITHMS]
    assert {"modularity", "communities", "coverage", "internal_density", "average_path_length", "runtime_s"} <= set(
        table.columns
    )
    for partition, modularity in zip(partitions, table["modularity"], strict=True):
        regions = [set(r) for r in partition.regions]
        assert modularity == nx.community.modularity(graph, regions, weight="weight")
        assert sorted(n for r in regions for n in r) == sorted(graph.nodes)  # a partition
        assert all(nx.is_connected(graph.subgraph(r)) for r in regions)


def test_an_algorithm_past_its_budget_gets_a_row_saying_so_and_the_others_are_as_in_process():
    sys.path.insert(0, str(ROOT / "instances"))
    from city import CitySpec, city

    from lastmile.readers.json_format import parse_json_instance

    town = delivery_graph(parse_json_instance(json.dumps(city(CitySpec(nodes=700, seed=5))), "city.json"))
    algorithms = ("louvain", "girvan_newman", "walktrap")  # igraph's Girvan-Newman: seconds at 700 nodes
    partitions, table = region_table(town, np.random.default_rng(1), algorithms, scaling_budget_s=0, budget_s=1.0)
    alone, _ = region_table(town, np.random.default_rng(1), algorithms, scaling_budget_s=0)
    assert partitions[1] is None and table["note"].tolist() == ["", "did not finish within 1 s", ""]
    assert table.loc[1, ["modularity", "communities", "runtime_s"]].isna().all()
    assert [p.regions for p in (partitions[0], partitions[2])] == [alone[0].regions, alone[2].regions]


def test_same_seed_same_regions(graph):
    first = divide(graph, "louvain", np.random.default_rng(11)).regions
    assert divide(graph, "louvain", np.random.default_rng(11)).regions == first


@pytest.mark.parametrize("algorithm", ["greedy_modularity", "girvan_newman", "walktrap", "leiden", "local_centrality"])
def test_a_target_number_of_regions(graph, algorithm):
    partition = divide(graph, algorithm, np.random.default_rng(0), n_regions=6)
    assert abs(len(partition.regions) - 6) <= 1


@pytest.mark.parametrize("algorithm", ["louvain", "leiden", "local_centrality"])
def test_planted_communities_are_recovered(algorithm):
    planted = nx.planted_partition_graph(4, 12, 0.8, 0.01, seed=5)
    nx.set_edge_attributes(planted, 1.0, "weight")
    graph = nx.relabel_nodes(planted, str)
    truth = {frozenset(str(n) for n in block) for block in planted.graph["partition"]}
    assert set(divide(graph, algorithm, np.random.default_rng(1)).regions) == truth


def test_disconnected_communities_are_split_into_connected_regions():
    graph = nx.Graph([("a", "b"), ("c", "d")])
    nx.set_edge_attributes(graph, 1.0, "weight")
    from zoning.regions import connected_regions

    assert connected_regions(graph, [{"a", "b", "c", "d"}]) == (frozenset("ab"), frozenset("cd"))


def test_dataset_file_is_the_generator_output_and_says_synthetic():
    assert generate().equals(load())
    assert len(load()) == 204 and set(load()["mode"]) == {1, 2, 3}
    run = subprocess.run([sys.executable, str(ROOT / "zoning" / "dataset.py"), "--check"], capture_output=True)
    assert run.returncode == 0
    assert "SYNTHETIC" in (ROOT / "zoning" / "dataset.py").read_text()


def test_classifier_table_reports_three_models_with_spread_and_is_reproducible():
    data = load()
    first = classifier_table(compare_classifiers(data, np.random.default_rng(9), repeats=2))
    again = classifier_table(compare_classifiers(data, np.random.default_rng(9), repeats=2))
    pd.testing.assert_frame_equal(first, again)
    assert list(first["model"]) == ["XGBoost", "Random forest", "AdaBoost"]
    assert (first["cv_folds"] == 10).all() and (first["cv_accuracy_sd"] > 0).all()
    # clearly better than always answering the commonest mode
    majority = data["mode"].value_counts(normalize=True).max()
    assert (first["cv_accuracy_mean"] > majority + 0.1).all(), (majority, list(first["cv_accuracy_mean"]))


def test_region_modes_are_predicted_from_aggregated_features(xiqing, graph):
    partition = divide(graph, "louvain", np.random.default_rng(2))
    features = region_features(xiqing, partition.regions)
    assert list(features.columns) == list(FEATURES) and len(features) == len(partition.regions)
    modes = predict_modes(fit_xgboost(load(), np.random.default_rng(2)), features)
    assert set(modes) <= {1, 2, 3} and len(modes) == len(partition.regions)


def test_lockers_for_every_locker_region_of_xiqing(xiqing, graph):
    partition = divide(graph, "louvain", np.random.default_rng(2))
    modes = predict_modes(fit_xgboost(load(), np.random.default_rng(2)), region_features(xiqing, partition.regions))
    locker_regions = [r for r, m in zip(partition.regions, modes, strict=True) if m == Mode.LOCKERS]
    assert locker_regions
    for region in locker_regions:
        plan = site_lockers(xiqing, sorted(region), np.random.default_rng(4))
        assert 1 <= plan.chosen.k <= 4 and len(plan.chosen.lockers) == plan.chosen.k
        assert set(plan.chosen.lockers) <= region
        assert list(plan.table["node"]) == sorted(region)
        distances = plan.table[[f"distance_m_k{k}" for k in range(1, len(plan.layouts) + 1)]]
        assert (distances.to_numpy() >= 0).all()
        # More lockers never leave the average walk longer (k-means on this small a region).
        assert distances.mean().iloc[-1] <= distances.mean().iloc[0] + 1e-9


def test_modes_change_the_routing_problem(tiny_xiqing):
    nodes = [n.id for n in tiny_xiqing.nodes[:8]]
    center = tiny_xiqing.centers[0].id
    vehicles = ("joint-1", "joint-2", "joint-3")
    joint = solve_routing(region_problem(tiny_xiqing, center, nodes, vehicles, Mode.JOINT), time_limit=30)
    exclusive = region_problem(tiny_xiqing, center, nodes, vehicles, Mode.EXCLUSIVE)
    assert exclusive.min_load_rate == 0.5
    result = solve_routing(exclusive, time_limit=30)
    assert result.status == "optimal" and result.feasible
    assert all(r.load_rate >= 0.5 - 1e-9 for r in result.cost.routes)
    assert result.objective >= joint.objective - 1e-6
    plan = site_lockers(tiny_xiqing, nodes, np.random.default_rng(0))
    lockers = region_problem(tiny_xiqing, center, nodes, vehicles, Mode.LOCKERS, lockers=plan.chosen)
    assert lockers.customers == plan.chosen.lockers and lockers.windows is None
    assert lockers.demand.sum() == pytest.approx(sum(tiny_xiqing.node_by_id[n].total_demand for n in nodes))
    result = solve_routing(lockers, time_limit=30)
    assert result.status == "optimal" and result.feasible, result.violations
