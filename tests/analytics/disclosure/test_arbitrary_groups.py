"""The audit is exact for any family of groups, not only hierarchy × attribute cuts: checked
against the independent attacker on random groups of random cells."""

import random

from learnloop.analytics.disclosure import Group, decide
from tests.analytics.disclosure.attack import smallest_derivable_group


def _random_case(seed: int):
    rng = random.Random(seed)
    counts = {f"cell{number}": rng.choice((1, 1, 1, 2, 2, 3, 6)) for number in range(rng.randint(5, 10))}
    cells = sorted(counts)
    groups = []
    for number in range(rng.randint(4, 12)):
        members = frozenset(cell for cell in cells if rng.random() < 0.45)
        groups.append(Group(f"g{number}", f"group {number}", members, rank=(rng.randint(0, 2),)))
    people = [(cell, copy) for cell in cells for copy in range(counts[cell])]
    return counts, groups, people


def _sets(groups, people):
    return [[person for person in people if person[0] in group.cells] for group in groups]


def test_random_groups_never_leak_and_are_never_withheld_without_cause():
    for seed in range(150):
        counts, groups, people = _random_case(seed)
        k = 4 if seed % 2 else 5
        audit = decide(counts, groups, k=k, explain=False)

        assert smallest_derivable_group(people, _sets(audit.released, people), k) is None, seed
        for decision in audit.withheld:
            if decision.size >= k:
                with_it = _sets([*audit.released, decision.group], people)
                assert smallest_derivable_group(people, with_it, k) is not None, (seed, decision.group.key)
