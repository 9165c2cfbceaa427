"""Ordering a backend's window of matches: text relevance × freshness × reuse, the first
results' relevance with a bonus for the query's words standing close together.

The attributes are read from the database for the window, and visibility is checked again on
them: whatever the index holds, nobody is shown an entry they may not see."""

from collections.abc import Callable, Sequence

from learnloop.analytics import proximity
from learnloop.analytics.ranking import rank_score
from learnloop.analytics.text import bm25_idf
from learnloop.knowledge.search.base import Backend, Match, Scope
from learnloop.knowledge.search.documents import Attributes, attributes_of, opening_texts

# (entry ids, the window's attributes) -> each entry's title and body opening, as opening_texts.
OpeningReader = Callable[[list[int], dict[int, Attributes]], dict[int, str]]


def _openings_from_database(entry_ids: list[int], attributes: dict[int, Attributes]) -> dict[int, str]:
    return opening_texts(entry_ids, proximity.OPENING)


def rank_window(
    window: list[Match], scope: Scope, *, engine: Backend | None = None, terms: Sequence[str] = (),
    read_openings: OpeningReader = _openings_from_database,
) -> tuple[list[tuple[float, int]], dict[int, Attributes]]:
    """(score, entry id) best first, and the attributes read for the window. Given the engine
    and the query's terms, the first proximity.DEPTH are ordered again with the proximity
    bonus added to their relevance; the others keep their place (a bonus only raises a score,
    so the order stays by score). `read_openings` gives those first entries' openings (a
    caller about to load them whole anyway can take them from there)."""
    attributes = attributes_of((match.entry_id for match in window), scope.now)
    ranked = []
    kept: dict[int, tuple[float, str, int]] = {}
    for match in window:
        item = attributes.get(match.entry_id)
        if item is None or not item.in_scope(scope):
            continue  # gone, or the index is behind the database: the database decides
        state, applications = item.state(scope.now), item.application_count
        kept[match.entry_id] = (match.relevance, state, applications)
        ranked.append((rank_score(relevance=match.relevance, state=state, applications=applications),
                       match.entry_id))
    ranked.sort(key=lambda pair: (-pair[0], pair[1]))
    if engine is not None and len(set(terms)) >= 2 and len(ranked) >= 2 and proximity.WEIGHT:
        ranked = _with_proximity(ranked, kept, engine, list(dict.fromkeys(terms)),
                                 lambda entry_ids: read_openings(entry_ids, attributes))
    return ranked, attributes


def _with_proximity(ranked, kept, engine: Backend, terms: list[str], read_openings) -> list[tuple[float, int]]:
    head = ranked[: proximity.DEPTH]
    count, frequencies = engine.statistics(terms)
    idf = {term: bm25_idf(count, frequency) for term, frequency in frequencies.items() if frequency}
    if len(idf) < 2:
        return ranked
    texts = read_openings([entry_id for _, entry_id in head])
    rescored = []
    for score, entry_id in head:
        bonus = proximity.proximity_bonus(texts.get(entry_id, ""), idf)
        if bonus:
            relevance, state, applications = kept[entry_id]
            score = rank_score(relevance=relevance + proximity.WEIGHT * bonus, state=state,
                               applications=applications)
        rescored.append((score, entry_id))
    rescored.sort(key=lambda pair: (-pair[0], pair[1]))
    return rescored + ranked[proximity.DEPTH:]
