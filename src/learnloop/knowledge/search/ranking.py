"""Ordering a backend's window of matches: text relevance × freshness × reuse.

The attributes are read from the database for the window, and visibility is checked again on
them: whatever the index holds, nobody is shown an entry they may not see."""

from learnloop.analytics.ranking import rank_score
from learnloop.knowledge.search.base import Match, Scope
from learnloop.knowledge.search.documents import Attributes, attributes_of


def rank_window(window: list[Match], scope: Scope) -> tuple[list[tuple[float, int]], dict[int, Attributes]]:
    """(score, entry id) best first, and the attributes read for the window."""
    attributes = attributes_of((match.entry_id for match in window), scope.now)
    ranked = []
    for match in window:
        item = attributes.get(match.entry_id)
        if item is None or not item.in_scope(scope):
            continue  # gone, or the index is behind the database: the database decides
        score = rank_score(relevance=match.relevance, state=item.state(scope.now),
                           applications=item.application_count)
        ranked.append((score, match.entry_id))
    ranked.sort(key=lambda pair: (-pair[0], pair[1]))
    return ranked, attributes
