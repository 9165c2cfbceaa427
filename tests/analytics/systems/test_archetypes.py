"""The eight archetypes on their textbook diagrams (Senge, The Fifth Discipline, appendix 2;
Kim, Systems Archetypes I), and diagrams that look close but are not them."""

import pytest

from learnloop.analytics.systems import CausalModel, detect_archetypes, find_loops


def _found(variables, links) -> dict[str, list]:
    model = CausalModel.build(variables, links)
    report = detect_archetypes(model, find_loops(model))
    assert not report.truncated
    found: dict[str, list] = {}
    for match in report.matches:
        found.setdefault(match.archetype, []).append(match)
    return found


FIXES_THAT_FAIL = (
    ["Problem symptom", "Fix", "Unintended consequence"],
    [("Problem symptom", "Fix", "+"), ("Fix", "Problem symptom", "-"),
     ("Fix", "Unintended consequence", "+", True), ("Unintended consequence", "Problem symptom", "+")],
)
SHIFTING_THE_BURDEN = (
    ["Problem symptom", "Symptomatic solution", "Fundamental solution", "Side effect"],
    [("Problem symptom", "Symptomatic solution", "+"), ("Symptomatic solution", "Problem symptom", "-"),
     ("Problem symptom", "Fundamental solution", "+"), ("Fundamental solution", "Problem symptom", "-", True),
     ("Symptomatic solution", "Side effect", "+"), ("Side effect", "Fundamental solution", "-")],
)
LIMITS_TO_GROWTH = (
    ["Efforts", "Performance", "Slowing action", "Constraint"],
    [("Efforts", "Performance", "+"), ("Performance", "Efforts", "+"),
     ("Performance", "Slowing action", "+"), ("Slowing action", "Performance", "-"),
     ("Constraint", "Slowing action", "+")],
)
SUCCESS_TO_THE_SUCCESSFUL = (
    ["Allocation to A instead of B", "Resources to A", "Success of A", "Resources to B", "Success of B"],
    [("Allocation to A instead of B", "Resources to A", "+"), ("Resources to A", "Success of A", "+"),
     ("Success of A", "Allocation to A instead of B", "+"),
     ("Allocation to A instead of B", "Resources to B", "-"), ("Resources to B", "Success of B", "+"),
     ("Success of B", "Allocation to A instead of B", "-")],
)
ESCALATION = (
    ["A's result relative to B's", "Activity by A", "Results of A", "Activity by B", "Results of B"],
    [("A's result relative to B's", "Activity by A", "-"), ("Activity by A", "Results of A", "+"),
     ("Results of A", "A's result relative to B's", "+"),
     ("A's result relative to B's", "Activity by B", "+"), ("Activity by B", "Results of B", "+"),
     ("Results of B", "A's result relative to B's", "-")],
)
TRAGEDY_OF_THE_COMMONS = (
    ["A's activity", "Net gains for A", "B's activity", "Net gains for B", "Total activity",
     "Gain per individual activity"],
    [("A's activity", "Net gains for A", "+"), ("Net gains for A", "A's activity", "+"),
     ("B's activity", "Net gains for B", "+"), ("Net gains for B", "B's activity", "+"),
     ("A's activity", "Total activity", "+"), ("B's activity", "Total activity", "+"),
     ("Total activity", "Gain per individual activity", "-", True),
     ("Gain per individual activity", "Net gains for A", "+"),
     ("Gain per individual activity", "Net gains for B", "+")],
)
ERODING_GOALS = (
    ["Gap", "Goal", "Pressure to lower goal", "Actions to improve conditions", "Condition"],
    [("Goal", "Gap", "+"), ("Condition", "Gap", "-"),
     ("Gap", "Pressure to lower goal", "+"), ("Pressure to lower goal", "Goal", "-"),
     ("Gap", "Actions to improve conditions", "+"), ("Actions to improve conditions", "Condition", "+", True)],
)
GROWTH_AND_UNDERINVESTMENT = (
    ["Demand", "Growing action", "Performance shortfall", "Perceived need to invest", "Investment in capacity",
     "Capacity"],
    [("Growing action", "Demand", "+"), ("Demand", "Growing action", "+"),
     ("Demand", "Performance shortfall", "+"), ("Performance shortfall", "Demand", "-"),
     ("Performance shortfall", "Perceived need to invest", "+"),
     ("Perceived need to invest", "Investment in capacity", "+"),
     ("Investment in capacity", "Capacity", "+", True), ("Capacity", "Performance shortfall", "-")],
)


@pytest.mark.parametrize("diagram, archetype", [
    (FIXES_THAT_FAIL, "fixes_that_fail"),
    (SHIFTING_THE_BURDEN, "shifting_the_burden"),
    (LIMITS_TO_GROWTH, "limits_to_growth"),
    (SUCCESS_TO_THE_SUCCESSFUL, "success_to_the_successful"),
    (ESCALATION, "escalation"),
    (TRAGEDY_OF_THE_COMMONS, "tragedy_of_the_commons"),
    (ERODING_GOALS, "eroding_goals"),
    (GROWTH_AND_UNDERINVESTMENT, "growth_and_underinvestment"),
])
def test_each_textbook_diagram_is_its_archetype_and_only_that(diagram, archetype):
    found = _found(*diagram)
    assert list(found) == [archetype]
    (match,) = found[archetype]
    assert match.explanation and match.title
    assert set(match.variables) <= set(diagram[0])


def test_roles_name_the_variables_to_highlight():
    (match,) = _found(*SHIFTING_THE_BURDEN)["shifting_the_burden"]
    assert match.roles == {"symptom": ("Problem symptom",), "symptomatic_solution": ("Symptomatic solution",),
                           "fundamental_solution": ("Fundamental solution",), "side_effect": ("Side effect",)}
    (match,) = _found(*SUCCESS_TO_THE_SUCCESSFUL)["success_to_the_successful"]
    assert match.roles == {"allocation": ("Allocation to A instead of B",)}
    assert len(match.loops) == 2


def test_the_fix_without_a_delayed_consequence_is_not_fixes_that_fail():
    variables, links = FIXES_THAT_FAIL
    undelayed = [(s, t, p) for s, t, p, *_ in links]
    assert "fixes_that_fail" not in _found(variables, undelayed)


def test_shifting_the_burden_without_the_side_effect_reads_as_eroding_goals():
    variables, links = SHIFTING_THE_BURDEN
    found = _found(variables, [link for link in links if "Side effect" not in link[:2]])
    assert list(found) == ["eroding_goals"]


def test_two_reinforcing_loops_through_a_variable_with_the_same_sign_are_not_success_to_the_successful():
    variables, links = SUCCESS_TO_THE_SUCCESSFUL
    same_sign = [(s, t, "+") for s, t, _ in links]
    assert "success_to_the_successful" not in _found(variables, same_sign)


def test_single_loops_and_chains_match_nothing():
    assert _found(["A", "B"], [("A", "B", "+"), ("B", "A", "+")]) == {}
    assert _found(["A", "B", "C"], [("A", "B", "+"), ("B", "C", "-")]) == {}
    assert _found(["A", "B", "C", "D"], [("A", "B", "+"), ("B", "A", "-"), ("C", "D", "+"), ("D", "C", "+")]) == {}


def test_matching_a_large_diagram_is_bounded():
    import random

    rng = random.Random(5)
    names = [f"v{number}" for number in range(400)]
    pairs = {(rng.randrange(400), rng.randrange(400)) for _ in range(2500)}
    model = CausalModel.build(names, [(names[s], names[t], rng.choice("+-"), rng.random() < 0.2)
                                      for s, t in sorted(pairs) if s != t])
    report = detect_archetypes(model, find_loops(model, max_loops=3000), max_loops=200, max_matches=50)
    assert report.truncated and len(report.matches) <= 50
    assert "first 200 of 3,000 loops" in report.reason
