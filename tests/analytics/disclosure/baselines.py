"""What survey tools commonly do instead, kept to measure how much they leak.

* plain threshold: show every group of at least k respondents;
* sibling suppression: additionally, wherever a hidden group could be recovered from its
  parent minus its shown siblings, hide the next-smallest sibling too (repeated until stable),
  the rule leading survey vendors describe.
"""

from collections.abc import Mapping, Sequence

from learnloop.analytics.disclosure.cuts import Attribute
from learnloop.analytics.disclosure.groups import Group, group_size


def plain_threshold(counts: Mapping, groups: Sequence[Group], k: int) -> list[Group]:
    return [group for group in groups if group_size(group, counts) >= k]


def sibling_suppression(
    counts: Mapping, groups: Sequence[Group], k: int, families: Sequence[tuple[Group, list[Group]]]
) -> list[Group]:
    hidden = {group.key for group in groups if group_size(group, counts) < k}
    changed = True
    while changed:
        changed = False
        for parent, children in families:
            if parent.key in hidden:
                continue
            hidden_children = [child for child in children if child.key in hidden]
            shown_children = [child for child in children if child.key not in hidden]
            if not hidden_children or not shown_children:
                continue
            hidden_total = sum(group_size(child, counts) for child in hidden_children)
            if len(hidden_children) == 1 or hidden_total < k:
                smallest = min(shown_children, key=lambda child: (group_size(child, counts), repr(child.key)))
                hidden.add(smallest.key)
                changed = True
    return [group for group in groups if group.key not in hidden]


def families(groups: Sequence[Group], attributes: Sequence[Attribute]) -> list[tuple[Group, list[Group]]]:
    """(parent, children) pairs where the children partition the parent: teams of a department,
    or the values of one attribute within a group. Used by the sibling-suppression baseline."""
    by_key: Mapping = {group.key: group for group in groups}
    result = []
    nodes = {group.key[0] for group in groups}
    for (node, conditions), parent in by_key.items():
        children_nodes = [other for other in nodes if len(other) == len(node) + 1 and other[: len(node)] == node]
        if children_nodes:
            children = [
                by_key[(child, conditions)] for child in sorted(children_nodes) if (child, conditions) in by_key
            ]
            result.append((parent, children))
        used = {position for position, _ in conditions}
        for position, attribute in enumerate(attributes):
            if position in used:
                continue
            keys = [(node, tuple(sorted((*conditions, (position, value))))) for value in attribute.values]
            children = [by_key[key] for key in keys if key in by_key]
            if len(children) == len(attribute.values):
                result.append((parent, children))
    return result
