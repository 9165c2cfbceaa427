"""Receivers for signals sent by lower layers (ops), connected in KnowledgeConfig.ready."""

from learnloop.knowledge import search


def rebuild_search_index(sender, *, announce, **kwargs) -> str:
    """The search index is derived from the data that was just replaced."""
    announce("rebuilding the search index")
    count = search.rebuild()
    return f"Rebuilt the search index ({count} entries)."


def rebuild_outdated_search_index(sender, *, using="default", verbosity=1, stdout=None, **kwargs) -> None:
    """After `learnloop migrate`: an index written under an older format (search/documents.py
    INDEX_FORMAT) is rebuilt, so an upgrade needs no separate `learnloop search rebuild`.
    Upgrades already run migrate, and it is where an operator expects to wait."""
    if using != "default":
        return
    state = kwargs.get("apps")  # the migrated state; absent when sent by `flush`
    if state is not None:
        try:
            fields = state.get_model("knowledge", "SearchStats")._meta.fields
        except LookupError:
            return  # migrated back before the search tables
        if not any(field.name == "format" for field in fields):
            return  # migrated only part of the way: the column that records the format is not there yet
    count = search.rebuild_if_outdated()
    if count and verbosity and stdout is not None:
        stdout.write(f"  Rebuilt the search index in its new format ({count} entries).\n")


def outcome_recorded_received(sender, *, outcome, by, at=None, **kwargs) -> None:
    """An effectiveness check was answered: refresh the evidence of the lessons that keep it and
    flag for review the lessons a "did not work" contradicts (outcomes.py)."""
    from learnloop.knowledge.outcomes import outcome_changed

    outcome_changed(outcome=outcome, by=by, at=at)
