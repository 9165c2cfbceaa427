"""Which backend serves search, and keeping its index in step with the database."""

from django.conf import settings
from django.db import connection

from learnloop.knowledge.search.base import Backend
from learnloop.knowledge.search.postgres import PostgresBackend

_backends: dict[str, Backend] = {}


def backend() -> Backend:
    """The backend for the current settings and database."""
    choice = getattr(settings, "SEARCH_BACKEND", "auto")
    if choice == "auto":
        choice = "postgres" if connection.vendor == "postgresql" else "embedded"
    if choice not in _backends:
        if choice == "postgres":
            _backends[choice] = PostgresBackend()
        else:
            # Loaded on first use: it imports the search engine (tantivy), which every `learnloop`
            # command would otherwise pay for at start-up (tests/test_cli_imports.py).
            from learnloop.knowledge.search.embedded import EmbeddedBackend

            _backends[choice] = EmbeddedBackend()
    return _backends[choice]


def entry_changed(entry_id: int) -> None:
    """Called inside the transaction that changed an entry, its answers or its applications."""
    backend().entry_changed(entry_id)


def rebuild(*, progress=None) -> int:
    """Rebuild the index from the database; `progress(done, total)` is called along the way."""
    return backend().rebuild(progress=progress)


def rebuild_if_outdated(*, progress=None) -> int | None:
    """Rebuild an index written under an older INDEX_FORMAT; the number of entries indexed, or
    None when the index was current."""
    engine = backend()
    return engine.rebuild(progress=progress) if engine.outdated() else None
