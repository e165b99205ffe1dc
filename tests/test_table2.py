"""The study's Table 2: its metrics by hand on two cliques joined by one edge, the local
centrality algorithm, Louvain's two stages, scalability, and the report's side-by-side."""

from __future__ import annotations

import math
import time
from fractions import Fraction
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from experiments.config import Config, read_config
from experiments.plan import PlanOptions
from experiments.report import write_report
from experiments.store import Store
from experiments.table2 import TABLE2, beside
from lastmile import load_instance
from zoning.graph import delivery_graph
from zoning.local_centrality import _grow, central_nodes, local_centrality, local_centrality_communities
from zoning.metrics import average_path_length, edge_coverage, internal_density, node_coverage
from zoning.names import ALGORITHMS, LABELS
from zoning.regions import REGION_BUDGET_S, divide, levels_table, louvain_levels, region_table
from zoning.scaling import BUDGET_S, measure_scaling, resized

ROOT = Path(__file__).resolve().parents[1]
A, B = frozenset(range(5)), frozenset(range(5, 10))


@pytest.fixture
def two_cliques() -> nx.Graph:
    """Two 5-cliques, 0-4 and 5-9, joined by the edge 4-5 (21 edges, weight 1)."""
    graph = nx.complete_graph(5)
    graph.add_edges_from((u + 5, v + 5) for u, v in nx.complete_graph(5).edges)
    graph.add_edge(4, 5)
    nx.set_edge_attributes(graph, 1.0, "weight")
    return graph


def test_metrics_of_the_two_cliques_equal_the_hand_values(two_cliques: nx.Graph) -> None:
    split = [set(A), set(B)]
    # modularity: each clique has 10 of the 21 edges and degree sum 4 * 4 + 5 = 21
    assert nx.community.modularity(two_cliques, split) == pytest.approx(2 * (10 / 21 - (21 / 42) ** 2))
    assert node_coverage(two_cliques, split) == 1.0
    assert edge_coverage(two_cliques, split) == pytest.approx(20 / 21)
    assert internal_density(two_cliques, split) == 1.0
    assert average_path_length(two_cliques, split) == 1.0


def test_metrics_of_an_uneven_division_equal_the_hand_values(two_cliques: nx.Graph) -> None:
    # {0..5}: 11 edges among 6 nodes, 11 pairs at one hop and 0-3 to 5 at two; {6..9}: a 4-clique
    uneven = [set(range(6)), set(range(6, 10))]
    assert internal_density(two_cliques, uneven) == pytest.approx(float((Fraction(11, 15) + 1) / 2))
    assert average_path_length(two_cliques, uneven) == pytest.approx(float((Fraction(19, 15) + 1) / 2))
    assert edge_coverage(two_cliques, uneven) == pytest.approx(17 / 21)
    modularity = Fraction(11, 21) - Fraction(26, 42) ** 2 + Fraction(6, 21) - Fraction(16, 42) ** 2
    assert nx.community.modularity(two_cliques, uneven) == pytest.approx(float(modularity))


def test_a_one_node_community_counts_zero_density_and_path_length_as_in_cdlib(two_cliques: nx.Graph) -> None:
    division = [set(A), {5}, {6, 7, 8, 9}]
    assert node_coverage(two_cliques, division) == 1.0
    assert internal_density(two_cliques, division) == pytest.approx(2 / 3)  # (1 + 0 + 1) / 3
    assert average_path_length(two_cliques, division) == pytest.approx(2 / 3)
    assert node_coverage(two_cliques, [set(A)]) == 0.5


def test_local_centrality_is_chen_et_al_by_hand(two_cliques: nx.Graph) -> None:
    # N: a clique node reaches its 4 clique mates and, through 4 or 5, the bridge's partner (5);
    # a bridge node reaches 5 neighbours and the 4 nodes of the other clique (9).
    # Q(0) = 3 * 5 + 9 = 24, Q(4) = 4 * 5 + 9 = 29; C_L(0) = 3 * 24 + 29 = 101, C_L(4) = 4 * 24 + 29 = 125
    assert local_centrality(two_cliques) == {v: 125 if v in (4, 5) else 101 for v in two_cliques}


def test_the_local_centrality_algorithm_finds_the_two_cliques(two_cliques: nx.Graph) -> None:
    assert central_nodes(two_cliques, local_centrality(two_cliques)) == [4, 5]
    assert {frozenset(c) for c in local_centrality_communities(two_cliques)} == {A, B}
    assert set(divide(two_cliques, "local_centrality", np.random.default_rng(0)).regions) == {A, B}


def _greedy_by_hand(graph: nx.Graph, seeds: list) -> dict:
    """Every step, every unassigned node against every neighbouring community: the
    largest modularity gain, ties to graph order, then to the lower community."""
    m = graph.size(weight="weight")
    strength = dict(graph.degree(weight="weight"))
    label = {s: k for k, s in enumerate(seeds)}
    total = {k: strength[s] for k, s in enumerate(seeds)}
    order = {v: k for k, v in enumerate(graph)}
    while len(label) < graph.number_of_nodes():
        moves = []
        for v in graph:
            if v in label:
                continue
            links: dict[int, float] = {}
            for u, data in graph[v].items():
                if u in label:
                    links[label[u]] = links.get(label[u], 0.0) + data["weight"]
            moves += [(k / m - strength[v] * total[c] / (2 * m * m), -order[v], -c, v, c) for c, k in links.items()]
        *_, v, c = max(moves)
        label[v], total[c] = c, total[c] + strength[v]
    return label


@pytest.mark.parametrize("seed", range(6))
def test_growth_takes_the_best_move_every_time(seed: int) -> None:
    rng = np.random.default_rng(seed)
    graph = nx.connected_watts_strogatz_graph(30, 4, 0.3, seed=seed)
    nx.set_edge_attributes(graph, {e: float(rng.choice([0.5, 1.0, 2.0])) for e in graph.edges}, "weight")
    seeds = central_nodes(graph, local_centrality(graph))
    assert _grow(graph, seeds, graph.size(weight="weight")) == _greedy_by_hand(graph, seeds)


def test_local_centrality_merges_tied_centers_of_one_group_and_obeys_a_target(two_cliques: nx.Graph) -> None:
    clique = nx.complete_graph(6)
    nx.set_edge_attributes(clique, 1.0, "weight")
    assert len(central_nodes(clique, local_centrality(clique))) == 6  # every node ties
    assert local_centrality_communities(clique) == [set(range(6))]
    assert local_centrality_communities(two_cliques, n_regions=1) == [set(range(10))]
    assert local_centrality_communities(two_cliques, n_regions=5) == [set(A), set(B)]  # never split


def test_local_centrality_on_planted_communities_and_edge_cases() -> None:
    planted = nx.planted_partition_graph(4, 12, 0.8, 0.01, seed=5)
    nx.set_edge_attributes(planted, 1.0, "weight")
    truth = {frozenset(block) for block in planted.graph["partition"]}
    assert {frozenset(c) for c in local_centrality_communities(planted)} == truth
    assert local_centrality_communities(nx.Graph()) == []
    empty = nx.empty_graph(3)
    assert local_centrality_communities(empty) == [{0}, {1}, {2}]


def test_louvain_two_stages_are_its_first_two_levels() -> None:
    graph = delivery_graph(load_instance(ROOT / "instances" / "xiqing.json"))
    every = louvain_levels(graph, seed=7, resolution=1.0)
    assert len(every) >= 2
    assert louvain_levels(graph, seed=7, resolution=1.0, stages=2) == every[:2]
    partition = divide(graph, "louvain", np.random.default_rng(2), louvain_stages=2)
    levels = levels_table(partition)
    assert list(levels["level"]) == [1, 2]
    assert levels["regions"].iloc[0] > levels["regions"].iloc[1] == len(partition.regions)
    assert (levels["communities"] <= levels["regions"]).all()
    assert levels["modularity"].iloc[1] == pytest.approx(
        nx.community.modularity(graph, [set(r) for r in partition.regions], weight="weight")
    )
    assert levels["modularity"].iloc[0] < levels["modularity"].iloc[1]


def test_xiqing_in_eleven_regions_when_asked() -> None:
    graph = delivery_graph(load_instance(ROOT / "instances" / "xiqing.json"))
    for stages in (None, 2):
        partition = divide(graph, "louvain", np.random.default_rng(0), n_regions=11, louvain_stages=stages)
        assert len(partition.regions) == 11
        assert partition.levels[-1].regions == 11


def test_resized_networks_keep_their_structure(two_cliques: nx.Graph) -> None:
    half = resized(two_cliques, 0.5)
    assert half.number_of_nodes() == 5 and nx.is_connected(half)
    double, quadruple = resized(two_cliques, 2), resized(two_cliques, 4)
    assert (double.number_of_nodes(), double.number_of_edges()) == (20, 2 * 21 + 1)
    assert (quadruple.number_of_nodes(), quadruple.number_of_edges()) == (40, 4 * 21 + 4)  # a ring of copies
    assert nx.is_connected(quadruple)


def test_scalability_is_the_growth_exponent_of_runtime_within_a_budget() -> None:
    path = nx.path_graph(40)

    def quadratic(graph: nx.Graph) -> None:
        time.sleep(2e-6 * graph.number_of_nodes() ** 2)

    scaling = measure_scaling(path, quadratic, budget_s=5.0, factors=(1.0, 2.0, 4.0))
    assert [n for n, _ in scaling.points] == [40, 80, 160]
    assert scaling.exponent == pytest.approx(2.0, abs=0.3)
    cut = measure_scaling(path, quadratic, budget_s=0.01, factors=(1.0, 2.0, 4.0))
    assert cut.largest_nodes == 40 and math.isnan(cut.exponent)  # the next size would not fit
    known = measure_scaling(path, quadratic, budget_s=5.0, factors=(1.0, 2.0), known_s=1.0)
    assert known.points[0] == (40, 1.0)


@pytest.fixture(scope="module")
def xiqing_table() -> pd.DataFrame:
    graph = delivery_graph(load_instance(ROOT / "instances" / "xiqing.json"))
    _, table = region_table(graph, np.random.default_rng(3), scaling_budget_s=0.5)
    return table


def test_the_region_table_has_the_study_rows_and_columns(xiqing_table: pd.DataFrame) -> None:
    assert list(xiqing_table["algorithm"]) == [LABELS[a] for a in ALGORITHMS]
    assert list(TABLE2) == list(ALGORITHMS[:6])  # the study's six, in its order; Leiden last
    assert "ours" in LABELS["leiden"]
    for column in ("modularity", "communities", "coverage", "internal_density", "runtime_s", "scaling_exponent"):
        assert xiqing_table[column].notna().all(), column
    assert (xiqing_table["coverage"] == 1.0).all()
    assert (xiqing_table["edge_coverage"] < 1.0).all()


def test_the_report_sets_every_table_2_cell_beside_ours(xiqing_table: pd.DataFrame, tmp_path: Path) -> None:
    side = beside(xiqing_table)
    assert list(side["algorithm"]) == [LABELS[a] for a in ALGORITHMS]
    ours = {"modularity": "modularity", "communities": "communities", "coverage": "coverage",
            "internal density": "internal_density", "runtime s": "runtime_s",
            "growth exponent": "scaling_exponent", "average path length": "average_path_length"}  # fmt: skip
    for key in ALGORITHMS:
        row = side[side["algorithm"] == LABELS[key]].iloc[0]
        mine = xiqing_table[xiqing_table["algorithm"] == LABELS[key]].iloc[0]
        for heading, column in ours.items():
            assert row[f"{heading} (ours)"] == mine[column], (key, heading)
        for column, published in TABLE2.get(key, {}).items():
            assert row[f"{column.replace('_', ' ')} (study)"] == published, (key, column)
    assert side.loc[side["algorithm"] == LABELS["leiden"], "modularity (study)"].isna().all()

    store = Store(tmp_path, create=True)
    store.put_table("xiqing", "regions", xiqing_table)
    store.put_table(
        "xiqing",
        "louvain_levels",
        pd.DataFrame({"level": [1, 2], "communities": [25, 11], "modularity": [0.68, 0.78], "resolution": [1.0, 1.0]}),
    )
    store.close()
    write_report(tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert "## Table 2 (seed 002) beside ours" in text
    louvain = xiqing_table.iloc[0]
    row = (
        f"| Louvain | 0.789 | {louvain['modularity']:.3f} | 11 | {louvain['communities']} | 1.000 | 1.000 | 0.388 | "
        f"{louvain['internal_density']:.3f} | 0.132 | {louvain['runtime_s']:.3f} | "
        f"{louvain['scaling_exponent']:.3f} | {louvain['scaling_nodes']} | 1.961 | "
        f"{louvain['average_path_length']:.3f} |"
    )
    assert row in text.splitlines()
    assert "Louvain modularity after stage 1 (text) | 0.685 | 0.68 (25 communities)" in text
    assert "tab:table2" in (tmp_path / "report.tex").read_text()


def test_the_shipped_plans_validate_and_the_xiqing_11_plan_asks_for_the_studys_division() -> None:
    for path in sorted((ROOT / "experiments" / "configs").glob("*.toml")):
        read_config(path)
    assert Config().scaling_budget_s == PlanOptions().scaling_budget_s == BUDGET_S  # one default
    assert Config().region_budget_s == PlanOptions().region_budget_s == REGION_BUDGET_S
    assert Config().independent_max_customers == PlanOptions().independent_max_customers
    plan = read_config(ROOT / "experiments" / "configs" / "xiqing-11.toml")
    assert (plan["n_regions"], plan["louvain_stages"], plan["region_algorithm"]) == (11, 2, "louvain")


def test_a_store_from_before_table_2_is_shown_with_what_it_has(xiqing_table: pd.DataFrame) -> None:
    old = xiqing_table[xiqing_table["algorithm"] != LABELS["local_centrality"]]
    old = old.drop(columns=["edge_coverage", "scaling_exponent", "scaling_nodes"])
    old = old.assign(algorithm=old["algorithm"].replace({LABELS["leiden"]: "Leiden"}))
    side = beside(old).set_index("algorithm")
    assert side["coverage (ours)"].isna().all()  # then coverage held the edge coverage
    assert side.loc[LABELS["local_centrality"], ["modularity (ours)", "communities (ours)"]].isna().all()
    assert side.loc[LABELS["leiden"], "modularity (ours)"] == old["modularity"].iloc[-1]
    assert side["growth exponent (ours)"].isna().all()
