"""Leases, retries and the dead-letter state for the database task queue (django_tasks_db).

The life of a task: READY -> claimed (RUNNING, lease of TASK_LEASE_SECONDS, attempt n) ->
SUCCESSFUL, or back to READY after a backoff when it raised, or FAILED ("dead") with a reason
after its last attempt. A worker renews its task's lease while it runs; a task whose lease
expired (its worker was killed, its machine lost power) is returned to the queue by whichever
worker looks next, and counts as a failed attempt.

Claiming locks the row with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so any number of
workers on any number of machines each get a different task; SQLite serialises claims with an
exclusive transaction instead (one machine).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from traceback import format_exception

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from learnloop.ops.models import TaskLease

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
SUCCESSFUL, FAILED = TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt n+1: the base, doubled per attempt, at most an hour."""
    return timedelta(seconds=min(settings.TASK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600))


def claim_next(*, worker_id: str, backend_name: str = "default", queue_names=("*",)) -> DBTaskResult | None:
    """Lock the next ready task, mark it RUNNING and give this worker a lease on it."""
    tasks = DBTaskResult.objects.ready().filter(backend_name=backend_name)
    if "*" not in queue_names:
        tasks = tasks.filter(queue_name__in=queue_names)
    with exclusive_transaction(tasks.db):
        task = tasks.get_locked()  # select_for_update(skip_locked=True): other workers skip this row
        if task is None:
            return None
        task.claim(worker_id)
        lease, _ = TaskLease.objects.get_or_create(task=task)
        lease.attempts += 1
        lease.worker_id = worker_id
        lease.expires_at = timezone.now() + lease_duration()
        lease.save(update_fields=["attempts", "worker_id", "expires_at"])
    return task


def renew(task_id, *, worker_id: str) -> bool:
    """The heartbeat: extend this worker's lease. False if the task was taken away meanwhile."""
    return bool(
        TaskLease.objects.filter(task_id=task_id, worker_id=worker_id, task__status=RUNNING).update(
            expires_at=timezone.now() + lease_duration()
        )
    )


def succeed(task: DBTaskResult, return_value) -> None:
    with transaction.atomic():
        task.set_successful(return_value)
        TaskLease.objects.filter(task_id=task.pk).update(expires_at=None)


def fail_attempt(task: DBTaskResult, error: BaseException) -> bool:
    """Record a failed attempt: retry later with backoff, or dead-letter. True if dead now."""
    text = "".join(format_exception(error))
    with transaction.atomic():
        lease, _ = TaskLease.objects.select_for_update().get_or_create(task_id=task.pk)
        if lease.attempts >= settings.TASK_MAX_ATTEMPTS:
            reason = f"{type(error).__name__}: {error} (attempt {lease.attempts} of {settings.TASK_MAX_ATTEMPTS})"
            _dead_letter(task, lease, reason, text, error_class=_class_path(error))
            return True
        _requeue(task.pk, run_after=timezone.now() + backoff(lease.attempts))
        lease.last_error, lease.expires_at = text, None
        lease.save(update_fields=["last_error", "expires_at"])
    return False


def release(task: DBTaskResult) -> None:
    """Give a task back untouched (the worker is stopping): the attempt does not count."""
    with transaction.atomic():
        _requeue(task.pk, run_after=None)
        lease = TaskLease.objects.select_for_update().filter(task_id=task.pk).first()
        if lease is not None:
            lease.attempts, lease.expires_at = max(lease.attempts - 1, 0), None
            lease.save(update_fields=["attempts", "expires_at"])


def reap_expired(*, now: datetime | None = None) -> tuple[int, int]:
    """Return RUNNING tasks whose lease expired to the queue, or dead-letter them.

    Tasks claimed without a lease (by a plain `db_worker`) expire a lease's length after they
    started. Returns (requeued, dead).
    """
    now = now or timezone.now()
    expired = DBTaskResult.objects.running().filter(
        Q(lease__expires_at__lt=now) | Q(lease__isnull=True, started_at__lt=now - lease_duration())
    )
    requeued = dead = 0
    for task_id in list(expired.values_list("pk", flat=True)):
        with transaction.atomic():
            # Lock and look again: the worker may have finished, or another reaper got there first.
            task = DBTaskResult.objects.select_for_update(skip_locked=True).filter(pk=task_id, status=RUNNING).first()
            if task is None:
                continue
            lease, _ = TaskLease.objects.get_or_create(task=task, defaults={"attempts": 1})
            if lease.expires_at is not None and lease.expires_at >= now:
                continue
            worker = lease.worker_id or (task.worker_ids[-1] if task.worker_ids else "?")
            error = f"worker {worker} stopped renewing its lease during attempt {lease.attempts}"
            if lease.attempts >= settings.TASK_MAX_ATTEMPTS:
                _dead_letter(task, lease, error, error, error_class="learnloop.ops.taskqueue.LeaseExpired")
                dead += 1
            else:
                _requeue(task.pk, run_after=now + backoff(lease.attempts))
                lease.last_error, lease.expires_at = error, None
                lease.save(update_fields=["last_error", "expires_at"])
                requeued += 1
    return requeued, dead


def _requeue(task_id, *, run_after: datetime | None) -> None:
    DBTaskResult.objects.filter(pk=task_id).update(
        status=READY, run_after=run_after or get_date_max(), finished_at=None
    )


def _dead_letter(task, lease, reason: str, text: str, *, error_class: str) -> None:
    now = timezone.now()
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=FAILED, finished_at=now, exception_class_path=error_class, traceback=text, return_value=None
    )
    lease.dead_reason, lease.dead_at, lease.last_error, lease.expires_at = reason, now, text, None
    lease.save(update_fields=["dead_reason", "dead_at", "last_error", "expires_at"])


def _class_path(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__qualname__}"


# --- Operators: `learnloop tasks list|retry|purge` -------------------------------------------

STATES = {"ready": READY, "running": RUNNING, "done": SUCCESSFUL, "dead": FAILED}
STATE_OF = {value: key for key, value in STATES.items()}


@dataclass(frozen=True)
class TaskRow:
    id: str
    task: str
    state: str
    attempts: int
    worker: str
    enqueued_at: datetime
    run_after: datetime | None
    lease_expires_at: datetime | None
    reason: str

    def as_json(self) -> dict:
        return {
            "id": self.id, "task": self.task, "state": self.state, "attempts": self.attempts,
            "worker": self.worker, "enqueued_at": _iso(self.enqueued_at), "run_after": _iso(self.run_after),
            "lease_expires_at": _iso(self.lease_expires_at), "reason": self.reason,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def task_results(*, states=("ready", "running", "dead")):
    """The tasks in these states, newest first, with their leases (a query, for paging)."""
    return (
        DBTaskResult.objects.filter(status__in=[STATES[state] for state in states])
        .select_related("lease").order_by("-enqueued_at", "-pk")
    )


def row_of(task: DBTaskResult) -> TaskRow:
    """What an operator sees of a task: never its arguments (they may name people)."""
    lease = getattr(task, "lease", None)
    reason = ""
    if task.status == FAILED:
        reason = (lease.dead_reason if lease and lease.dead_reason else task.exception_class_path)
    elif lease and lease.last_error:
        reason = "retrying after: " + lease.last_error.strip().splitlines()[-1]
    return TaskRow(
        id=str(task.pk), task=task.task_path.rsplit(".", 1)[-1], state=STATE_OF.get(task.status, task.status),
        attempts=lease.attempts if lease else 0, worker=(lease.worker_id if lease else "") or "",
        enqueued_at=task.enqueued_at, run_after=None if task.run_after == get_date_max() else task.run_after,
        lease_expires_at=lease.expires_at if lease else None, reason=reason,
    )


def list_tasks(*, states=("ready", "running", "dead"), limit: int | None = None) -> list[TaskRow]:
    tasks = task_results(states=states)
    return [row_of(task) for task in (tasks[:limit] if limit else tasks)]


def counts() -> dict[str, int]:
    """How many tasks are in each state."""
    from django.db.models import Count

    found = dict(DBTaskResult.objects.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {state: found.get(status, 0) for state, status in STATES.items()}


def retry_dead(task_ids=None) -> int:
    """Queue dead-lettered tasks again with a fresh set of attempts (all of them without ids)."""
    dead = DBTaskResult.objects.failed()
    if task_ids is not None:
        dead = dead.filter(pk__in=task_ids)
    with transaction.atomic():
        ids = list(dead.select_for_update().values_list("pk", flat=True))
        DBTaskResult.objects.filter(pk__in=ids).update(
            status=READY, run_after=get_date_max(), finished_at=None, exception_class_path="", traceback=""
        )
        TaskLease.objects.filter(task_id__in=ids).update(attempts=0, dead_reason="", dead_at=None, expires_at=None)
    return len(ids)


def purge(*, states=("done",), older_than: timedelta = timedelta(days=7), now: datetime | None = None) -> int:
    """Delete finished tasks (done, or dead too when asked) that finished before the cut-off."""
    unfinished = set(states) - {"done", "dead"}
    if unfinished:
        raise ValueError(f"only finished tasks can be purged, not {', '.join(sorted(unfinished))}")
    cutoff = (now or timezone.now()) - older_than
    _total, per_model = DBTaskResult.objects.filter(
        status__in=[STATES[state] for state in states], finished_at__lt=cutoff
    ).delete()
    return per_model.get(DBTaskResult._meta.label, 0)
