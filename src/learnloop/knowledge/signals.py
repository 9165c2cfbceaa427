"""Receivers for signals sent by lower layers (ops), connected in KnowledgeConfig.ready."""

from learnloop.knowledge import search


def rebuild_search_index(sender, *, announce, **kwargs) -> str:
    """The search index is derived from the data that was just replaced."""
    announce("rebuilding the search index")
    count = search.rebuild()
    return f"Rebuilt the search index ({count} entries)."


def outcome_recorded_received(sender, *, outcome, by, at=None, **kwargs) -> None:
    """An effectiveness check was answered: refresh the evidence of the lessons that keep it and
    flag for review the lessons a "did not work" contradicts (outcomes.py)."""
    from learnloop.knowledge.outcomes import outcome_changed

    outcome_changed(outcome=outcome, by=by, at=at)
