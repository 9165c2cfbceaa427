"""Randomized attack: many seeded organizations, a manager who asks for every one- and
two-attribute breakdown of every team, department and the whole organization, and an
attacker doing exact linear algebra over everything shown."""

import random

import pytest

from tests.analytics.disclosure.baselines import plain_threshold
from tests.analytics.disclosure.helpers import Survey
from tests.analytics.disclosure.simulate import random_organization

ORGANIZATIONS = 200


def _survey(seed: int) -> Survey:
    organization = random_organization(random.Random(seed))
    return Survey(list(organization.respondents), organization.attributes)


@pytest.fixture(scope="module")
def simulated():
    results = []
    for seed in range(ORGANIZATIONS):
        survey = _survey(seed)
        k = (5, 5, 4, 3)[seed % 4]
        results.append((seed, k, survey, survey.audit(k=k, max_conditions=2, explain=False)))
    return results


def test_no_respondent_and_no_group_below_k_can_be_worked_out_in_any_organization(simulated):
    breaches = []
    for seed, k, survey, audit in simulated:
        if survey.exposed(audit.released) or survey.smallest_derivable(audit.released, k) is not None:
            breaches.append(seed)
    assert breaches == []


def test_the_same_attacker_does_expose_people_under_a_plain_threshold(simulated):
    # Guards the simulation itself: if the attacker could not break the naive rule, the
    # previous test would prove nothing.
    exposed = sum(
        len(survey.exposed(plain_threshold(survey.counts, survey.groups(2), k))) for _, k, survey, _ in simulated
    )
    assert exposed > 0


def test_nothing_is_withheld_that_could_safely_be_shown(simulated):
    # Exact, not cautious: adding back any group withheld for differencing lets the attacker
    # isolate fewer than k respondents.
    for seed, k, survey, audit in simulated[:40]:
        for decision in audit.withheld:
            if decision.size >= k:
                derived = survey.smallest_derivable([*audit.released, decision.group], k)
                assert derived is not None, (seed, decision.group.label)
