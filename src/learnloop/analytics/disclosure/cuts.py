"""The fixed cuts a survey offers: every node of the team hierarchy (the whole organization,
departments, teams), alone or crossed with one or two attribute values.

A respondent's cell is (team path, attribute values in the organization's attribute order);
the path of a team is its chain of names from the top, e.g. ("Engineering", "Payments"), and
the whole organization is the empty path.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from learnloop.analytics.disclosure.groups import Group


@dataclass(frozen=True)
class Attribute:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Respondent:
    team: tuple[str, ...]
    attributes: tuple[str, ...]

    @property
    def cell(self) -> tuple:
        return (self.team, self.attributes)


def nodes_of(teams: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Every node of the hierarchy that holds one of `teams`: the organization, then departments…"""
    found = {()}
    for team in teams:
        for depth in range(1, len(team) + 1):
            found.add(team[:depth])
    return sorted(found, key=lambda node: (len(node), node))


def node_label(node: tuple[str, ...], organization: str = "Whole organization") -> str:
    return node[-1] if node else organization


def breakdowns(
    cells: Iterable[tuple],
    attributes: Sequence[Attribute],
    *,
    max_conditions: int = 2,
    nodes: Iterable[tuple[str, ...]] | None = None,
) -> list[Group]:
    """Every group a viewer may request: each node, alone or with up to `max_conditions` attribute values.

    `cells` are all the cells that exist (any cell not listed belongs to no group); groups are
    defined by cuts, so empty groups are part of the result and are withheld by the audit.
    """
    cells = list(cells)
    if nodes is None:
        nodes = nodes_of(team for team, _ in cells)
    groups = []
    for node in nodes:
        in_node = [cell for cell in cells if cell[0][: len(node)] == node]
        for conditions in _condition_sets(attributes, max_conditions):
            members = frozenset(
                cell for cell in in_node if all(cell[1][position] == value for position, value in conditions)
            )
            groups.append(
                Group(
                    key=(node, conditions),
                    label=_label(node, conditions, attributes),
                    cells=members,
                    # Teams' own results come before finer breakdowns: fewer conditions first,
                    # then the organization before departments before teams.
                    rank=(len(conditions), len(node)),
                )
            )
    return groups


def _condition_sets(attributes: Sequence[Attribute], max_conditions: int):
    yield ()
    for size in range(1, max_conditions + 1):
        for chosen in combinations(range(len(attributes)), size):
            yield from _values_for(attributes, chosen, ())


def _values_for(attributes, positions, prefix):
    if not positions:
        yield prefix
        return
    first, rest = positions[0], positions[1:]
    for value in attributes[first].values:
        yield from _values_for(attributes, rest, (*prefix, (first, value)))


def _label(node, conditions, attributes) -> str:
    label = node_label(node)
    if conditions:
        label += ", " + ", ".join(f"{attributes[position].name} {value}" for position, value in conditions)
    return label


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
