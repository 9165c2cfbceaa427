"""What the disclosure engine works on: cells of respondents and groups made of cells.

A *cell* is everything the requested cuts can tell apart about a respondent (their place in
the team hierarchy and their attribute values, plus anything else the caller adds, such as
which campaigns they answered). Respondents in one cell are interchangeable for every group a
viewer can ask for, so the audit works on cells weighted by how many respondents they hold,
never on individual people.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

Cell = Hashable

DEFAULT_K = 5
MIN_K = 3


# Slots: an organization of 50,000 asks for about a million groups.
@dataclass(frozen=True, slots=True)
class Group:
    """A requested aggregate: the respondents in `cells`, shown under `label`.

    `key` identifies the group independently of how it was requested; `rank` orders groups by
    how much a viewer needs them (smaller first). Ties are broken by `key`, so the decisions
    never depend on the order in which groups were requested.
    """

    key: Hashable
    label: str
    cells: frozenset
    rank: tuple = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a group may be shown, and if not, the reason a viewer is told."""

    group: Group
    released: bool
    size: int
    reason: str = ""
    # For groups withheld because of differencing: the smallest number of respondents the
    # viewer could have isolated, and the shown groups (with signs) that would have done it.
    exposed_size: int = 0
    combination: tuple = ()


def validate_k(k: int) -> int:
    if not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"k must be a whole number of at least {MIN_K}, got {k!r}")
    return k


def cell_counts(cells_of_respondents: Iterable[Cell]) -> dict:
    """How many respondents fall in each cell (only non-empty cells appear)."""
    counts: dict = {}
    for cell in cells_of_respondents:
        counts[cell] = counts.get(cell, 0) + 1
    return counts


def group_size(group: Group, counts: Mapping) -> int:
    if not group.cells:
        return 0
    return sum(counts.get(cell, 0) for cell in group.cells)
