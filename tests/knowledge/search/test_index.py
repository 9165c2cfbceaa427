"""Keeping the index in step with the database: commits, rollbacks, failures and rebuilds."""

import shutil

import pytest
from django.core.management import call_command
from django.db import transaction

from learnloop.knowledge import search
from learnloop.knowledge.models import SearchOutbox
from learnloop.knowledge.search import embedded
from learnloop.knowledge.search.scope import viewer_scope
from tests import factories
from tests.knowledge.search.conftest import only
from tests.knowledge.search.helpers import find, ids, write


@pytest.fixture
def people(db):
    return factories.person(), factories.person()


@pytest.mark.django_db
def test_a_rolled_back_change_never_reaches_the_index(people):
    author, reader = people
    with pytest.raises(RuntimeError), transaction.atomic():
        write(author, "Phantom lesson", "Written and rolled back.")
        raise RuntimeError("the request failed")
    assert find(reader, "phantom").total == 0
    assert not SearchOutbox.objects.exists()


@pytest.mark.django_db
def test_rebuild_reports_progress_and_keeps_results(people):
    author, reader = people
    entries = [write(author, f"Postmortem number {n}", "Blameless postmortems.") for n in range(3)]
    out, err = _rebuild_command()
    assert "Indexed 3 entries" in out
    assert "rebuilding the search index" in err
    assert sorted(ids(find(reader, "postmortem"))) == sorted(entry.pk for entry in entries)


def _rebuild_command():
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("search", "rebuild", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_restoring_a_backup_leaves_search_matching_the_restored_data(people, tmp_path):
    from learnloop.knowledge import services
    from learnloop.ops.backup import create_backup

    author, reader = people
    kept = write(author, "Chaos drills", "Run a chaos drill each quarter.")
    create_backup(tmp_path / "backup.zip")
    services.update_entry(by=author, entry=kept, title="Game days", body="Run a game day each quarter.")
    write(author, "Later lesson about chaos", "Written after the backup.")
    call_command("restore", str(tmp_path / "backup.zip"), "--yes", stdout=_Sink(), stderr=_Sink())
    assert ids(find(reader, "chaos")) == [kept.pk]
    assert find(reader, "game days").total == 0


class _Sink:
    def write(self, text):
        pass

    def flush(self):
        pass


# --- the embedded index: outbox, failures, lost index ------------------------------------------------


@only("embedded")
@pytest.mark.django_db(transaction=True)
def test_a_commit_updates_the_index_and_empties_the_queue(people):
    author, reader = people
    entry = write(author, "Load shedding", "Shed load before the queue explodes.")
    assert not SearchOutbox.objects.exists()
    scope = viewer_scope(reader, search.SearchFilters(), entry.created_at)
    assert [match.entry_id for match in search.backend().window(scope, [["shed"]], limit=10)] == [entry.pk]


@only("embedded")
@pytest.mark.django_db(transaction=True)
def test_a_failed_apply_leaves_the_change_queued_until_the_next_one_succeeds(people, monkeypatch):
    author, reader = people

    def broken(*args, **kwargs):
        raise OSError("disk full")

    assert find(reader, "backpressure").total == 0  # the index exists
    monkeypatch.setattr(embedded.EmbeddedBackend, "_write", broken)
    first = write(author, "Backpressure", "Apply backpressure at the edge.")  # committed; the index failed
    assert list(SearchOutbox.objects.values_list("entry_id", flat=True)) == [first.pk]
    assert find(reader, "backpressure").total == 0  # searching still works (and can't apply either)
    monkeypatch.undo()
    second = write(author, "Edge backpressure metrics", "Measure rejected requests.")
    assert not SearchOutbox.objects.exists()
    assert sorted(ids(find(reader, "backpressure"))) == sorted([first.pk, second.pk])


@only("embedded")
@pytest.mark.django_db(transaction=True)
def test_a_queued_change_is_applied_before_the_next_search(people, monkeypatch):
    author, reader = people
    monkeypatch.setattr(embedded.EmbeddedBackend, "_apply_after_commit", lambda self: None)  # a crash after commit
    entry = write(author, "Circuit breakers", "Open the breaker after five failures.")
    assert SearchOutbox.objects.count() == 1
    assert ids(find(reader, "breaker")) == [entry.pk]
    assert not SearchOutbox.objects.exists()


@only("embedded")
@pytest.mark.django_db
def test_rebuild_restores_a_deleted_index(people):
    author, reader = people
    entry = write(author, "Idempotency keys", "Retry payments safely with idempotency keys.")
    assert ids(find(reader, "idempotency")) == [entry.pk]
    shutil.rmtree(embedded.index_dir())
    assert search.rebuild() == 1
    assert ids(find(reader, "idempotency")) == [entry.pk]
    shutil.rmtree(embedded.index_dir())
    assert ids(find(reader, "idempotency")) == [entry.pk]  # and a lost index is rebuilt on first use


@only("embedded")
@pytest.mark.django_db
def test_a_busy_index_leaves_changes_queued_instead_of_failing_the_write(people, monkeypatch):
    author, reader = people
    monkeypatch.setattr(embedded, "APPLY_LOCK_WAIT_SECONDS", 0.05)
    assert find(reader, "bulkheads").total == 0  # the index exists
    with embedded.write_lock(1):
        with transaction.atomic():
            entry = write(author, "Bulkheads", "Isolate pools with bulkheads.")
        backend = search.backend()
        backend._apply_after_commit()  # what on_commit runs: it doesn't wait, keeps the row
        assert SearchOutbox.objects.filter(entry_id=entry.pk).exists()
        assert find(reader, "bulkheads").total == 0  # a reader doesn't wait for the lock either
    assert ids(find(reader, "bulkheads")) == [entry.pk]


@only("embedded")
@pytest.mark.django_db
def test_a_write_that_finds_the_index_busy_is_applied_by_the_writer_holding_it(people, monkeypatch):
    author, reader = people
    assert find(reader, "sagas").total == 0  # the index exists
    early = write(author, "Outbox sagas", "Queue the saga's next step.")  # queued (on_commit doesn't run here)
    backend = search.backend()
    late = []
    original = embedded._OpenIndex.fresh

    def another_write_meanwhile(self):
        # After the holder read the queue for the last time, before it lets go of the lock.
        if not late and not SearchOutbox.objects.exists():
            late.append(write(author, "Sagas", "Compensate each step of a saga."))
            backend._apply_after_commit()  # finds the lock taken: leaves its row and returns
            assert SearchOutbox.objects.filter(entry_id=late[0].pk).exists()
        return original(self)

    monkeypatch.setattr(embedded._OpenIndex, "fresh", another_write_meanwhile)
    backend.apply_queue(wait=1)
    assert late and not SearchOutbox.objects.exists()  # the holder applied the late write too
    monkeypatch.undo()
    assert sorted(ids(find(reader, "sagas"))) == sorted([early.pk, late[0].pk])


@only("embedded")
@pytest.mark.django_db
def test_a_rebuild_analyzing_in_a_second_process_ranks_exactly_as_one_in_this_process(people, monkeypatch):
    author, reader = people
    words = ["canary", "rollback", "pager", "queue", "runbook", "schema", "flag", "retry", "alert", "cache"]
    for number in range(40):
        body = " ".join(words[(number * step) % len(words)] for step in range(1, 2 + number % 7))
        write(author, f"Note {number}: {words[number % 10]} and snake_case_{number % 3}", body,
              tags=[words[(number + 3) % 10]])
    queries = [*words, "snake_case_1", "canary pager", "note retry flag"]

    def rankings():
        return [[(hit.entry.pk, round(hit.score, 9)) for hit in find(reader, query, per_page=50).hits]
                for query in queries]

    monkeypatch.setattr(embedded, "PARALLEL_ANALYSIS_FROM", 10**9)
    embedded.EmbeddedBackend().rebuild()
    in_process = rankings()
    assert sum(map(len, in_process)) > 100
    monkeypatch.setattr(embedded, "PARALLEL_ANALYSIS_FROM", 1)
    monkeypatch.setattr(embedded, "ANALYSIS_BATCH", 7)  # several batches in flight, a short last one
    started = []
    real_start = embedded._start_worker
    monkeypatch.setattr(embedded, "_start_worker", lambda: started.append(1) or real_start())
    progress = []
    assert embedded.EmbeddedBackend().rebuild(progress=lambda done, total: progress.append(done)) == 40
    assert started and progress[-1] == 40 and progress == sorted(progress)
    assert rankings() == in_process


@only("embedded")
@pytest.mark.django_db
def test_a_rebuild_without_its_second_process_analyzes_here(people, monkeypatch):
    author, reader = people
    entry = write(author, "Feature flags", "Ship dark, then flip.")
    monkeypatch.setattr(embedded, "PARALLEL_ANALYSIS_FROM", 1)
    monkeypatch.setattr(embedded, "_start_worker", lambda: None)  # as when the process can't start
    assert embedded.EmbeddedBackend().rebuild() == 1
    assert ids(find(reader, "flip")) == [entry.pk]


def _index_format_stamp() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT format FROM knowledge_search_stats WHERE id = 1")
        return cursor.fetchone()[0]


def _as_if_written_by_an_older_version(entry_id: int) -> None:
    """An index of format 0 (before the stamp) that lacks what the current format indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_search_posting WHERE entry_id = %s", [entry_id])
        cursor.execute("UPDATE knowledge_search_stats SET format = 0")


@only("postgres")
@pytest.mark.django_db
def test_migrate_rebuilds_a_postgres_index_written_in_an_older_format(people):
    import io

    from learnloop.knowledge.search.documents import INDEX_FORMAT

    author, reader = people
    entry = write(author, "Canary releases", "Ship to one percent first.")
    search.rebuild()
    assert _index_format_stamp() == INDEX_FORMAT
    _as_if_written_by_an_older_version(entry.pk)
    assert find(reader, "canary").total == 0

    out = io.StringIO()
    call_command("migrate", verbosity=1, stdout=out)
    assert "Rebuilt the search index in its new format (1 entries)" in out.getvalue()
    assert ids(find(reader, "canary")) == [entry.pk]
    assert _index_format_stamp() == INDEX_FORMAT

    out = io.StringIO()
    call_command("migrate", verbosity=1, stdout=out)  # current now: nothing to rebuild
    assert "Rebuilt the search index" not in out.getvalue()


@only("postgres")
@pytest.mark.django_db
def test_searching_an_older_postgres_index_warns_the_operator(people, caplog):
    from learnloop.knowledge.search import postgres

    author, reader = people
    entry = write(author, "Feature flags", "Flags let us ship dark.")
    _as_if_written_by_an_older_version(entry.pk)
    postgres._warned_format = None
    with caplog.at_level("WARNING", logger="learnloop.knowledge.search.postgres"):
        find(reader, "flags ship")
        find(reader, "flags dark")
    warnings = [record for record in caplog.records if "written in format 0" in record.getMessage()]
    assert len(warnings) == 1  # once per process, not per search
    assert "learnloop search rebuild" in warnings[0].getMessage()


@only("postgres")
@pytest.mark.django_db
def test_a_migrate_that_stops_before_the_format_column_leaves_the_index_alone(people):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from learnloop.knowledge.signals import rebuild_outdated_search_index

    author, _ = people
    entry = write(author, "Blue green deploys", "Two environments.")
    _as_if_written_by_an_older_version(entry.pk)
    for target in ("0006_daily_use", "0001_initial"):
        before = MigrationLoader(connection).project_state(("knowledge", target)).apps
        rebuild_outdated_search_index(sender=None, apps=before)
        assert _index_format_stamp() == 0


@only("embedded")
@pytest.mark.django_db
def test_the_embedded_index_keeps_each_format_in_a_directory_of_its_own(people):
    from learnloop.knowledge.search.documents import INDEX_FORMAT

    assert embedded.index_dir().name == f"tantivy-v{INDEX_FORMAT}"
    assert search.rebuild_if_outdated() is None


@only("embedded")
@pytest.mark.django_db
def test_a_new_index_built_from_the_database_does_not_index_the_queue_again(people):
    # The first search of a new installation (or after an import into one) builds the index
    # from every entry; the queued changes are in it already. Applied again, each entry was
    # replaced, and Tantivy counts a replaced document's words until it merges segments.
    from learnloop.analytics.text import analyze

    author, reader = people
    for title in ("Canary releases", "Canary metrics", "Feature flags"):
        written = write(author, title, f"{title} for the billing service.")
    # Nothing commits in this test, so all three are queued; as if the last had been applied
    # before the index was lost, only the two others stay queued.
    SearchOutbox.objects.filter(entry_id=written.pk).delete()
    assert SearchOutbox.objects.count() == 2
    assert ids(find(reader, "canary"))
    assert not SearchOutbox.objects.exists()
    (canary,) = analyze("canary")
    documents, frequencies = search.backend().statistics([canary])
    assert (documents, frequencies[canary]) == (3, 2)
