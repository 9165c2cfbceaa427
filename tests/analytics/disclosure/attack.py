"""An attacker, written independently of the engine, used to check it.

It sees the released groups as sets of respondents (any hashable ids) and does exact linear
algebra over the rationals on them — the same power as integer row reduction over the shown
counts and sums. It never looks at cells, attributes or the engine's state: respondents
that no released group tells apart are merged into classes from the released sets alone.

* `exposed_respondents`: whose exact answer follows from the shown sums (their unit vector
  is in the row space of the released groups).
* `smallest_derivable_group`: the lightest nonzero vector in that row space, by exhaustive
  search over sets of classes lighter than k (meant for the small simulated organizations).
"""

from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import combinations


def _classes(respondents: Sequence, released: Sequence[Iterable]) -> tuple[list[list], list[list[int]]]:
    """Respondents grouped by which released groups hold them; each group as a list of classes."""
    pattern: dict = {person: [] for person in respondents}
    for position, group in enumerate(released):
        for person in group:
            pattern[person].append(position)
    by_pattern: dict = {}
    for person in respondents:
        by_pattern.setdefault(tuple(pattern[person]), []).append(person)
    classes = list(by_pattern.values())
    rows: list[list[int]] = [[] for _ in released]
    for number, members in enumerate(classes):
        for position in pattern[members[0]]:
            rows[position].append(number)
    return classes, rows


def _row_reduce(rows: list[list[int]]) -> dict[int, dict[int, Fraction]]:
    """Reduced row echelon form over the rationals: pivot column -> row (sparse)."""
    basis: dict[int, dict[int, Fraction]] = {}
    for row in rows:
        vector = {column: Fraction(1) for column in row}
        # Rows in the basis are fully reduced, so one pass over the pivots present suffices.
        for pivot in sorted(set(vector) & set(basis)):
            factor = vector[pivot]
            for column, value in basis[pivot].items():
                updated = vector.get(column, 0) - factor * value
                if updated:
                    vector[column] = updated
                else:
                    vector.pop(column, None)
        if not vector:
            continue
        pivot = min(vector)
        lead = vector[pivot]
        vector = {column: value / lead for column, value in vector.items()}
        for other in basis.values():
            if pivot in other:
                factor = other[pivot]
                for column, value in vector.items():
                    updated = other.get(column, 0) - factor * value
                    if updated:
                        other[column] = updated
                    else:
                        other.pop(column, None)
        basis[pivot] = vector
    return basis


def exposed_respondents(respondents: Sequence, released: Sequence[Iterable]) -> list:
    """Respondents whose own answer can be computed exactly from the released groups' sums."""
    classes, rows = _classes(respondents, released)
    basis = _row_reduce(rows)
    exposed = []
    for pivot, row in basis.items():
        if len(row) == 1 and len(classes[pivot]) == 1:
            exposed.extend(classes[pivot])
    return exposed


def smallest_derivable_group(respondents: Sequence, released: Sequence[Iterable], k: int) -> list | None:
    """Respondents of a nonzero combination of released groups touching fewer than k people, or None."""
    classes, rows = _classes(respondents, released)
    basis = _row_reduce(rows)
    free = [column for column in range(len(classes)) if column not in basis]
    # Invisible changes: one per free class (set it to 1, pivots follow), as columns per class.
    kernel_column: dict[int, dict[int, Fraction]] = {column: {} for column in range(len(classes))}
    for number, free_column in enumerate(free):
        kernel_column[free_column][number] = Fraction(1)
        for pivot, row in basis.items():
            if free_column in row:
                kernel_column[pivot][number] = -row[free_column]
    light = [column for column in range(len(classes)) if len(classes[column]) < k]
    for size in range(1, k):
        for chosen in combinations(light, size):
            if sum(len(classes[column]) for column in chosen) >= k:
                continue
            # A combination of released groups lives on `chosen` alone iff the invisible
            # changes, seen on `chosen`, do not reach every direction there.
            if _rank([kernel_column[column] for column in chosen]) < size:
                return [person for column in chosen for person in classes[column]]
    return None


def _rank(vectors: list[dict[int, Fraction]]) -> int:
    remaining = [dict(vector) for vector in vectors]
    rank = 0
    while remaining:
        vector = remaining.pop()
        if not vector:
            continue
        rank += 1
        pivot = min(vector)
        for other in remaining:
            if pivot in other:
                factor = other[pivot] / vector[pivot]
                for column, value in vector.items():
                    updated = other.get(column, 0) - factor * value
                    if updated:
                        other[column] = updated
                    else:
                        other.pop(column, None)
    return rank
