"""Knowledge-flow network analytics at scale: every measure of learnloop.analytics.network on a
40,000-node / 200,000-edge directed, weighted graph with team structure (CPU seconds, peak memory),
then the same measures beside networkx's on a 5,000-node sample graph of the same kind (agreement
and CPU time of both).

    .venv/bin/python bench/network.py [--quick] [--sample-nodes N] [--sample-only]

--quick (under a minute of CPU): betweenness sampled from 200 sources at 40,000 nodes and a 1,000-node
networkx comparison. --sample-nodes N sets the size of the side-by-side graph (default 5,000, 1,000
with --quick; it has 5 edges per node); --sample-only runs only the side-by-side (networkx's
weighted betweenness and per-node effective size grow with n·m, so 5,000 nodes take minutes of CPU).
CPU time is process time (the machine is shared; wall time lies). Peak
memory is the process's peak resident set size. Last line: key=value pairs.
"""

import argparse
import math
import random
import resource
import time

from learnloop.analytics.network import (
    betweenness,
    build_network,
    communities,
    constraint,
    degree,
    effective_size,
    eigenvector,
    pagerank,
    strength,
    team_report,
)


def team_graph(nodes: int, edges: int, *, teams: int, inside: float, seed: int):
    """`edges` distinct directed ties: a share `inside` within a person's team, the rest across
    teams with a bias to low-numbered people (a tail of brokers: the first 0.1% receive ~3% of
    the cross-team ties), weights 1–5."""
    rng = random.Random(seed)
    team_of = {f"p{i}": f"t{i % teams}" for i in range(nodes)}
    per_team = [[f"p{i}" for i in range(t, nodes, teams)] for t in range(teams)]
    hubs = [f"p{i}" for i in range(nodes)]
    seen, result = set(), []
    while len(result) < edges:
        source = rng.randrange(nodes)
        inside_team = rng.random() < inside
        target = rng.choice(per_team[source % teams]) if inside_team else hubs[int(nodes * rng.random() ** 2)]
        pair = (f"p{source}", target)
        if pair[0] == pair[1] or pair in seen:
            continue
        seen.add(pair)
        result.append((*pair, float(rng.randint(1, 5))))
    return result, team_of


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label, function, *args, **kwargs):
    start = time.process_time()
    value = function(*args, **kwargs)
    spent = time.process_time() - start
    print(f"{label}: {spent:.2f} s CPU, peak {peak_mb():.0f} MB")
    return value, spent


def ours(edges, team_of, *, samples):
    figures = {}
    network, figures["build"] = timed("build", build_network, edges, directed=True, weighted=True)
    graph = network.igraph()
    _, figures["degree"] = timed("degree+strength", lambda: (degree(network), strength(network)))
    between, figures["betweenness"] = timed("betweenness", betweenness, network, samples=samples, graph=graph)
    if not between.exact:
        print(f"  sampled from {between.samples} sources, ±{between.error_bound:.3f} at 95% per node")
    _, figures["pagerank"] = timed("pagerank", pagerank, network, graph=graph)
    _, figures["eigenvector"] = timed("eigenvector", eigenvector, network, graph=graph)
    _, figures["constraint"] = timed("constraint", constraint, network)
    _, figures["effective_size"] = timed("effective_size", effective_size, network)
    found, figures["communities"] = timed("communities", communities, network, graph=graph)
    print(f"  {found.count} communities, modularity {found.modularity:.4f}")
    _, figures["teams"] = timed("team report", team_report, edges, team_of)
    return network, found, figures


def side_by_side(size: int) -> dict:
    import networkx as nx

    edges, team_of = team_graph(size, size * 5, teams=max(size // 1000, 4), inside=0.7, seed=2)
    print(f"-- side by side on {size:,} nodes, {len(edges):,} edges")
    network, found, figures = ours(edges, team_of, samples=size)
    index = {name: i for i, name in enumerate(network.names)}
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(edges)
    theirs, nx_cpu = {}, 0.0
    for name, run in (("betweenness", lambda: nx.betweenness_centrality(graph, weight="weight")),
                      ("pagerank", lambda: nx.pagerank(graph, weight="weight", tol=1e-10)),
                      ("constraint", lambda: nx.constraint(graph, weight="weight")),
                      ("effective_size", lambda: nx.effective_size(graph, nodes=list(graph), weight="weight"))):
        theirs[name], spent = timed(f"networkx {name}", run)
        nx_cpu += spent
    louvain, spent = timed("networkx louvain", nx.community.louvain_communities, graph, weight="weight", seed=1)
    nx_cpu += spent
    ours_cpu = sum(figures.values()) - figures["teams"]
    mine = {"betweenness": betweenness(network).values, "pagerank": pagerank(network),
            "constraint": constraint(network), "effective_size": effective_size(network)}
    receivers = {node for node in graph if not graph.out_degree(node)}  # networkx: NaN (successors only)
    worst = {}
    for name, values in theirs.items():
        worst[name] = max((abs(values[node] - mine[name][index[node]]) for node in graph
                           if not (name == "effective_size" and node in receivers) and not math.isnan(values[node])),
                          default=0.0)
        print(f"  {name}: largest difference from networkx {worst[name]:.2e}")
    nx_modularity = nx.community.modularity(graph, louvain, weight="weight")
    print(f"  modularity: ours (Leiden) {found.modularity:.4f}, networkx Louvain {nx_modularity:.4f}")
    print(f"  CPU: ours {ours_cpu:.2f} s, networkx {nx_cpu:.2f} s")
    return {"sample_nodes": size, "sample_ours_cpu_s": round(ours_cpu, 2), "sample_networkx_cpu_s": round(nx_cpu, 2),
            "sample_max_diff": max(worst.values()), "sample_modularity_ours": round(found.modularity, 4),
            "sample_modularity_networkx": round(nx_modularity, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--nodes", type=int, default=40_000)
    parser.add_argument("--edges", type=int, default=200_000)
    parser.add_argument("--sample-nodes", type=int, default=None,
                        help="nodes of the side-by-side graph with networkx (default 5,000; 1,000 with --quick)")
    parser.add_argument("--sample-only", action="store_true", help="only the side-by-side with networkx")
    options = parser.parse_args()
    sample_nodes = options.sample_nodes or (1_000 if options.quick else 5_000)
    if sample_nodes < 10:
        parser.error("--sample-nodes must be at least 10")
    if options.sample_only:
        compared = side_by_side(sample_nodes)
        print(" ".join(f"{key}={value:.2e}" if key == "sample_max_diff" else f"{key}={value}"
                       for key, value in {**compared, "peak_mb": round(peak_mb())}.items()))
        return
    samples = 200 if options.quick else 1_000
    edges, team_of = team_graph(options.nodes, options.edges, teams=40, inside=0.7, seed=1)
    print(f"-- {options.nodes:,} nodes, {len(edges):,} edges, 40 teams")
    _, found, figures = ours(edges, team_of, samples=samples)
    total = sum(figures.values())
    print(f"total: {total:.2f} s CPU")
    compared = side_by_side(sample_nodes)
    pairs = {"nodes": options.nodes, "edges": len(edges), "cpu_s": round(total, 2),
             "betweenness_cpu_s": round(figures["betweenness"], 2), "betweenness_samples": samples,
             "communities_cpu_s": round(figures["communities"], 2), "modularity": round(found.modularity, 4),
             "peak_mb": round(peak_mb()), **compared}
    print(" ".join(f"{key}={value:.2e}" if key == "sample_max_diff" else f"{key}={value}"
                   for key, value in pairs.items()))


if __name__ == "__main__":
    main()
