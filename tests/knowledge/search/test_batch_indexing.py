"""Within a batch of writes (a Markdown import) the PostgreSQL index is written once, at the
batch's end, still in its transaction: the result must be exactly what writing it entry by entry
(or rebuilding it) gives, and a batch that is rolled back leaves the index as it was."""

import pytest
from django.db import connection, transaction

from learnloop.activity.batch import writing_in_batch
from learnloop.knowledge import services
from learnloop.knowledge.models import Entry, SearchOutbox
from learnloop.knowledge.search import search_entries
from learnloop.knowledge.search.postgres import PostgresBackend
from learnloop.knowledge.transfer import import_markdown
from tests import factories
from tests.knowledge.search.conftest import only

pytestmark = pytest.mark.django_db


def _index() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT entry_id, length, terms, tfs, tags FROM knowledge_search_document ORDER BY entry_id")
        documents = cursor.fetchall()
        cursor.execute("SELECT term, entry_id, tf, length FROM knowledge_search_posting ORDER BY term, entry_id")
        postings = cursor.fetchall()
        # A term whose last entry went keeps a row with df 0 until the next rebuild.
        cursor.execute("SELECT term, df FROM knowledge_search_term WHERE df > 0 ORDER BY term")
        terms = cursor.fetchall()
        cursor.execute("SELECT documents, total_length FROM knowledge_search_stats")
        stats = cursor.fetchall()
    return {"documents": documents, "postings": postings, "terms": terms, "stats": stats}


FILES = {
    f"notes/{number:02}.md": f"---\ntags: [deploys, n{number % 3}]\n---\n# Note {number} on rollback\n\n"
    f"Body {number}: canary releases, feature flags and {'queues ' * (number % 4)}retries."
    for number in range(12)
}


@only("postgres")
def test_an_import_writes_the_postgres_index_once_and_exactly_as_a_rebuild_would(search_backend):
    author = factories.person(full_name="Ivy Importer")
    kept = services.create_entry(by=author, kind="lesson", title="Kept as it is", body="Canary releases help.")
    edited = services.create_entry(by=author, kind="lesson", title="Edited by the import",
                                   body="Old words: pager rotation.")
    files = {**FILES, "edited.md": f"---\nid: {edited.pk}\n---\n# Edited by the import\n\nNew words: canary."}
    report = import_markdown(by=author, files=[(name, text.encode()) for name, text in files.items()], dry_run=False)
    assert report.imported, report.errors
    after_import = _index()
    assert len(after_import["documents"]) == 14
    assert ("pager", 1) not in after_import["terms"] and ("canari", 3) not in after_import["terms"]
    PostgresBackend().rebuild()
    assert _index() == after_import
    hits = search_entries(viewer=author, query="pager")
    assert hits.total == 0
    assert {hit.entry.pk for hit in search_entries(viewer=author, query="canary", per_page=50).hits} >= {
        kept.pk, edited.pk}


@only("postgres")
def test_a_batch_that_rolls_back_leaves_the_postgres_index_as_it_was(search_backend):
    author = factories.person(full_name="Ivy Importer")
    services.create_entry(by=author, kind="lesson", title="Before", body="Canary releases help.")
    before = _index()
    dry = import_markdown(by=author, files=[(name, text.encode()) for name, text in FILES.items()], dry_run=True)
    assert dry.ok and not Entry.objects.filter(title__startswith="Note").exists()
    assert _index() == before
    with pytest.raises(RuntimeError), transaction.atomic(), writing_in_batch():
        services.create_entry(by=author, kind="lesson", title="Never", body="Pager rotation.")
        raise RuntimeError("refused")
    assert _index() == before


@only("postgres")
def test_outside_a_batch_each_change_reaches_the_postgres_index_at_once(search_backend):
    author = factories.person(full_name="Ivy Importer")
    with transaction.atomic():
        entry = services.create_entry(by=author, kind="lesson", title="Pager rotation", body="Weekly.")
        # Search inside the writing transaction sees the change: the PostgreSQL index is
        # transactional outside batches.
        assert [hit.entry.pk for hit in search_entries(viewer=author, query="pager").hits] == [entry.pk]


def test_every_imported_entry_is_found_and_a_dry_run_queues_nothing(search_backend):
    author = factories.person(full_name="Ivy Importer")
    files = [(name, text.encode()) for name, text in FILES.items()]
    assert import_markdown(by=author, files=files, dry_run=True).ok
    assert not SearchOutbox.objects.exists() and search_entries(viewer=author, query="rollback").total == 0
    report = import_markdown(by=author, files=files, dry_run=False)
    assert report.imported, report.errors
    found = search_entries(viewer=author, query="rollback", per_page=50)
    assert sorted(hit.entry.pk for hit in found.hits) == sorted(plan.entry_id for plan in report.files)
    assert search_entries(viewer=author, query="queues", per_page=50).total == 9  # numbers with number % 4 > 0
