"""Mentor matching: the optimum checked against independent exact solvers (brute force on tiny
instances, networkx's min-cost flow on integer costs for larger ones), the rules (capacity,
forbidden pairs, nobody mentors themself), the document's validation and the output's order."""

import itertools
import json
import random
from fractions import Fraction

import networkx as nx
import pytest

from learnloop.analytics import mentor_matching as mm
from learnloop.analytics.mentor_matching import MatchingDocumentError, parse_document, problem_from_data, solve

SKILLS = [f"skill-{k}" for k in range(8)]


def random_document(rng: random.Random, mentors: int, mentees: int, *, capacity=(0, 3), shared_people=0,
                    forbidden=0, skills=SKILLS) -> dict:
    """Levels and targets are whole numbers 1–5, so every score is a multiple of 1/60."""
    document = {
        "mentors": [{"id": f"p{j}" if j % 2 else j, "capacity": rng.randint(*capacity),
                     "skills": {s: rng.randint(1, 5) for s in rng.sample(skills, rng.randint(0, 4))}}
                    for j in range(mentors)],
        "mentees": [{"id": f"p{i}" if i % 2 else i + 1000 * (i >= shared_people),
                     "wants": {s: rng.randint(1, 5) for s in rng.sample(skills, rng.randint(0, 3))}}
                    for i in range(mentees)],
    }
    document["forbidden"] = [[rng.choice(document["mentors"])["id"], rng.choice(document["mentees"])["id"]]
                             for _ in range(forbidden if mentors and mentees else 0)]
    return document


def exact_score(mentor: dict, mentee: dict) -> Fraction:
    return sum((min(Fraction(1), Fraction(mentor["skills"][s]) / Fraction(t)) for s, t in mentee["wants"].items()
                if s in mentor["skills"]), Fraction(0))


def allowed_pairs(document: dict) -> dict[tuple[int, int], Fraction]:
    """(mentor index, mentee index) -> exact score, for the pairs the issue allows."""
    forbidden = {(json.dumps(a), json.dumps(b)) for a, b in document.get("forbidden", [])}
    pairs = {}
    for j, mentor in enumerate(document["mentors"]):
        for i, mentee in enumerate(document["mentees"]):
            score = exact_score(mentor, mentee)
            same = json.dumps(mentor["id"]) == json.dumps(mentee["id"])
            if score > 0 and not same and (json.dumps(mentor["id"]), json.dumps(mentee["id"])) not in forbidden:
                pairs[(j, i)] = score
    return pairs


def brute_force_optimum(document: dict) -> Fraction:
    pairs = allowed_pairs(document)
    mentors = range(len(document["mentors"]))
    best = Fraction(0)
    for choice in itertools.product([None, *mentors], repeat=len(document["mentees"])):
        load = [0] * len(document["mentors"])
        total = Fraction(0)
        for i, j in enumerate(choice):
            if j is None:
                continue
            if (j, i) not in pairs:
                break
            load[j] += 1
            total += pairs[(j, i)]
        else:
            if all(load[j] <= document["mentors"][j]["capacity"] for j in mentors):
                best = max(best, total)
    return best


def flow_optimum(document: dict) -> Fraction:
    """networkx's network simplex on integer costs (scores × 60 are whole numbers here)."""
    graph = nx.DiGraph()
    n = len(document["mentees"])
    graph.add_node("source", demand=-n)
    graph.add_node("sink", demand=n)
    graph.add_edge("source", "sink", capacity=n, weight=0)
    for i in range(n):
        graph.add_edge("source", ("mentee", i), capacity=1, weight=0)
    for j, mentor in enumerate(document["mentors"]):
        graph.add_edge(("mentor", j), "sink", capacity=mentor["capacity"], weight=0)
    for (j, i), score in allowed_pairs(document).items():
        scaled = score * 60
        assert scaled.denominator == 1
        graph.add_edge(("mentee", i), ("mentor", j), capacity=1, weight=-int(scaled))
    return Fraction(-nx.min_cost_flow_cost(graph), 60)


def check_rules(document: dict, result) -> None:
    """Every pair allowed, capacities and one-mentor-per-mentee respected, scores and total right,
    unmatched = the mentees without a pair, in document order."""
    problem = problem_from_data(document)
    total = mm.check_assignment(problem, [(pair.mentor, pair.mentee) for pair in result.pairs])
    assert result.total_score == pytest.approx(total, abs=1e-12)
    mentors = {json.dumps(m["id"]): m for m in document["mentors"]}
    mentees = {json.dumps(m["id"]): m for m in document["mentees"]}
    for pair in result.pairs:
        assert pair.score == pytest.approx(float(exact_score(mentors[json.dumps(pair.mentor)],
                                                             mentees[json.dumps(pair.mentee)])), abs=1e-12)
    matched = {json.dumps(pair.mentee) for pair in result.pairs}
    assert [json.dumps(m) for m in result.unmatched] == [json.dumps(m["id"]) for m in document["mentees"]
                                                         if json.dumps(m["id"]) not in matched]


@pytest.mark.parametrize("seed", range(120))
def test_tiny_instances_reach_the_brute_force_optimum(seed):
    rng = random.Random(seed)
    document = random_document(rng, rng.randint(0, 3), rng.randint(0, 5), shared_people=rng.randint(0, 3),
                               forbidden=rng.randint(0, 3))
    result = solve(problem_from_data(document))
    check_rules(document, result)
    assert result.total_score == pytest.approx(float(brute_force_optimum(document)), abs=1e-9)


@pytest.mark.parametrize("seed", range(40))
def test_larger_instances_reach_the_min_cost_flow_optimum(seed, monkeypatch):
    rng = random.Random(1000 + seed)
    if seed % 2:
        monkeypatch.setattr(mm, "FIRST_CANDIDATES", 1)  # the pricing loop must find what the first LP misses
    if seed % 3 == 0:
        monkeypatch.setattr(mm, "DENSE_CELLS", 0)  # scores accumulated sparsely
    if seed % 5 == 0:
        monkeypatch.setattr(mm, "EXPANDED_PAIRS", 0)  # the LP instead of the assignment solver
    capacity = (0, 2) if seed % 4 < 2 else (2, 8)  # scarce mentors or room for all
    document = random_document(rng, rng.randint(5, 25), rng.randint(10, 80), capacity=capacity,
                               shared_people=rng.randint(0, 10), forbidden=rng.randint(0, 30))
    result = solve(problem_from_data(document))
    check_rules(document, result)
    assert result.total_score == pytest.approx(float(flow_optimum(document)), abs=1e-9)


@pytest.mark.parametrize("seed", range(30))
def test_fractional_levels_reach_the_optimum_of_networkx_blossom_matching(seed):
    # Every mentor's capacity as that many copies of them; max_weight_matching (Edmonds' blossom)
    # on float weights shares nothing with the solver.
    rng = random.Random(5000 + seed)
    document = random_document(rng, rng.randint(1, 4), rng.randint(1, 9), capacity=(0, 3))
    for person in document["mentors"]:
        person["skills"] = {s: rng.uniform(0.1, 6) for s in person["skills"]}
    for person in document["mentees"]:
        person["wants"] = {s: rng.uniform(0.1, 6) for s in person["wants"]}
    graph = nx.Graph()
    for (j, i), _ in allowed_pairs(document).items():
        mentor, mentee = document["mentors"][j], document["mentees"][i]
        weight = mm.pair_score(mm.Mentor(mentor["id"], mentor["capacity"], mentor["skills"]),
                               mm.Mentee(mentee["id"], mentee["wants"]))
        for place in range(mentor["capacity"]):
            graph.add_edge(("mentor", j, place), ("mentee", i), weight=weight)
    optimum = sum(graph.edges[edge]["weight"] for edge in nx.max_weight_matching(graph))
    result = solve(problem_from_data(document))
    check_rules(document, result)
    assert result.total_score == pytest.approx(optimum, abs=1e-9)


def test_both_solver_paths_and_several_pricing_rounds_are_exercised(monkeypatch):
    monkeypatch.setattr(mm, "FIRST_CANDIDATES", 1)
    for expanded, method in ((10**9, "lapjvsp"), (0, "highs-ipm")):
        monkeypatch.setattr(mm, "EXPANDED_PAIRS", expanded)
        for capacity in ((1, 1), (2, 4), (6, 6)):
            document = random_document(random.Random(7), 20, 60, capacity=capacity)
            result = solve(problem_from_data(document))
            assert set(result.stats["methods"]) == {method}
            assert result.stats["rounds"] > 1
            assert result.total_score == pytest.approx(float(flow_optimum(document)), abs=1e-9)


def test_the_issue_example_scores_and_rules():
    document = {
        "mentors": [{"id": "ana", "capacity": 1, "skills": {"python": 5, "sql": 2}},
                    {"id": 7, "capacity": 2, "skills": {"sql": 4}},
                    {"id": "zed", "capacity": 0, "skills": {"go": 5}}],
        "mentees": [{"id": "bo", "wants": {"python": 4, "sql": 4}}, {"id": "cy", "wants": {"sql": 2}},
                    {"id": "ana", "wants": {"sql": 1}}, {"id": "dee", "wants": {"go": 3}}],
        "forbidden": [[7, "bo"]],
    }
    result = solve(problem_from_data(document)).as_json()
    # ana can't mentor herself; 7 may not mentor bo; zed has no room; nobody else knows go.
    assert result == {
        "total_score": 3.5,
        "pairs": [{"mentor": "ana", "mentee": "bo", "score": 1.5}, {"mentor": 7, "mentee": "cy", "score": 1.0},
                  {"mentor": 7, "mentee": "ana", "score": 1.0}],
        "unmatched": ["dee"],
    }


def test_ids_keep_their_json_type_and_1_is_not_the_string_1():
    document = {"mentors": [{"id": 1, "capacity": 1, "skills": {"a": 3}}],
                "mentees": [{"id": "1", "wants": {"a": 3}}, {"id": 2, "wants": {"b": 1}}]}
    result = solve(problem_from_data(document))
    assert result.pairs == (mm.Pair(1, "1", 1.0),)
    assert result.unmatched == (2,)


def test_pairs_are_ordered_by_mentor_then_mentee_in_document_order_and_repeatable():
    document = random_document(random.Random(3), 12, 40, capacity=(1, 4))
    first = solve(problem_from_data(document))
    again = solve(parse_document(json.dumps(document)))
    assert first.as_json() == again.as_json()
    mentor_position = {json.dumps(m["id"]): k for k, m in enumerate(document["mentors"])}
    mentee_position = {json.dumps(m["id"]): k for k, m in enumerate(document["mentees"])}
    keys = [(mentor_position[json.dumps(p.mentor)], mentee_position[json.dumps(p.mentee)]) for p in first.pairs]
    assert keys == sorted(keys)


def test_a_score_of_a_mentor_above_the_target_counts_one_and_floats_are_fine():
    mentor = mm.Mentor("m", 1, {"a": 5, "b": 1.5, "c": 2})
    mentee = mm.Mentee("e", {"a": 3, "b": 2, "d": 4, "c": 2})
    assert mm.pair_score(mentor, mentee) == 1 + 0.75 + 1
    explanation = mm.explain(mentor, mentee)
    assert explanation.matched == ("a", "b", "c") and explanation.at_target == ("a", "c")
    assert explanation.missing == ("d",)
    assert explanation.text == "matches 3 of 4 wanted skills (2 at or above the target level)"
    assert mm.explain(mentor, mm.Mentee("x", {"z": 1})).text == "matches 0 of 1 wanted skill"


def test_empty_documents_match_nobody():
    assert solve(parse_document('{"mentors": [], "mentees": []}')).as_json() == {
        "total_score": 0.0, "pairs": [], "unmatched": []}
    assert solve(parse_document('{"mentors": [], "mentees": [{"id": "a", "wants": {}}]}')).unmatched == ("a",)


def doc(mentors=(), mentees=(), **rest) -> str:
    return json.dumps({"mentors": list(mentors), "mentees": list(mentees), **rest})


def _mentor(**changes):
    return {"id": "m", "capacity": 1, "skills": {"a": 2}} | changes


def _mentee(**changes):
    return {"id": "e", "wants": {"a": 2}} | changes


@pytest.mark.parametrize(("text", "message"), [
    ("[1, 2]", r"the document must be an object"),
    ('{"mentors": []}', r"the document has no 'mentees'"),
    ('{"mentors": {}, "mentees": []}', r"mentors must be a list"),
    ("{", r"not valid JSON"),
    (b"\xff\xfe{", r"not UTF-8"),
    ('{"mentors": [], "mentees": [], "mentees": []}', r"'mentees' appears twice"),
    (doc([_mentor(capacity=-1)], []), r"mentors\[0\] \('m'\): capacity must be 0 or more"),
    (doc([_mentor(capacity=1.5)], []), r"capacity must be a whole number"),
    (doc([_mentor(capacity="2")], []), r"capacity must be a whole number"),
    (doc([_mentor(capacity=True)], []), r"capacity must be a whole number"),
    (doc([_mentor(skills={"a": 0})], []), r"skills\['a'\] \(level\) must be a positive"),
    (doc([_mentor(skills={"a": -1})], []), r"must be a positive number"),
    (doc([_mentor(skills={"a": True})], []), r"not true/false"),
    (doc([_mentor(skills={"a": "3"})], []), r"not a string"),
    (doc([_mentor(skills={"a": None})], []), r"not null"),
    ('{"mentors": [{"id": "m", "capacity": 1, "skills": {"a": NaN}}], "mentees": []}', r"NaN is not a number"),
    ('{"mentors": [{"id": "m", "capacity": 1, "skills": {"a": Infinity}}], "mentees": []}', r"Infinity"),
    ('{"mentors": [{"id": "m", "capacity": 1, "skills": {"a": 1e999}}], "mentees": []}', r"positive number, not inf"),
    ('{"mentors": [{"id": "m", "capacity": 1, "skills": {"a": 1, "a": 2}}], "mentees": []}', r"'a' appears twice"),
    (json.dumps({"mentors": [_mentor(skills=[1])], "mentees": []}), r"skills must be an object"),
    (doc([], [_mentee(wants={"a": 0})]), r"mentees\[0\] \('e'\) wants\['a'\] \(target level\)"),
    (doc([], [{"id": "e"}]), r"mentees\[0\] \('e'\) has no 'wants'"),
    (doc([{"capacity": 1, "skills": {}}], []), r"mentors\[0\] has no 'id'"),
    (doc(["m"], []), r"mentors\[0\] must be an object"),
    (doc([_mentor(id=1.5)], []), r"an id must be a string or an integer"),
    (doc([_mentor(id=None)], []), r"an id must be a string or an integer, not null"),
    (doc([_mentor(id="")], []), r"empty string"),
    (doc([_mentor(), _mentor()], []), r"mentors\[1\] \('m'\): the mentor id 'm' appears twice"),
    (doc([], [_mentee(), _mentee()]), r"the mentee id 'e' appears twice"),
    (doc([_mentor()], [_mentee()], forbidden=[["x", "e"]]),
     r"forbidden\[0\]: 'x' is not the id of a mentor"),
    (doc([_mentor()], [_mentee()], forbidden=[["m", "e"], ["m", 5]]),
     r"forbidden\[1\]: 5 is not the id of a mentee"),
    (doc([_mentor()], [_mentee()], forbidden=[["e", "m"]]),
     r"'e' is not the id of a mentor"),
    (doc([_mentor()], [_mentee()], forbidden=[["m"]]), r"must be a list \[mentor_id"),
    (doc([_mentor()], [_mentee()], forbidden={"m": "e"}), r"forbidden must be a list"),
])
def test_bad_documents_are_refused_with_a_clear_message(text, message):
    with pytest.raises(MatchingDocumentError, match=message):
        parse_document(text)


def test_extra_keys_are_ignored_and_forbidden_may_be_left_out():
    problem = parse_document(json.dumps({"mentors": [_mentor(team="ops")], "mentees": [_mentee(name="Eve")],
                                         "note": "x"}))
    assert solve(problem).as_json()["pairs"] == [{"mentor": "m", "mentee": "e", "score": 1.0}]
