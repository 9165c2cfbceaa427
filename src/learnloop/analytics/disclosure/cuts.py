"""The fixed cuts a survey offers: every node of the team hierarchy (the whole organization,
departments, teams), alone or crossed with one or two attribute values.

A respondent's cell is (team path, attribute values in the organization's attribute order);
the path of a team is its chain of names from the top, e.g. ("Engineering", "Payments"), and
the whole organization is the empty path.
"""

from collections.abc import Iterable, Sequence
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
    empty: bool = True,
) -> list[Group]:
    """Every group a viewer may request: each node, alone or with up to `max_conditions` attribute values.

    `cells` are all the cells that exist (any cell not listed belongs to no group); groups are
    defined by cuts, so empty groups are part of the result and are withheld by the audit
    (`empty=False` leaves them out: a team of eight has no one in most of its two-attribute
    crossings, and listing them costs memory without telling anyone anything).

    Each cell is filed under the nodes above it and the condition sets it meets (a handful per
    cell), so the work grows with cells × depth × condition sets met, not nodes × cells.
    """
    cells = list(cells)
    if nodes is None:
        nodes = nodes_of(team for team, _ in cells)
    conditions_list = list(_condition_sets(attributes, max_conditions))
    known_conditions = set(conditions_list)
    members_of: dict[tuple, dict[tuple, list]] = {}
    nodes = list(nodes)
    wanted = set(nodes)
    for cell in cells:
        team, values = cell[0], cell[1]
        met = [conditions for conditions in _conditions_met(values, max_conditions) if conditions in known_conditions]
        for depth in range(len(team) + 1):
            node = team[:depth]
            if node not in wanted:
                continue
            by_conditions = members_of.setdefault(node, {})
            for conditions in met:
                by_conditions.setdefault(conditions, []).append(cell)
    labels = {conditions: _condition_label(conditions, attributes) for conditions in conditions_list}
    groups = []
    ranks: dict[tuple, tuple] = {}
    for node in nodes:
        by_conditions = members_of.get(node, {})
        name = node_label(node)
        for conditions in conditions_list:
            members = by_conditions.get(conditions)
            if not members and not empty:
                continue
            groups.append(
                Group(
                    key=(node, conditions),
                    label=name + labels[conditions],
                    cells=frozenset(members) if members else _NOBODY,
                    # Teams' own results come before finer breakdowns: fewer conditions first,
                    # then the organization before departments before teams.
                    rank=ranks.setdefault((len(conditions), len(node)), (len(conditions), len(node))),
                )
            )
    return groups


_NOBODY: frozenset = frozenset()


def _conditions_met(values: tuple, max_conditions: int):
    """Every set of up to `max_conditions` (position, value) conditions a cell's values meet."""
    for size in range(max_conditions + 1):
        for positions in combinations(range(len(values)), size):
            yield tuple((position, values[position]) for position in positions)


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


def _condition_label(conditions, attributes) -> str:
    if not conditions:
        return ""
    return ", " + ", ".join(f"{attributes[position].name} {value}" for position, value in conditions)

