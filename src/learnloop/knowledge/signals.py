"""Receivers for signals sent by lower layers (ops), connected in KnowledgeConfig.ready."""

from learnloop.knowledge import search


def rebuild_search_index(sender, *, announce, **kwargs) -> str:
    """The search index is derived from the data that was just replaced."""
    announce("rebuilding the search index")
    count = search.rebuild()
    return f"Rebuilt the search index ({count} entries)."
