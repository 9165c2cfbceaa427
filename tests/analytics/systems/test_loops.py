"""Loop enumeration checked against networkx.simple_cycles, polarity and delay rules, bounds."""

import random

import networkx as nx
import pytest

from learnloop.analytics.systems import CausalModel, ModelError, elementary_cycles, find_loops


def _rotated(cycle) -> tuple:
    """A cycle written from its lowest node, the form elementary_cycles returns."""
    cycle = list(cycle)
    low = cycle.index(min(cycle))
    return tuple(cycle[low:] + cycle[:low])


@pytest.mark.parametrize("seed", range(40))
def test_cycles_are_exactly_networkx_simple_cycles(seed):
    rng = random.Random(seed)
    size = rng.randint(1, 16)
    graph = nx.gnm_random_graph(size, rng.randint(0, size * 3), seed=seed, directed=True)
    for node in range(size):
        if rng.random() < 0.1:
            graph.add_edge(node, node)
    successors = [sorted(graph.successors(node)) for node in range(size)]
    bound = rng.choice([None, None, 2, 3, 5])
    found, reason = elementary_cycles(successors, max_length=bound)
    expected = sorted(_rotated(cycle) for cycle in nx.simple_cycles(graph, length_bound=bound))
    assert reason == ""
    assert len(found) == len(set(found))
    assert sorted(found) == expected
    assert [len(cycle) for cycle in found] == sorted(len(cycle) for cycle in found)  # shorter first


def test_polarity_is_the_parity_of_negative_links_and_delays_are_marked():
    model = CausalModel.build(
        ["Sales", "Customers", "Word of mouth", "Saturation"],
        [("Customers", "Word of mouth", "+"), ("Word of mouth", "Sales", "+"), ("Sales", "Customers", "+"),
         ("Customers", "Saturation", "+", True), ("Saturation", "Sales", "-")],
    )
    analysis = find_loops(model)
    assert not analysis.truncated and analysis.reason == ""
    by_members = {frozenset(loop.variables): loop for loop in analysis.loops}
    growth = by_members[frozenset({"Sales", "Customers", "Word of mouth"})]
    limit = by_members[frozenset({"Sales", "Customers", "Saturation"})]
    assert (growth.polarity, growth.negative_links, growth.delayed) == ("reinforcing", 0, False)
    assert (limit.polarity, limit.negative_links, limit.delayed) == ("balancing", 1, True)
    assert limit.label.startswith("B") and growth.label.startswith("R")
    assert analysis.loops_through == {"Sales": 2, "Customers": 2, "Word of mouth": 1, "Saturation": 1}


def test_two_negatives_make_a_reinforcing_loop_and_a_self_link_is_a_loop():
    model = CausalModel.build(["A", "B", "C"], [("A", "B", "-"), ("B", "A", "-"), ("C", "C", "-")])
    loops = find_loops(model).loops
    assert [(loop.variables, loop.polarity) for loop in loops] == [
        (("C",), "balancing"), (("A", "B"), "reinforcing")]


def test_rank_is_shorter_first_then_more_shared_variables():
    model = CausalModel.build(
        ["A", "B", "C", "D", "E", "F", "G"],
        [("A", "B"), ("B", "C"), ("C", "A"),  # A-B-C, shares nothing
         ("D", "E"), ("E", "F"), ("F", "D"),  # D-E-F, shares D and E with D-E-G
         ("E", "G"), ("G", "D")],
    )
    loops = find_loops(model).loops
    assert [loop.variables for loop in loops] == [("D", "E", "F"), ("D", "E", "G"), ("A", "B", "C")]
    assert [loop.number for loop in loops] == [1, 2, 3]
    assert [loop.shared_variables for loop in loops] == [2, 2, 0]


def _random_model(variables: int, links: int, seed: int) -> CausalModel:
    rng = random.Random(seed)
    names = [f"v{number}" for number in range(variables)]
    pairs = set()
    while len(pairs) < links:
        source, target = rng.randrange(variables), rng.randrange(variables)
        if source != target:
            pairs.add((source, target))
    return CausalModel.build(names, [(names[s], names[t], rng.choice("+-"), rng.random() < 0.1)
                                     for s, t in sorted(pairs)])


def test_a_large_model_stops_at_the_loop_limit_and_says_so():
    analysis = find_loops(_random_model(1000, 5000, seed=3), max_loops=2000)
    assert analysis.truncated
    assert len(analysis.loops) == 2000
    assert "limit of 2,000 loops" in analysis.reason
    assert "every loop of up to 4 variables is listed" in analysis.reason
    assert max(loop.length for loop in analysis.loops) <= 16


def test_a_time_budget_stops_the_search_and_says_so():
    analysis = find_loops(_random_model(300, 3000, seed=4), max_loops=None, max_seconds=0.05)
    assert analysis.truncated and "time budget of 0.05 s ran out" in analysis.reason


def test_bad_diagrams_are_refused_with_the_name():
    with pytest.raises(ModelError, match="'X'"):
        CausalModel.build(["A"], [("A", "X", "+")])
    with pytest.raises(ModelError, match="polarity"):
        CausalModel.build(["A", "B"], [("A", "B", "*")])
    with pytest.raises(ModelError, match="twice"):
        CausalModel.build(["A", "B"], [("A", "B", "+"), ("A", "B", "-")])
    with pytest.raises(ModelError, match="twice"):
        CausalModel.build(["A", "A"], [])
