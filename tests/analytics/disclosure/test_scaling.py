"""The engine that scales decides exactly what the reference engine decides, stays safe against the
independent attacker with five attributes, and does not depend on the order of its input."""

import random
from collections import Counter

import pytest

from learnloop.analytics.disclosure import Attribute, breakdowns, cell_counts, decide
from learnloop.analytics.disclosure.cuts import nodes_of
from learnloop.analytics.disclosure.generalize import ROOT, Scale, generalize
from tests.analytics.disclosure.attack import exposed_respondents, smallest_derivable_group
from tests.analytics.disclosure.reference_engine import reference_decide
from tests.analytics.disclosure.simulate import DEMOGRAPHICS, large_organization, random_organization


def _generalized(organization, k: int, attributes: int):
    """Respondents' stored cells after the launch-path generalization (every stored combination ≥ k)."""
    chosen = DEMOGRAPHICS[:attributes]
    parents, paths = {}, {ROOT: ()}
    for person in organization.respondents:
        team = "/".join(person.team)
        parents[team], parents[person.team[0]] = person.team[0], ROOT
        paths[team], paths[person.team[0]] = person.team, person.team[:1]
    scales = [Scale(attribute.name, attribute.values, ordered=ordered) for attribute, _, ordered in chosen]
    records = [("/".join(person.team), person.attributes) for person in organization.respondents]
    result = generalize(records, parents=parents, scales=scales, k=k)
    cells = []
    for record in records:
        team, values = result.apply(record)
        cells.append((paths[team], values))
    return cells, [Attribute(scale.name, result.values[scale.name]) for scale in scales]


def _released_keys(audit):
    return sorted(repr(group.key) for group in audit.released)


@pytest.mark.parametrize("seed", range(40))
def test_fine_cells_are_decided_exactly_as_by_the_reference_engine(seed):
    organization = random_organization(random.Random(seed), attributes=2 + seed % 2)
    counts = cell_counts(person.cell for person in organization.respondents)
    groups = breakdowns(counts, organization.attributes, max_conditions=1 + seed % 2)
    k = (5, 4, 3)[seed % 3]

    fast = decide(counts, groups, k=k, explain=False)
    reference = reference_decide(counts, groups, k=k, explain=False)

    assert _released_keys(fast) == _released_keys(reference)


@pytest.mark.parametrize("seed", range(16))
def test_generalized_cells_are_decided_exactly_as_by_the_reference_engine(seed):
    rng = random.Random(seed)
    attributes = 2 + seed % 4
    organization = large_organization(rng, rng.randint(40, 120), attributes=attributes)
    k = (5, 4, 3)[seed % 3]
    cells, cut_attributes = _generalized(organization, k, attributes)
    counts = cell_counts(cells)
    assert min(counts.values()) >= k  # the launch path's premise: no light cell
    groups = breakdowns(counts, cut_attributes)

    fast = decide(counts, groups, k=k)
    reference = reference_decide(counts, groups, k=k)

    assert _released_keys(fast) == _released_keys(reference)
    assert [decision.reason for decision in fast.decisions] == [decision.reason for decision in reference.decisions]


@pytest.mark.parametrize("seed", range(6))
def test_the_attacker_finds_nobody_in_five_attribute_organizations(seed):
    rng = random.Random(100 + seed)
    organization = large_organization(rng, rng.randint(60, 150), attributes=5)
    k = 5
    cells, cut_attributes = _generalized(organization, k, 5)
    counts = cell_counts(cells)
    audit = decide(counts, breakdowns(counts, cut_attributes), k=k, explain=False)
    people = list(range(len(cells)))
    shown = [[number for number, cell in enumerate(cells) if cell in group.cells] for group in audit.released]

    assert audit.released
    assert exposed_respondents(people, shown) == []
    assert smallest_derivable_group(people, shown, k) is None


@pytest.mark.parametrize("seed", range(6))
def test_the_attacker_finds_nobody_among_fine_five_attribute_cells(seed):
    # No generalization: nearly every respondent is a cell of their own, the exact search's hardest case.
    organization = large_organization(random.Random(200 + seed), 24, attributes=5, teams_per_department=(2, 3))
    counts = cell_counts(person.cell for person in organization.respondents)
    audit = decide(counts, breakdowns(counts, organization.attributes, empty=False), k=4, explain=False)
    people = list(range(len(organization.respondents)))
    shown = [[number for number, person in enumerate(organization.respondents) if person.cell in group.cells]
             for group in audit.released]

    assert exposed_respondents(people, shown) == []
    assert smallest_derivable_group(people, shown, 4) is None


def _summary(audit):
    return [(repr(decision.group.key), decision.released, decision.size, decision.reason)
            for decision in audit.decisions]


@pytest.mark.parametrize("generalized", [False, True])
def test_the_same_input_in_another_order_gives_the_same_decisions(generalized):
    rng = random.Random(5)
    organization = large_organization(rng, 90, attributes=3)
    if generalized:
        cells, attributes = _generalized(organization, 5, 3)
    else:
        cells, attributes = [person.cell for person in organization.respondents], organization.attributes
    counts = cell_counts(cells)
    groups = breakdowns(counts, attributes, max_conditions=1)
    first = decide(counts, groups, k=5)

    shuffled_cells = list(counts.items())
    rng.shuffle(shuffled_cells)
    shuffled_groups = list(groups) * 2
    rng.shuffle(shuffled_groups)
    second = decide(dict(shuffled_cells), shuffled_groups, k=5)

    assert _summary(first) == _summary(second)
    assert second.decision_for(groups[0].key) == first.decision_for(groups[0].key)


def test_breakdowns_holds_exactly_the_cells_under_each_node_meeting_its_conditions():
    organization = large_organization(random.Random(9), 70, attributes=3)
    counts = cell_counts(person.cell for person in organization.respondents)
    groups = breakdowns(counts, organization.attributes)

    nodes = nodes_of(team for team, _ in counts)
    assert {group.key[0] for group in groups} == set(nodes)
    for group in groups:
        node, conditions = group.key
        expected = {cell for cell in counts if cell[0][: len(node)] == node
                    and all(cell[1][position] == value for position, value in conditions)}
        assert group.cells == expected, group.key
    without_empty = breakdowns(counts, organization.attributes, empty=False)
    assert [group.key for group in without_empty] == [group.key for group in groups if group.cells]


def test_generalizing_many_attributes_searches_bandings_deterministically_and_keeps_k():
    # Five attributes: 1,024 candidate bandings, too many to try them all: the coordinate search is used.
    organization = large_organization(random.Random(3), 600, attributes=5)
    scales = [Scale(attribute.name, attribute.values, ordered=ordered) for attribute, _, ordered in DEMOGRAPHICS]
    records = [("/".join(person.team), person.attributes) for person in organization.respondents]
    parents = {}
    for person in organization.respondents:
        parents["/".join(person.team)], parents[person.team[0]] = person.team[0], ROOT

    first = generalize(records, parents=parents, scales=scales, k=5)
    random.Random(4).shuffle(records)
    second = generalize(records, parents=parents, scales=scales, k=5)

    assert first.cells == second.cells and first.values == second.values
    stored = Counter(first.apply(record) for record in records)
    assert min(stored.values()) >= 5
