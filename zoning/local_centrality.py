"""Local centrality-based community detection: the third row of the study's Table 2.

The study names the algorithm but cites no paper, and no well-kept library has one
under that name (cdlib's local methods, e.g. LSWL or LEMON, grow one community around a
query node; networkx's `greedy_source_expansion` likewise, unweighted, with ties left
to set order). We follow the scheme Zhu, Ren, Ma & Gao (2020, "Community detection on
complex networks based on a new centrality indicator and a new modularity function",
arXiv:2003.13609) describe for this family: central nodes are found by a *local*
centrality indicator, and communities grow greedily from them by a modularity function.
Their own indicator and function (LCI, F2) are not used: we could not check their
formulas against the paper, so each step below is one whose published definition we
could:

1. **Centrality** (Chen, Lü, Shang, Zhang & Zhou 2012, "Identifying influential nodes
   in complex networks", Physica A 391: 1777-1787): N(w) counts the nearest and
   next-nearest neighbours of w, Q(u) = sum of N(w) over u's neighbours w, and the local
   centrality C_L(v) = sum of Q(u) over v's neighbours u.
2. **Central nodes**: the local maxima of C_L, the "local maximal" rule Zhu et al.
   compare against, taken over the neighbours a node shares a triangle with: v is
   central when no such neighbour has a larger C_L (ties all count). An edge in no
   triangle is the mark of a link between communities (Radicchi, Castellano, Cecconi,
   Loreto & Parisi 2004, "Defining and identifying communities in networks", PNAS 101:
   2658-2663), and C_L is largest at such links, where a node reaches into two groups:
   compared across them, the hub of one group overshadows the other's, which then has no
   centre (four planted groups are found as two). On a road network, where most roads
   close no triangle, many nodes are central and step 4 does much of the work.
3. **Growth**: every other node joins, best first, the neighbouring community whose
   modularity (Newman and Girvan's, weighted) it raises most; each community stays connected.
4. **Merging**: adjacent communities are merged while a merge raises modularity (tied
   central nodes of one dense group, e.g. the nodes of a clique, become one community).

With `n_regions`, merging goes on (best first, even at a loss) down to that many
communities, and stops there; it never splits, so fewer central nodes than asked
give fewer communities.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable

import networkx as nx


def local_centrality(graph: nx.Graph) -> dict[Hashable, int]:
    """Chen et al. (2012)'s C_L of every node (topological: edge weights play no part)."""
    neighbours = {v: set(graph[v]) - {v} for v in graph}
    reach = {w: len(neighbours[w].union(*(neighbours[u] for u in neighbours[w])) - {w}) for w in graph}
    q = {u: sum(reach[w] for w in neighbours[u]) for u in graph}
    return {v: sum(q[u] for u in neighbours[v]) for v in graph}


def central_nodes(graph: nx.Graph, centrality: dict[Hashable, int]) -> list[Hashable]:
    """The nodes that no neighbour they share a triangle with outranks, in graph order."""
    neighbours = {v: set(graph[v]) - {v} for v in graph}
    return [
        v for v in graph if all(centrality[u] <= centrality[v] for u in neighbours[v] if neighbours[u] & neighbours[v])
    ]


def _grow(graph: nx.Graph, seeds: list[Hashable], total: float) -> dict[Hashable, int]:
    """Assign every node to a seed's community, the largest modularity gain first.

    Joining community c gains k_{v,c} / m - k_v * K_c / (2 m^2) (k_{v,c}: v's link weight
    into c, k_v its strength, K_c the strength of c, m the total weight). A lazy heap:
    a community's strength only grows, so a stored gain can only overstate the current
    one unless a new link was added since, and every new link pushes a fresh entry; the
    top entry whose gain is still current is therefore the best move."""
    order = {v: k for k, v in enumerate(graph)}
    strength = dict(graph.degree(weight="weight"))
    label = {seed: k for k, seed in enumerate(seeds)}
    community_strength = [strength[seed] for seed in seeds]
    links: dict[Hashable, dict[int, float]] = {}
    heap: list[tuple[float, int, int]] = []

    def gain(v: Hashable, c: int) -> float:
        return links[v][c] / total - strength[v] * community_strength[c] / (2 * total * total)

    def joined(v: Hashable, c: int) -> None:
        for u, data in graph[v].items():
            if u not in label:
                toward = links.setdefault(u, {})
                toward[c] = toward.get(c, 0.0) + data.get("weight", 1.0)
                heapq.heappush(heap, (-gain(u, c), order[u], c))

    for seed, c in label.items():
        joined(seed, c)
    nodes = list(graph)
    while heap:
        stored, position, c = heapq.heappop(heap)
        v = nodes[position]
        if v in label:
            continue
        current = gain(v, c)
        if current != -stored:
            heapq.heappush(heap, (-current, position, c))
            continue
        label[v] = c
        community_strength[c] += strength[v]
        joined(v, c)
    return label


def _merge(graph: nx.Graph, label: dict[Hashable, int], total: float, n_regions: int | None) -> list[set[Hashable]]:
    """Merge adjacent communities, the largest modularity gain w_ab / m - K_a K_b / (2 m^2)
    first: while a merge gains, or (with `n_regions`) until that many are left.

    A heap of pairs, each entry stamped with both communities' merge counts: a merge
    changes only the pairs of the merged community, which are pushed again, so an entry
    whose stamps are current holds the pair's current gain."""
    members: dict[int, set[Hashable]] = {}
    for v in graph:
        members.setdefault(label[v], set()).add(v)
    strength = {c: float(sum(d for _, d in graph.degree(nodes, weight="weight"))) for c, nodes in members.items()}
    between: dict[int, dict[int, float]] = {c: {} for c in members}
    for u, v, data in graph.edges(data=True):
        a, b = label[u], label[v]
        if a != b:
            between[a][b] = between[a].get(b, 0.0) + data.get("weight", 1.0)
            between[b][a] = between[b].get(a, 0.0) + data.get("weight", 1.0)
    stamp = dict.fromkeys(members, 0)
    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, b: int) -> None:
        a, b = min(a, b), max(a, b)
        gain = between[a][b] / total - strength[a] * strength[b] / (2 * total * total)
        heapq.heappush(heap, (-gain, a, b, stamp[a], stamp[b]))

    for a in sorted(between):
        for b in sorted(between[a]):
            if a < b:
                push(a, b)
    while len(members) > (n_regions or 1) and heap:
        negative, a, b, stamp_a, stamp_b = heapq.heappop(heap)
        if a not in members or b not in members or (stamp_a, stamp_b) != (stamp[a], stamp[b]):
            continue
        if n_regions is None and -negative <= 0:
            break
        members[a] |= members.pop(b)
        strength[a] += strength.pop(b)
        stamp[a] += 1
        for c, w in between.pop(b).items():
            between[c].pop(b)
            if c != a:
                between[a][c] = between[a].get(c, 0.0) + w
                between[c][a] = between[c].get(a, 0.0) + w
        for c in sorted(between[a]):
            push(a, c)
    return list(members.values())


def local_centrality_communities(graph: nx.Graph, *, n_regions: int | None = None) -> list[set[Hashable]]:
    """Communities grown from the local maxima of local centrality (see the module
    docstring); deterministic: ties go to graph order. Edge attribute `weight` is used
    for modularity."""
    if graph.number_of_nodes() == 0:
        return []
    total = float(graph.size(weight="weight"))
    if total <= 0:
        return [{v} for v in graph]
    seeds = central_nodes(graph, local_centrality(graph))
    return _merge(graph, _grow(graph, seeds, total), total, n_regions)
