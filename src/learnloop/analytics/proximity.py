"""Proximity: a bounded bonus for the entries in which a query's words stand close together.

BM25 scores each word on its own, so an entry that says "eigenvalue decomposition" and one
that says "eigenvalue" in its first paragraph and "decomposition" in its last score alike.
The bonus follows BM25TP (Rasolofo and Savoy, 2003): for each pair of different query words,
min(idf) × a saturated sum of 1 / distance² over their occurrences at most WINDOW words
apart. It is added to the text relevance of the first DEPTH results only, and looks only at
an entry's title and the opening of its body (OPENING characters): enough to tell a focused
entry from one that mentions the words in passing, at a cost that does not grow with the
entry's length or the number of matches. Measured on four judged collections in
docs/knowledge.md ("Proximity").

Pure functions, no Django: the search service passes texts and idfs in.
"""

from learnloop.analytics.text import word_positions

__all__ = ["DEPTH", "OPENING", "WEIGHT", "WINDOW", "proximity_bonus"]

WEIGHT = 0.25
WINDOW = 5  # words apart, at most
DEPTH = 20  # how many of the first results are re-ordered
OPENING = 2_000  # characters of an entry's body looked at
_K1 = 1.2  # saturation, as BM25's tf


def proximity_bonus(text: str, idf: dict[str, float], *, window: int = WINDOW) -> float:
    """The bonus of one text for a query whose terms (stems) and their idfs are `idf`."""
    if len(idf) < 2:
        return 0.0
    found = word_positions(text, frozenset(idf))
    if len({term for _, term in found}) < 2:
        return 0.0
    closeness: dict[tuple[str, str], float] = {}
    for index, (position, term) in enumerate(found):
        for later_position, other in found[index + 1:]:
            distance = later_position - position
            if distance > window:
                break
            if other == term:
                continue
            # No space between them ("eigenvalue-decomposition", "build/deploy"): side by side.
            distance = max(distance, 1)
            pair = (term, other) if term < other else (other, term)
            closeness[pair] = closeness.get(pair, 0.0) + 1.0 / (distance * distance)
    return sum(
        min(idf[first], idf[second]) * amount * (_K1 + 1) / (amount + _K1)
        for (first, second), amount in closeness.items()
    )
