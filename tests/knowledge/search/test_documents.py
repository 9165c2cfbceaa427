"""How a search reads what it ranks and shows: without touching the texts of long entries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.knowledge.search.documents import attributes_of
from tests import factories
from tests.knowledge.search.helpers import find, titles, write

pytestmark = pytest.mark.django_db


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL keeps long values out of line (TOAST)")
def test_ranking_reads_a_long_entrys_attributes_without_reading_its_text():
    # SQLite stores a row's columns in order and the texts come first: reading an entry's kind
    # or review date from its row walks its whole body. The attributes come from a covering
    # index, looked up entry by entry (not by scanning every author).
    author = factories.person(full_name="Ana Author")
    for number in range(3):
        factories.person(full_name=f"Someone {number}")
    long_entry = write(author, "Pasted incident log", "rollback " + "log line words " * 5_000)
    short_entry = write(author, "Rollback checklist", "rollback steps")

    with CaptureQueriesContext(connection) as captured:
        attributes = attributes_of([long_entry.pk, short_entry.pk], long_entry.created_at)
    assert attributes[long_entry.pk].author_name == "Ana Author"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + captured.captured_queries[0]["sql"])
        plan = [row[3] for row in cursor.fetchall()]
    # The entries first (not the people), from the index alone (the wording varies by version).
    assert "COVERING INDEX knowledge_entry_search_attrs" in plan[0], plan
    assert titles(find(author, "rollback")) == ["Rollback checklist", "Pasted incident log"] or set(
        titles(find(author, "rollback"))) == {"Rollback checklist", "Pasted incident log"}
