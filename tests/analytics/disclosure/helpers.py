"""Small organizations described by hand, and the attacker's view of what the engine shows."""

from dataclasses import dataclass

from learnloop.analytics.disclosure import Attribute, Respondent, breakdowns, decide
from tests.analytics.disclosure.attack import exposed_respondents, smallest_derivable_group

TENURE = Attribute("tenure", ("<1y", "1y+"))
ROLE = Attribute("role", ("engineer", "manager"))


@dataclass
class Survey:
    """Respondents numbered 0..n−1, each in a cell; the attacker only ever sees sets of numbers."""

    respondents: list[Respondent]
    attributes: tuple[Attribute, ...]

    @classmethod
    def of(cls, *teams: tuple[tuple[str, ...], tuple[str, ...], int], attributes=(TENURE,)):
        respondents = [Respondent(path, values) for path, values, count in teams for _ in range(count)]
        return cls(respondents, tuple(attributes))

    @property
    def counts(self) -> dict:
        counts: dict = {}
        for person in self.respondents:
            counts[person.cell] = counts.get(person.cell, 0) + 1
        return counts

    def groups(self, max_conditions: int = 1):
        return breakdowns(self.counts, self.attributes, max_conditions=max_conditions)

    def audit(self, *, k: int = 5, max_conditions: int = 1, requested=None, already_shown=(), explain=True):
        requested = self.groups(max_conditions) if requested is None else requested
        return decide(self.counts, requested, k=k, already_shown=already_shown, explain=explain)

    def people_in(self, group) -> list[int]:
        return [number for number, person in enumerate(self.respondents) if person.cell in group.cells]

    def attacker_sets(self, groups) -> list[list[int]]:
        return [self.people_in(group) for group in groups]

    def exposed(self, groups) -> list[int]:
        return exposed_respondents(range(len(self.respondents)), self.attacker_sets(groups))

    def smallest_derivable(self, groups, k: int = 5):
        return smallest_derivable_group(list(range(len(self.respondents))), self.attacker_sets(groups), k)


def by_label(audit):
    return {decision.group.label: decision for decision in audit.decisions}
