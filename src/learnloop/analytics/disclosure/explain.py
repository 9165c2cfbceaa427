"""Reasons shown to a viewer for a withheld group: which shown groups would have exposed whom."""

from fractions import Fraction
from math import gcd

from learnloop.analytics.disclosure.groups import Group

# Past this many candidate groups we stop looking for the shortest wording; the reason then
# names the group and the size of what it would expose, without the recipe.
MAX_CANDIDATES = 400


def threshold_reason(k: int) -> str:
    # Empty groups get the same words: "no respondents" would itself tell who is not there.
    return f"fewer than {k} respondents"


def differencing_reason(*, k: int, weighted: bool, combination: list[tuple[Fraction, Group]]) -> str:
    # The exact size stays out of the text: it would disclose the small group's count.
    what = f"a group of fewer than {k}" if not weighted else f"a mix of the answers of fewer than {k} respondents"
    if not combination:
        return f"would let {what} be worked out from groups already shown"
    return f"would let {what} be worked out from {_recipe(combination)}"


def _recipe(combination: list[tuple[Fraction, Group]]) -> str:
    plus = [_term(coefficient, group) for coefficient, group in combination if coefficient > 0]
    minus = [_term(-coefficient, group) for coefficient, group in combination if coefficient < 0]
    text = _join(plus) if plus else "nothing"
    if minus:
        text += " minus " + _join(minus)
    return text


def _term(coefficient: Fraction, group: Group) -> str:
    return group.label if coefficient == 1 else f"{coefficient} × {group.label}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def find_recipe(target: dict, shown: list[Group], cell_index: dict) -> list[tuple[Fraction, Group]]:
    """Shown groups and coefficients that add up to `target` (cell index → coefficient), or [].

    Looks among groups touching the target first, then one step further out (a group that
    only cancels another one's excess may not touch the target at all).
    """
    members = {id(group): {cell_index[cell] for cell in group.cells if cell in cell_index} for group in shown}
    region = set(target)
    candidates: list[Group] = []
    for _ in range(3):
        candidates = [group for group in shown if members[id(group)] & region]
        if len(candidates) > MAX_CANDIDATES:
            return []
        solution = _solve_sparse(target, candidates, members)
        if solution is not None:
            return solution
        for group in candidates:
            region |= members[id(group)]
    return []


def _solve_sparse(target: dict, candidates: list[Group], members: dict) -> list[tuple[Fraction, Group]] | None:
    # Smaller groups first, so the recipe uses the most specific groups available.
    ordered = sorted(candidates, key=lambda group: (len(members[id(group)]), str(group.key)))
    # Fraction-free elimination over cells. Each entry keeps the invariant
    #   vector = scale · target + Σ recipe[position] · ordered[position]
    # (scale is 0 for the candidates themselves).
    basis: dict[int, tuple[dict, dict, int]] = {}
    for position, group in enumerate(ordered):
        entry = _reduce(dict.fromkeys(members[id(group)], 1), {position: 1}, 0, basis)
        if entry[0]:
            basis[min(entry[0])] = entry
    denominator = 1
    for value in target.values():
        denominator = denominator * Fraction(value).denominator // gcd(denominator, Fraction(value).denominator)
    scaled = {cell: int(Fraction(value) * denominator) for cell, value in target.items()}
    vector, recipe, scale = _reduce(scaled, {}, 1, basis)
    if vector:
        return None
    # 0 = scale · denominator · target + Σ recipe · groups
    return [
        (Fraction(-coefficient, scale * denominator), ordered[position])
        for position, coefficient in sorted(recipe.items())
    ]


def _reduce(vector: dict, recipe: dict, scale: int, basis: dict) -> tuple[dict, dict, int]:
    while True:
        pivots = [cell for cell in vector if cell in basis]
        if not pivots:
            return vector, recipe, scale
        pivot = min(pivots)
        other, other_recipe, other_scale = basis[pivot]
        keep, factor = other[pivot], vector[pivot]
        vector = _combine(vector, keep, other, factor)
        recipe = _combine(recipe, keep, other_recipe, factor)
        scale = keep * scale - factor * other_scale
        divisor = gcd(scale, *vector.values(), *recipe.values())
        if divisor > 1:
            vector = {key: value // divisor for key, value in vector.items()}
            recipe = {key: value // divisor for key, value in recipe.items()}
            scale //= divisor


def _combine(mine: dict, keep: int, other: dict, factor: int) -> dict:
    """keep · mine − factor · other, without zeros."""
    result = {key: keep * value for key, value in mine.items()}
    for key, value in other.items():
        updated = result.get(key, 0) - factor * value
        if updated:
            result[key] = updated
        else:
            result.pop(key, None)
    return result
