"""`learnloop network analyze EDGES_FILE`, without Django: person measures and communities of an
edge list. The `learnloop` entry point runs it directly (learnloop.cli); the management command
only wraps it. igraph, numpy and scipy load when a file is analysed, not for --help.

Output (--format json): {"nodes": {id: {"degree", "betweenness", "pagerank", "community"}},
"modularity": number, "communities": count}. Conventions in docs/network.md and
learnloop.analytics.network.graph. A file that can't be read exits with status 2 and a message
naming the row.
"""

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from learnloop.analytics.csv_files import read_file_bytes

BAD_INPUT = 2
HELP = "Degree, betweenness, PageRank and communities of an edge list (CSV: source,target[,weight])."
DESCRIPTION = (
    HELP + " A header row names the columns (source, target and any weight column); blank rows and rows "
    "starting with # are skipped; a pair listed twice is one edge (weights summed); self-loops are dropped. "
    "Betweenness is normalized as networkx's (1/((n-1)(n-2)) directed, 2/((n-1)(n-2)) undirected); with "
    "--weight, betweenness reads weights as distances and PageRank and communities as strengths. "
    "See docs/network.md."
)


class BadEdges(ValueError):
    """The file can't be analysed; the message says where and why (exit status 2)."""


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from learnloop.analytics.network.graph import BETWEENNESS_SAMPLES, EXACT_BETWEENNESS_UP_TO, SEED

    parser.add_argument("edges_file", type=Path, metavar="EDGES_FILE")
    parser.add_argument("--directed", action="store_true", help="Edges point from source to target.")
    parser.add_argument("--weight", metavar="COLUMN", default=None,
                        help="Column of edge weights (default: every edge weighs 1).")
    parser.add_argument("--format", choices=("json", "table"), default="table", dest="output_format")
    parser.add_argument("--exact-up-to", type=_count, default=EXACT_BETWEENNESS_UP_TO, metavar="N",
                        help=f"Exact betweenness up to N nodes, sampled beyond (default {EXACT_BETWEENNESS_UP_TO:,}).")
    parser.add_argument("--samples", type=_count, default=BETWEENNESS_SAMPLES, metavar="K",
                        help=f"Sources sampled for betweenness beyond that size (default {BETWEENNESS_SAMPLES:,}).")
    parser.add_argument("--seed", type=int, default=SEED, help=f"Seed of communities and sampling (default {SEED}).")


def analyze(options: dict, note: Callable[[str], object] = lambda _: None) -> str:
    from learnloop.analytics.network import betweenness, build_network, communities, degree, pagerank
    from learnloop.analytics.network.edges_file import EdgesFileError, read_edges

    path: Path = options["edges_file"]
    content = read_file_bytes(path, BadEdges)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadEdges(f"{path} is not UTF-8 text (byte {error.start}).") from None
    try:
        edges = read_edges(text, weight=options["weight"], name=str(path))
    except EdgesFileError as error:
        raise BadEdges(str(error)) from None
    network = build_network(edges, directed=options["directed"], weighted=options["weight"] is not None)
    graph = network.igraph()
    between = betweenness(network, exact_up_to=options["exact_up_to"], samples=options["samples"],
                          seed=options["seed"], graph=graph)
    if not between.exact:
        note(f"note: betweenness sampled from {between.samples:,} of {network.size:,} nodes; each value is "
             f"within ±{between.error_bound:.3f} of the exact one with 95% confidence.\n")
    ranks = pagerank(network, graph=graph)
    found = communities(network, seed=options["seed"], graph=graph)
    degrees = degree(network)
    nodes = {
        name: {"degree": degrees[i], "betweenness": between.values[i], "pagerank": ranks[i],
               "community": found.membership[i]}
        for i, name in enumerate(network.names)
    }
    if options["output_format"] == "json":
        return json.dumps({"nodes": nodes, "modularity": found.modularity, "communities": found.count},
                          indent=1, ensure_ascii=False) + "\n"
    lines = [f"{network.size} nodes, {len(network.sources)} edges, {found.count} communities, "
             f"modularity {found.modularity:.4f}", f"{'node':<24} {'degree':>7} {'betweenness':>12} "
             f"{'pagerank':>10} {'community':>9}"]
    order = sorted(range(network.size), key=lambda i: (-ranks[i], network.names[i]))
    lines += [f"{network.names[i][:24]:<24} {degrees[i]:>7} {between.values[i]:>12.6f} {ranks[i]:>10.6f} "
              f"{found.membership[i]:>9}" for i in order]
    return "\n".join(lines) + "\n"


def main(argv: list[str], *, write: Callable[[str], object], fail: Callable[[str], object]) -> int:
    """Run `learnloop network analyze ARGV` without Django; returns the exit status."""
    parser = argparse.ArgumentParser(prog="learnloop network analyze", description=DESCRIPTION)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        write(analyze(options, note=fail))
    except BadEdges as error:
        fail(f"CommandError: {error}\n")
        return BAD_INPUT
    return 0
