"""learnloop.analytics.network against networkx, the independent implementation: every person
measure on generated graphs and on the small public networks networkx ships."""

import math
import random

import networkx as nx
import pytest

from learnloop.analytics.network import (
    betweenness,
    build_network,
    communities,
    constraint,
    degree,
    effective_size,
    eigenvector,
    modularity,
    pagerank,
    strength,
    team_report,
    windows,
)


def weighted(graph, seed, kind=float):
    rng = random.Random(seed)
    for u, v in graph.edges:
        graph[u][v]["weight"] = rng.randint(1, 5) if kind is int else rng.uniform(0.2, 3.0)
    return graph


def generated_graphs():
    return {
        "gnm-undirected": nx.gnm_random_graph(120, 400, seed=1),
        "gnm-directed": nx.gnm_random_graph(120, 500, seed=2, directed=True),
        "gnm-undirected-weighted": weighted(nx.gnm_random_graph(100, 300, seed=3), 3),
        "gnm-directed-weighted": weighted(nx.gnm_random_graph(100, 400, seed=4, directed=True), 4, int),
        "barabasi": nx.barabasi_albert_graph(150, 3, seed=5),
        "two-components": nx.disjoint_union(nx.path_graph(7), nx.cycle_graph(9)),
        "karate": nx.karate_club_graph(),  # its edges carry weights (interactions)
        "karate-unweighted": nx.Graph(nx.karate_club_graph().edges),
        "davis": nx.davis_southern_women_graph(),
        "florentine": nx.florentine_families_graph(),
    }


def as_network(graph, use_weights):
    edges = ((str(u), str(v), data.get("weight", 1)) for u, v, data in graph.edges(data=True))
    network = build_network(edges, directed=graph.is_directed(), weighted=use_weights,
                            nodes=[str(node) for node in graph.nodes])
    return network, {name: index for index, name in enumerate(network.names)}


CASES = [(name, use_weights) for name, graph in generated_graphs().items()
         for use_weights in ((False, True) if nx.get_edge_attributes(graph, "weight") else (False,))]


@pytest.fixture(scope="module")
def graphs():
    return generated_graphs()


@pytest.mark.parametrize(("name", "use_weights"), CASES)
def test_person_measures_match_networkx(graphs, name, use_weights):
    graph = graphs[name]
    weight = "weight" if use_weights else None
    network, index = as_network(graph, use_weights)

    def close(ours, theirs, tolerance):
        for node, value in theirs.items():
            mine = ours[index[str(node)]]
            if math.isnan(value):
                assert math.isnan(mine), node
            else:
                assert mine == pytest.approx(value, abs=tolerance), (node, mine, value)

    close(degree(network), dict(graph.degree()), 0)
    close(strength(network), dict(graph.degree(weight=weight)), 1e-9)
    exact = betweenness(network)
    assert exact.exact and exact.error_bound == 0
    close(exact.values, nx.betweenness_centrality(graph, weight=weight), 1e-9)
    close(pagerank(network), nx.pagerank(graph, weight=weight, tol=1e-12, max_iter=10_000), 1e-6)
    close(constraint(network), nx.constraint(graph, weight=weight), 1e-9)
    # networkx's per-node definition (its all-nodes matrix shortcut disagrees with it on weighted graphs).
    theirs = nx.effective_size(graph, nodes=list(graph), weight=weight)
    if graph.is_directed():
        # networkx calls a node with in-ties but no out-ties isolated (it looks at successors only);
        # Burt's measure, and ours, count ties either way.
        receivers = [node for node in graph if graph.in_degree(node) and not graph.out_degree(node)]
        assert all(not math.isnan(effective_size(network)[index[str(node)]]) for node in receivers)
        theirs = {node: value for node, value in theirs.items() if node not in receivers}
    close(effective_size(network), theirs, 1e-9)
    if nx.is_connected(graph.to_undirected()) and not graph.is_directed():
        close(eigenvector(network), nx.eigenvector_centrality_numpy(graph, weight=weight), 1e-9)


def test_directed_eigenvector_matches_networkx_on_a_strongly_connected_graph():
    graph = nx.DiGraph(nx.gnm_random_graph(60, 400, seed=9, directed=True))
    assert nx.is_strongly_connected(graph)
    network, index = as_network(graph, False)
    theirs = nx.eigenvector_centrality_numpy(graph)
    ours = eigenvector(network)
    for node, value in theirs.items():
        assert ours[index[str(node)]] == pytest.approx(abs(value), abs=1e-9)


@pytest.mark.parametrize(("name", "use_weights"), CASES)
def test_communities_are_good_and_their_modularity_is_networkx_s(graphs, name, use_weights):
    graph = graphs[name]
    network, index = as_network(graph, use_weights)
    found = communities(network)
    parts = {}
    for node in graph.nodes:
        parts.setdefault(found.membership[index[str(node)]], set()).add(node)
    assert len(parts) == found.count
    theirs = nx.community.modularity(graph, list(parts.values()), weight="weight" if use_weights else None)
    assert found.modularity == pytest.approx(theirs, abs=1e-9)
    assert modularity(network, found.membership) == pytest.approx(theirs, abs=1e-9)
    # At least as good as networkx's own Louvain on the same graph, same weights.
    louvain = nx.community.louvain_communities(graph, weight="weight" if use_weights else None, seed=1)
    reference = nx.community.modularity(graph, louvain, weight="weight" if use_weights else None)
    assert found.modularity >= reference - 0.02


def test_karate_club_communities_reach_the_known_optimum():
    network, _ = as_network(nx.karate_club_graph(), False)
    found = communities(network)
    assert found.modularity >= 0.40  # the optimum is 0.4198 (Brandes et al. 2008)
    assert found.modularity == pytest.approx(0.4198, abs=5e-4)


def test_communities_are_deterministic():
    network, _ = as_network(nx.barabasi_albert_graph(300, 2, seed=3), False)
    assert communities(network) == communities(network)


def test_sampled_betweenness_stays_within_its_stated_error():
    network, _ = as_network(nx.barabasi_albert_graph(2_000, 3, seed=11), False)
    exact = betweenness(network).values
    sampled = betweenness(network, exact_up_to=100, samples=400)
    assert not sampled.exact and sampled.samples == 400
    assert max(abs(a - b) for a, b in zip(exact, sampled.values, strict=True)) <= sampled.error_bound
    directed, _ = as_network(nx.gnm_random_graph(1_500, 6_000, seed=12, directed=True), False)
    exact = betweenness(directed).values
    sampled = betweenness(directed, exact_up_to=100, samples=400)
    assert max(abs(a - b) for a, b in zip(exact, sampled.values, strict=True)) <= sampled.error_bound
    # An unbiased estimate: the totals agree closely.
    assert sum(sampled.values) == pytest.approx(sum(exact), rel=0.1)


def test_duplicate_pairs_are_one_edge_with_summed_weight_and_self_loops_are_dropped():
    network = build_network([("a", "b", 2), ("b", "a", 3), ("a", "a", 9), ("c", "c", 1)], directed=False,
                            weighted=True)
    assert network.names == ["a", "b", "c"]
    assert list(zip(network.sources, network.targets, network.weights, strict=True)) == [(0, 1, 5.0)]
    directed = build_network([("a", "b", 2), ("b", "a", 3), ("a", "b", 1)], directed=True, weighted=True)
    assert sorted(zip(directed.sources, directed.targets, directed.weights, strict=True)) == [(0, 1, 3.0),
                                                                                             (1, 0, 3.0)]
    unweighted = build_network([("a", "b", 2), ("a", "b", 3)], directed=True, weighted=False)
    assert unweighted.weights == [1.0]


def test_tiny_and_empty_graphs():
    assert betweenness(build_network([], directed=False, weighted=False)).values == []
    pair = build_network([("a", "b", 1)], directed=False, weighted=False)
    assert betweenness(pair).values == [0.0, 0.0]
    assert pagerank(pair) == pytest.approx([0.5, 0.5])
    lonely = build_network([("a", "a", 1)], directed=True, weighted=False)
    assert communities(lonely).count == 1 and math.isnan(constraint(lonely)[0])


# Team figures, checked by hand and against networkx's attribute mixing matrix.

TEAM_OF = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"}
EDGES = [("a1", "a2", 1.0), ("a2", "a3", 2.0), ("a1", "b1", 1.0), ("b1", "b2", 1.0), ("b2", "a3", 3.0),
         ("c1", "c1", 5.0), ("x", "a1", 1.0)]


def test_team_mixing_ei_reach_and_density():
    report = team_report(EDGES, TEAM_OF)
    assert report.teams == ["A", "B", "C"]
    assert report.mixing["A"] == {"A": 3.0, "B": 1.0, "C": 0.0}
    assert report.mixing["B"] == {"A": 3.0, "B": 1.0, "C": 0.0}
    a = report.figures["A"]
    assert (a.internal, a.exported, a.imported, a.external) == (3.0, 1.0, 3.0, 4.0)
    assert a.ei_index == pytest.approx((4 - 3) / 7)
    assert a.reach == 1 and report.figures["C"].reach == 0 and report.figures["C"].ei_index is None
    assert report.density["A"]["A"] == pytest.approx(2 / 6)  # 2 of 3·2 ordered pairs
    assert report.density["A"]["B"] == pytest.approx(1 / 6)
    graph = nx.DiGraph()
    for person, team in TEAM_OF.items():
        graph.add_node(person, team=team)
    graph.add_weighted_edges_from((s, t, w) for s, t, w in EDGES if s in TEAM_OF and t in TEAM_OF and s != t)
    theirs = nx.attribute_mixing_dict(graph, "team")  # counts ties, unweighted
    assert theirs["A"]["B"] == 1 and theirs["B"]["A"] == 1 and theirs["A"]["A"] == 2


def test_change_between_windows():
    from datetime import date

    dated = [("a1", "a2", 1.0, date(2026, 1, 5)), ("a1", "b1", 1.0, date(2026, 2, 1)),
             ("a1", "a2", 1.0, date(2026, 4, 2)), ("b2", "a3", 2.0, date(2026, 5, 1))]
    first, second = windows(dated, TEAM_OF, [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)])
    assert (first.ties, first.new, first.kept, first.lost, first.people) == (2, 2, 0, 0, 3)
    assert first.cross_team_share == pytest.approx(0.5)
    assert (second.ties, second.kept, second.new, second.lost) == (2, 1, 1, 1)
    assert second.cross_team_share == pytest.approx(2 / 3)
