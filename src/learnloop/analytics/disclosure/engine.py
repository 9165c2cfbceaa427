"""Decide which requested groups a viewer may see, so that nothing smaller than k can be derived.

Greedy release in a fixed order: groups are considered by (rank, key), never by request order,
and each is shown only if, together with everything already shown to the viewer (including
earlier campaigns' releases over the same respondents, passed as `already_shown`), no
combination of shown groups isolates fewer than k respondents. The test is exact (see
`kernel`). Withheld groups carry the reason a viewer is told.

Because a group refused at some point stays dangerous once more is shown, the result is
maximal: no withheld group could be added to the released ones without a breach.

Only *light* cells (1…k−1 respondents) can ever be part of what a viewer isolates: a vector
supported on fewer than k respondents cannot touch a cell holding k or more. When no cell is
light — always the case for a survey whose stored attributes were generalized over its
respondents at close (`generalize`), so that every stored combination holds k of them — no
combination of any groups can isolate fewer than k, and the exact answer is the threshold
alone: every group of k or more is released, in time linear in the groups' sizes, without
any linear algebra. Otherwise the exact search of `kernel` runs.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from learnloop.analytics.disclosure.explain import differencing_reason, find_recipe, threshold_reason
from learnloop.analytics.disclosure.groups import Decision, Group, group_size, validate_k
from learnloop.analytics.disclosure.kernel import InvisibleChanges


@dataclass(frozen=True)
class Audit:
    decisions: tuple[Decision, ...]
    # True when what was already shown (earlier releases) breached the threshold by itself.
    already_breached: bool

    @property
    def released(self) -> list[Group]:
        return [decision.group for decision in self.decisions if decision.released]

    @property
    def withheld(self) -> list[Decision]:
        return [decision for decision in self.decisions if not decision.released]

    def decision_for(self, key) -> Decision:
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict:
        # Built once: callers look up many groups of an audit of up to a million decisions.
        return {decision.group.key: decision for decision in self.decisions}


def decide(
    counts: Mapping,
    requested: Iterable[Group],
    *,
    k: int,
    already_shown: Iterable[Group] = (),
    explain: bool = True,
) -> Audit:
    """Which of `requested` may be shown, given respondents per cell (`counts`) and threshold k."""
    validate_k(k)
    if not any(0 < count < k for count in counts.values()):
        return _threshold_only(counts, requested, k)
    cells = sorted((cell for cell, count in counts.items() if count > 0), key=repr)
    index = {cell: position for position, cell in enumerate(cells)}
    weights = [counts[cell] for cell in cells]
    invisible = InvisibleChanges(weights)
    shown: list[Group] = []

    breached = False
    for group in _ordered(already_shown):
        members = _members(group, index)
        if members and _exposure(invisible, members, k) is not None:
            breached = True
        invisible.show(members)
        shown.append(group)

    decisions = []
    for group in _ordered(requested):
        size = group_size(group, counts)
        if size < k:
            decisions.append(Decision(group, False, size, threshold_reason(k)))
            continue
        members = _members(group, index)
        found = _exposure(invisible, members, k)
        if found is None:
            invisible.show(members)
            shown.append(group)
            decisions.append(Decision(group, True, size))
            continue
        decisions.append(_withheld(group, size, members, found, invisible, shown, index, explain, k))
    return Audit(tuple(decisions), breached)


def _threshold_only(counts: Mapping, requested: Iterable[Group], k: int) -> Audit:
    """The exact decision when every non-empty cell holds at least k respondents.

    Any nonzero combination of groups is nonzero on some cell, so it involves at least k
    respondents: nothing below k can be isolated, whatever is shown (earlier releases included,
    so they cannot have breached either). A group is then released iff it holds k or more.
    """
    decisions = []
    for group in _ordered(requested):
        size = group_size(group, counts)
        if size >= k:
            decisions.append(Decision(group, True, size))
        else:
            decisions.append(Decision(group, False, size, threshold_reason(k)))
    return Audit(tuple(decisions), False)


def _ordered(groups: Iterable[Group]) -> list[Group]:
    unique = {group.key: group for group in groups}
    order = _KeyOrder()
    return sorted(unique.values(), key=lambda group: (group.rank, order.text(group.key)))


class _KeyOrder:
    """repr(key), the tie-break of the release order, with the parts of tuple keys remembered.

    A large organization's million keys share a few thousand node objects and a few hundred
    condition-set objects (`breakdowns` reuses them); spelling each object once gives exactly
    repr(key) at a fraction of the cost. Parts are remembered by identity, not equality (1 and
    True are equal but spelled differently); the groups keep them alive while sorting.
    """

    def __init__(self):
        self.parts: dict[int, str] = {}

    def text(self, key) -> str:
        if type(key) is not tuple:
            return repr(key)
        spelled = []
        for part in key:
            text = self.parts.get(id(part))
            if text is None:
                text = self.parts[id(part)] = repr(part)
            spelled.append(text)
        return "(" + ", ".join(spelled) + ("," if len(spelled) == 1 else "") + ")"


def _members(group: Group, index: Mapping) -> list[int]:
    return [index[cell] for cell in group.cells if cell in index]


def _exposure(invisible: InvisibleChanges, members: list[int], k: int):
    """(z, cells) if showing the group would make fewer than k respondents derivable, else None."""
    z = invisible.residual(members)
    if not z:
        return None  # already derivable from what is shown: showing it reveals nothing new
    cells = invisible.small_support(z, k - 1)
    return None if cells is None else (z, cells)


def _withheld(group, size, members, found, invisible, shown, index, explain, k) -> Decision:
    z, cells = found
    coefficients = invisible.combination_on(cells, z)
    exposed = sum(invisible.weights[cell] for cell in coefficients)
    weighted = len({abs(value) for value in coefficients.values()}) > 1
    combination: list = []
    if explain:
        # The derived vector c equals this group plus a combination v of shown groups, c = r + v:
        # find v = c − r among the shown groups.
        target = {cell: value for cell, value in coefficients.items()}
        for cell in members:
            target[cell] = target.get(cell, 0) - 1
        target = {cell: value for cell, value in target.items() if value}
        recipe = find_recipe(target, shown, index) if target else []
        if recipe or not target:
            combination = [(1, group), *recipe]
            # Present it so that the exposed group comes out positive.
            if sum(coefficients.values()) < 0:
                combination = [(-coefficient, member) for coefficient, member in combination]
    reason = differencing_reason(k=k, weighted=weighted, combination=combination)
    return Decision(group, False, size, reason, exposed, tuple(combination))
