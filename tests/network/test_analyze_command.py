"""`learnloop network analyze EDGES_FILE`: the file-in, JSON-out command, compared with networkx
run on the same file, and its bad files (exit status 2, a message naming the row)."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import networkx as nx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from learnloop.network import analyze_cli


def run(*arguments: str) -> tuple[int, str, str]:
    out, err = [], []
    status = analyze_cli.main(list(arguments), write=out.append, fail=err.append)
    return status, "".join(out), "".join(err)


def analyze(path: Path, *options: str) -> dict:
    status, out, err = run(str(path), "--format", "json", *options)
    assert status == 0, err
    return json.loads(out)


def write_edges(path: Path, graph, *, weights: bool, header: str = "source,target,weight") -> Path:
    lines = [header] if header else []
    for u, v, data in graph.edges(data=True):
        lines.append(f"{u},{v},{data.get('weight', 1)}" if weights else f"{u},{v}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def reference(graph, weight):
    """What a networkx user computes from the same file."""
    ranks = nx.pagerank(graph, weight=weight, tol=1e-12, max_iter=10_000)
    return nx.betweenness_centrality(graph, weight=weight), ranks


@pytest.mark.parametrize(("name", "graph", "use_weights"), [
    ("karate", nx.karate_club_graph(), False),
    ("karate-weighted", nx.karate_club_graph(), True),
    ("florentine", nx.florentine_families_graph(), False),
    ("davis", nx.davis_southern_women_graph(), False),
    ("directed", nx.gnm_random_graph(80, 300, seed=7, directed=True), False),
])
def test_output_matches_networkx_on_the_same_file(tmp_path, name, graph, use_weights):
    graph = nx.relabel_nodes(graph, lambda node: str(node).replace(",", " "))
    graph.remove_nodes_from(list(nx.isolates(graph)))  # an edge list can't name them
    path = write_edges(tmp_path / f"{name}.csv", graph, weights=use_weights)
    options = (["--directed"] if graph.is_directed() else []) + (["--weight", "weight"] if use_weights else [])
    result = analyze(path, *options)
    assert set(result) == {"nodes", "modularity", "communities"}
    weight = "weight" if use_weights else None
    between, ranks = reference(graph, weight)
    assert set(result["nodes"]) == set(graph.nodes)
    for node, figures in result["nodes"].items():
        assert set(figures) == {"degree", "betweenness", "pagerank", "community"}
        assert figures["degree"] == graph.degree(node)
        assert figures["betweenness"] == pytest.approx(between[node], abs=1e-9)
        assert figures["pagerank"] == pytest.approx(ranks[node], abs=1e-6)
    parts = {}
    for node, figures in result["nodes"].items():
        parts.setdefault(figures["community"], set()).add(node)
    assert result["communities"] == len(parts)
    assert result["modularity"] == pytest.approx(nx.community.modularity(graph, parts.values(), weight=weight),
                                                 abs=1e-9)
    if name == "karate":
        assert result["modularity"] >= 0.40


def test_same_file_same_output(tmp_path):
    path = write_edges(tmp_path / "ba.csv", nx.barabasi_albert_graph(200, 2, seed=1), weights=False)
    assert run(str(path), "--format", "json") == run(str(path), "--format", "json")


def test_header_blank_rows_comments_duplicates_and_self_loops(tmp_path):
    path = tmp_path / "edges.csv"
    path.write_text("# exported\nTarget;Source;w\n\nb;a;2\na;b;3\nc;b;1\nc;c;4\n", encoding="utf-8")
    result = analyze(path, "--weight", "w")
    assert list(result["nodes"]) == ["a", "b", "c"]  # the source column comes second here
    assert result["nodes"]["b"]["degree"] == 2 and result["nodes"]["c"]["degree"] == 1
    graph = nx.Graph()
    graph.add_edge("a", "b", weight=5)  # a pair listed twice: one edge, weights summed
    graph.add_edge("b", "c", weight=1)  # the self-loop is dropped
    ranks = nx.pagerank(graph, weight="weight", tol=1e-12, max_iter=10_000)
    assert result["nodes"]["a"]["pagerank"] == pytest.approx(ranks["a"], abs=1e-6)


def test_other_header_spellings(tmp_path):
    (tmp_path / "from.csv").write_text("From,To\nx,y\ny,z\n", encoding="utf-8")
    assert list(analyze(tmp_path / "from.csv")["nodes"]) == ["x", "y", "z"]
    (tmp_path / "named.csv").write_text("a,b,strength\nx,y,2\ny,z,1\n", encoding="utf-8")
    assert list(analyze(tmp_path / "named.csv", "--weight", "strength")["nodes"]) == ["x", "y", "z"]


def test_files_without_a_header_and_whitespace_separated(tmp_path):
    (tmp_path / "plain.csv").write_text("1,2,0.5\n2,3,2\n", encoding="utf-8")
    assert analyze(tmp_path / "plain.csv", "--weight", "weight")["nodes"]["2"]["betweenness"] == 1.0
    (tmp_path / "list.txt").write_text("1 2\n2 3\n3 1\n", encoding="utf-8")
    assert analyze(tmp_path / "list.txt", "--directed")["nodes"]["1"]["degree"] == 2


@pytest.mark.parametrize(("content", "options", "message"), [
    ("source,target,weight\na,b,1\nc\n", [], "row 3: 1 column(s)"),
    ("source,target,weight\na,b,heavy\n", ["--weight", "weight"], "row 2: weight 'heavy' is not a number"),
    ("source,target,weight\na,b,-1\n", ["--weight", "weight"], "row 2: weight '-1' must be"),
    ("source,target,weight\na,b,nan\n", ["--weight", "weight"], "row 2: weight 'nan' must be"),
    ("source,target\na,b\n", ["--weight", "cost"], "row 1: no column 'cost'"),
    ("source,target\n\n,b\n", [], "row 3: empty source"),
    ("source,target\n", [], "no edges"),
    ("", [], "no edges"),
    ("source,target\n\"a,b\n", [], "row"),
])
def test_bad_files_name_the_row_and_exit_2(tmp_path, content, options, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    status, out, err = run(str(path), *options)
    assert status == 2 and out == ""
    assert message in err and err.startswith("CommandError: ")


def test_missing_and_undecodable_files_exit_2(tmp_path):
    assert run(str(tmp_path / "nope.csv"))[0] == 2
    (tmp_path / "latin.csv").write_bytes(b"source,target\n\xe9,b\n")
    status, _, err = run(str(tmp_path / "latin.csv"))
    assert status == 2 and "not UTF-8" in err


def test_sampled_betweenness_says_so_on_stderr(tmp_path):
    path = write_edges(tmp_path / "ba.csv", nx.barabasi_albert_graph(300, 2, seed=2), weights=False)
    status, out, err = run(str(path), "--format", "json", "--exact-up-to", "100", "--samples", "50")
    assert status == 0 and "sampled from 50 of 300 nodes" in err
    assert json.loads(out)["communities"] >= 2


def test_the_django_command_wraps_it(tmp_path):
    path = write_edges(tmp_path / "f.csv", nx.florentine_families_graph(), weights=False)
    out = StringIO()
    call_command("network", "analyze", str(path), "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["nodes"]["Medici"]["degree"] == 6
    (tmp_path / "bad.csv").write_text("source,target\nonly\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 2") as raised:
        call_command("network", "analyze", str(tmp_path / "bad.csv"))
    assert raised.value.returncode == 2


def test_the_entry_point_runs_it_and_exits_2_on_a_bad_file(tmp_path):
    (tmp_path / "bad.csv").write_text("source,target\na\n", encoding="utf-8")
    finished = subprocess.run([sys.executable, "-m", "learnloop.cli", "network", "analyze", str(tmp_path / "bad.csv")],
                              capture_output=True, text=True)
    assert finished.returncode == 2 and "row 2" in finished.stderr
