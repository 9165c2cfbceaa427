"""A knowledge-flow graph and its person-level measures, on igraph (made for graphs of 10^5 nodes).

Pure: names and numbers in, plain lists and dataclasses out. numpy, scipy and igraph load inside
the functions, so importing this module costs nothing (the CLI's --help, Django's start-up).

Conventions (the same as networkx's, so figures can be checked against it; docs/network.md):
- A pair listed more than once is one edge; with weights, the weights of its rows are summed
  (igraph's simplify(combine_edges="sum")). Undirected, "a,b" and "b,a" are the same pair.
- Self-loops are dropped: a person does not pass knowledge to themself. A node named only in
  self-loops stays in the graph, with no edges.
- degree: number of edges at the node (directed: in + out, as networkx's DiGraph.degree), unweighted.
- strength: the sum of the weights of those edges.
- betweenness: normalized as networkx's betweenness_centrality(normalized=True): the share of
  shortest paths through the node over 1/((n-1)(n-2)) ordered pairs when directed, 2/((n-1)(n-2))
  unordered pairs when undirected; with weights, a weight is a *distance* (networkx's weight=).
- pagerank: damping 0.85, weights as transition strengths, dangling nodes jump uniformly.
- eigenvector: unit Euclidean length (networkx); directed: from in-edges (the left eigenvector).
- constraint and effective size: Burt's, with mutual weights w_ij + w_ji, as networkx computes them.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EXACT_BETWEENNESS_UP_TO = 20_000
BETWEENNESS_SAMPLES = 1_000
SEED = 42


@dataclass(frozen=True)
class Network:
    """Nodes 0..n-1 named `names`; one edge per pair (sources[i], targets[i], weights[i])."""

    names: list[str]
    sources: list[int]
    targets: list[int]
    weights: list[float]
    directed: bool
    weighted: bool

    @property
    def size(self) -> int:
        return len(self.names)

    def igraph(self):
        import igraph

        graph = igraph.Graph(n=self.size, edges=list(zip(self.sources, self.targets, strict=True)),
                             directed=self.directed)
        graph.es["weight"] = self.weights
        return graph


def build_network(edges: Iterable[tuple[str, str, float]], *, directed: bool, weighted: bool,
                  nodes: Iterable[str] = ()) -> Network:
    """The graph of `edges` (source, target, weight): duplicate pairs summed, self-loops dropped;
    nodes numbered in order of first appearance (`nodes` first, for people with no ties)."""
    index: dict[str, int] = {}
    for name in nodes:
        index.setdefault(name, len(index))
    merged: dict[tuple[int, int], float] = {}
    for source, target, weight in edges:
        a = index.setdefault(source, len(index))
        b = index.setdefault(target, len(index))
        if a == b:
            continue
        key = (a, b) if directed or a < b else (b, a)
        merged[key] = merged.get(key, 0.0) + (float(weight) if weighted else 1.0)
    if not weighted:
        merged = dict.fromkeys(merged, 1.0)
    pairs = list(merged)
    return Network(names=list(index), sources=[a for a, _ in pairs], targets=[b for _, b in pairs],
                   weights=[merged[pair] for pair in pairs], directed=directed, weighted=weighted)


def degree(network: Network) -> list[int]:
    counts = [0] * network.size
    for a, b in zip(network.sources, network.targets, strict=True):
        counts[a] += 1
        counts[b] += 1
    return counts


def strength(network: Network) -> list[float]:
    totals = [0.0] * network.size
    for a, b, w in zip(network.sources, network.targets, network.weights, strict=True):
        totals[a] += w
        totals[b] += w
    return totals


@dataclass(frozen=True)
class Betweenness:
    values: list[float]
    exact: bool
    samples: int  # source nodes used (n when exact)
    error_bound: float  # |estimate − exact| per node, with 95% confidence (0 when exact)


def betweenness(network: Network, *, exact_up_to: int = EXACT_BETWEENNESS_UP_TO,
                samples: int = BETWEENNESS_SAMPLES, seed: int = SEED, graph=None) -> Betweenness:
    """Normalized betweenness (see the module's conventions). Exact (Brandes) up to `exact_up_to`
    nodes; beyond, Brandes–Pich source sampling: the dependencies of `samples` random sources,
    scaled by n/samples. Each source's share of a node's normalized betweenness lies in
    [0, n/(n-1)], so by Hoeffding's inequality (which holds for sampling without replacement) every
    node's estimate is within n/(n-1)·sqrt(ln(2/0.05)/(2·samples)) of the exact value with 95%
    confidence: ±0.043 at 1,000 samples."""
    n = network.size
    if n <= 2:
        return Betweenness([0.0] * n, True, n, 0.0)
    graph = graph or network.igraph()
    weights = "weight" if network.weighted else None
    scale = (1.0 if network.directed else 2.0) / ((n - 1) * (n - 2))
    if n <= exact_up_to or samples >= n:
        raw = graph.betweenness(directed=network.directed, weights=weights)
        return Betweenness([value * scale for value in raw], True, n, 0.0)
    chosen = sorted(random.Random(seed).sample(range(n), samples))  # noqa: S311 (not a secret)
    raw = graph.betweenness(directed=network.directed, weights=weights, sources=chosen, targets=None)
    # igraph halves an undirected graph's pair counts whatever the sources, so the same scale applies.
    factor = n / samples * scale
    bound = n / (n - 1) * math.sqrt(math.log(2 / 0.05) / (2 * samples))
    return Betweenness([value * factor for value in raw], False, samples, bound)


def pagerank(network: Network, *, damping: float = 0.85, graph=None) -> list[float]:
    if network.size == 0:
        return []
    graph = graph or network.igraph()
    return list(graph.pagerank(directed=network.directed, damping=damping,
                               weights="weight" if network.weighted else None))


def eigenvector(network: Network, *, graph=None) -> list[float]:
    """Eigenvector centrality scaled to unit length, as networkx reports it."""
    if network.size == 0:
        return []
    if not network.sources:
        return [1 / math.sqrt(network.size)] * network.size
    graph = graph or network.igraph()
    # igraph 1.0 rejects directed=False (any graph); the default follows the graph's direction.
    # A disconnected graph gets zeros outside its leading component, as networkx's power iteration
    # does; igraph's warning about it is not for the people reading the figures.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        values = graph.eigenvector_centrality(weights="weight" if network.weighted else None)
    length = math.sqrt(sum(value * value for value in values)) or 1.0
    return [value / length for value in values]


def _mutual(network: Network):
    """(M, M_sum_normalized, M_max_normalized) as scipy CSR matrices: M_ij = w_ij + w_ji."""
    import numpy as np
    from scipy import sparse

    n = network.size
    rows = np.asarray(network.sources, dtype=np.int64)
    cols = np.asarray(network.targets, dtype=np.int64)
    data = np.asarray(network.weights, dtype=float)
    m = sparse.coo_matrix((data, (rows, cols)), shape=(n, n)).tocsr()
    m = (m + m.T).tocsr()
    m.sum_duplicates()
    row_sum = np.asarray(m.sum(axis=1)).ravel()
    row_max = m.max(axis=1).toarray().ravel() if m.nnz else np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_sum = sparse.diags(np.where(row_sum > 0, 1 / row_sum, 0.0)) @ m
        by_max = sparse.diags(np.where(row_max > 0, 1 / row_max, 0.0)) @ m
    return m, by_sum.tocsr(), by_max.tocsr()


def constraint(network: Network) -> list[float]:
    """Burt's constraint c_i = Σ_j (p_ij + Σ_q p_iq p_qj)², p from mutual weights; NaN for a node
    with no ties (networkx's nx.constraint). An independent implementation (scipy), not igraph's."""
    import numpy as np

    _, p, _ = _mutual(network)
    indirect = (p @ p).tocsr()
    # Only the pairs that are ties count: take (p + indirect) on p's pattern.
    pattern = p.copy()
    pattern.data = np.ones_like(pattern.data)
    local = (p + indirect.multiply(pattern)).tocsr()
    values = np.asarray(local.multiply(local).sum(axis=1)).ravel()
    has_ties = np.diff(p.indptr) > 0
    return [float(v) if tied else math.nan for v, tied in zip(values, has_ties, strict=True)]


def effective_size(network: Network) -> list[float]:
    """Burt's effective size Σ_j (1 − Σ_q p_iq m_jq), m normalized by each row's largest mutual
    weight; NaN for a node with no ties (networkx's nx.effective_size)."""
    import numpy as np

    _, p, by_max = _mutual(network)
    pattern = p.copy()
    pattern.data = np.ones_like(pattern.data)
    # For each tie (i, q): Σ_{j ∈ N(i)} m_jq = (B @ M_max)_iq, B the neighbour pattern.
    redundancy = (pattern @ by_max).multiply(p)
    counts = np.diff(p.indptr)
    values = counts - np.asarray(redundancy.sum(axis=1)).ravel()
    return [float(v) if c > 0 else math.nan for v, c in zip(values, counts, strict=True)]


@dataclass(frozen=True)
class Communities:
    membership: list[int]  # community of each node, numbered in order of first node
    modularity: float
    count: int


def communities(network: Network, *, seed: int = SEED, tries: int | None = None, resolution: float = 1.0,
                graph=None) -> Communities:
    """Modularity communities by Leiden (igraph), directed modularity when the graph is directed.
    Deterministic: `tries` seeded runs from `seed` (more for small graphs), the best kept; the
    modularity reported is the partition's own, networkx's formula on the same graph and weights."""
    import igraph

    n = network.size
    if n == 0:
        return Communities([], 0.0, 0)
    graph = graph or network.igraph()
    if tries is None:
        tries = 10 if len(network.sources) <= 20_000 else 2 if len(network.sources) <= 500_000 else 1
    best: tuple[float, list[int]] | None = None
    for attempt in range(tries):
        igraph.set_random_number_generator(random.Random(seed + attempt))  # noqa: S311 (not a secret)
        try:
            found = graph.community_leiden(objective_function="modularity", weights="weight",
                                           resolution=resolution, n_iterations=-1)
        finally:
            igraph.set_random_number_generator(random)
        membership = _renumber(found.membership)
        score = modularity(network, membership, graph=graph, resolution=resolution)
        if best is None or score > best[0] + 1e-12:
            best = (score, membership)
    score, membership = best
    return Communities(membership, score, max(membership) + 1)


def _renumber(membership: Sequence[int]) -> list[int]:
    labels: dict[int, int] = {}
    return [labels.setdefault(label, len(labels)) for label in membership]


def modularity(network: Network, membership: Sequence[int], *, graph=None, resolution: float = 1.0) -> float:
    """Newman's modularity (directed: Leicht–Newman), networkx's nx.community.modularity."""
    if not network.sources:
        return 0.0
    graph = graph or network.igraph()
    return float(graph.modularity(list(membership), weights="weight", resolution=resolution,
                                  directed=network.directed))
