"""The engine as it was before it scaled, kept as the reference the fast engine must agree with.

It runs the exact check of `kernel` on every group, over every cell; the tests compare its
released sets with `learnloop.analytics.disclosure.decide` on many random organizations.

Decide which requested groups a viewer may see, so that nothing smaller than k can be derived.

Greedy release in a fixed order: groups are considered by (rank, key), never by request order,
and each is shown only if, together with everything already shown to the viewer (including
earlier campaigns' releases over the same respondents, passed as `already_shown`), no
combination of shown groups isolates fewer than k respondents. The test is exact (see
`kernel`). Withheld groups carry the reason a viewer is told.

Because a group refused at some point stays dangerous once more is shown, the result is
maximal: no withheld group could be added to the released ones without a breach.
"""

from collections.abc import Iterable, Mapping

from learnloop.analytics.disclosure.engine import Audit
from learnloop.analytics.disclosure.explain import differencing_reason, find_recipe, threshold_reason
from learnloop.analytics.disclosure.groups import Decision, Group, group_size, validate_k
from learnloop.analytics.disclosure.kernel import InvisibleChanges


def reference_decide(
    counts: Mapping,
    requested: Iterable[Group],
    *,
    k: int,
    already_shown: Iterable[Group] = (),
    explain: bool = True,
) -> Audit:
    """Which of `requested` may be shown, given respondents per cell (`counts`) and threshold k."""
    validate_k(k)
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


def _ordered(groups: Iterable[Group]) -> list[Group]:
    unique = {group.key: group for group in groups}
    return sorted(unique.values(), key=lambda group: (group.rank, repr(group.key)))


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
