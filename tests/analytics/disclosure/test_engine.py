"""The disclosure engine against the attacks a curious manager would try by hand."""

import random

import pytest

from learnloop.analytics.disclosure import Group, decide
from tests.analytics.disclosure.baselines import plain_threshold
from tests.analytics.disclosure.helpers import ROLE, TENURE, Survey, by_label

ENG = ("Engineering",)
PAYMENTS, PLATFORM, SEARCH = (*ENG, "Payments"), (*ENG, "Platform"), (*ENG, "Search")
EAST = ("Sales", "East")


def engineering_with_a_team_of_two() -> Survey:
    return Survey.of(
        (PAYMENTS, ("1y+",), 6),
        (PLATFORM, ("1y+",), 6),
        (SEARCH, ("1y+",), 2),
        (EAST, ("<1y",), 7),
    )


def test_a_team_below_k_is_withheld_with_the_threshold_as_reason():
    audit = engineering_with_a_team_of_two().audit()

    search = by_label(audit)["Search"]
    assert not search.released
    assert search.reason == "fewer than 5 respondents"


def test_department_minus_its_visible_teams_cannot_reveal_the_small_team():
    survey = engineering_with_a_team_of_two()
    audit = survey.audit()
    decisions = by_label(audit)

    shown = {label for label, decision in decisions.items() if decision.released}
    assert not {"Engineering", "Payments", "Platform"} <= shown
    assert survey.smallest_derivable(audit.released) is None
    assert survey.exposed(audit.released) == []


def test_the_withheld_sibling_says_which_subtraction_it_would_allow():
    audit = engineering_with_a_team_of_two().audit()
    withheld = [
        decision for decision in audit.withheld if decision.group.label in {"Payments", "Platform", "Engineering"}
    ]

    assert len(withheld) == 1
    reason = withheld[0].reason
    assert reason.startswith("would let a group of fewer than 5 be worked out from Engineering minus ")
    assert "Payments" in reason and "Platform" in reason
    assert withheld[0].exposed_size == 2


def test_a_plain_threshold_lets_the_small_team_be_worked_out():
    survey = engineering_with_a_team_of_two()
    shown = plain_threshold(survey.counts, survey.groups(), 5)

    derived = survey.smallest_derivable(shown)
    assert derived is not None and len(derived) == 2


def filter_differencing_survey() -> Survey:
    # Newcomers in Engineering minus newcomers in Payments = the 2 newcomers in Platform.
    return Survey.of(
        (PAYMENTS, ("<1y",), 5),
        (PAYMENTS, ("1y+",), 3),
        (PLATFORM, ("<1y",), 2),
        (PLATFORM, ("1y+",), 5),
        (SEARCH, ("1y+",), 6),
    )


def test_attribute_in_department_minus_attribute_in_team_is_blocked():
    survey = filter_differencing_survey()
    assert survey.smallest_derivable(plain_threshold(survey.counts, survey.groups(), 5)) is not None

    audit = survey.audit()

    assert survey.smallest_derivable(audit.released) is None
    shown = {decision.group.label for decision in audit.decisions if decision.released}
    assert not {"Engineering, tenure <1y", "Payments, tenure <1y"} <= shown


def test_two_overlapping_breakdowns_of_one_team_cannot_be_played_against_each_other():
    # Six newcomers and six managers, five of them the same people: the two groups differ by
    # one newcomer engineer and one long-standing manager, whose answers would leak as a difference.
    survey = Survey.of(
        (PAYMENTS, ("<1y", "manager"), 5),
        (PAYMENTS, ("<1y", "engineer"), 1),
        (PAYMENTS, ("1y+", "manager"), 1),
        (PAYMENTS, ("1y+", "engineer"), 5),
        attributes=(TENURE, ROLE),
    )
    assert survey.smallest_derivable(plain_threshold(survey.counts, survey.groups(), 5)) is not None

    audit = survey.audit()

    assert survey.smallest_derivable(audit.released) is None
    withheld = [decision for decision in audit.withheld if decision.size >= 5]
    assert withheld and all("worked out" in decision.reason for decision in withheld)


def test_tiny_teams_stay_hidden_even_through_the_organization_total():
    survey = Survey.of(
        (PAYMENTS, ("1y+",), 9),
        (PLATFORM, ("1y+",), 1),
        (EAST, ("<1y",), 8),
        (("Sales", "West"), ("<1y",), 2),
    )
    audit = survey.audit()

    assert survey.exposed(audit.released) == []
    assert survey.smallest_derivable(audit.released) is None
    assert not by_label(audit)["Platform"].released


def test_every_released_group_has_at_least_k_respondents():
    survey = filter_differencing_survey()
    for k in (3, 4, 5, 6):
        audit = survey.audit(k=k, max_conditions=1)
        assert all(decision.size >= k for decision in audit.decisions if decision.released)
        assert survey.smallest_derivable(audit.released, k) is None


def test_the_answer_does_not_depend_on_request_order_or_repetition():
    survey = filter_differencing_survey()
    groups = survey.groups()
    first = survey.audit(requested=groups)
    shuffled = list(groups) * 2
    random.Random(7).shuffle(shuffled)

    second = survey.audit(requested=shuffled)

    assert _summary(first) == _summary(second)


def test_asking_again_with_what_was_already_shown_changes_nothing():
    survey = filter_differencing_survey()
    first = survey.audit()

    again = survey.audit(already_shown=first.released)

    assert not again.already_breached
    assert _summary(again) == _summary(first)


def test_earlier_campaign_releases_count_against_new_requests():
    survey = engineering_with_a_team_of_two()
    groups = {group.label: group for group in survey.groups()}

    audit = survey.audit(requested=[groups["Platform"]], already_shown=[groups["Engineering"], groups["Payments"]])

    platform = audit.decision_for(groups["Platform"].key)
    assert not platform.released
    assert "Engineering minus " in platform.reason


def test_an_earlier_release_that_already_breached_is_flagged():
    survey = engineering_with_a_team_of_two()
    groups = {group.label: group for group in survey.groups()}

    audit = survey.audit(requested=[groups["Engineering"]], already_shown=[groups["Search"]])

    assert audit.already_breached


def test_arbitrary_groups_of_cells_are_audited_too():
    counts = {"a": 3, "b": 3, "c": 1}
    requested = [
        Group("ab", "A and B", frozenset({"a", "b"}), rank=(0,)),
        Group("abc", "everyone", frozenset({"a", "b", "c"}), rank=(1,)),
    ]

    audit = decide(counts, requested, k=5)

    assert audit.decision_for("ab").released
    assert not audit.decision_for("abc").released


@pytest.mark.parametrize("k", [0, 2, 2.5, "5"])
def test_k_below_the_minimum_is_refused(k):
    with pytest.raises(ValueError, match="at least 3"):
        decide({"a": 10}, [], k=k)


def _summary(audit):
    return sorted((repr(decision.group.key), decision.released, decision.reason) for decision in audit.decisions)


def test_every_withheld_group_tells_the_viewer_why():
    survey = filter_differencing_survey()
    audit = survey.audit(max_conditions=2)

    assert audit.withheld
    for decision in audit.withheld:
        assert decision.reason.startswith(("fewer than 5 respondents", "would let "))
        if decision.exposed_size:
            # The exact size of what would be exposed is kept out of the text: it is a count below k.
            assert f"group of {decision.exposed_size}" not in decision.reason
            assert decision.exposed_size < 5
