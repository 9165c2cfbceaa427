"""Leases, retries with backoff, the dead-letter state and `learnloop tasks list|retry|purge`."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learnloop.ops import taskqueue
from learnloop.ops.models import TaskLease
from learnloop.ops.worker import Worker
from tests.ops import sample_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.TASK_MAX_ATTEMPTS = 3
    settings.TASK_RETRY_BASE_SECONDS = 30
    settings.TASK_LEASE_SECONDS = 60


def run_worker(name="test-worker"):
    Worker(worker_id=name, batch=True).run()


def make_due(task_id):
    """Skip the backoff wait: the retry is due now."""
    DBTaskResult.objects.filter(pk=task_id).update(run_after=timezone.now() - timedelta(seconds=1))


def tasks_cli(*args) -> str:
    out = StringIO()
    call_command("tasks", *args, stdout=out)
    return out.getvalue()


def test_backoff_doubles_from_the_base_up_to_an_hour():
    assert [taskqueue.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert taskqueue.backoff(20) == timedelta(hours=1)


# The worker closes idle connections between tasks, like django_tasks_db's: tests that run it
# need real transactions (a closed connection inside the test's transaction would break it).
@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_retried_later_then_dead_lettered_with_its_reason():
    result = sample_tasks.always_fails.enqueue()
    before = timezone.now()
    run_worker()
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "READY" and task.run_after >= before + timedelta(seconds=30)
    assert task.lease.attempts == 1 and "mail server said no" in task.lease.last_error
    assert "retrying after: RuntimeError: mail server said no" in tasks_cli("list")

    run_worker()  # not due yet: nothing happens
    assert TaskLease.objects.get(pk=result.id).attempts == 1

    for attempt in (2, 3):
        make_due(result.id)
        run_worker()
        assert TaskLease.objects.get(pk=result.id).attempts == attempt
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "FAILED"
    assert task.lease.dead_reason == "RuntimeError: mail server said no (attempt 3 of 3)"
    [row] = json.loads(tasks_cli("list", "--json"))
    assert (row["id"], row["state"], row["attempts"]) == (str(result.id), "dead", 3)
    assert row["reason"] == task.lease.dead_reason

    assert "Queued 1 dead-lettered task(s) again." in tasks_cli("retry", str(result.id))
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "READY" and task.lease.attempts == 0 and task.lease.dead_reason == ""


# The worker closes idle connections between tasks, like django_tasks_db's: tests that run it
# need real transactions (a closed connection inside the test's transaction would break it).
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_died_is_queued_again_once_its_lease_expired():
    result = sample_tasks.succeeds.enqueue()
    claimed = taskqueue.claim_next(worker_id="died")
    assert str(claimed.pk) == result.id
    assert taskqueue.reap_expired() == (0, 0)  # the lease still holds

    lease = TaskLease.objects.get(pk=result.id)
    assert taskqueue.reap_expired(now=lease.expires_at + timedelta(seconds=1)) == (1, 0)
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "READY"
    assert "worker died stopped renewing its lease during attempt 1" in task.lease.last_error
    assert not taskqueue.renew(result.id, worker_id="died")  # the dead worker's lease is gone

    make_due(result.id)
    run_worker("survivor")
    task = DBTaskResult.objects.get(pk=result.id)
    assert (task.status, task.return_value, task.lease.attempts) == ("SUCCESSFUL", "ok", 2)
    assert task.worker_ids == ["died", "survivor"]


def test_a_task_whose_workers_keep_dying_ends_dead_lettered():
    result = sample_tasks.succeeds.enqueue()
    for _attempt in range(3):
        make_due(result.id)
        taskqueue.claim_next(worker_id="crashy")
        requeued, dead = taskqueue.reap_expired(now=timezone.now() + timedelta(minutes=2))
    assert (requeued, dead) == (0, 1)
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "FAILED"
    assert task.lease.dead_reason == "worker crashy stopped renewing its lease during attempt 3"


def test_a_task_claimed_without_a_lease_is_reaped_too():
    """A task left RUNNING by django_tasks_db's own db_worker (before this upgrade)."""
    result = sample_tasks.succeeds.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(hours=2), worker_ids=["old"]
    )
    assert taskqueue.reap_expired() == (1, 0)
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"


def test_the_heartbeat_extends_the_lease_of_the_worker_that_holds_it():
    result = sample_tasks.succeeds.enqueue()
    taskqueue.claim_next(worker_id="alive")
    TaskLease.objects.filter(pk=result.id).update(expires_at=timezone.now())
    assert taskqueue.renew(result.id, worker_id="alive")
    assert not taskqueue.renew(result.id, worker_id="someone-else")
    assert TaskLease.objects.get(pk=result.id).expires_at > timezone.now() + timedelta(seconds=50)


def test_a_released_task_goes_back_without_counting_the_attempt():
    result = sample_tasks.succeeds.enqueue()
    task = taskqueue.claim_next(worker_id="stopping")
    taskqueue.release(task)
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "READY" and task.lease.attempts == 0


def test_claiming_locks_the_row_and_skips_rows_other_workers_hold():
    sample_tasks.succeeds.enqueue()
    with CaptureQueriesContext(connection) as queries:
        assert taskqueue.claim_next(worker_id="w1") is not None
    if connection.vendor == "postgresql":
        assert any("FOR UPDATE SKIP LOCKED" in query["sql"] for query in queries.captured_queries)
    assert taskqueue.claim_next(worker_id="w2") is None  # the only task is taken


def test_purge_deletes_finished_tasks_past_the_cutoff_and_dead_ones_only_when_asked():
    old, recent, dead = (sample_tasks.succeeds.enqueue() for _ in range(3))
    long_ago = timezone.now() - timedelta(days=10)
    DBTaskResult.objects.filter(pk=old.id).update(status="SUCCESSFUL", finished_at=long_ago)
    DBTaskResult.objects.filter(pk=recent.id).update(status="SUCCESSFUL", finished_at=timezone.now())
    DBTaskResult.objects.filter(pk=dead.id).update(status="FAILED", finished_at=long_ago)
    pending = sample_tasks.succeeds.enqueue()

    assert "Deleted 1 finished task(s)." in tasks_cli("purge")
    assert {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} == {recent.id, dead.id, pending.id}
    assert "Deleted 1 finished task(s)." in tasks_cli("purge", "--dead")
    assert DBTaskResult.objects.count() == 2


def test_retry_needs_ids_or_all_dead():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        tasks_cli("retry")
    with pytest.raises(CommandError):
        tasks_cli("retry", "not-a-uuid")
