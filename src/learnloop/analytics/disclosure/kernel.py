"""The exact audit: what a viewer can work out from everything shown so far.

Every statistic a survey shows for a group (respondent count, and per item the count, sum,
sum of squares or the count of each answer value) is a sum over the group's respondents of
some per-respondent number. An attacker who combines shown groups with any coefficients
(differencing, chains of differences, integer row reduction) learns exactly the sums over
vectors in the row space R of the shown groups' 0/1 cell vectors, for every statistic at once.
Disclosure happens when R holds a nonzero vector that is supported on fewer than k
respondents: its sum isolates a group (or a weighted mix of answers) of fewer than k people.

We keep the complement of what is known: a basis of the *invisible changes*

    K = {x over cells : the sum of x over every shown group is 0},

the ways cell totals could move without any shown figure moving. R is exactly the set of
vectors orthogonal to K. Releasing one more group r creates a vector of support S in
R + span(r) with r's coefficient nonzero iff r ∈ R + span(e_s : s ∈ S), i.e. iff

    z = (x · r for x in the basis of K)  lies in  span(column s of the basis : s ∈ S).

So the check for one more group is: can z be written with the columns of at most k−1
respondents' cells? That is a search over sets of total weight < k (at most k−1 cells, since
every cell holds at least one respondent), exact over the rationals. The search branches on
which cell explains one nonzero coordinate of z — some cell of any solution must — so it is
complete, and it only ever looks at cells that share a basis vector with what is left of z.
Two necessary conditions prune it (coordinates whose candidate cells are disjoint need
different cells; the few cells allowed must between them touch every coordinate), and the
last cell is found by matching supports rather than by projecting every candidate.

The basis is stored fraction-free: integer vectors, divided by their gcd after each update.
"""

from fractions import Fraction
from math import gcd


def _normalized(vector: dict) -> dict:
    divisor = 0
    for value in vector.values():
        divisor = gcd(divisor, value)
    if divisor > 1:
        return {cell: value // divisor for cell, value in vector.items()}
    return vector


class InvisibleChanges:
    """A basis of K over cells numbered 0..n−1, kept up to date as groups are shown."""

    def __init__(self, weights: list[int]):
        self.weights = weights
        # Before anything is shown every cell can change on its own: the unit vectors.
        self.rows: dict[int, dict[int, int]] = {cell: {cell: 1} for cell in range(len(weights))}
        self.columns: dict[int, dict[int, int]] = {cell: {cell: 1} for cell in range(len(weights))}

    @property
    def dimension(self) -> int:
        return len(self.rows)

    def residual(self, cells) -> dict[int, int]:
        """z: how the group over `cells` pairs with each invisible change (empty if already known)."""
        z: dict[int, int] = {}
        for cell in cells:
            for row, value in self.columns[cell].items():
                z[row] = z.get(row, 0) + value
        return {row: value for row, value in z.items() if value}

    def show(self, cells) -> bool:
        """Record that the group over `cells` is shown. False if it added nothing new."""
        z = self.residual(cells)
        if not z:
            return False
        pivot = min(z, key=lambda row: (len(self.rows[row]), row))
        pivot_value = z[pivot]
        pivot_row = self._drop(pivot)
        for row, value in z.items():
            if row == pivot:
                continue
            old = self._drop(row)
            combined = {cell: pivot_value * amount for cell, amount in old.items()}
            for cell, amount in pivot_row.items():
                updated = combined.get(cell, 0) - value * amount
                if updated:
                    combined[cell] = updated
                else:
                    combined.pop(cell, None)
            self._put(row, _normalized(combined))
        return True

    def _drop(self, row: int) -> dict[int, int]:
        vector = self.rows.pop(row)
        for cell in vector:
            del self.columns[cell][row]
        return vector

    def _put(self, row: int, vector: dict[int, int]) -> None:
        self.rows[row] = vector
        for cell, value in vector.items():
            self.columns[cell][row] = value

    def small_support(self, z: dict[int, int], budget: int) -> list[int] | None:
        """Cells of total weight ≤ budget whose columns span z, or None if there are none."""
        if not z:
            return []
        return self._search(z, (), budget, {}, set())

    def _search(self, z, chosen, budget, inherited, failed):
        """Depth-first over sets of cells, for a nonzero residual z and budget ≥ 1.

        `chosen` holds (cell, pivot row, its column when chosen) in order; `inherited` the
        columns the parent node had computed, before eliminating the last chosen column.
        Everything stays in integers: eliminating with a column scales the residual, which
        does not change which spans it lies in.
        """
        chosen_cells = frozenset(cell for cell, _, _ in chosen)
        if chosen_cells in failed:
            return None
        if budget == 1:
            return self._last_cell(z, chosen, inherited, chosen_cells)
        # Cells whose (projected) column can be nonzero on z: those in z's rows, and those
        # in the pivot rows (elimination may have carried them over).
        universe = set()
        for row in z:
            universe.update(self.rows[row])
        for _, pivot, _ in chosen:
            universe.update(self.rows.get(pivot, ()))
        columns: dict[int, dict[int, int]] = {}
        reach: dict[int, list[int]] = {row: [] for row in z}
        for cell in universe:
            if cell in chosen_cells or self.weights[cell] > budget:
                continue
            column = columns[cell] = self._column_here(cell, chosen, inherited)
            for row in z if len(z) < len(column) else column:
                if row in reach and column.get(row):
                    reach[row].append(cell)
        if not self._can_cover(reach, budget):
            failed.add(chosen_cells)
            return None
        # Some cell of any solution is nonzero where z is: branch on the scarcest coordinate.
        coordinate = min(reach, key=lambda row: (len(reach[row]), row))
        for cell in sorted(reach[coordinate]):
            column = columns[cell]
            reduced = _eliminate(z, column, coordinate)
            deeper = (*chosen, (cell, coordinate, column))
            if not reduced:
                return [chosen_cell for chosen_cell, _, _ in deeper]
            left = budget - self.weights[cell]
            if left <= 0:
                continue
            found = self._search(reduced, deeper, left, columns, failed)
            if found is not None:
                return found
        failed.add(chosen_cells)
        return None

    def _last_cell(self, z, chosen, inherited, chosen_cells):
        """Budget 1: a single one-respondent cell whose projected column is parallel to z.

        Elimination only changes a column where the chosen columns are nonzero (`touched`);
        elsewhere the original column must already match z's support, which rules out most
        cells without projecting them.
        """
        touched: set[int] = set()
        for _, _, column in chosen:
            touched.update(column)
        untouched = [row for row in z if row not in touched]
        if untouched:
            candidates = set(self.rows[untouched[0]])
            for row in untouched[1:]:
                candidates.intersection_update(self.rows[row])
        else:
            candidates = set()
            for row in z:
                candidates.update(self.rows[row])
            for _, pivot, _ in chosen:
                candidates.update(self.rows.get(pivot, ()))
        coordinate = next(iter(z))
        for cell in sorted(candidates):
            if cell in chosen_cells or self.weights[cell] > 1:
                continue
            original = self.columns[cell]
            if any(row not in z and row not in touched for row in original):
                continue
            column = self._column_here(cell, chosen, inherited)
            if column.get(coordinate) and not _eliminate(z, column, coordinate):
                return [*(chosen_cell for chosen_cell, _, _ in chosen), cell]
        return None

    def _column_here(self, cell, chosen, inherited) -> dict:
        column = inherited.get(cell)
        if column is None:
            return self._projected_column(cell, chosen)
        _, pivot, last = chosen[-1]
        return _eliminate(column, last, pivot) if column.get(pivot) else column

    def _can_cover(self, reach: dict[int, list[int]], budget: int) -> bool:
        """Necessary conditions for cells of total weight ≤ budget to be nonzero on every coordinate."""
        if not all(reach.values()):
            return False
        # Coordinates with disjoint candidates need different cells.
        needed = 0
        covered: set[int] = set()
        for row in sorted(reach, key=lambda row: (len(reach[row]), row)):
            if covered.isdisjoint(reach[row]):
                needed += min(self.weights[cell] for cell in reach[row])
                covered.update(reach[row])
        if needed > budget:
            return False
        # At most `budget` cells (each weighs at least 1) must between them touch every coordinate.
        touches: dict[int, int] = {}
        for cells in reach.values():
            for cell in cells:
                touches[cell] = touches.get(cell, 0) + 1
        best = sorted(touches.values(), reverse=True)[:budget]
        return sum(best) >= len(reach)

    def _projected_column(self, cell, chosen) -> dict:
        """The cell's column modulo the columns chosen so far, from its original column."""
        column = self.columns[cell]
        for _, pivot, other in chosen:
            if column.get(pivot):
                column = _eliminate(column, other, pivot)
        return column

    def combination_on(self, cells: list[int], z: dict[int, int]) -> dict[int, Fraction]:
        """The coefficients c on `cells` with Σ c_s · column_s = z (they exist when found by the search)."""
        # Gaussian elimination on the small system: one unknown per cell.
        equations = {}
        for index, cell in enumerate(cells):
            for row, value in self.columns[cell].items():
                equations.setdefault(row, [Fraction(0)] * len(cells) + [Fraction(z.get(row, 0))])[index] = Fraction(
                    value
                )
        for row, value in z.items():
            equations.setdefault(row, [Fraction(0)] * len(cells) + [Fraction(value)])
        matrix = list(equations.values())
        solution = _solve(matrix, len(cells))
        return {cell: value for cell, value in zip(cells, solution, strict=True) if value}


def _eliminate(vector: dict[int, int], column: dict[int, int], pivot: int) -> dict[int, int]:
    """vector modulo column, clearing the pivot coordinate (fraction-free, gcd-reduced)."""
    scale, factor = column[pivot], vector[pivot]
    result = {row: scale * value for row, value in vector.items()}
    for row, value in column.items():
        updated = result.get(row, 0) - factor * value
        if updated:
            result[row] = updated
        else:
            result.pop(row, None)
    return _normalized(result)


def _solve(matrix: list[list[Fraction]], unknowns: int) -> list[Fraction]:
    """One solution of a consistent linear system given as augmented rows (free unknowns = 0)."""
    rows = [row[:] for row in matrix]
    pivot_of = []
    rank = 0
    for column in range(unknowns):
        pivot = next((index for index in range(rank, len(rows)) if rows[index][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        lead = rows[rank][column]
        rows[rank] = [value / lead for value in rows[rank]]
        for index in range(len(rows)):
            if index != rank and rows[index][column]:
                factor = rows[index][column]
                rows[index] = [a - factor * b for a, b in zip(rows[index], rows[rank], strict=True)]
        pivot_of.append(column)
        rank += 1
    solution = [Fraction(0)] * unknowns
    for index, column in enumerate(pivot_of):
        solution[column] = rows[index][unknowns]
    return solution
